//! Inputs at the edges: every one ends quickly, with a result or an error naming its parameter.

use initkit::{Activation, Lab, Propagation, Scale, linear_variance};

#[test]
fn propagation_stops_once_nothing_can_change() {
    let p = Propagation { width: 8, seed: 0 };
    // Overflows within two layers, then would run for ever: NaN, as NumPy's np.var gives.
    assert!(p.output_variance(usize::MAX, 1e200).unwrap().is_nan());
    // Underflows to exactly zero, then zero maps to zero.
    assert_eq!(p.output_variance(usize::MAX, 1e-200).unwrap(), 0.0);
    let sweep = p.sweep(usize::MAX, &[1e-200, 1e200]).unwrap();
    assert_eq!(sweep[0], 0.0);
    assert!(sweep[1].is_nan());
}

#[test]
fn closed_forms_take_every_depth_they_promise() {
    let most = (1usize << 31) - 1;
    assert!(linear_variance(most, 2, 0.5).is_ok());
    let err = linear_variance(most + 1, 2, 0.5).unwrap_err();
    assert_eq!(err.parameter(), Some("n_layers"));
}

#[test]
fn lab_depth_is_bounded() {
    let deepest = Lab::new(1, initkit::lab::MAX_DEPTH, Activation::Relu, Scale::He);
    assert!(deepest.is_ok());
    for depth in [initkit::lab::MAX_DEPTH + 1, usize::MAX] {
        let err = Lab::new(4, depth, Activation::Tanh, Scale::Xavier).unwrap_err();
        assert_eq!(err.parameter(), Some("depth"));
        let lab = Lab {
            depth,
            ..Lab::DEFAULT
        };
        assert_eq!(lab.run().unwrap_err().parameter(), Some("depth"));
        assert_eq!(lab.fan_chart().unwrap_err().parameter(), Some("depth"));
    }
}

#[test]
fn huge_leaky_slopes_keep_a_nonzero_gain() {
    let gain = initkit::Nonlinearity::LeakyRelu {
        negative_slope: 1e200,
    }
    .gain()
    .unwrap();
    assert!(gain > 0.0 && (gain * 1e200 / std::f64::consts::SQRT_2 - 1.0).abs() < 1e-15);
}

#[test]
fn histogram_panels_say_what_falls_beyond_their_bins() {
    // ReLU with a naive std of 1 explodes past the bins; the panel says so rather than hide it.
    let chart = Lab::new(64, 10, Activation::Relu, Scale::Xavier)
        .unwrap()
        .histogram_chart()
        .unwrap();
    let headings = chart.figure()["layout"]["annotations"].to_string();
    assert!(headings.contains("beyond the bins"), "{headings}");
    let tanh = Lab::new(64, 10, Activation::Tanh, Scale::Xavier)
        .unwrap()
        .histogram_chart()
        .unwrap();
    assert!(
        !tanh.figure()["layout"]["annotations"]
            .to_string()
            .contains("beyond")
    );
}
