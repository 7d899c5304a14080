//! Timings and peak memory of initkit's propagation, printed as JSON for `tools/bench.py`,
//! which runs NumPy's original alongside and prints the ratios. Run `make bench`.
//!
//! `cargo run --release --example bench -- time`, `-- lab` or `-- memory WIDTH LAYERS`.

use initkit::{Activation, Lab, Propagation, Scale, linspace};
use std::hint::black_box;
use std::time::Instant;

fn median_seconds(repeats: usize, mut f: impl FnMut()) -> f64 {
    f(); // warm caches and page in the code
    let mut times: Vec<f64> = (0..repeats)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[repeats / 2]
}

/// (current resident set, peak resident set) of this process in KiB, from /proc.
fn rss_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn main() -> Result<(), initkit::Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("memory") => {
            let width: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(8192);
            let layers: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(10);
            let (baseline, _) = rss_kib();
            let p = Propagation { width, seed: 0 };
            let v = p.output_variance(layers, 1.0 / (width as f64).sqrt())?;
            let (_, peak) = rss_kib();
            println!(
                "{{\"width\": {width}, \"layers\": {layers}, \"variance\": {v}, \
                 \"peak_above_baseline_kib\": {}}}",
                peak.saturating_sub(baseline)
            );
        }
        Some("lab") => {
            // A slider's simulation at the size asked for: 41 init scales 2^(-2 + i/10) x 30
            // tanh layers of width 256, forward and backward, batch 32 (and the lab's default,
            // 16); then the lesson's slider chart itself (25 scales, batch 16, with theory).
            let gains: Vec<f64> = (0..=40)
                .map(|i| 2f64.powf(-2.0 + f64::from(i) / 10.0))
                .collect();
            let lab = |batch| Lab {
                width: 256,
                depth: 30,
                activation: Activation::Tanh,
                init: Scale::Xavier,
                batch,
                ..Lab::DEFAULT
            };
            let b32 = median_seconds(5, || {
                black_box(lab(32).sweep(black_box(&gains)).ok());
            });
            let b16 = median_seconds(5, || {
                black_box(lab(16).sweep(black_box(&gains)).ok());
            });
            let chart = median_seconds(5, || {
                black_box(lab(16).slider_chart().ok().map(|c| c.to_json().len()));
            });
            let check = lab(32).sweep(&[1.0])?.remove(0);
            println!(
                "{{\"lab_sweep_b32\": {b32}, \"lab_sweep_b16\": {b16}, \
                 \"slider_chart_b16\": {chart}, \"check_pre\": {:?}, \"check_grad\": {:?}, \
                 \"threads\": {}}}",
                check.pre_activation,
                check.gradient,
                std::thread::available_parallelism().map_or(1, |n| n.get())
            );
        }
        _ => {
            let p = Propagation::default();
            let stds = linspace(0.001, 0.05, 20)?;
            let one = median_seconds(31, || {
                black_box(p.output_variance(3, black_box(0.01)).ok());
            });
            let sweep = median_seconds(11, || {
                black_box(p.sweep(3, black_box(&stds)).ok());
            });
            println!("{{\"propagate_3\": {one}, \"sweep_20\": {sweep}}}");
        }
    }
    Ok(())
}
