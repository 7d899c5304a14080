//! The symmetry-breaking demonstration: prints each data set's summary and how long the
//! lesson's computation takes, and with a folder argument saves the charts there (for the
//! lesson's XOR data, or for `moons` or `circles`).
//!
//! `cargo run --release --example symmetry -- [DIR [xor|moons|circles]]`

use initkit::SymmetryDemo;
use initkit::symmetry::Dataset;
use std::time::Instant;

fn main() -> Result<(), initkit::Error> {
    for dataset in Dataset::ALL {
        let demo = SymmetryDemo::on(dataset)?;
        println!("{demo}\n");
    }
    let mut times = Vec::new();
    let cpu_start = cpu_seconds();
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
    let cpu = (cpu_seconds() - cpu_start) / times.len() as f64;
    times.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (compute, with_chart, bytes) = times[times.len() / 2];
    println!(
        "lesson: median {:.1} ms to train both networks, {:.1} ms with the chart ({} KiB of JSON); \
         {:.1} ms of CPU time per lesson on average",
        compute * 1e3,
        with_chart * 1e3,
        bytes / 1024,
        cpu * 1e3
    );
    if let Some(dir) = std::env::args().nth(1) {
        let dataset = match std::env::args().nth(2).as_deref() {
            Some("moons") => Dataset::Moons,
            Some("circles") => Dataset::Circles,
            _ => Dataset::Xor,
        };
        let demo = SymmetryDemo::on(dataset)?;
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

/// User plus system CPU time of this process in seconds (Linux; 0 elsewhere), so that the
/// timing means something on a machine shared with other work.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name, which is in parentheses and may contain spaces.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the line, in clock ticks of 1/100 s.
    (ticks(11) + ticks(12)) / 100.0
}
