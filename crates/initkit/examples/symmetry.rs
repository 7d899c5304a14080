//! The symmetry-breaking demonstration: prints each data set's summary and how long the
//! lesson's computation takes, and with a folder argument saves the lesson's charts there.
//!
//! `cargo run --release --example symmetry -- [DIR]`

use initkit::SymmetryDemo;
use initkit::symmetry::Dataset;
use std::time::Instant;

fn main() -> Result<(), initkit::Error> {
    for dataset in Dataset::ALL {
        let demo = SymmetryDemo::on(dataset)?;
        println!("{demo}\n");
    }
    let mut times = Vec::new();
    for _ in 0..21 {
        let start = Instant::now();
        let demo = SymmetryDemo::lesson()?;
        let computed = start.elapsed();
        let chart = demo.chart();
        let json = chart.to_json();
        times.push((
            computed.as_secs_f64(),
            start.elapsed().as_secs_f64(),
            json.len(),
        ));
    }
    times.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (compute, with_chart, bytes) = times[times.len() / 2];
    println!(
        "lesson: median {:.1} ms to train both networks, {:.1} ms with the chart ({} KiB of JSON)",
        compute * 1e3,
        with_chart * 1e3,
        bytes / 1024
    );
    if let Some(dir) = std::env::args().nth(1) {
        let demo = SymmetryDemo::lesson()?;
        for (stem, chart) in [
            ("symmetry", demo.chart()),
            ("symmetry_weights", demo.weights_chart()),
            ("symmetry_loss", demo.loss_chart()),
            ("symmetry_boundary", demo.boundary_chart()),
        ] {
            println!("{}", chart.save(&dir, stem)?);
        }
    }
    Ok(())
}
