//! Prints the original lesson's five lines: `cargo run --example lesson`.

use initkit::{PyFloat, he_std, propagate, xavier_std};

fn main() -> Result<(), initkit::Error> {
    for std in [0.001, 0.01, 0.03] {
        println!("{} {}", PyFloat(std), PyFloat(propagate(3, std)?));
    }
    println!("He std: {}", PyFloat(he_std(512)?));
    println!("Xavier std: {}", PyFloat(xavier_std(512, 512)?));
    Ok(())
}
