//! Property tests: over random shapes and arguments (valid or not), every initializer returns
//! an error exactly when its documented condition holds, never panics, keeps the array's
//! shape, and writes only values its distribution allows.

use initkit::numpy::default_rng;
use initkit::{Error, FanMode, Fans, Layout, Nonlinearity, VarianceScaling};
use ndarray::{Array2, ArrayD, IxDyn};
use proptest::prelude::*;

/// Few cases per property, so `cargo test` stays fast; each case tries several initializers.
fn config() -> ProptestConfig {
    ProptestConfig::with_cases(256)
}

/// Real arguments: mostly ordinary numbers, with zeros, negatives, NaN and infinities mixed in.
fn real() -> impl Strategy<Value = f64> {
    prop_oneof![
        6 => -10.0..10.0f64,
        1 => Just(0.0),
        1 => Just(-1.0),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
    ]
}

/// Shapes of 0 to 5 axes of length 0 to 4.
fn shape() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0usize..5, 0..6)
}

fn layout() -> impl Strategy<Value = Layout> {
    prop_oneof![Just(Layout::PyTorch), Just(Layout::Keras)]
}

fn mode() -> impl Strategy<Value = FanMode> {
    prop_oneof![
        Just(FanMode::FanIn),
        Just(FanMode::FanOut),
        Just(FanMode::FanAvg)
    ]
}

fn finite(x: f64) -> bool {
    x.is_finite()
}

fn valid_gain(g: f64) -> bool {
    g.is_finite() && g >= 0.0
}

/// Whether a shape has fans: at least two axes, none of length 0.
fn has_fans(shape: &[usize]) -> bool {
    shape.len() >= 2 && !shape.contains(&0)
}

fn check_outcome(
    result: Result<(), Error>,
    expect_ok: bool,
    what: &str,
) -> Result<(), TestCaseError> {
    match (&result, expect_ok) {
        (Ok(()), true) | (Err(_), false) => Ok(()),
        _ => Err(TestCaseError::fail(format!(
            "{what}: got {result:?}, expected ok = {expect_ok}"
        ))),
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn elementwise_initializers(shape in shape(), p in real(), q in real(), seed in any::<u64>()) {
        let mut rng = default_rng(u128::from(seed));
        let mut a = ArrayD::<f64>::zeros(IxDyn(&shape));

        check_outcome(initkit::constant(&mut a, p), finite(p), "constant")?;
        prop_assert_eq!(a.shape(), shape.as_slice());

        check_outcome(
            initkit::uniform(&mut a, p, q, &mut rng),
            finite(p) && finite(q) && p < q,
            "uniform",
        )?;
        if finite(p) && finite(q) && p < q {
            prop_assert!(a.iter().all(|&x| p <= x && x <= q));
        }

        check_outcome(
            initkit::normal(&mut a, p, q, &mut rng),
            finite(p) && finite(q) && q >= 0.0,
            "normal",
        )?;
        prop_assert!(a.iter().all(|x| x.is_finite()));
        prop_assert_eq!(a.shape(), shape.as_slice());

        // f32: the same conditions, for arguments this size.
        let mut b = ArrayD::<f32>::zeros(IxDyn(&shape));
        check_outcome(
            initkit::uniform(&mut b, p, q, &mut rng),
            finite(p) && finite(q) && p < q,
            "uniform f32",
        )?;
        prop_assert!(b.iter().all(|x| x.is_finite()));
    }

    #[test]
    fn truncated_normals(
        shape in shape(),
        mean in real(),
        std in prop_oneof![4 => 1e-3..10.0f64, 1 => real()],
        k_low in prop_oneof![4 => -45.0..45.0f64, 1 => real()],
        width in prop_oneof![4 => 0.0..5.0f64, 1 => real()],
        stds in prop_oneof![4 => 0.0..5.0f64, 1 => real()],
        seed in any::<u64>(),
    ) {
        // Bounds in units of std around the mean, so far tails come up often.
        let low = mean + k_low * std;
        let high = low + width * std;
        let mut rng = default_rng(u128::from(seed));
        let mut a = ArrayD::<f64>::zeros(IxDyn(&shape));
        let result = initkit::truncated_normal_between(&mut a, mean, std, low, high, &mut rng);
        let args_ok = finite(mean)
            && finite(std)
            && std > 0.0
            && !low.is_nan()
            && low != f64::INFINITY
            && !high.is_nan()
            && high != f64::NEG_INFINITY
            && low < high;
        // The documented mass condition, decided where it is clear-cut: an interval whose
        // nearest point is within 30 std of the mean and which is at least 1e-90 std wide holds
        // more than 2^-1022; one whose nearest point is beyond 38.5 std holds less.
        let (alpha, beta) = ((low - mean) / std, (high - mean) / std);
        let nearest = if alpha <= 0.0 && beta >= 0.0 { 0.0 } else { alpha.abs().min(beta.abs()) };
        if !args_ok || nearest >= 38.5 {
            prop_assert!(result.is_err(), "between({mean}, {std}, {low}, {high}) = {result:?}");
        } else if nearest <= 30.0 && beta - alpha >= 1e-90 {
            prop_assert!(result.is_ok(), "between({mean}, {std}, {low}, {high}) = {result:?}");
        }
        if result.is_ok() {
            prop_assert!(a.iter().all(|&x| low <= x && x <= high));
        }
        prop_assert_eq!(a.shape(), shape.as_slice());

        let result = initkit::truncated_normal_within_stds(&mut a, mean, std, stds, &mut rng);
        let ok = finite(mean) && finite(std) && std > 0.0 && stds > 0.0;
        // stds below about 1e-308 leave no mass; the generator never makes one that small.
        check_outcome(result, ok, "within_stds")?;
        if ok {
            let (lo, hi) = (mean - stds * std, mean + stds * std);
            prop_assert!(a.iter().all(|&x| lo <= x && x <= hi));
        }
    }

    #[test]
    fn fan_based_initializers(
        shape in shape(),
        layout in layout(),
        mode in mode(),
        gain in real(),
        slope in real(),
        seed in any::<u64>(),
    ) {
        let mut rng = default_rng(u128::from(seed));
        let mut a = ArrayD::<f64>::zeros(IxDyn(&shape));
        let fans = has_fans(&shape);

        check_outcome(
            initkit::xavier_uniform(&mut a, layout, gain, &mut rng),
            fans && valid_gain(gain),
            "xavier_uniform",
        )?;
        if fans && valid_gain(gain) {
            let f = Fans::of_shape(&shape, layout).unwrap();
            let bound = initkit::xavier_uniform_bound(f, gain).unwrap();
            prop_assert!(a.iter().all(|x| x.abs() <= bound));
        }
        check_outcome(
            initkit::xavier_normal(&mut a, layout, gain, &mut rng),
            fans && valid_gain(gain),
            "xavier_normal",
        )?;
        let leaky = Nonlinearity::LeakyRelu { negative_slope: slope };
        check_outcome(
            initkit::kaiming_uniform(&mut a, layout, mode, leaky, &mut rng),
            fans && finite(slope),
            "kaiming_uniform",
        )?;
        check_outcome(
            initkit::kaiming_normal(&mut a, layout, mode, Nonlinearity::Gain(gain), &mut rng),
            fans && valid_gain(gain),
            "kaiming_normal",
        )?;
        check_outcome(initkit::lecun_uniform(&mut a, layout, &mut rng), fans, "lecun_uniform")?;
        check_outcome(initkit::lecun_normal(&mut a, layout, &mut rng), fans, "lecun_normal")?;
        let mut b = ArrayD::<f32>::zeros(IxDyn(&shape));
        check_outcome(
            VarianceScaling::he_normal().fill(&mut b, layout, &mut rng),
            fans,
            "he_normal",
        )?;
        if fans {
            let f = Fans::of_shape(&shape, layout).unwrap();
            let cut = 2.0 * (2.0 / f.fan_in() as f64).sqrt() / initkit::KERAS_TRUNCATED_STD_CORRECTION;
            prop_assert!(b.iter().all(|&x| f64::from(x).abs() <= cut * (1.0 + 1e-6)));
        }
        prop_assert!(a.iter().all(|x| x.is_finite()));
        prop_assert_eq!(a.shape(), shape.as_slice());
        prop_assert_eq!(b.shape(), shape.as_slice());
    }

    #[test]
    fn structured_initializers(
        shape in shape(),
        layout in layout(),
        gain in real(),
        groups in 0usize..4,
        seed in any::<u64>(),
    ) {
        let mut rng = default_rng(u128::from(seed));
        let mut a = ArrayD::<f64>::zeros(IxDyn(&shape));
        let non_empty = shape.len() >= 2 && !shape.contains(&0);

        let ok = non_empty && valid_gain(gain);
        check_outcome(initkit::orthogonal(&mut a, layout, gain, &mut rng), ok, "orthogonal")?;
        if ok {
            let n = shape.len();
            let (rows, cols) = match layout {
                Layout::PyTorch => (shape[0], shape[1..].iter().product()),
                Layout::Keras => (shape[..n - 1].iter().product(), shape[n - 1]),
            };
            let m = Array2::from_shape_vec((rows, cols), a.iter().copied().collect()).unwrap();
            let g = if rows <= cols { m.dot(&m.t()) } else { m.t().dot(&m) };
            let want = Array2::<f64>::eye(g.nrows()) * (gain * gain);
            let tol = 1e-12 * (1.0 + gain * gain);
            prop_assert!((&g - &want).iter().all(|e| e.abs() <= tol), "{g:?}");
        }

        check_outcome(initkit::eye(&mut a, gain), shape.len() == 2 && valid_gain(gain), "eye")?;

        let ok = (3..=5).contains(&shape.len()) && groups >= 1 && shape[0] % groups == 0;
        check_outcome(initkit::dirac(&mut a, groups), ok, "dirac")?;
        if ok {
            prop_assert!(a.iter().all(|&x| x == 0.0 || x == 1.0));
            let per_group = shape[0] / groups;
            let expected = if shape.contains(&0) { 0 } else { groups * per_group.min(shape[1]) };
            prop_assert_eq!(a.iter().filter(|&&x| x == 1.0).count(), expected);
        }
        prop_assert_eq!(a.shape(), shape.as_slice());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn fans_of_any_shape(
        shape in prop::collection::vec(
            prop_oneof![4 => 0usize..6, 1 => Just(usize::MAX / 3), 1 => any::<usize>()],
            0..6,
        ),
        layout in layout(),
    ) {
        let result = Fans::of_shape(&shape, layout);
        if shape.len() < 2 {
            let refused = matches!(result, Err(Error::InvalidShape { .. }));
            prop_assert!(refused, "{:?}: {:?}", shape, result);
            return Ok(());
        }
        // The frameworks' formulas, in u128: the fans exist when every product fits in usize
        // and neither fan is 0.
        let n = shape.len();
        let (receptive, fan_in, fan_out) = match layout {
            Layout::PyTorch => (&shape[2..], shape[1], shape[0]),
            Layout::Keras => (&shape[..n - 2], shape[n - 2], shape[n - 1]),
        };
        let fits = |v: u128| (v <= usize::MAX as u128).then_some(v);
        let receptive = receptive
            .iter()
            .try_fold(1u128, |acc, &k| fits(acc * k as u128));
        let fan = |axis: usize| receptive.and_then(|r| r.checked_mul(axis as u128)).and_then(fits);
        match (fan(fan_in), fan(fan_out)) {
            (Some(i), Some(o)) if i > 0 && o > 0 => {
                let fans = result.unwrap();
                prop_assert_eq!((fans.fan_in() as u128, fans.fan_out() as u128), (i, o));
            }
            _ => prop_assert!(result.is_err(), "{shape:?}: {result:?}"),
        }
    }
}
