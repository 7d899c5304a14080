//! The error function and its relatives, accurate to a few units in the last place.
//!
//! GELU is `x * Phi(x)` with `Phi(x) = erfc(-x / sqrt 2) / 2`, and its mean-field theory needs
//! `exp(t^2) * erfc(t)` at large `t` (SELU's closed forms), so all three are here:
//!
//! - `|x| < 1/2`: the Maclaurin series of `erf` (terms fall by `x^2 / n`, no cancellation);
//! - `1/2 <= x < 4`: `erfcx(x) = exp(x^2) erfc(x)` by its Taylor series about the nearest of
//!   29 anchor points spaced 1/8 apart. `erfcx` solves `y' = 2 x y - 2 / sqrt(pi)`, so every
//!   derivative follows from the one before by `y^(k+1) = 2 x y^(k) + 2 k y^(k-1)`, and within
//!   1/16 of an anchor a dozen terms reach rounding level. The anchors come from the continued fraction
//!   below, run to 4000 terms once (where it has converged even at 1/2);
//! - `x >= 4`: Laplace's continued fraction
//!   `erfcx(x) = 1/sqrt(pi) / (x + (1/2) / (x + 1 / (x + (3/2) / (x + ...))))`, evaluated from
//!   its 24th term back (converged to rounding level for `x >= 4`).
//!
//! `exp(-x^2)` is taken with `x^2` split exactly into a double and its rounding error (by a
//! fused multiply-add), so `erfc` keeps full relative accuracy far into its tail.

use std::f64::consts::PI;
use std::sync::OnceLock;

/// `2 / sqrt(pi)`.
const TWO_OVER_SQRT_PI: f64 = std::f64::consts::FRAC_2_SQRT_PI;
/// Anchors of the Taylor expansions: `1/2, 5/8, ..., 4`.
const ANCHOR_STEP: f64 = 0.125;
const ANCHOR_FIRST: f64 = 0.5;
const ANCHORS: usize = 29;

/// The error function `erf(x) = 2/sqrt(pi) * integral_0^x exp(-t^2) dt`.
///
/// Accurate to a few ulps everywhere (checked against 60-digit values in the tests).
///
/// ```
/// assert!((initkit::erf(1.0) - 0.8427007929497149).abs() < 1e-16);
/// assert_eq!(initkit::erf(-30.0), -1.0);
/// ```
pub fn erf(x: f64) -> f64 {
    let a = x.abs();
    if a.is_nan() {
        x
    } else if a < ANCHOR_FIRST {
        erf_series(x)
    } else {
        (1.0 - erfc_positive(a)).copysign(x)
    }
}

/// The complementary error function `erfc(x) = 1 - erf(x)`, with full relative accuracy where
/// it is tiny (it underflows to 0 only beyond `x = 27.2`).
///
/// ```
/// let v = initkit::erfc(5.0);
/// assert!((v / 1.537459794428035e-12 - 1.0).abs() < 1e-15);
/// ```
pub fn erfc(x: f64) -> f64 {
    if x.is_nan() {
        x
    } else if x.abs() < ANCHOR_FIRST {
        1.0 - erf_series(x)
    } else if x > 0.0 {
        erfc_positive(x)
    } else {
        2.0 - erfc_positive(-x)
    }
}

/// The scaled complementary error function `erfcx(x) = exp(x^2) * erfc(x)` for `x >= 0`,
/// which neither underflows nor overflows (`~ 1 / (x sqrt(pi))` for large `x`).
pub(crate) fn erfcx(x: f64) -> f64 {
    debug_assert!(x >= 0.0 || x.is_nan());
    if x.is_nan() {
        x
    } else if x < ANCHOR_FIRST {
        (1.0 - erf_series(x)) * exp_square(x)
    } else if x < 4.0 {
        erfcx_taylor(x)
    } else if x.is_infinite() {
        0.0
    } else {
        continued_fraction(x, 24)
    }
}

/// The standard normal distribution function `Phi(x) = P(Z <= x)`, `erfc(-x / sqrt 2) / 2`.
pub(crate) fn normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x * std::f64::consts::FRAC_1_SQRT_2)
}

/// The standard normal density `exp(-x^2 / 2) / sqrt(2 pi)`.
pub(crate) fn normal_pdf(x: f64) -> f64 {
    // (2 pi)^(-1/2)
    const C: f64 = 0.398_942_280_401_432_7;
    C * (-0.5 * x * x).exp()
}

/// `erf` by its Maclaurin series, for `|x| < 1/2`.
fn erf_series(x: f64) -> f64 {
    let x2 = x * x;
    // sum_n (-1)^n x^(2n) / (n! (2n + 1)); for x^2 < 1/4, 14 terms are below 2^-53 of the first.
    let mut term = 1.0;
    let mut sum = 1.0;
    for n in 1..18 {
        term *= -x2 / n as f64;
        sum += term / (2 * n + 1) as f64;
    }
    TWO_OVER_SQRT_PI * x * sum
}

/// `erfc(x)` for `x >= 1/2`.
fn erfc_positive(x: f64) -> f64 {
    if x > 27.3 {
        // exp(-x^2) underflows whatever erfcx is.
        return 0.0;
    }
    exp_neg_square(x) * erfcx(x)
}

/// `exp(-x^2)`, with `x^2` split into its rounded value and the rounding error.
fn exp_neg_square(x: f64) -> f64 {
    let hi = x * x;
    let lo = x.mul_add(x, -hi);
    (-hi).exp() * (-lo).exp()
}

/// `exp(x^2)`, as [`exp_neg_square`].
fn exp_square(x: f64) -> f64 {
    let hi = x * x;
    let lo = x.mul_add(x, -hi);
    hi.exp() * lo.exp()
}

/// Laplace's continued fraction for `erfcx(x)`, `x > 0`, from term `terms` back to the first.
fn continued_fraction(x: f64, terms: usize) -> f64 {
    let mut t = x;
    for k in (1..=terms).rev() {
        t = x + 0.5 * k as f64 / t;
    }
    1.0 / (PI.sqrt() * t)
}

fn anchors() -> &'static [f64; ANCHORS] {
    static VALUES: OnceLock<[f64; ANCHORS]> = OnceLock::new();
    VALUES.get_or_init(|| {
        let mut v = [0.0; ANCHORS];
        for (i, v) in v.iter_mut().enumerate() {
            *v = continued_fraction(ANCHOR_FIRST + ANCHOR_STEP * i as f64, 4000);
        }
        v
    })
}

/// `erfcx(x)` for `1/2 <= x < 4` by Taylor series about the nearest anchor.
fn erfcx_taylor(x: f64) -> f64 {
    let i = (((x - ANCHOR_FIRST) / ANCHOR_STEP).round() as usize).min(ANCHORS - 1);
    let a = ANCHOR_FIRST + ANCHOR_STEP * i as f64;
    let h = x - a;
    // c_k = y^(k)(a) h^k / k!, from y^(k+1) = 2 a y^(k) + 2 k y^(k-1) (k >= 1),
    // y' = 2 a y - 2/sqrt(pi).
    let y0 = anchors()[i];
    let mut prev = y0; // c_0
    let mut cur = (2.0 * a).mul_add(y0, -TWO_OVER_SQRT_PI) * h; // c_1
    let mut sum = prev + cur;
    for k in 1..30 {
        let kf = k as f64;
        // c_{k+1} = (2 a c_k h + 2 k c_{k-1} h^2 / k) / (k + 1)
        let next = (2.0 * a * cur * h + 2.0 * prev * h * h) / (kf + 1.0);
        prev = cur;
        cur = next;
        sum += cur;
        if cur.abs() + prev.abs() < 1e-17 * sum {
            break;
        }
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    /// erfc computed independently with Python's `decimal` module at 420 significant digits
    /// (positive-term series `erf(x) = 2x/sqrt(pi) exp(-x^2) sum (2x^2)^n / (2n+1)!!`, pi by
    /// Machin's formula), each at the double nearest the decimal shown, correctly rounded.
    const ERFC: [(f64, f64); 14] = [
        (0.0, 1.0),
        (0.1, 0.887537083981715),
        (0.49, 0.4883317388114769),
        (0.5, 0.4795001221869535),
        (0.62, 0.38058853810127874),
        (1.0, 0.15729920705028513),
        (1.3, 0.06599205505934755),
        (2.0, 0.004677734981047266),
        (2.87, 4.932703031438922e-05),
        (3.99, 1.6739211364520814e-08),
        (4.0, 1.541725790028002e-08),
        (5.0, 1.537459794428035e-12),
        (10.0, 2.088487583762545e-45),
        (26.0, 5.663192408856143e-296),
    ];

    #[test]
    fn erfc_matches_high_precision_values() {
        for (x, want) in ERFC {
            let got = erfc(x);
            assert!(
                ((got - want) / want).abs() < 1e-15,
                "erfc({x}) = {got:e}, want {want:e}"
            );
            if x < 6.0 {
                let e = erf(x);
                assert!((e - (1.0 - want)).abs() < 2.3e-16, "erf({x}) = {e}");
                assert_eq!(erf(-x), -e);
                assert!((erfc(-x) - (2.0 - want)).abs() < 4.5e-16);
            }
        }
    }

    #[test]
    fn erfcx_is_continuous_and_solves_its_ode() {
        // y' = 2 x y - 2/sqrt(pi), checked by a central difference across every regime.
        let mut x = 0.05;
        while x < 12.0 {
            let h = 1e-5;
            let d = (erfcx(x + h) - erfcx(x - h)) / (2.0 * h);
            let rhs = 2.0 * x * erfcx(x) - TWO_OVER_SQRT_PI;
            assert!((d - rhs).abs() < 1e-9, "x = {x}: {d} vs {rhs}");
            x += 0.0625 + 1e-3;
        }
        for b in [0.5, 0.625, 3.875, 4.0] {
            let below = erfcx(b - 1e-15 * b);
            let at = erfcx(b);
            assert!(((below - at) / at).abs() < 1e-14, "jump at {b}");
        }
        // The asymptotic series 1/(x sqrt(pi)) (1 - 1/(2x^2) + 3/(4x^4) - 15/(8x^6)) at 100.
        let x: f64 = 100.0;
        let x2 = x * x;
        let asym = (1.0 - 0.5 / x2 + 0.75 / (x2 * x2) - 1.875 / (x2 * x2 * x2)) / (x * PI.sqrt());
        assert!(((erfcx(x) - asym) / asym).abs() < 1e-15);
        assert_eq!(erfcx(f64::INFINITY), 0.0);
        assert!(erf(f64::NAN).is_nan() && erfc(f64::NAN).is_nan());
        assert_eq!(erfc(f64::INFINITY), 0.0);
        assert_eq!(erfc(f64::NEG_INFINITY), 2.0);
        assert_eq!(erf(f64::INFINITY), 1.0);
    }

    #[test]
    fn normal_cdf_and_pdf() {
        assert_eq!(normal_cdf(0.0), 0.5);
        assert!((normal_cdf(1.0) - 0.8413447460685429).abs() < 2e-16);
        // Rounding -10/sqrt(2) moves erfc by |d ln erfc / dx| * ulp = 14 * 8.9e-16 relative.
        assert!((normal_cdf(-10.0) / 7.619853024160525e-24 - 1.0).abs() < 2e-14);
        assert!((normal_pdf(1.0) - 0.24197072451914337).abs() < 1e-17);
    }
}
