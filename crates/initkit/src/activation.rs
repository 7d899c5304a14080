//! The activation functions of the variance-flow lab, with their derivatives.

use crate::error::{Error, Result};
use crate::special::{normal_cdf, normal_pdf};

/// SELU's scale `lambda` (Klambauer et al., "Self-Normalizing Neural Networks", 2017).
pub const SELU_LAMBDA: f64 = 1.050_700_987_355_480_5;
/// SELU's `alpha` (Klambauer et al. 2017).
pub const SELU_ALPHA: f64 = 1.673_263_242_354_377_3;

/// A pointwise nonlinearity `phi` applied after each layer of the lab's networks.
///
/// A plain `Copy` enum, so a notebook can name one in a `const`:
///
/// ```
/// const ACTIVATION: initkit::Activation = initkit::Activation::LeakyRelu(0.1);
/// assert_eq!(ACTIVATION.apply(-2.0), -0.2);
/// assert_eq!(initkit::Activation::Relu.derivative(3.0), 1.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Activation {
    /// `phi(x) = x`: a deep linear network, the original lesson's.
    Identity,
    /// `max(x, 0)`.
    Relu,
    /// `x` for `x > 0`, `slope * x` otherwise; the slope must be finite.
    LeakyRelu(f64),
    /// `tanh(x)`.
    Tanh,
    /// The logistic function `1 / (1 + exp(-x))`.
    Sigmoid,
    /// `x * Phi(x)`, `Phi` the standard normal distribution function (the exact, erf form).
    Gelu,
    /// `lambda * x` for `x > 0`, `lambda * alpha * (exp(x) - 1)` otherwise, with
    /// [`SELU_LAMBDA`] and [`SELU_ALPHA`].
    Selu,
}

impl Activation {
    /// Every activation, leaky ReLU with slope 0.01.
    pub const ALL: [Activation; 7] = [
        Activation::Identity,
        Activation::Relu,
        Activation::LeakyRelu(0.01),
        Activation::Tanh,
        Activation::Sigmoid,
        Activation::Gelu,
        Activation::Selu,
    ];

    /// `phi(x)`.
    pub fn apply(self, x: f64) -> f64 {
        match self {
            Activation::Identity => x,
            Activation::Relu => {
                if x > 0.0 {
                    x
                } else {
                    0.0
                }
            }
            Activation::LeakyRelu(slope) => {
                if x > 0.0 {
                    x
                } else {
                    slope * x
                }
            }
            Activation::Tanh => x.tanh(),
            Activation::Sigmoid => {
                if x >= 0.0 {
                    1.0 / (1.0 + (-x).exp())
                } else {
                    let e = x.exp();
                    e / (1.0 + e)
                }
            }
            Activation::Gelu => {
                if x.is_infinite() {
                    x.max(0.0)
                } else {
                    x * normal_cdf(x)
                }
            }
            Activation::Selu => {
                if x > 0.0 {
                    SELU_LAMBDA * x
                } else {
                    SELU_LAMBDA * SELU_ALPHA * x.exp_m1()
                }
            }
        }
    }

    /// `phi'(x)`; at the kink of ReLU and leaky ReLU, the left derivative (0, or the slope).
    pub fn derivative(self, x: f64) -> f64 {
        match self {
            Activation::Identity => 1.0,
            Activation::Relu => {
                if x > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Activation::LeakyRelu(slope) => {
                if x > 0.0 {
                    1.0
                } else {
                    slope
                }
            }
            Activation::Tanh => {
                let a = x.abs();
                if a < 1.0 {
                    let t = x.tanh();
                    1.0 - t * t
                } else {
                    // sech^2 without the cancellation of 1 - tanh^2 near saturation.
                    let e = (-2.0 * a).exp();
                    4.0 * e / ((1.0 + e) * (1.0 + e))
                }
            }
            Activation::Sigmoid => {
                let e = (-x.abs()).exp();
                e / ((1.0 + e) * (1.0 + e))
            }
            Activation::Gelu => {
                if x.is_infinite() {
                    if x > 0.0 { 1.0 } else { 0.0 }
                } else {
                    normal_cdf(x) + x * normal_pdf(x)
                }
            }
            Activation::Selu => {
                if x > 0.0 {
                    SELU_LAMBDA
                } else {
                    SELU_LAMBDA * SELU_ALPHA * x.exp()
                }
            }
        }
    }

    /// A short name for chart labels, such as `tanh` or `leaky ReLU (slope 0.01)`.
    pub fn name(self) -> String {
        match self {
            Activation::Identity => "linear (identity)".into(),
            Activation::Relu => "ReLU".into(),
            Activation::LeakyRelu(slope) => format!("leaky ReLU (slope {})", crate::py_repr(slope)),
            Activation::Tanh => "tanh".into(),
            Activation::Sigmoid => "sigmoid".into(),
            Activation::Gelu => "GELU".into(),
            Activation::Selu => "SELU".into(),
        }
    }

    /// The activation itself if its parameter is valid.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidValue`] naming `slope` when a leaky ReLU's slope is NaN or infinite.
    pub fn check(self) -> Result<Activation> {
        match self {
            Activation::LeakyRelu(slope) if !slope.is_finite() => {
                Err(Error::value("slope", slope, "a finite number"))
            }
            _ => Ok(self),
        }
    }

    /// Applies `phi` to every value of `z` in place and writes `phi'` of the old values to
    /// `derivative` (of the same length; extra room is left untouched).
    pub(crate) fn apply_with_derivative(self, z: &mut [f64], derivative: &mut [f64]) {
        match self {
            Activation::Identity => derivative[..z.len()].fill(1.0),
            Activation::Relu => {
                for (v, d) in z.iter_mut().zip(derivative.iter_mut()) {
                    let on = *v > 0.0;
                    *d = if on { 1.0 } else { 0.0 };
                    *v = if on { *v } else { 0.0 };
                }
            }
            Activation::Tanh => {
                for (v, d) in z.iter_mut().zip(derivative.iter_mut()) {
                    let t = tanh(*v);
                    *d = 1.0 - t * t;
                    *v = t;
                }
            }
            Activation::Gelu => {
                for (v, d) in z.iter_mut().zip(derivative.iter_mut()) {
                    if v.is_finite() {
                        // One Phi for both: erfc is the costly part.
                        let cdf = normal_cdf(*v);
                        *d = cdf + *v * normal_pdf(*v);
                        *v *= cdf;
                    } else {
                        *d = self.derivative(*v);
                        *v = self.apply(*v);
                    }
                }
            }
            _ => {
                for (v, d) in z.iter_mut().zip(derivative.iter_mut()) {
                    *d = self.derivative(*v);
                    *v = self.apply(*v);
                }
            }
        }
    }
}

/// `tanh(x)` within 2 ulps (checked against `f64::tanh` in the tests) at about half the cost:
/// with `e = exp(-2|x|)`, `(1 - e) / (1 + e)` has no cancellation once `e <= 1/3`, and below
/// that `expm1` keeps the small values exact. The simulation calls it millions of times.
fn tanh(x: f64) -> f64 {
    let a = x.abs();
    let t = if a < 0.55 {
        let e = (-2.0 * a).exp_m1();
        -e / (e + 2.0)
    } else {
        let e = (-2.0 * a).exp();
        (1.0 - e) / (1.0 + e)
    };
    t.copysign(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivatives_match_central_differences() {
        for act in Activation::ALL {
            for &x in &[-3.1, -1.2, -0.4, 0.3, 0.9, 2.6, 7.5] {
                let h = 1e-6;
                let d = (act.apply(x + h) - act.apply(x - h)) / (2.0 * h);
                assert!(
                    (d - act.derivative(x)).abs() < 1e-8,
                    "{} at {x}: {d} vs {}",
                    act.name(),
                    act.derivative(x)
                );
            }
        }
    }

    #[test]
    fn fast_tanh_is_within_two_ulps() {
        let mut x = -20.0;
        while x < 20.0 {
            let (fast, libm) = (tanh(x), x.tanh());
            assert!(
                (fast - libm).abs() <= 2.0 * f64::EPSILON * libm.abs(),
                "{x}: {fast} vs {libm}"
            );
            x += 0.000_731;
        }
        assert_eq!(tanh(0.0), 0.0);
        assert_eq!(tanh(1e-300), 1e-300);
        assert_eq!(tanh(f64::INFINITY), 1.0);
        assert_eq!(tanh(f64::NEG_INFINITY), -1.0);
        assert!(tanh(f64::NAN).is_nan());
    }

    #[test]
    fn values_and_limits() {
        assert_eq!(Activation::Relu.apply(-1.0), 0.0);
        assert_eq!(Activation::Sigmoid.apply(0.0), 0.5);
        assert_eq!(Activation::Sigmoid.apply(-800.0), 0.0);
        assert_eq!(Activation::Gelu.apply(f64::NEG_INFINITY), 0.0);
        assert_eq!(Activation::Gelu.apply(f64::INFINITY), f64::INFINITY);
        // GELU(1) = Phi(1) = 0.8413447460685429...
        assert!((Activation::Gelu.apply(1.0) - 0.8413447460685429).abs() < 2e-16);
        // SELU(-inf) = -lambda alpha, its saturation value.
        assert_eq!(
            Activation::Selu.apply(f64::NEG_INFINITY),
            -SELU_LAMBDA * SELU_ALPHA
        );
        assert_eq!(Activation::Tanh.derivative(400.0), 0.0);
        let z = [-1.0, 0.5, 2.0];
        let mut d = [0.0; 3];
        for act in Activation::ALL {
            let mut zz = z;
            act.apply_with_derivative(&mut zz, &mut d);
            for i in 0..3 {
                assert!((zz[i] - act.apply(z[i])).abs() < 1e-15);
                assert!((d[i] - act.derivative(z[i])).abs() < 1e-15);
            }
        }
        assert_eq!(
            Activation::LeakyRelu(f64::NAN)
                .check()
                .unwrap_err()
                .parameter(),
            Some("slope")
        );
        assert_eq!(Activation::LeakyRelu(0.2).name(), "leaky ReLU (slope 0.2)");
    }
}
