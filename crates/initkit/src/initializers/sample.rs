//! The random draws behind every initializer, compiled once for `f64` and `f32` slices; the
//! generic array functions only validate and hand over.

use super::special::ln_interval_mass;
use crate::error::{Error, Result};
use crate::numpy::{StandardNormal, standard_uniform};
use rand::TryRng;
use rand::distr::Distribution;
use std::convert::Infallible;

/// Any random generator, behind one vtable, so the sampling code is compiled only once.
pub(crate) type DynRng<'a> = dyn TryRng<Error = Infallible> + 'a;

/// Proposals a truncated-normal draw may reject before giving up. Every proposal scheme used
/// accepts at least 49% of proposals, so a working generator reaches this with probability
/// below 0.51^10000 ≈ 10^-2900.
const MAX_PROPOSALS: u32 = 10_000;

/// How one value is drawn; built by the validating constructors below.
///
/// It is public only so that the sealed [`Float`](super::Float) trait can name it; it cannot be
/// reached from outside the crate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sampler(Kind);

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Uniform { low: f64, high: f64 },
    Normal { mean: f64, std: f64 },
    Truncated(Truncated),
}

/// A normal `N(mean, std²)` cut to `[low, high]`, sampled on the standardized interval.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Truncated {
    mean: f64,
    std: f64,
    low: f64,
    high: f64,
    /// The proposal scheme, on a standardized interval `[a, b]`.
    method: Method,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Method {
    /// Standard normal proposals, kept when inside `[a, b]`: for wide intervals around the
    /// mean, which keep a proposal with the interval's probability (at least 0.49 here).
    Normal { a: f64, b: f64 },
    /// Uniform proposals on `[a, b]` (which contains 0), kept with probability `exp(-z²/2)`:
    /// for narrow intervals around the mean, where most normal proposals would miss.
    Uniform { a: f64, b: f64 },
    /// Robert's exponential proposals for a one-sided interval `[a, b]`, `0 <= a`: an
    /// exponential of rate `lambda` shifted to `a` and truncated at `b`, kept with probability
    /// proportional to `exp(-(z - lambda)²/2)`. `sign` is -1 when the interval was mirrored.
    Exponential {
        a: f64,
        b: f64,
        lambda: f64,
        sign: f64,
    },
}

/// The logarithm of the smallest probability an interval may hold: 2^-1022, the smallest
/// normal double. Below it the interval is numerically empty (about 37.5 standard deviations
/// out).
const MIN_MASS_LN: f64 = -1022.0 * std::f64::consts::LN_2;

impl Sampler {
    /// Uniform on `[low, high]`: `low + (high - low) * U`, NumPy's `Generator.uniform` formula.
    pub(crate) fn uniform(low: f64, high: f64) -> Result<Self> {
        finite("low", low)?;
        finite("high", high)?;
        if low >= high {
            return Err(Error::value("high", high, "a finite number > low"));
        }
        Ok(Sampler(Kind::Uniform { low, high }))
    }

    /// Uniform on `[-bound, bound]` for a bound already known to be finite and `>= 0` (0 gives
    /// zeros, as PyTorch's `uniform_(-0, 0)` does).
    pub(crate) fn symmetric_uniform(bound: f64) -> Self {
        Sampler(Kind::Uniform {
            low: -bound,
            high: bound,
        })
    }

    /// `mean + std * Z`, NumPy's `Generator.normal` formula.
    pub(crate) fn normal(mean: f64, std: f64) -> Result<Self> {
        finite("mean", mean)?;
        crate::error::non_negative("std", std)?;
        Ok(Sampler(Kind::Normal { mean, std }))
    }

    /// `N(mean, std²)` restricted to `[low, high]`.
    pub(crate) fn truncated(mean: f64, std: f64, low: f64, high: f64) -> Result<Self> {
        finite("mean", mean)?;
        if !(std.is_finite() && std > 0.0) {
            return Err(Error::value("std", std, "a finite number > 0"));
        }
        if low.is_nan() || low == f64::INFINITY {
            return Err(Error::value("low", low, "a number < high (-inf allowed)"));
        }
        if high.is_nan() || high == f64::NEG_INFINITY || high <= low {
            return Err(Error::value("high", high, "a number > low (+inf allowed)"));
        }
        let a = (low - mean) / std;
        let b = (high - mean) / std;
        if ln_interval_mass(a, b) < MIN_MASS_LN {
            // Name the end nearer the mean: it is the one that would have to move.
            return Err(if a >= 0.0 {
                Error::value("low", low, EMPTY_INTERVAL)
            } else {
                Error::value("high", high, EMPTY_INTERVAL)
            });
        }
        let method = if a >= 0.0 {
            Method::exponential(a, b, 1.0)
        } else if b <= 0.0 {
            Method::exponential(-b, -a, -1.0)
        } else if b - a < (2.0 * std::f64::consts::PI).sqrt() {
            // Uniform proposals accept mass·√(2π)/width, normal ones accept mass: pick the
            // larger. Either way at least 0.49 of proposals are kept.
            Method::Uniform { a, b }
        } else {
            Method::Normal { a, b }
        };
        Ok(Sampler(Kind::Truncated(Truncated {
            mean,
            std,
            low,
            high,
            method,
        })))
    }

    /// One value.
    pub(crate) fn sample(&self, rng: &mut DynRng<'_>) -> f64 {
        match self.0 {
            Kind::Uniform { low, high } => uniform_value(low, high, standard_uniform(rng)),
            Kind::Normal { mean, std } => mean + std * StandardNormal.sample(rng),
            Kind::Truncated(t) => t.sample(rng),
        }
    }

    /// Fills `out` in order, one draw (or one accepted proposal) per value.
    pub(crate) fn fill_f64(&self, out: &mut [f64], rng: &mut DynRng<'_>) {
        match self.0 {
            Kind::Uniform { low, high } => {
                for v in out {
                    *v = uniform_value(low, high, standard_uniform(rng));
                }
            }
            Kind::Normal { mean, std } => {
                for v in out {
                    *v = mean + std * StandardNormal.sample(rng);
                }
            }
            Kind::Truncated(t) => {
                for v in out {
                    *v = t.sample(rng);
                }
            }
        }
    }

    /// Fills `out` in order: each value is drawn as `f64` and rounded to `f32`.
    pub(crate) fn fill_f32(&self, out: &mut [f32], rng: &mut DynRng<'_>) {
        for v in out {
            *v = self.sample(rng) as f32;
        }
    }
}

const EMPTY_INTERVAL: &str = "a bound leaving [low, high] a normal probability of at least 2^-1022 \
     (ends within about 37.5 std of the mean)";

fn finite(name: &str, value: f64) -> Result<f64> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(Error::value(name, value, "a finite number"))
    }
}

/// `low + (high - low) * u`, kept inside `[low, high]` where rounding would step out.
#[inline]
fn uniform_value(low: f64, high: f64, u: f64) -> f64 {
    let range = high - low;
    let v = if range.is_finite() {
        low + range * u
    } else {
        // The width overflows (bounds near ±f64::MAX): work from the midpoint instead.
        let (mid, half) = (0.5 * low + 0.5 * high, 0.5 * high - 0.5 * low);
        mid + half * (2.0 * u - 1.0)
    };
    v.clamp(low, high)
}

impl Method {
    fn exponential(a: f64, b: f64, sign: f64) -> Self {
        // Robert's optimal rate for the one-sided tail beyond a; hypot avoids overflow of a².
        let lambda = 0.5 * (a + a.hypot(2.0));
        Method::Exponential { a, b, lambda, sign }
    }
}

impl Truncated {
    fn sample(&self, rng: &mut DynRng<'_>) -> f64 {
        let mut z = 0.0;
        for _ in 0..MAX_PROPOSALS {
            let (proposal, accepted) = self.method.propose(rng);
            z = proposal;
            if accepted {
                break;
            }
        }
        // After MAX_PROPOSALS rejections (a broken generator) the last proposal is clamped.
        (self.mean + self.std * z).clamp(self.low, self.high)
    }
}

impl Method {
    /// One standardized proposal and whether it is kept.
    #[inline]
    fn propose(&self, rng: &mut DynRng<'_>) -> (f64, bool) {
        match *self {
            Method::Normal { a, b } => {
                let z: f64 = StandardNormal.sample(rng);
                (z, a <= z && z <= b)
            }
            Method::Uniform { a, b } => {
                let z = uniform_value(a, b, standard_uniform(rng));
                let keep = standard_uniform(rng) < (-0.5 * z * z).exp();
                (z, keep)
            }
            Method::Exponential { a, b, lambda, sign } => {
                // Inverse CDF of the exponential truncated to [a, b]; -expm1 keeps narrow
                // intervals exact.
                let u = standard_uniform(rng);
                let cut = -(-lambda * (b - a)).exp_m1();
                let z = (a - (-u * cut).ln_1p() / lambda).clamp(a, b);
                // Density ratio target/proposal, divided by its maximum on [a, b]: at lambda if
                // lambda <= b, else at b.
                let log_ratio = if lambda <= b {
                    -0.5 * (z - lambda) * (z - lambda)
                } else {
                    0.5 * (b - z) * (b + z - 2.0 * lambda)
                };
                let keep = standard_uniform(rng) < log_ratio.exp();
                (sign * z, keep)
            }
        }
    }
}
