//! Gains: the factor by which an initializer's scale is multiplied to make up for what the
//! layer's nonlinearity does to the variance.

use crate::error::{Error, Result, non_negative};

/// PyTorch's default negative slope for `leaky_relu` in `calculate_gain`: 0.01.
pub const DEFAULT_NEGATIVE_SLOPE: f64 = 0.01;

/// The nonlinearity that follows a layer, which decides its gain; PyTorch's `nonlinearity`
/// strings of `torch.nn.init.calculate_gain`, plus an explicit gain.
///
/// | Variant | PyTorch name | Gain |
/// |---|---|---|
/// | `Linear`, `Conv1d`…`Conv3d`, `ConvTranspose1d`…`ConvTranspose3d` | `linear`, `conv1d`, … `conv_transpose3d` | 1 |
/// | `Sigmoid` | `sigmoid` | 1 |
/// | `Tanh` | `tanh` | 5/3 |
/// | `Relu` | `relu` | √2 |
/// | `LeakyRelu { negative_slope }` | `leaky_relu`, `param` | √(2 / (1 + negative_slope²)) |
/// | `Selu` | `selu` | 3/4 |
/// | `Gain(g)` | — | g |
///
/// `LeakyRelu` with [`DEFAULT_NEGATIVE_SLOPE`] (0.01) is PyTorch's `calculate_gain("leaky_relu")`;
/// `kaiming_uniform_`'s own default, `a = 0`, is `LeakyRelu { negative_slope: 0.0 }`, which
/// has the ReLU gain √2.
///
/// PyTorch's SELU gain 3/4 is an empirical choice for ordinary initializers. Self-normalizing
/// networks (Klambauer et al., "Self-Normalizing Neural Networks", NeurIPS 2017) instead want
/// LeCun's variance `1 / fan_in`, that is gain 1: use [`lecun_normal`](crate::lecun_normal) or
/// `Linear`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Nonlinearity {
    /// The identity: no activation.
    Linear,
    /// A 1-D convolution treated as a linear map.
    Conv1d,
    /// A 2-D convolution treated as a linear map.
    Conv2d,
    /// A 3-D convolution treated as a linear map.
    Conv3d,
    /// A 1-D transposed convolution treated as a linear map.
    ConvTranspose1d,
    /// A 2-D transposed convolution treated as a linear map.
    ConvTranspose2d,
    /// A 3-D transposed convolution treated as a linear map.
    ConvTranspose3d,
    /// The logistic sigmoid (gain 1, as in PyTorch).
    Sigmoid,
    /// The hyperbolic tangent (gain 5/3).
    Tanh,
    /// The rectifier `max(0, x)` (gain √2).
    Relu,
    /// `x` for `x >= 0`, `negative_slope * x` otherwise.
    LeakyRelu {
        /// The slope for negative inputs; PyTorch's `a`.
        negative_slope: f64,
    },
    /// The scaled exponential linear unit (gain 3/4).
    Selu,
    /// An explicit gain.
    Gain(f64),
}

impl Nonlinearity {
    /// The gain PyTorch's `torch.nn.init.calculate_gain` gives this nonlinearity.
    ///
    /// ```
    /// use initkit::Nonlinearity;
    /// assert_eq!(Nonlinearity::Relu.gain()?, 2f64.sqrt());
    /// assert_eq!(Nonlinearity::Tanh.gain()?, 5.0 / 3.0);
    /// let leaky = Nonlinearity::LeakyRelu { negative_slope: 0.01 };
    /// assert_eq!(leaky.gain()?, (2.0 / (1.0 + 0.01f64.powi(2))).sqrt());
    /// # Ok::<(), initkit::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidValue`] naming `negative_slope` when it is NaN or infinite, or `gain`
    /// when an explicit gain is negative, NaN or infinite.
    #[doc(alias = "calculate_gain")]
    pub fn gain(self) -> Result<f64> {
        Ok(match self {
            Nonlinearity::Linear
            | Nonlinearity::Conv1d
            | Nonlinearity::Conv2d
            | Nonlinearity::Conv3d
            | Nonlinearity::ConvTranspose1d
            | Nonlinearity::ConvTranspose2d
            | Nonlinearity::ConvTranspose3d
            | Nonlinearity::Sigmoid => 1.0,
            Nonlinearity::Tanh => 5.0 / 3.0,
            Nonlinearity::Relu => 2f64.sqrt(),
            Nonlinearity::LeakyRelu { negative_slope } => {
                if !negative_slope.is_finite() {
                    return Err(Error::value(
                        "negative_slope",
                        negative_slope,
                        "a finite number",
                    ));
                }
                let square = negative_slope * negative_slope;
                if square.is_finite() {
                    (2.0 / (1.0 + square)).sqrt()
                } else {
                    // |slope| above 1e154: the same limit, without the square overflowing to 0.
                    std::f64::consts::SQRT_2 / negative_slope.abs()
                }
            }
            Nonlinearity::Selu => 3.0 / 4.0,
            Nonlinearity::Gain(gain) => non_negative("gain", gain)?,
        })
    }
}

/// PyTorch's `torch.nn.init.calculate_gain(nonlinearity, param)`: the same as
/// [`Nonlinearity::gain`], under PyTorch's name.
///
/// ```
/// use initkit::{Nonlinearity, calculate_gain};
/// assert_eq!(calculate_gain(Nonlinearity::Selu)?, 0.75);
/// # Ok::<(), initkit::Error>(())
/// ```
///
/// # Errors
///
/// As [`Nonlinearity::gain`].
pub fn calculate_gain(nonlinearity: Nonlinearity) -> Result<f64> {
    nonlinearity.gain()
}

/// Checks an explicit gain argument: finite and not negative.
pub(crate) fn check_gain(gain: f64) -> Result<f64> {
    non_negative("gain", gain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gains_are_pytorchs() {
        use Nonlinearity::*;
        for linear in [
            Linear,
            Conv1d,
            Conv2d,
            Conv3d,
            ConvTranspose1d,
            ConvTranspose2d,
            ConvTranspose3d,
            Sigmoid,
        ] {
            assert_eq!(linear.gain().unwrap(), 1.0, "{linear:?}");
        }
        assert_eq!(Tanh.gain().unwrap(), 5.0 / 3.0);
        assert_eq!(Relu.gain().unwrap(), std::f64::consts::SQRT_2);
        assert_eq!(Selu.gain().unwrap(), 0.75);
        // math.sqrt(2.0 / (1 + 0.01 ** 2)) in Python.
        let leaky = LeakyRelu {
            negative_slope: DEFAULT_NEGATIVE_SLOPE,
        };
        assert_eq!(leaky.gain().unwrap(), 1.4141428569978354);
        assert_eq!(
            LeakyRelu {
                negative_slope: 0.0
            }
            .gain()
            .unwrap(),
            Relu.gain().unwrap()
        );
        // PyTorch's default for nn.Linear: a = sqrt(5) gives gain sqrt(1/3).
        let linear_default = LeakyRelu {
            negative_slope: 5f64.sqrt(),
        };
        assert!((linear_default.gain().unwrap() - (1.0f64 / 3.0).sqrt()).abs() < 1e-15);
        assert_eq!(Gain(0.5).gain().unwrap(), 0.5);
    }

    #[test]
    fn bad_gains_name_their_parameter() {
        let nan_slope = Nonlinearity::LeakyRelu {
            negative_slope: f64::NAN,
        };
        assert_eq!(
            nan_slope.gain().unwrap_err().parameter(),
            Some("negative_slope")
        );
        assert_eq!(
            Nonlinearity::Gain(-1.0).gain().unwrap_err().to_string(),
            "gain must be a finite number >= 0, got -1.0"
        );
        assert!(Nonlinearity::Gain(f64::INFINITY).gain().is_err());
    }
}
