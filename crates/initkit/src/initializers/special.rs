//! The standard normal's tail probabilities, accurate far into the tails: what the truncated
//! normal needs to judge an interval and to know its moments.
//!
//! Rust's standard library has no stable `erf`, so `erfcx(x) = exp(x²)·erfc(x)` is computed
//! here: by its Maclaurin series below 0.5 and by Laplace's continued fraction (Abramowitz &
//! Stegun 7.1.14, evaluated with Lentz's method) above, which keeps about 14 correct digits
//! everywhere and never underflows. Tails are then handled in log space.

use std::f64::consts::{FRAC_1_SQRT_2, PI};

/// `ln(sqrt(2π))`.
const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// `exp(x²) · erfc(x)` for `x >= 0`.
fn erfcx(x: f64) -> f64 {
    if x < 0.5 {
        // erf(x) = 2/√π · Σ (−x²)ⁿ / (n! (2n+1)); the terms fall by x² < 1/4 each step.
        let x2 = x * x;
        let (mut term, mut sum, mut n) = (x, x, 0.0);
        while term.abs() > 1e-17 * sum.abs() {
            n += 1.0;
            term *= -x2 / n;
            sum += term / (2.0 * n + 1.0);
        }
        let erf = 2.0 / PI.sqrt() * sum;
        return x2.exp() * (1.0 - erf);
    }
    // √π · erfcx(x) = 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), partial numerators k/2.
    const TINY: f64 = 1e-300;
    let (mut f, mut c, mut d) = (TINY, TINY, 0.0);
    // Converges in under 900 steps for x >= 0.5 (60 at x = 2); the cap is only a backstop.
    for k in 1..5000 {
        let a = if k == 1 { 1.0 } else { f64::from(k - 1) / 2.0 };
        d = x + a * d;
        if d == 0.0 {
            d = TINY;
        }
        c = x + a / c;
        if c == 0.0 {
            c = TINY;
        }
        d = 1.0 / d;
        let delta = c * d;
        f *= delta;
        if (delta - 1.0).abs() <= f64::EPSILON / 2.0 {
            break;
        }
    }
    f / PI.sqrt()
}

/// `exp(-x²/2)`, with `x²` split so its rounding does not cost digits in the far tail.
fn exp_neg_half_square(x: f64) -> f64 {
    if x.is_infinite() {
        return 0.0;
    }
    // `hi` keeps 26 significant bits, so `hi * hi` is exact.
    let hi = f64::from_bits(x.to_bits() & 0xffff_ffff_f800_0000);
    let lo = x - hi;
    (-0.5 * hi * hi).exp() * (-0.5 * lo * (x + hi)).exp()
}

/// The standard normal density `φ(x)`.
pub(crate) fn density(x: f64) -> f64 {
    exp_neg_half_square(x) / (2.0 * PI).sqrt()
}

/// `ln φ(x)`, finite for every finite `x`.
fn ln_density(x: f64) -> f64 {
    -0.5 * x * x - LN_SQRT_2PI
}

/// The upper tail `Q(x) = P(Z > x)` of a standard normal.
pub(crate) fn upper_tail(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x == f64::INFINITY {
        return 0.0;
    }
    if x >= 0.0 {
        0.5 * exp_neg_half_square(x) * erfcx(x * FRAC_1_SQRT_2)
    } else {
        1.0 - upper_tail(-x)
    }
}

/// The standard normal CDF `Φ(x) = Q(-x)`.
#[cfg(test)]
fn cdf(x: f64) -> f64 {
    upper_tail(-x)
}

/// `ln Q(x)` for `x >= 0`, finite however far out `x` is.
fn ln_upper_tail(x: f64) -> f64 {
    if x == f64::INFINITY {
        return f64::NEG_INFINITY;
    }
    -0.5 * x * x + (0.5 * erfcx(x * FRAC_1_SQRT_2)).ln()
}

/// `ln P(a <= Z <= b)` for a standard normal `Z` and `a < b` (either may be infinite).
///
/// Takes the larger of two estimates, both accurate where they matter: the difference of the
/// tails (computed as a ratio, so far-tail intervals do not cancel to zero) and the width times
/// the smaller density at the ends (a lower bound, which is what a very narrow interval needs).
pub(crate) fn ln_interval_mass(a: f64, b: f64) -> f64 {
    if a >= 0.0 {
        ln_one_sided_mass(a, b)
    } else if b <= 0.0 {
        ln_one_sided_mass(-b, -a)
    } else {
        let tails = upper_tail(b) + upper_tail(-a);
        let by_tails = (-tails).ln_1p();
        let far = b.max(-a);
        let by_width = if far.is_finite() {
            (b - a).ln() + ln_density(far)
        } else {
            f64::NEG_INFINITY
        };
        by_tails.max(by_width)
    }
}

/// `ln P(a <= Z <= b)` for `0 <= a < b`.
fn ln_one_sided_mass(a: f64, b: f64) -> f64 {
    let ln_qa = ln_upper_tail(a);
    if b == f64::INFINITY {
        return ln_qa;
    }
    // ln(Q(b)/Q(a)) with the difference of squares taken exactly enough for near-equal ends.
    let ln_ratio =
        -0.5 * (b - a) * (b + a) + (erfcx(b * FRAC_1_SQRT_2) / erfcx(a * FRAC_1_SQRT_2)).ln();
    let by_tails = ln_qa + (-ln_ratio.exp_m1()).ln();
    let by_width = (b - a).ln() + ln_density(b);
    by_tails.max(by_width)
}

/// The standard deviation of a standard normal truncated to `[-k, k]`, for `k > 0`:
/// `sqrt(1 - 2kφ(k) / (1 - 2Q(k)))`.
pub(crate) fn symmetric_truncated_std(k: f64) -> f64 {
    if k == f64::INFINITY {
        return 1.0;
    }
    let mass = 1.0 - 2.0 * upper_tail(k);
    (1.0 - 2.0 * k * density(k) / mass).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_rel(got: f64, want: f64, tol: f64, what: &str) {
        let err = ((got - want) / want).abs();
        assert!(
            err <= tol,
            "{what}: {got:e} vs {want:e} (relative error {err:e})"
        );
    }

    #[test]
    fn tails_match_reference_values() {
        // Reference values from mpmath at 30 digits: 0.5 * erfc(x / sqrt(2)).
        let cases = [
            (0.0, 0.5),
            (0.3, 0.382088577811047),
            (1.0, 0.158655253931457),
            (2.0, 0.0227501319481792),
            (3.0, 0.00134989803163009),
            (5.0, 2.86651571879194e-7),
            (10.0, 7.61985302416053e-24),
            (20.0, 2.75362411860623e-89),
            (37.0, 5.72557122252458e-300),
        ];
        for (x, q) in cases {
            assert_rel(upper_tail(x), q, 1e-13, &format!("Q({x})"));
            assert_rel(ln_upper_tail(x), q.ln(), 1e-14, &format!("ln Q({x})"));
            assert_rel(cdf(-x), q, 1e-13, &format!("Phi(-{x})"));
        }
        // Beyond double range the logarithm still holds: ln Q(40) from mpmath.
        assert_rel(ln_upper_tail(40.0), -804.608442013754, 1e-14, "ln Q(40)");
        assert_eq!(ln_upper_tail(f64::INFINITY), f64::NEG_INFINITY);
        assert_eq!(upper_tail(f64::INFINITY), 0.0);
        assert_eq!(upper_tail(f64::NEG_INFINITY), 1.0);
    }

    #[test]
    fn interval_masses_hold_in_the_tails_and_for_narrow_intervals() {
        // P(-2 <= Z <= 2), P(1 <= Z <= 2), and a far tail interval, from mpmath.
        assert_rel(
            ln_interval_mass(-2.0, 2.0).exp(),
            0.954499736103642,
            1e-14,
            "±2",
        );
        assert_rel(
            ln_interval_mass(1.0, 2.0).exp(),
            0.135905121983278,
            1e-13,
            "[1,2]",
        );
        assert_rel(
            ln_interval_mass(-2.0, -1.0).exp(),
            0.135905121983278,
            1e-13,
            "[-2,-1]",
        );
        assert_rel(
            ln_interval_mass(30.0, 31.0),
            -454.321243956343,
            1e-13,
            "ln P[30,31]",
        );
        // A width of one ulp at 1 still has mass width * φ(1).
        let b = 1.0 + f64::EPSILON;
        assert_rel(
            ln_interval_mass(1.0, b),
            f64::EPSILON.ln() + ln_density(1.0),
            1e-12,
            "one ulp",
        );
        // Straddling zero, narrow: width * φ(0).
        assert_rel(
            ln_interval_mass(-1e-300, 1e-300),
            (2e-300f64).ln() - LN_SQRT_2PI,
            1e-12,
            "narrow at 0",
        );
        assert_eq!(ln_interval_mass(f64::NEG_INFINITY, f64::INFINITY), 0.0);
    }

    #[test]
    fn keras_truncation_constant() {
        // Keras divides by the std of a unit normal cut at ±2: 0.87962566103423978.
        assert_rel(
            symmetric_truncated_std(2.0),
            0.879_625_661_034_239_8,
            2e-15,
            "k=2",
        );
        assert_eq!(symmetric_truncated_std(f64::INFINITY), 1.0);
    }
}
