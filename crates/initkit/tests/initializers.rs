//! The initializers against their frameworks' formulas, and their draws against the
//! distributions they promise.
//!
//! Statistical checks use fixed seeds, so they are deterministic; their tolerances are derived
//! from the sample size, so that a correct sampler would fail a given check with probability
//! below about 1e-6 (5 standard errors) or 1e-3 (Kolmogorov–Smirnov at α = 0.001).

use initkit::numpy::{StandardNormal, default_rng, standard_uniform};
use initkit::{
    Error, FanMode, Fans, Layout, Nonlinearity, Spread, VarianceDistribution, VarianceScaling,
};
use ndarray::{Array1, Array2, Array3, Array4, ArrayD, Axis, IxDyn, s};
use rand::distr::Distribution;

// ---------------------------------------------------------------------------------------------
// Exact scales

#[test]
fn pytorch_scales_are_pytorchs_formulas() {
    for (fan_in, fan_out) in [(512, 512), (784, 256), (27, 576), (1, 1), (3, 100_000)] {
        let fans = Fans::new(fan_in, fan_out).unwrap();
        let (i, o) = (fan_in as f64, fan_out as f64);
        for gain in [1.0, 5.0 / 3.0, 0.5] {
            // torch: std = gain * math.sqrt(2.0 / float(fan_in + fan_out)); a = math.sqrt(3.0) * std
            let std = gain * (2.0 / (i + o)).sqrt();
            assert_eq!(initkit::xavier_normal_std(fans, gain).unwrap(), std);
            assert_eq!(
                initkit::xavier_uniform_bound(fans, gain).unwrap(),
                3f64.sqrt() * std
            );
        }
        for (mode, fan) in [
            (FanMode::FanIn, i),
            (FanMode::FanOut, o),
            (FanMode::FanAvg, (i + o) / 2.0),
        ] {
            for (nl, gain) in [
                (Nonlinearity::Relu, 2f64.sqrt()),
                (Nonlinearity::Tanh, 5.0 / 3.0),
                (Nonlinearity::Linear, 1.0),
                (Nonlinearity::Selu, 0.75),
                (
                    Nonlinearity::LeakyRelu {
                        negative_slope: 0.2,
                    },
                    (2.0f64 / (1.0 + 0.2 * 0.2)).sqrt(),
                ),
            ] {
                // torch: std = gain / math.sqrt(fan); bound = math.sqrt(3.0) * std
                let std = gain / fan.sqrt();
                assert_eq!(initkit::kaiming_normal_std(fans, mode, nl).unwrap(), std);
                assert_eq!(
                    initkit::kaiming_uniform_bound(fans, mode, nl).unwrap(),
                    3f64.sqrt() * std
                );
            }
        }
        assert_eq!(initkit::lecun_normal_std(fans), (1.0 / i).sqrt());
        assert_eq!(initkit::lecun_uniform_bound(fans), (3.0 * (1.0 / i)).sqrt());
    }
    // The lesson's numbers stay exactly what the notebook prints.
    assert_eq!(initkit::he_std(512).unwrap(), 0.0625);
    assert_eq!(initkit::xavier_std(512, 512).unwrap(), 0.04419417382415922);
}

#[test]
fn keras_variance_scaling_is_kerass_formulas() {
    const CORRECTION: f64 = 0.879_625_661_034_239_8; // keras: 0.87962566103423978
    let fans = Fans::new(784, 256).unwrap();
    let n = |mode| match mode {
        FanMode::FanIn => 784.0,
        FanMode::FanOut => 256.0,
        FanMode::FanAvg => (784.0 + 256.0) / 2.0,
    };
    for scale in [1.0, 2.0, 0.1] {
        for mode in [FanMode::FanIn, FanMode::FanOut, FanMode::FanAvg] {
            // keras: scale /= max(1., n); then per distribution.
            let s: f64 = scale / n(mode);
            let vs = |d| VarianceScaling::new(scale, mode, d).unwrap().spread(fans);
            assert_eq!(
                vs(VarianceDistribution::TruncatedNormal),
                Spread::TruncatedNormal {
                    std: s.sqrt() / CORRECTION,
                    stds: 2.0
                }
            );
            assert_eq!(
                vs(VarianceDistribution::UntruncatedNormal),
                Spread::Normal { std: s.sqrt() }
            );
            assert_eq!(
                vs(VarianceDistribution::Uniform),
                Spread::Uniform {
                    bound: (3.0 * s).sqrt()
                }
            );
        }
    }
    let presets = [
        (VarianceScaling::glorot_uniform(), 1.0, FanMode::FanAvg),
        (VarianceScaling::glorot_normal(), 1.0, FanMode::FanAvg),
        (VarianceScaling::he_uniform(), 2.0, FanMode::FanIn),
        (VarianceScaling::he_normal(), 2.0, FanMode::FanIn),
        (VarianceScaling::lecun_uniform(), 1.0, FanMode::FanIn),
        (VarianceScaling::lecun_normal(), 1.0, FanMode::FanIn),
    ];
    for (preset, scale, mode) in presets {
        assert_eq!((preset.scale(), preset.mode()), (scale, mode));
        // Whatever the distribution, the weights drawn have variance scale / n.
        let sd = preset.spread(fans).std();
        assert!(
            (sd - (scale / n(mode)).sqrt()).abs() < 1e-15,
            "{preset:?}: {sd}"
        );
    }
    assert_eq!(
        VarianceScaling::glorot_uniform().distribution(),
        VarianceDistribution::Uniform
    );
    assert_eq!(
        VarianceScaling::he_normal().distribution(),
        VarianceDistribution::TruncatedNormal
    );
}

#[test]
fn gains_match_calculate_gain() {
    use Nonlinearity::*;
    let cases = [
        (Conv2d, 1.0),
        (ConvTranspose3d, 1.0),
        (Sigmoid, 1.0),
        (Tanh, 5.0 / 3.0),
        (Relu, 2f64.sqrt()),
        (
            LeakyRelu {
                negative_slope: initkit::DEFAULT_NEGATIVE_SLOPE,
            },
            (2.0f64 / (1.0 + 0.01 * 0.01)).sqrt(),
        ),
        (Selu, 0.75),
        (Gain(2.5), 2.5),
    ];
    for (nl, gain) in cases {
        assert_eq!(initkit::calculate_gain(nl).unwrap(), gain, "{nl:?}");
    }
}

#[test]
fn fans_in_both_layouts() {
    let f = |shape: &[usize], layout| {
        let fans = Fans::of_shape(shape, layout).unwrap();
        (fans.fan_in(), fans.fan_out())
    };
    use Layout::{Keras, PyTorch};
    // Dense, conv1d/2d/3d: receptive field multiplied into both fans.
    assert_eq!(f(&[10, 20], PyTorch), (20, 10));
    assert_eq!(f(&[20, 10], Keras), (20, 10));
    assert_eq!(f(&[6, 4, 7], PyTorch), (4 * 7, 6 * 7));
    assert_eq!(f(&[7, 4, 6], Keras), (4 * 7, 6 * 7));
    assert_eq!(f(&[64, 3, 3, 3], PyTorch), (27, 576));
    assert_eq!(f(&[3, 3, 3, 64], Keras), (27, 576));
    assert_eq!(f(&[8, 2, 3, 4, 5], PyTorch), (2 * 60, 8 * 60));
    assert_eq!(f(&[3, 4, 5, 2, 8], Keras), (2 * 60, 8 * 60));
    // Grouped, groups = 4, 16 -> 32: [32, 4, 3, 3]; fan_out counts all 32 outputs.
    assert_eq!(f(&[32, 4, 3, 3], PyTorch), (4 * 9, 32 * 9));
    assert_eq!(f(&[3, 3, 4, 32], Keras), (4 * 9, 32 * 9));
    // Depthwise, 16 channels, multiplier 3.
    assert_eq!(f(&[48, 1, 5, 5], PyTorch), (25, 48 * 25));
    assert_eq!(f(&[5, 5, 16, 3], Keras), (16 * 25, 3 * 25));
}

// ---------------------------------------------------------------------------------------------
// Statistics

/// Sample size of the statistical checks. Debug builds draw about 10^6 values per second,
/// so each check costs a fraction of a second.
const N: usize = 100_000;

/// The first four moments of a distribution (mean, variance, 4th central moment).
#[derive(Debug, Clone, Copy)]
struct Moments {
    mean: f64,
    var: f64,
    m4: f64,
}

impl Moments {
    fn normal(mean: f64, std: f64) -> Self {
        let var = std * std;
        Moments {
            mean,
            var,
            m4: 3.0 * var * var,
        }
    }

    fn uniform(low: f64, high: f64) -> Self {
        let w = high - low;
        Moments {
            mean: (low + high) / 2.0,
            var: w * w / 12.0,
            m4: w.powi(4) / 80.0,
        }
    }
}

/// Checks the sample mean and variance against the distribution's.
///
/// Tolerances are 5 standard errors, derived from the sample size: the sample mean has
/// standard error σ/√n; the sample variance s² has variance (μ4 − σ⁴)/n + O(1/n²), which is
/// 2σ⁴/n for a normal (σ²·√(2/n) as a standard error) and is taken from the 4th central
/// moment for the uniform and truncated normals. A correct sampler fails with probability
/// below 6e-7 per check.
fn check_moments(xs: &[f64], want: Moments, what: &str) {
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let se_mean = (want.var / n).sqrt();
    let se_var = ((want.m4 - want.var * want.var) / n).sqrt();
    assert!(
        (mean - want.mean).abs() <= 5.0 * se_mean,
        "{what}: mean {mean} vs {} (5 se = {})",
        want.mean,
        5.0 * se_mean
    );
    assert!(
        (var - want.var).abs() <= 5.0 * se_var,
        "{what}: variance {var} vs {} (5 se = {})",
        want.var,
        5.0 * se_var
    );
}

/// The Kolmogorov–Smirnov statistic `D = sup |F_n(x) − F(x)|` of the sample against `cdf`,
/// compared with the asymptotic critical value for α = 0.001: `sqrt(-ln(α/2)/2)/√n =
/// 1.949/√n` (0.0062 for n = 10^5).
fn check_ks(xs: &[f64], cdf: impl Fn(f64) -> f64, what: &str) {
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    let d = sorted
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = cdf(x);
            (f - i as f64 / n).max((i + 1) as f64 / n - f)
        })
        .fold(0.0, f64::max);
    let critical = 1.949 / n.sqrt();
    assert!(d < critical, "{what}: KS D = {d} >= {critical}");
}

/// A density tabulated on `[lo, hi]` and integrated by Simpson's rule on each cell, for CDFs
/// and moments that do not depend on initkit's own special functions. With 20,000 cells the
/// quadrature and interpolation errors are below 1e-8, far under the KS tolerance.
struct Tabulated {
    lo: f64,
    step: f64,
    cumulative: Vec<f64>,
    moments: Moments,
}

impl Tabulated {
    fn new(density: impl Fn(f64) -> f64, lo: f64, hi: f64) -> Self {
        let cells = 20_000;
        let step = (hi - lo) / cells as f64;
        let mut cumulative = vec![0.0];
        let (mut m0, mut m1, mut m2) = (0.0, 0.0, 0.0);
        let mut raw = Vec::with_capacity(cells);
        for c in 0..cells {
            let (a, b) = (lo + c as f64 * step, lo + (c + 1) as f64 * step);
            let mid = 0.5 * (a + b);
            let simpson = |g: &dyn Fn(f64) -> f64| step / 6.0 * (g(a) + 4.0 * g(mid) + g(b));
            let mass = simpson(&|x| density(x));
            m0 += mass;
            m1 += simpson(&|x| x * density(x));
            m2 += simpson(&|x| x * x * density(x));
            raw.push((a, b, mid));
            cumulative.push(m0);
        }
        for c in cumulative.iter_mut() {
            *c /= m0;
        }
        let mean = m1 / m0;
        let var = m2 / m0 - mean * mean;
        let mut m4 = 0.0;
        for (a, b, mid) in raw {
            let g = |x: f64| (x - mean).powi(4) * density(x);
            m4 += step / 6.0 * (g(a) + 4.0 * g(mid) + g(b));
        }
        Tabulated {
            lo,
            step,
            cumulative,
            moments: Moments {
                mean,
                var,
                m4: m4 / m0,
            },
        }
    }

    fn cdf(&self, x: f64) -> f64 {
        let t = (x - self.lo) / self.step;
        if t <= 0.0 {
            return 0.0;
        }
        let i = t.floor() as usize;
        if i + 1 >= self.cumulative.len() {
            return 1.0;
        }
        let frac = t - i as f64;
        self.cumulative[i] + frac * (self.cumulative[i + 1] - self.cumulative[i])
    }
}

/// `N(mean, std²)` restricted to `[low, high]` (an open end is cut at 12 std), tabulated.
fn truncated(mean: f64, std: f64, low: f64, high: f64) -> Tabulated {
    let lo = if low.is_finite() {
        low
    } else {
        mean - 12.0 * std
    };
    let hi = if high.is_finite() {
        high
    } else {
        mean + 12.0 * std
    };
    // Shifted by the density at the end nearest the mean, so far-tail intervals do not
    // underflow; the shift cancels in the normalization.
    let nearest = ((lo - mean) / std).abs().min(((hi - mean) / std).abs());
    let shift = if lo <= mean && mean <= hi {
        0.0
    } else {
        nearest * nearest
    };
    Tabulated::new(
        move |x| {
            let z = (x - mean) / std;
            (-0.5 * (z * z - shift)).exp()
        },
        lo,
        hi,
    )
}

fn draw(f: impl FnOnce(&mut Array1<f64>)) -> Vec<f64> {
    let mut a = Array1::<f64>::zeros(N);
    f(&mut a);
    a.to_vec()
}

#[test]
fn uniform_draws_are_uniform() {
    let (low, high) = (-0.3, 0.7);
    let xs = draw(|a| initkit::uniform(a, low, high, &mut default_rng(1)).unwrap());
    assert!(xs.iter().all(|&x| (low..=high).contains(&x)));
    check_moments(&xs, Moments::uniform(low, high), "uniform");
    check_ks(
        &xs,
        |x| ((x - low) / (high - low)).clamp(0.0, 1.0),
        "uniform",
    );
}

#[test]
fn normal_draws_are_normal() {
    let (mean, std) = (1.5, 0.25);
    let xs = draw(|a| initkit::normal(a, mean, std, &mut default_rng(2)).unwrap());
    check_moments(&xs, Moments::normal(mean, std), "normal");
    let table = truncated(mean, std, f64::NEG_INFINITY, f64::INFINITY);
    check_ks(&xs, |x| table.cdf(x), "normal");
}

#[test]
fn truncated_normals_between_absolute_bounds() {
    // Intervals chosen to exercise each proposal scheme: wide around the mean (normal
    // proposals), narrow around it (uniform), one side (exponential), far tails, one-sided.
    let cases = [
        (0.0, 1.0, -2.0, 2.0),
        (0.5, 2.0, -3.0, 5.0),
        (0.0, 1.0, -0.3, 0.5),
        (0.0, 1.0, 1.0, 3.0),
        (0.0, 1.0, -1.0, 0.0),
        (0.0, 0.02, -2.0, 2.0),
        (10.0, 2.0, f64::NEG_INFINITY, 7.0),
        (0.0, 1.0, 5.0, f64::INFINITY),
        (0.0, 1.0, 8.0, 9.0),
        (0.0, 1.0, -30.5, -30.0),
        (0.0, 1.0, 2.0, 2.01),
        (1.0, 3.0, f64::NEG_INFINITY, f64::INFINITY),
    ];
    for (seed, &(mean, std, low, high)) in cases.iter().enumerate() {
        let what = format!("N({mean}, {std}²) on [{low}, {high}]");
        let xs = draw(|a| {
            initkit::truncated_normal_between(
                a,
                mean,
                std,
                low,
                high,
                &mut default_rng(seed as u128),
            )
            .unwrap()
        });
        assert!(xs.iter().all(|&x| low <= x && x <= high), "{what}: bounds");
        let table = truncated(mean, std, low, high);
        check_moments(&xs, table.moments, &what);
        check_ks(&xs, |x| table.cdf(x), &what);
    }
}

#[test]
fn truncated_normals_within_stds_cut_where_keras_does() {
    for (seed, (mean, std, stds)) in [(0.1, 0.05, 2.0), (0.0, 1.0, 0.5), (-3.0, 2.0, 4.0)]
        .into_iter()
        .enumerate()
    {
        let what = format!("N({mean}, {std}²) within ±{stds} std");
        let xs = draw(|a| {
            initkit::truncated_normal_within_stds(
                a,
                mean,
                std,
                stds,
                &mut default_rng(seed as u128 + 50),
            )
            .unwrap()
        });
        let (low, high) = (mean - stds * std, mean + stds * std);
        assert!(xs.iter().all(|&x| low <= x && x <= high), "{what}: bounds");
        let table = truncated(mean, std, low, high);
        check_moments(&xs, table.moments, &what);
        check_ks(&xs, |x| table.cdf(x), &what);
    }
    // The drawn std of Keras's cut is 0.8796 of the normal's: what its correction undoes.
    let table = truncated(0.0, 1.0, -2.0, 2.0);
    assert!((table.moments.var.sqrt() - initkit::KERAS_TRUNCATED_STD_CORRECTION).abs() < 1e-9);
}

/// Draws a `[rows, cols]` weight with `fill` and returns it flattened.
fn weight(rows: usize, cols: usize, fill: impl FnOnce(&mut Array2<f64>)) -> Vec<f64> {
    let mut w = Array2::<f64>::zeros((rows, cols));
    fill(&mut w);
    w.into_raw_vec_and_offset().0
}

#[test]
fn fan_based_initializers_draw_their_scale() {
    // PyTorch [out, in] = [250, 400]: fan_in 400, fan_out 250 (N = 100,000 values).
    let (out, inp) = (250, 400);
    let fans = Fans::new(inp, out).unwrap();
    let pt = Layout::PyTorch;
    let uniform = |bound: f64| Moments::uniform(-bound, bound);
    let normal = |std: f64| Moments::normal(0.0, std);
    let relu = Nonlinearity::Relu;
    let leaky = Nonlinearity::LeakyRelu {
        negative_slope: 0.1,
    };

    let xs = weight(out, inp, |w| {
        initkit::xavier_uniform(w, pt, 1.3, &mut default_rng(10)).unwrap()
    });
    let a = initkit::xavier_uniform_bound(fans, 1.3).unwrap();
    assert!(xs.iter().all(|x| x.abs() <= a));
    check_moments(&xs, uniform(a), "xavier_uniform");
    check_ks(
        &xs,
        |x| ((x + a) / (2.0 * a)).clamp(0.0, 1.0),
        "xavier_uniform",
    );

    let xs = weight(out, inp, |w| {
        initkit::xavier_normal(w, pt, 1.0, &mut default_rng(11)).unwrap()
    });
    check_moments(
        &xs,
        normal(initkit::xavier_normal_std(fans, 1.0).unwrap()),
        "xavier_normal",
    );

    for (mode, seed) in [
        (FanMode::FanIn, 12),
        (FanMode::FanOut, 13),
        (FanMode::FanAvg, 14),
    ] {
        let xs = weight(out, inp, |w| {
            initkit::kaiming_uniform(w, pt, mode, leaky, &mut default_rng(seed)).unwrap()
        });
        let a = initkit::kaiming_uniform_bound(fans, mode, leaky).unwrap();
        assert!(xs.iter().all(|x| x.abs() <= a));
        check_moments(&xs, uniform(a), &format!("kaiming_uniform {mode:?}"));

        let xs = weight(out, inp, |w| {
            initkit::kaiming_normal(w, pt, mode, relu, &mut default_rng(seed + 10)).unwrap()
        });
        let std = initkit::kaiming_normal_std(fans, mode, relu).unwrap();
        check_moments(&xs, normal(std), &format!("kaiming_normal {mode:?}"));
    }

    let xs = weight(out, inp, |w| {
        initkit::lecun_uniform(w, pt, &mut default_rng(30)).unwrap()
    });
    let a = initkit::lecun_uniform_bound(fans);
    assert!(xs.iter().all(|x| x.abs() <= a));
    check_moments(&xs, uniform(a), "lecun_uniform");

    let xs = weight(out, inp, |w| {
        initkit::lecun_normal(w, pt, &mut default_rng(31)).unwrap()
    });
    check_moments(&xs, normal(initkit::lecun_normal_std(fans)), "lecun_normal");
}

#[test]
fn variance_scaling_draws_its_spread() {
    // A Keras kernel [in, out] = [400, 250].
    let fans = Fans::new(400, 250).unwrap();
    let presets = [
        VarianceScaling::glorot_uniform(),
        VarianceScaling::glorot_normal(),
        VarianceScaling::he_uniform(),
        VarianceScaling::he_normal(),
        VarianceScaling::lecun_normal(),
        VarianceScaling::new(
            0.5,
            FanMode::FanOut,
            VarianceDistribution::UntruncatedNormal,
        )
        .unwrap(),
    ];
    for (seed, vs) in presets.into_iter().enumerate() {
        let xs = weight(400, 250, |w| {
            vs.fill(w, Layout::Keras, &mut default_rng(40 + seed as u128))
                .unwrap()
        });
        let what = format!("{vs:?}");
        match vs.spread(fans) {
            Spread::Uniform { bound } => {
                assert!(xs.iter().all(|x| x.abs() <= bound), "{what}");
                check_moments(&xs, Moments::uniform(-bound, bound), &what);
            }
            Spread::Normal { std } => check_moments(&xs, Moments::normal(0.0, std), &what),
            Spread::TruncatedNormal { std, stds } => {
                let cut = stds * std;
                assert!(xs.iter().all(|x| x.abs() <= cut), "{what}");
                let table = truncated(0.0, std, -cut, cut);
                check_moments(&xs, table.moments, &what);
                check_ks(&xs, |x| table.cdf(x), &what);
                // Keras's promise: the drawn values have variance scale / n.
                let n = fans.fan(vs.mode());
                assert!((table.moments.var - vs.scale() / n).abs() < 1e-9 * vs.scale() / n);
            }
        }
    }
}

#[test]
fn f32_arrays_get_the_same_values_rounded() {
    let mut w64 = Array2::<f64>::zeros((300, 300));
    let mut w32 = Array2::<f32>::zeros((300, 300));
    let he = (Layout::PyTorch, FanMode::FanIn, Nonlinearity::Relu);
    initkit::kaiming_normal(&mut w64, he.0, he.1, he.2, &mut default_rng(5)).unwrap();
    initkit::kaiming_normal(&mut w32, he.0, he.1, he.2, &mut default_rng(5)).unwrap();
    assert!(w64.iter().zip(&w32).all(|(a, b)| *a as f32 == *b));
    let xs: Vec<f64> = w32.iter().map(|&x| f64::from(x)).collect();
    check_moments(&xs, Moments::normal(0.0, (2.0f64 / 300.0).sqrt()), "f32 He");

    let mut t32 = Array2::<f32>::zeros((200, 200));
    initkit::truncated_normal_between(&mut t32, 0.0, 1.0, 0.1, 0.3, &mut default_rng(6)).unwrap();
    // Bounds rounded to f32 are never crossed.
    assert!(t32.iter().all(|&x| (0.1f32..=0.3f32).contains(&x)));
}

#[test]
fn pcg64_streams_are_numpys_formulas() {
    // numpy: rng.normal(mean, std, n) = mean + std * standard_normal; rng.uniform(lo, hi, n) =
    // lo + (hi - lo) * random().
    let mut w = Array1::<f64>::zeros(1000);
    initkit::normal(&mut w, -2.0, 3.0, &mut default_rng(9)).unwrap();
    let mut rng = default_rng(9);
    for x in &w {
        let z: f64 = StandardNormal.sample(&mut rng);
        assert_eq!(x.to_bits(), (-2.0 + 3.0 * z).to_bits());
    }
    // Any generator, also behind `dyn Rng`.
    let rng: &mut dyn rand::Rng = &mut default_rng(9);
    initkit::uniform(&mut w, -2.0, 3.0, rng).unwrap();
    let mut rng = default_rng(9);
    for x in &w {
        assert_eq!(
            x.to_bits(),
            (-2.0 + 5.0 * standard_uniform(&mut rng)).to_bits()
        );
    }
}

#[test]
fn non_contiguous_arrays_are_filled_in_logical_order() {
    let mut reference = Array2::<f64>::zeros((6, 4));
    initkit::normal(&mut reference, 0.0, 1.0, &mut default_rng(3)).unwrap();

    // A transposed (column-major) view of a 4 × 6 array: logically 6 × 4.
    let mut storage = Array2::<f64>::zeros((4, 6));
    let mut view = storage.view_mut().reversed_axes();
    initkit::normal(&mut view, 0.0, 1.0, &mut default_rng(3)).unwrap();
    assert_eq!(storage.t(), reference);

    // Every other column of a 6 × 8 array.
    let mut wide = Array2::<f64>::zeros((6, 8));
    let mut strided = wide.slice_mut(s![.., ..;2]);
    initkit::normal(&mut strided, 0.0, 1.0, &mut default_rng(3)).unwrap();
    assert_eq!(wide.slice(s![.., ..;2]), reference);
    assert!(wide.slice(s![.., 1..;2]).iter().all(|&x| x == 0.0));

    // Fan-based on a non-contiguous kernel: fans come from the view's shape.
    let mut k = Array4::<f32>::zeros((3, 3, 8, 16));
    let mut pt = k.view_mut().permuted_axes([3, 2, 0, 1]); // PyTorch [16, 8, 3, 3]
    initkit::xavier_uniform(&mut pt, Layout::PyTorch, 1.0, &mut default_rng(4)).unwrap();
    let a = (6.0f32 / ((8 + 16) * 9) as f32).sqrt();
    assert!(k.iter().all(|x| x.abs() <= a) && k.iter().any(|&x| x != 0.0));
}

// ---------------------------------------------------------------------------------------------
// Structured initializers

/// max |G - gain²·I| for the Gram matrix of the rows (wide) or columns (tall) of `m`.
fn gram_error(m: &Array2<f64>, gain: f64) -> f64 {
    let g = if m.nrows() <= m.ncols() {
        m.dot(&m.t())
    } else {
        m.t().dot(m)
    };
    let eye = Array2::<f64>::eye(g.nrows()) * (gain * gain);
    (&g - &eye).iter().fold(0.0, |acc, e| acc.max(e.abs()))
}

#[test]
fn orthogonal_is_orthogonal_for_every_shape() {
    let mut rng = default_rng(8);
    for (rows, cols, gain) in [
        (50, 50, 1.0),
        (80, 30, 2.0),
        (30, 80, 0.5),
        (1, 5, 1.0),
        (5, 1, 3.0),
    ] {
        let mut w = Array2::<f64>::zeros((rows, cols));
        initkit::orthogonal(&mut w, Layout::PyTorch, gain, &mut rng).unwrap();
        let err = gram_error(&w, gain);
        assert!(err < 1e-12, "{rows}x{cols}: {err:e}");
    }
    // Conv kernels flatten as each framework does: PyTorch [out, in·k…], Keras [k…·in, out].
    let mut conv = ArrayD::<f64>::zeros(IxDyn(&[16, 4, 3, 3]));
    initkit::orthogonal(&mut conv, Layout::PyTorch, 1.0, &mut rng).unwrap();
    let flat = conv.into_shape_with_order((16, 36)).unwrap();
    assert!(gram_error(&flat, 1.0) < 1e-12);
    let mut conv = ArrayD::<f64>::zeros(IxDyn(&[3, 3, 4, 16]));
    initkit::orthogonal(&mut conv, Layout::Keras, 1.0, &mut rng).unwrap();
    let flat = conv.into_shape_with_order((36, 16)).unwrap();
    assert!(gram_error(&flat, 1.0) < 1e-12);
    let mut c3 = Array3::<f64>::zeros((6, 2, 5));
    initkit::orthogonal(&mut c3, Layout::PyTorch, 1.0, &mut rng).unwrap();
    assert!(gram_error(&c3.into_shape_with_order((6, 10)).unwrap(), 1.0) < 1e-12);
    // f32: the same matrix rounded.
    let mut w32 = Array2::<f32>::zeros((20, 20));
    initkit::orthogonal(&mut w32, Layout::PyTorch, 1.0, &mut rng).unwrap();
    assert!(gram_error(&w32.mapv(f64::from), 1.0) < 1e-5);
}

#[test]
fn orthogonal_entries_look_haar() {
    // An entry of a Haar-random n × n orthogonal matrix has mean 0 and variance 1/n exactly;
    // over 40 draws of 50 × 50 (N = 100,000 entries, weakly dependent within a matrix) the
    // sample mean must be within 5 se = 5·sqrt(1/(n·N)).
    let n = 50;
    let mut rng = default_rng(12);
    let mut xs = Vec::new();
    for _ in 0..40 {
        let mut w = Array2::<f64>::zeros((n, n));
        initkit::orthogonal(&mut w, Layout::PyTorch, 1.0, &mut rng).unwrap();
        // The diagonal is where a missing sign correction would show (a bias towards +).
        let diag_mean = w.diag().sum() / n as f64;
        assert!(diag_mean.abs() < 5.0 / n as f64, "diag mean {diag_mean}");
        xs.extend(w.iter().copied());
    }
    let mean = xs.iter().sum::<f64>() / xs.len() as f64;
    assert!(mean.abs() < 5.0 * (1.0 / (n * xs.len()) as f64).sqrt());
    let ms = xs.iter().map(|x| x * x).sum::<f64>() / xs.len() as f64;
    assert!((ms - 1.0 / n as f64).abs() < 1e-12, "rows are unit vectors");
}

#[test]
fn eye_and_dirac_are_pytorchs() {
    let mut w = Array2::<f64>::from_elem((3, 5), 7.0);
    initkit::eye(&mut w, 2.0).unwrap();
    for ((i, j), &x) in w.indexed_iter() {
        assert_eq!(x, if i == j { 2.0 } else { 0.0 });
    }
    let mut tall = Array2::<f32>::ones((4, 2));
    initkit::eye(&mut tall, 1.0).unwrap();
    assert_eq!(tall.sum(), 2.0);

    // Conv2d(4 -> 6, 3x5, groups=2): weight [6, 2, 3, 5]; 3 outputs per group, 2 inputs.
    let mut k = Array4::<f64>::from_elem((6, 2, 3, 5), 1.0);
    initkit::dirac(&mut k, 2).unwrap();
    let ones: Vec<_> = k
        .indexed_iter()
        .filter(|(_, x)| **x != 0.0)
        .map(|(ix, _)| ix)
        .collect();
    // torch: for g, d < min(3, 2): tensor[g*3 + d, d, 1, 2] = 1.
    assert_eq!(
        ones,
        [(0, 0, 1, 2), (1, 1, 1, 2), (3, 0, 1, 2), (4, 1, 1, 2)]
    );
    // A Dirac conv1d passes its input through: output channel c at position t is input c at t.
    let mut k1 = Array3::<f64>::zeros((3, 3, 3));
    initkit::dirac(&mut k1, 1).unwrap();
    for c in 0..3 {
        assert_eq!(k1.index_axis(Axis(0), c).sum(), 1.0);
        assert_eq!(k1[[c, c, 1]], 1.0);
    }
    let mut k5 = ArrayD::<f32>::zeros(IxDyn(&[2, 2, 3, 3, 3]));
    initkit::dirac(&mut k5, 1).unwrap();
    assert_eq!(k5[[1, 1, 1, 1, 1]], 1.0);
    assert_eq!(k5.sum(), 2.0);
}

// ---------------------------------------------------------------------------------------------
// Errors

fn parameter<T>(r: Result<T, Error>) -> String {
    match r {
        Ok(_) => "ok".to_string(),
        Err(e) => e.parameter().unwrap_or("?").to_string(),
    }
}

#[test]
fn invalid_arguments_name_their_parameter() {
    let mut w = Array2::<f64>::zeros((4, 4));
    let mut v = Array1::<f64>::zeros(4);
    let mut empty = Array2::<f64>::zeros((0, 4));
    let mut rng = default_rng(0);
    let pt = Layout::PyTorch;
    let nan = f64::NAN;
    let inf = f64::INFINITY;

    assert_eq!(parameter(initkit::constant(&mut w, nan)), "value");
    assert_eq!(
        parameter(initkit::constant(&mut Array1::<f32>::zeros(2), 1e39)),
        "value"
    );
    assert_eq!(
        parameter(initkit::uniform(&mut w, 1.0, 1.0, &mut rng)),
        "high"
    );
    assert_eq!(
        parameter(initkit::uniform(&mut w, 2.0, 1.0, &mut rng)),
        "high"
    );
    assert_eq!(
        parameter(initkit::uniform(&mut w, -inf, 1.0, &mut rng)),
        "low"
    );
    assert_eq!(
        parameter(initkit::uniform(&mut w, 0.0, nan, &mut rng)),
        "high"
    );
    assert_eq!(
        parameter(initkit::normal(&mut w, 0.0, -1.0, &mut rng)),
        "std"
    );
    assert_eq!(
        parameter(initkit::normal(&mut w, 0.0, inf, &mut rng)),
        "std"
    );
    assert_eq!(
        parameter(initkit::normal(&mut w, nan, 1.0, &mut rng)),
        "mean"
    );
    assert_eq!(parameter(initkit::normal(&mut w, 0.0, 0.0, &mut rng)), "ok");
    assert_eq!(
        parameter(initkit::truncated_normal_between(
            &mut w, 0.0, 0.0, -1.0, 1.0, &mut rng
        )),
        "std"
    );
    assert_eq!(
        parameter(initkit::truncated_normal_between(
            &mut w, 0.0, 1.0, 1.0, -1.0, &mut rng
        )),
        "high"
    );
    assert_eq!(
        parameter(initkit::truncated_normal_between(
            &mut w, 0.0, 1.0, nan, 1.0, &mut rng
        )),
        "low"
    );
    assert_eq!(
        parameter(initkit::truncated_normal_within_stds(
            &mut w, 0.0, 1.0, 0.0, &mut rng
        )),
        "stds"
    );
    assert_eq!(
        parameter(initkit::truncated_normal_within_stds(
            &mut w, 0.0, 1.0, -2.0, &mut rng
        )),
        "stds"
    );

    // Fan-based initializers: no fans for vectors, zero fans for empty arrays.
    let he = (FanMode::FanIn, Nonlinearity::Relu);
    let err = initkit::kaiming_normal(&mut v, pt, he.0, he.1, &mut rng).unwrap_err();
    assert!(
        matches!(err, Error::InvalidShape { ref shape, .. } if shape == &[4]),
        "{err}"
    );
    assert_eq!(err.parameter(), Some("array"));
    assert_eq!(
        parameter(initkit::xavier_uniform(&mut empty, pt, 1.0, &mut rng)),
        "fan_out"
    );
    assert_eq!(
        parameter(initkit::xavier_uniform(
            &mut Array2::<f64>::zeros((4, 0)),
            pt,
            1.0,
            &mut rng
        )),
        "fan_in"
    );
    assert_eq!(
        parameter(initkit::xavier_normal(&mut w, pt, -1.0, &mut rng)),
        "gain"
    );
    let slope = Nonlinearity::LeakyRelu {
        negative_slope: nan,
    };
    assert_eq!(
        parameter(initkit::kaiming_uniform(
            &mut w,
            pt,
            FanMode::FanOut,
            slope,
            &mut rng
        )),
        "negative_slope"
    );
    assert_eq!(
        parameter(initkit::lecun_normal(&mut v, pt, &mut rng)),
        "array"
    );

    // Structured ones.
    assert_eq!(
        parameter(initkit::orthogonal(&mut v, pt, 1.0, &mut rng)),
        "array"
    );
    let err = initkit::orthogonal(&mut empty, pt, 1.0, &mut rng).unwrap_err();
    assert_eq!(
        err.to_string(),
        "array must be non-empty (no axis of length 0) to be made orthogonal, got shape [0, 4]"
    );
    assert_eq!(
        parameter(initkit::orthogonal(&mut w, pt, nan, &mut rng)),
        "gain"
    );
    assert_eq!(parameter(initkit::eye(&mut v, 1.0)), "array");
    assert_eq!(
        parameter(initkit::eye(&mut Array3::<f64>::zeros((2, 2, 2)), 1.0)),
        "array"
    );
    assert_eq!(parameter(initkit::dirac(&mut w, 1)), "array");
    let mut k = Array3::<f64>::zeros((6, 2, 3));
    assert_eq!(parameter(initkit::dirac(&mut k, 0)), "groups");
    assert_eq!(parameter(initkit::dirac(&mut k, 4)), "groups");
    assert_eq!(parameter(initkit::dirac(&mut k, 3)), "ok");

    // Spreads and Keras scales.
    let s = Spread::Uniform { bound: -1.0 };
    assert_eq!(parameter(s.fill(&mut w, &mut rng)), "bound");
    let s = Spread::TruncatedNormal {
        std: 1.0,
        stds: nan,
    };
    assert_eq!(parameter(s.fill(&mut w, &mut rng)), "stds");
    assert_eq!(
        parameter(VarianceScaling::new(
            0.0,
            FanMode::FanIn,
            VarianceDistribution::Uniform
        )),
        "scale"
    );
    // A failed call leaves the array as it was.
    assert!(w.iter().all(|&x| x == 0.0));
}

/// `truncated_normal_between` on a 1000-value array, for checks of its conditions.
fn between(w: &mut Array1<f64>, mean: f64, std: f64, low: f64, high: f64) -> String {
    parameter(initkit::truncated_normal_between(
        w,
        mean,
        std,
        low,
        high,
        &mut default_rng(0),
    ))
}

#[test]
fn truncation_without_mass_is_refused_and_far_tails_are_sampled() {
    let mut w = Array1::<f64>::zeros(1000);
    // Both bounds 40 std out on one side: probability ~1e-350, below 2^-1022.
    let err = initkit::truncated_normal_between(&mut w, 0.0, 1.0, 40.0, 41.0, &mut default_rng(0))
        .unwrap_err();
    assert_eq!(err.parameter(), Some("low"));
    assert!(err.to_string().contains("2^-1022"), "{err}");
    assert_eq!(between(&mut w, 0.0, 1.0, -41.0, -40.0), "high");
    assert_eq!(between(&mut w, 5.0, 0.1, 9.0, f64::INFINITY), "low");
    // 37 std out still holds ~6e-300: accepted and sampled, with no endless loop.
    assert_eq!(between(&mut w, 0.0, 1.0, 37.0, f64::INFINITY), "ok");
    assert!(w.iter().all(|&x| x >= 37.0));
    assert_eq!(between(&mut w, 0.0, 1.0, 1.0, 1.0 + f64::EPSILON), "ok");
    assert_eq!(between(&mut w, 0.0, 1.0, -1e-300, 1e-300), "ok");
    assert!(w.iter().all(|&x| x.abs() <= 1e-300));
    assert_eq!(between(&mut w, 0.0, 1.0, 30.0, 30.5), "ok");
    assert!(w.iter().all(|&x| (30.0..=30.5).contains(&x)));
    // Within-stds cuts of (numerically) no width.
    let mut rng = default_rng(1);
    assert_eq!(
        parameter(initkit::truncated_normal_within_stds(
            &mut w, 0.0, 1.0, 1e-320, &mut rng
        )),
        "stds"
    );
    assert_eq!(
        parameter(initkit::truncated_normal_within_stds(
            &mut w,
            0.0,
            1.0,
            f64::INFINITY,
            &mut rng
        )),
        "ok"
    );
}

/// A generator that always returns the same word: what a broken source looks like.
struct Stuck(u64);

impl rand::TryRng for Stuck {
    type Error = std::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(self.0 as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(self.0)
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        dst.fill(self.0 as u8);
        Ok(())
    }
}

#[test]
fn a_stuck_generator_cannot_hang_a_truncated_normal() {
    // Uniforms of 1 - 2^-53 make every uniform and exponential proposal be rejected forever;
    // the proposal cap ends the loop and the value stays within bounds.
    let mut w = Array1::<f64>::zeros(3);
    initkit::truncated_normal_between(&mut w, 0.0, 1.0, 3.0, 4.0, &mut Stuck(u64::MAX)).unwrap();
    assert!(w.iter().all(|&x| (3.0..=4.0).contains(&x)));
    initkit::truncated_normal_between(&mut w, 0.0, 1.0, -0.5, 0.5, &mut Stuck(u64::MAX)).unwrap();
    assert!(w.iter().all(|&x| (-0.5..=0.5).contains(&x)));
}
