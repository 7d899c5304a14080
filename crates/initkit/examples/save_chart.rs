//! Saves the lesson's chart as offline HTML and PNG: `cargo run --example save_chart -- DIR`.

fn main() -> Result<(), initkit::Error> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "outputs".to_string());
    let saved = initkit::Sweep::lesson()?
        .chart()
        .save(&dir, "00_variance_propagation")?;
    println!("{saved}");
    Ok(())
}
