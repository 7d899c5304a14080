//! Saves the variance-flow lab's charts as offline HTML (and PNG where Chromium is available):
//! `cargo run --release --example save_lab_charts -- DIR`.

use initkit::{Activation, Lab, Scale, Sweep};

fn main() -> Result<(), initkit::Error> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "outputs".to_string());
    let tanh = Lab::new(256, 30, Activation::Tanh, Scale::Std(0.05))?;
    let relu = tanh.with_activation(Activation::Relu).with_init(Scale::He);
    let charts = [
        (
            "01_variance_with_theory",
            Sweep::lesson()?.theory_chart(512)?,
        ),
        ("02_variance_per_layer", tanh.layer_chart()?),
        ("03_schemes_tanh_relu", tanh.schemes_chart()?),
        ("04_init_scale_slider", tanh.slider_chart()?),
        ("05_activation_histograms", tanh.histogram_chart()?),
        ("06_fan_in_vs_fan_out", relu.fan_chart()?),
    ];
    for (stem, chart) in charts {
        println!("{}\n{}", chart.summary(), chart.save(&dir, stem)?);
    }
    Ok(())
}
