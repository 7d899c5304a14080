//! The symmetry-breaking demonstration through its public API: identical units stay identical
//! bit for bit, random ones diversify and learn more, runs repeat exactly, the charts carry
//! what the lesson shows, and bad settings are rejected by name.

use initkit::SymmetryDemo;
use initkit::symmetry::{Activation, Dataset, Init, Output, Run, Samples, Training};
use serde_json::Value;

const ACTIVATIONS: [Activation; 2] = [Activation::Tanh, Activation::Relu];
const OUTPUTS: [Output; 2] = [Output::SigmoidCrossEntropy, Output::LinearSquaredError];

fn figure(chart: &initkit::Chart) -> Value {
    serde_json::from_str(&chart.to_json()).unwrap()
}

fn traces(figure: &Value) -> &Vec<Value> {
    figure["data"].as_array().unwrap()
}

fn names(figure: &Value) -> Vec<&str> {
    traces(figure)
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect()
}

/// Asserts that every hidden unit's numbers equal unit 0's, bit for bit, at every step.
fn assert_clones(run: &Run, context: &str) {
    let units = run.units();
    for (t, step) in units.outer_iter().enumerate() {
        let first: Vec<u64> = step.row(0).iter().map(|x| x.to_bits()).collect();
        for (j, unit) in step.outer_iter().enumerate() {
            let bits: Vec<u64> = unit.iter().map(|x| x.to_bits()).collect();
            assert_eq!(bits, first, "{context}: unit {j} at step {t}");
        }
    }
}

#[test]
fn constant_init_keeps_hidden_units_exactly_identical() {
    for dataset in Dataset::ALL {
        let samples = Samples::generate(dataset, 60, 0.15, 1).unwrap();
        for activation in ACTIVATIONS {
            for output in OUTPUTS {
                for hidden in [2, 5, 16] {
                    for constant in [-0.7, 0.0, 0.25, 1.3] {
                        let training = Training {
                            hidden,
                            activation,
                            output,
                            steps: 60,
                            learning_rate: 0.5,
                        };
                        let run = training.run(&samples, Init::Constant(constant)).unwrap();
                        let context =
                            format!("{dataset} {activation:?} {output:?} H={hidden} c={constant}");
                        assert_eq!(run.differences().len(), 61, "{context}");
                        for &d in run.differences() {
                            assert_eq!(d, 0.0, "{context}");
                        }
                        assert_clones(&run, &context);
                        let net = run.network();
                        assert_eq!(net.largest_unit_difference(), 0.0, "{context}");
                        // Not trivially equal: the units did move (except from all zeros,
                        // where every hidden gradient is zero too).
                        let start = run.units().slice(ndarray::s![0, 0, ..]).to_vec();
                        let end = net.unit(0).unwrap().to_vec();
                        if constant != 0.0 {
                            assert_ne!(start, end, "{context}");
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn random_init_diversifies_units_and_learns_more() {
    for dataset in Dataset::ALL {
        for activation in ACTIVATIONS {
            let samples = Samples::generate(dataset, 200, 0.1, 0).unwrap();
            let training = Training {
                activation,
                ..Training::default()
            };
            let constant = training.run(&samples, Init::Constant(0.5)).unwrap();
            let random = training.run(&samples, Init::Random { seed: 0 }).unwrap();
            let context = format!("{dataset} {activation:?}");
            eprintln!(
                "{context}: difference {:.3}, loss {:.4} (random) vs {:.4} (constant)",
                random.final_difference(),
                random.final_loss(),
                constant.final_loss()
            );
            assert!(random.differences().iter().all(|&d| d > 0.1), "{context}");
            assert!(random.final_difference() > 1.0, "{context}");
            assert!(
                random.final_loss() < 0.25 * constant.final_loss(),
                "{context}"
            );
            assert!(
                random.final_loss() < 0.5 * random.loss()[0],
                "{context}: the random run must learn"
            );
        }
    }
}

#[test]
fn runs_repeat_bit_for_bit() {
    let training = Training {
        steps: 200,
        ..Training::default()
    };
    let run = |seed: u128| {
        let samples = Samples::generate(Dataset::Moons, 100, 0.2, 9).unwrap();
        training.run(&samples, Init::Random { seed }).unwrap()
    };
    let bits = |run: &Run| -> Vec<u64> {
        run.loss()
            .iter()
            .chain(run.differences())
            .chain(run.units().iter())
            .map(|x| x.to_bits())
            .collect()
    };
    let (a, b) = (run(4), run(4));
    assert_eq!(bits(&a), bits(&b));
    assert_eq!(a, b);
    assert_ne!(bits(&a), bits(&run(5)));
    assert_eq!(
        SymmetryDemo::lesson().unwrap().to_string(),
        SymmetryDemo::lesson().unwrap().to_string()
    );
    assert_eq!(
        Samples::generate(Dataset::Xor, 50, 0.1, 3).unwrap(),
        Samples::generate(Dataset::Xor, 50, 0.1, 3).unwrap()
    );
}

#[test]
fn data_sets_have_their_documented_shapes() {
    let xor = Samples::generate(Dataset::Xor, 400, 0.0, 2).unwrap();
    for (p, &label) in xor.points().outer_iter().zip(xor.labels()) {
        assert!(p[0].abs() >= 0.1 && p[0].abs() <= 1.0 && p[1].abs() >= 0.1 && p[1].abs() <= 1.0);
        assert_eq!(label, if p[0] * p[1] > 0.0 { 1.0 } else { 0.0 });
    }
    let circles = Samples::generate(Dataset::Circles, 101, 0.0, 2).unwrap();
    assert_eq!(circles.labels().sum(), 51.0);
    for (p, &label) in circles.points().outer_iter().zip(circles.labels()) {
        let radius = p[0].hypot(p[1]);
        let expected = if label == 1.0 { 0.5 } else { 1.0 };
        assert!((radius - expected).abs() < 1e-12, "{radius}");
    }
    let moons = Samples::generate(Dataset::Moons, 7, 0.0, 2).unwrap();
    assert_eq!(moons.len(), 7);
    assert_eq!(moons.labels().to_vec(), [0., 0., 0., 1., 1., 1., 1.]);
    // The outer moon's ends, shifted by (-0.5, -0.25).
    assert_eq!(moons.points().row(0).to_vec(), [0.5, -0.25]);
    let noisy = Samples::generate(Dataset::Moons, 7, 0.3, 2).unwrap();
    assert_ne!(noisy.points(), moons.points());
    assert_eq!(noisy.labels(), moons.labels());
}

#[test]
fn lesson_chart_shows_weights_boundaries_and_losses() {
    let demo = SymmetryDemo::lesson().unwrap();
    let hidden = demo.constant().network().hidden();
    assert_eq!(hidden, 8);
    let chart = demo.chart();
    assert_eq!(chart.summary(), demo.to_string());
    let fig = figure(&chart);
    let data = traces(&fig);
    // 8 unit lines per run, heat map + boundary + two classes per run, two loss curves.
    assert_eq!(data.len(), 2 * hidden + 2 * 4 + 2);
    let kinds: Vec<&str> = data.iter().map(|t| t["type"].as_str().unwrap()).collect();
    assert_eq!(
        kinds.iter().filter(|&&k| k == "scatter").count(),
        2 * hidden + 4 + 2
    );
    assert_eq!(kinds.iter().filter(|&&k| k == "heatmap").count(), 2);
    assert_eq!(kinds.iter().filter(|&&k| k == "contour").count(), 2);
    let names = names(&fig);
    for j in 1..=hidden {
        assert!(names.contains(&format!("constant init: unit {j}").as_str()));
        assert!(names.contains(&format!("random init: unit {j}").as_str()));
    }
    for name in ["constant init", "random init", "class 0", "class 1"] {
        assert!(names.contains(&name), "{name}");
    }
    let layout = &fig["layout"];
    assert_eq!(
        layout["title"]["text"],
        "Symmetry breaking on XOR: one network, two initializations"
    );
    for (axis, title) in [
        ("xaxis", "Gradient-descent step"),
        ("yaxis", "Weight x₁ → hidden unit"),
        ("xaxis3", "x₁"),
        ("yaxis3", "x₂"),
        ("xaxis5", "Gradient-descent step"),
        ("yaxis5", "Loss (log scale)"),
    ] {
        assert_eq!(layout[axis]["title"]["text"], title, "{axis}");
    }
    assert_eq!(layout["yaxis5"]["type"], "log");
    assert_eq!(layout["yaxis2"]["matches"], "y");
    // Every trace is drawn on an axis the layout defines.
    for trace in data {
        let x = trace["xaxis"].as_str().unwrap().replacen('x', "xaxis", 1);
        let y = trace["yaxis"].as_str().unwrap().replacen('y', "yaxis", 1);
        assert!(layout[&x].is_object() && layout[&y].is_object(), "{x} {y}");
    }
    let headers: Vec<&str> = layout["annotations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["text"].as_str().unwrap())
        .collect();
    assert!(headers.contains(&"<b>Constant init: every weight 0.5</b>"));
    assert!(headers.contains(&"<b>Random init: Xavier normal, seed 0</b>"));
    assert!(headers.contains(&"8 lines, exactly on top of each other at every step"));
}

#[test]
fn constant_runs_unit_lines_coincide_and_random_ones_do_not() {
    let demo = SymmetryDemo::lesson().unwrap();
    for fig in [figure(&demo.chart()), figure(&demo.weights_chart())] {
        let lines = |label: &str| -> Vec<String> {
            traces(&fig)
                .iter()
                .filter(|t| {
                    t["name"]
                        .as_str()
                        .unwrap()
                        .starts_with(&format!("{label}: unit"))
                })
                .map(|t| {
                    assert_eq!(t["type"], "scatter");
                    assert_eq!(t["mode"], "lines");
                    // The y column, as exact bytes (a typed array of doubles).
                    assert_eq!(t["y"]["dtype"], "f8");
                    t["y"]["bdata"].as_str().unwrap().to_string()
                })
                .collect()
        };
        let (constant, random) = (lines("constant init"), lines("random init"));
        assert_eq!((constant.len(), random.len()), (8, 8));
        assert!(constant.iter().all(|y| *y == constant[0]));
        for (j, a) in random.iter().enumerate() {
            for b in &random[j + 1..] {
                assert_ne!(a, b);
            }
        }
    }
}

#[test]
fn separate_charts_have_their_traces_and_axes() {
    let demo = SymmetryDemo::on(Dataset::Circles).unwrap();

    let weights = figure(&demo.weights_chart());
    assert_eq!(traces(&weights).len(), 16);
    assert_eq!(
        weights["layout"]["xaxis2"]["title"]["text"],
        "Gradient-descent step"
    );
    assert_eq!(
        weights["layout"]["yaxis"]["title"]["text"],
        "Weight x₁ → hidden unit"
    );

    let loss = figure(&demo.loss_chart());
    assert_eq!(names(&loss), ["constant init", "random init"]);
    assert_eq!(
        loss["layout"]["xaxis"]["title"]["text"],
        "Gradient-descent step"
    );
    let y = &loss["layout"]["yaxis"];
    assert_eq!(y["title"]["text"], "Loss (binary cross-entropy, log scale)");
    assert_eq!(y["type"], "log");

    let boundary = figure(&demo.boundary_chart());
    let data = traces(&boundary);
    let kinds: Vec<&str> = data.iter().map(|t| t["type"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "heatmap", "contour", "scatter", "scatter", "heatmap", "contour", "scatter", "scatter"
        ]
    );
    assert_eq!(data[0]["name"], "constant init: P(class 1)");
    assert_eq!(data[4]["name"], "random init: P(class 1)");
    let z = data[0]["z"].as_array().unwrap();
    assert_eq!((z.len(), z[0].as_array().unwrap().len()), (61, 61));
    assert_eq!(data[1]["contours"]["start"], 0.5);
    // One colour bar for both heat maps, which share the 0..1 scale.
    assert_eq!(
        (
            data[0]["showscale"].as_bool(),
            data[4]["showscale"].as_bool()
        ),
        (Some(false), Some(true))
    );
    // The classes' points are the training points.
    let count = |t: &Value| t["x"]["bdata"].as_str().map(|b| b.len()).unwrap();
    assert!(count(&data[2]) > 0 && count(&data[3]) > 0);
    assert_eq!(boundary["layout"]["xaxis"]["title"]["text"], "x₁");
    assert_eq!(boundary["layout"]["yaxis2"]["title"]["text"], "x₂");
}

#[test]
fn summary_states_exact_zero_and_both_losses() {
    let demo = SymmetryDemo::lesson().unwrap();
    let text = demo.to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0], "XOR, 200 points, 8 tanh hidden units, 500 steps:");
    assert!(
        lines[1].starts_with(
            "constant init: largest difference between hidden units after 500 steps = 0 (exactly); random init: "
        ),
        "{text}"
    );
    assert!(lines[1].contains("; final loss "), "{text}");
}

#[test]
fn bad_settings_are_rejected_by_name() {
    let samples = Samples::generate(Dataset::Xor, 20, 0.1, 0).unwrap();
    let base = Training::default();
    let rejected = |training: Training, init: Init| {
        training
            .run(&samples, init)
            .unwrap_err()
            .parameter()
            .map(str::to_string)
    };
    let random = Init::Random { seed: 0 };
    for hidden in [0, 1] {
        assert_eq!(
            rejected(Training { hidden, ..base }, random).as_deref(),
            Some("hidden")
        );
    }
    assert_eq!(
        rejected(Training { steps: 0, ..base }, random).as_deref(),
        Some("steps")
    );
    for learning_rate in [0.0, -0.1, f64::NAN, f64::INFINITY] {
        assert_eq!(
            rejected(
                Training {
                    learning_rate,
                    ..base
                },
                random
            )
            .as_deref(),
            Some("learning_rate")
        );
    }
    for constant in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert_eq!(
            rejected(base, Init::Constant(constant)).as_deref(),
            Some("constant")
        );
    }
    let huge = Training {
        steps: usize::MAX,
        ..base
    };
    assert!(matches!(
        huge.run(&samples, random),
        Err(initkit::Error::OutOfMemory { .. })
    ));
    for n_points in [0, 1] {
        let e = Samples::generate(Dataset::Moons, n_points, 0.1, 0).unwrap_err();
        assert_eq!(e.parameter(), Some("n_points"));
    }
    for noise in [-0.1, f64::NAN, f64::INFINITY] {
        let e = Samples::generate(Dataset::Circles, 10, noise, 0).unwrap_err();
        assert_eq!(e.parameter(), Some("noise"));
    }
    assert_eq!(
        rejected(
            Training {
                learning_rate: -0.1,
                ..base
            },
            random
        ),
        Some("learning_rate".into())
    );
    let message = base
        .run(&samples, Init::Constant(f64::NAN))
        .unwrap_err()
        .to_string();
    assert_eq!(message, "constant must be a finite number, got nan");
    let message = Training { hidden: 1, ..base }
        .run(&samples, random)
        .unwrap_err()
        .to_string();
    assert_eq!(message, "hidden must be at least 2, got 1");
    let e =
        initkit::symmetry::Network::new(0, Activation::Tanh, Output::SigmoidCrossEntropy, random);
    assert_eq!(e.unwrap_err().parameter(), Some("hidden"));
}

#[test]
fn diverging_training_gives_non_finite_numbers_not_a_panic() {
    let samples = Samples::generate(Dataset::Moons, 50, 0.1, 0).unwrap();
    let training = Training {
        output: Output::LinearSquaredError,
        learning_rate: 1e6,
        steps: 50,
        ..Training::default()
    };
    let demo = SymmetryDemo::new(samples, training, 0.5, 0).unwrap();
    assert!(!demo.random().final_loss().is_finite());
    let text = demo.chart().to_json();
    assert!(text.starts_with('{'));
    let _ = demo.to_string();

    // Noise so large that the points themselves overflow to infinity.
    let samples = Samples::generate(Dataset::Xor, 20, 1e308, 0).unwrap();
    assert!(samples.points().iter().any(|x| x.is_infinite()));
    let short = Training {
        steps: 3,
        ..Training::default()
    };
    let demo = SymmetryDemo::new(samples, short, 0.5, 0).unwrap();
    for chart in [demo.chart(), demo.boundary_chart(), demo.loss_chart()] {
        assert!(chart.to_json().starts_with('{'));
    }
}
