//! The scale each scheme gives a layer, as pure functions of its fans: what the lesson's table
//! prints, and what the initializers draw with.

use super::fan::{FanMode, Fans};
use super::gain::{Nonlinearity, check_gain};
use super::sample::Sampler;
use super::special::symmetric_truncated_std;
use crate::error::{Error, Result};

/// Keras's correction for its truncated normal: the standard deviation of a unit normal cut
/// at ±2 standard deviations, written `0.87962566103423978` in Keras's source
/// (`sqrt(1 - 4φ(2) / (2Φ(2) - 1))`). Keras divides its target std by it so that the values
/// drawn, not the normal before truncation, have the intended variance.
pub const KERAS_TRUNCATED_STD_CORRECTION: f64 = 0.879_625_661_034_239_8;

/// Where Keras's and TensorFlow's truncated normals cut: 2 standard deviations from the mean.
pub const KERAS_TRUNCATION_STDS: f64 = 2.0;

/// The distribution an initializer draws from, with its scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Spread {
    /// Uniform on `[-bound, bound]`.
    Uniform {
        /// The half-width `a` of `U(-a, a)`.
        bound: f64,
    },
    /// Normal `N(0, std²)`.
    Normal {
        /// The standard deviation.
        std: f64,
    },
    /// `N(0, std²)` with values beyond `±stds · std` redrawn.
    TruncatedNormal {
        /// The standard deviation of the normal before truncation.
        std: f64,
        /// Where it is cut, in standard deviations (2 in Keras).
        stds: f64,
    },
}

impl Spread {
    /// The scale that defines the distribution: the bound for `Uniform`, the std of the
    /// (untruncated) normal otherwise.
    pub fn parameter(&self) -> f64 {
        match *self {
            Spread::Uniform { bound } => bound,
            Spread::Normal { std } | Spread::TruncatedNormal { std, .. } => std,
        }
    }

    /// The standard deviation of the values drawn: `bound / √3` for the uniform, `std` for the
    /// normal, and `std · sqrt(1 - 2kφ(k) / (2Φ(k) - 1))` for a normal cut at `±k` std
    /// (`std · 0.8796…` for Keras's `k = 2`). This is the number variance propagation cares
    /// about, and the one on which the frameworks' schemes agree.
    ///
    /// ```
    /// use initkit::Spread;
    /// let u = Spread::Uniform { bound: 3f64.sqrt() };
    /// assert!((u.std() - 1.0).abs() < 1e-15);
    /// let keras = Spread::TruncatedNormal { std: 1.0 / initkit::KERAS_TRUNCATED_STD_CORRECTION, stds: 2.0 };
    /// assert!((keras.std() - 1.0).abs() < 1e-14);
    /// ```
    pub fn std(&self) -> f64 {
        match *self {
            Spread::Uniform { bound } => bound / 3f64.sqrt(),
            Spread::Normal { std } => std,
            Spread::TruncatedNormal { std, stds } => std * symmetric_truncated_std(stds),
        }
    }

    /// The sampler for this spread, validating it.
    pub(crate) fn sampler(&self) -> Result<Sampler> {
        match *self {
            Spread::Uniform { bound } => Ok(Sampler::symmetric_uniform(
                crate::error::non_negative("bound", bound)?,
            )),
            Spread::Normal { std } => Sampler::normal(0.0, std),
            Spread::TruncatedNormal { std, stds } => within_stds(0.0, std, stds),
        }
    }
}

/// The sampler for `N(mean, std²)` cut at `mean ± stds·std`.
pub(crate) fn within_stds(mean: f64, std: f64, stds: f64) -> Result<Sampler> {
    if stds.is_nan() || stds <= 0.0 {
        return Err(Error::value("stds", stds, "a number > 0 (+inf allowed)"));
    }
    if !(std.is_finite() && std > 0.0) {
        return Err(Error::value("std", std, "a finite number > 0"));
    }
    let half = stds * std;
    Sampler::truncated(mean, std, mean - half, mean + half).map_err(|err| match err {
        // The interval is defined by `stds`, so a numerically empty one is its fault.
        Error::InvalidValue { name, .. } if name == "low" || name == "high" => Error::value(
            "stds",
            stds,
            "a number of standard deviations leaving a normal probability of at least 2^-1022",
        ),
        other => other,
    })
}

/// Xavier/Glorot uniform bound: `gain · sqrt(6 / (fan_in + fan_out))`, computed as PyTorch's
/// `xavier_uniform_` does (`sqrt(3) · gain · sqrt(2 / (fan_in + fan_out))`).
///
/// ```
/// use initkit::{Fans, xavier_uniform_bound};
/// let bound = xavier_uniform_bound(Fans::new(512, 512)?, 1.0)?;
/// assert!((bound - (6.0f64 / 1024.0).sqrt()).abs() < 1e-16);
/// # Ok::<(), initkit::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::InvalidValue`] naming `gain` when it is negative, NaN or infinite.
pub fn xavier_uniform_bound(fans: Fans, gain: f64) -> Result<f64> {
    Ok(3f64.sqrt() * xavier_normal_std(fans, gain)?)
}

/// Xavier/Glorot normal std: `gain · sqrt(2 / (fan_in + fan_out))`, as PyTorch's
/// `xavier_normal_`; with gain 1 it equals [`xavier_std`](crate::xavier_std).
///
/// ```
/// use initkit::{Fans, xavier_normal_std};
/// assert_eq!(xavier_normal_std(Fans::new(512, 512)?, 1.0)?, initkit::xavier_std(512, 512)?);
/// # Ok::<(), initkit::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::InvalidValue`] naming `gain` when it is negative, NaN or infinite.
pub fn xavier_normal_std(fans: Fans, gain: f64) -> Result<f64> {
    Ok(check_gain(gain)? * (2.0 / fans.sum()).sqrt())
}

/// Kaiming/He normal std: `gain / sqrt(fan)`, as PyTorch's `kaiming_normal_`, with the gain of
/// `nonlinearity` and the fan `mode` picks. With ReLU and `FanIn` it equals
/// [`he_std`](crate::he_std).
///
/// ```
/// use initkit::{FanMode, Fans, Nonlinearity, kaiming_normal_std};
/// let std = kaiming_normal_std(Fans::new(512, 512)?, FanMode::FanIn, Nonlinearity::Relu)?;
/// assert_eq!(std, 0.0625);
/// # Ok::<(), initkit::Error>(())
/// ```
///
/// # Errors
///
/// As [`Nonlinearity::gain`].
pub fn kaiming_normal_std(fans: Fans, mode: FanMode, nonlinearity: Nonlinearity) -> Result<f64> {
    Ok(nonlinearity.gain()? / fans.fan(mode).sqrt())
}

/// Kaiming/He uniform bound: `sqrt(3) · gain / sqrt(fan)`, as PyTorch's `kaiming_uniform_`.
///
/// ```
/// use initkit::{FanMode, Fans, Nonlinearity, kaiming_uniform_bound};
/// // PyTorch's default for nn.Linear(784, 256): kaiming_uniform_(a=sqrt(5)) = U(±1/sqrt(784)).
/// let slope = Nonlinearity::LeakyRelu { negative_slope: 5f64.sqrt() };
/// let bound = kaiming_uniform_bound(Fans::new(784, 256)?, FanMode::FanIn, slope)?;
/// assert!((bound - 1.0 / 28.0).abs() < 1e-16);
/// # Ok::<(), initkit::Error>(())
/// ```
///
/// # Errors
///
/// As [`Nonlinearity::gain`].
pub fn kaiming_uniform_bound(fans: Fans, mode: FanMode, nonlinearity: Nonlinearity) -> Result<f64> {
    Ok(3f64.sqrt() * kaiming_normal_std(fans, mode, nonlinearity)?)
}

/// LeCun normal std: `sqrt(1 / fan_in)`, as Keras's `VarianceScaling(1, "fan_in",
/// "untruncated_normal")` computes it.
///
/// ```
/// use initkit::{Fans, lecun_normal_std};
/// assert_eq!(lecun_normal_std(Fans::new(256, 10)?), 0.0625);
/// # Ok::<(), initkit::Error>(())
/// ```
pub fn lecun_normal_std(fans: Fans) -> f64 {
    (1.0 / fans.fan(FanMode::FanIn)).sqrt()
}

/// LeCun uniform bound: `sqrt(3 / fan_in)`, as Keras's `LecunUniform` computes it.
///
/// ```
/// use initkit::{Fans, lecun_uniform_bound};
/// assert_eq!(lecun_uniform_bound(Fans::new(3, 10)?), 1.0);
/// # Ok::<(), initkit::Error>(())
/// ```
pub fn lecun_uniform_bound(fans: Fans) -> f64 {
    (3.0 * (1.0 / fans.fan(FanMode::FanIn))).sqrt()
}

/// The distribution of Keras's `VarianceScaling`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VarianceDistribution {
    /// `"truncated_normal"`: `N(0, σ²)` cut at ±2σ and redrawn, with
    /// `σ = sqrt(scale / n) / 0.87962566103423978` so the values drawn have variance `scale / n`.
    TruncatedNormal,
    /// `"untruncated_normal"`: `N(0, scale / n)`.
    UntruncatedNormal,
    /// `"uniform"`: `U(-limit, limit)` with `limit = sqrt(3 · scale / n)`.
    Uniform,
}

/// Keras's `keras.initializers.VarianceScaling(scale, mode, distribution)`: values with variance
/// `scale / n`, `n` being the fan that `mode` picks.
///
/// The named Keras initializers are presets:
///
/// | Keras | scale | mode | distribution |
/// |---|---|---|---|
/// | `GlorotUniform` ([`VarianceScaling::glorot_uniform`]) | 1 | fan_avg | uniform |
/// | `GlorotNormal` ([`VarianceScaling::glorot_normal`]) | 1 | fan_avg | truncated_normal |
/// | `HeUniform` ([`VarianceScaling::he_uniform`]) | 2 | fan_in | uniform |
/// | `HeNormal` ([`VarianceScaling::he_normal`]) | 2 | fan_in | truncated_normal |
/// | `LecunUniform` ([`VarianceScaling::lecun_uniform`]) | 1 | fan_in | uniform |
/// | `LecunNormal` ([`VarianceScaling::lecun_normal`]) | 1 | fan_in | truncated_normal |
///
/// Note that Keras's "normal" presets are *truncated* normals whose std is corrected by
/// [`KERAS_TRUNCATED_STD_CORRECTION`], whereas PyTorch's `xavier_normal_` and
/// `kaiming_normal_` are untruncated: the variance of the weights is the same, the shape of
/// the distribution is not (no weight beyond 2 corrected σ in Keras).
///
/// Papers: Glorot & Bengio, "Understanding the difficulty of training deep feedforward neural
/// networks", AISTATS 2010; He et al., "Delving Deep into Rectifiers", ICCV 2015; LeCun et
/// al., "Efficient BackProp", 1998.
///
/// ```
/// use initkit::{Fans, Spread, VarianceScaling, numpy::default_rng};
/// use ndarray::Array2;
///
/// let he = VarianceScaling::he_normal();
/// let spread = he.spread(Fans::new(512, 512)?);
/// // sqrt(2 / 512) / 0.87962566103423978, cut at two of those.
/// assert_eq!(spread, Spread::TruncatedNormal { std: 0.0625 / 0.879_625_661_034_239_8, stds: 2.0 });
///
/// let mut kernel = Array2::<f32>::zeros((512, 256)); // Keras Dense kernel: [in, out]
/// he.fill(&mut kernel, initkit::Layout::Keras, &mut default_rng(0))?;
/// assert!(kernel.iter().all(|w| w.abs() <= 2.0 * 0.0625 / 0.8796 ));
/// # Ok::<(), initkit::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VarianceScaling {
    scale: f64,
    mode: FanMode,
    distribution: VarianceDistribution,
}

impl VarianceScaling {
    /// A variance-scaling initializer.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidValue`] naming `scale` unless it is a finite number > 0 (Keras's rule).
    pub fn new(scale: f64, mode: FanMode, distribution: VarianceDistribution) -> Result<Self> {
        if !(scale.is_finite() && scale > 0.0) {
            return Err(Error::value("scale", scale, "a finite number > 0"));
        }
        Ok(VarianceScaling {
            scale,
            mode,
            distribution,
        })
    }

    const fn preset(scale: f64, mode: FanMode, distribution: VarianceDistribution) -> Self {
        VarianceScaling {
            scale,
            mode,
            distribution,
        }
    }

    /// `keras.initializers.GlorotUniform`: `U(±sqrt(6 / (fan_in + fan_out)))`.
    pub const fn glorot_uniform() -> Self {
        Self::preset(1.0, FanMode::FanAvg, VarianceDistribution::Uniform)
    }

    /// `keras.initializers.GlorotNormal`: truncated normal with variance `2 / (fan_in + fan_out)`.
    pub const fn glorot_normal() -> Self {
        Self::preset(1.0, FanMode::FanAvg, VarianceDistribution::TruncatedNormal)
    }

    /// `keras.initializers.HeUniform`: `U(±sqrt(6 / fan_in))`.
    pub const fn he_uniform() -> Self {
        Self::preset(2.0, FanMode::FanIn, VarianceDistribution::Uniform)
    }

    /// `keras.initializers.HeNormal`: truncated normal with variance `2 / fan_in`.
    pub const fn he_normal() -> Self {
        Self::preset(2.0, FanMode::FanIn, VarianceDistribution::TruncatedNormal)
    }

    /// `keras.initializers.LecunUniform`: `U(±sqrt(3 / fan_in))`.
    pub const fn lecun_uniform() -> Self {
        Self::preset(1.0, FanMode::FanIn, VarianceDistribution::Uniform)
    }

    /// `keras.initializers.LecunNormal`: truncated normal with variance `1 / fan_in`.
    pub const fn lecun_normal() -> Self {
        Self::preset(1.0, FanMode::FanIn, VarianceDistribution::TruncatedNormal)
    }

    /// The scale factor of the variance.
    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// The fan the variance is divided by.
    pub fn mode(&self) -> FanMode {
        self.mode
    }

    /// The distribution drawn from.
    pub fn distribution(&self) -> VarianceDistribution {
        self.distribution
    }

    /// The distribution and scale this initializer gives a layer with `fans`, computed with
    /// Keras's operations: `s = scale / n`, then `σ = sqrt(s) / 0.87962566103423978`
    /// (truncated), `σ = sqrt(s)` (untruncated) or `limit = sqrt(3 · s)` (uniform).
    pub fn spread(&self, fans: Fans) -> Spread {
        // Keras: scale /= max(1.0, n); fans here are at least 1.
        let s = self.scale / fans.fan(self.mode);
        match self.distribution {
            VarianceDistribution::TruncatedNormal => Spread::TruncatedNormal {
                std: s.sqrt() / KERAS_TRUNCATED_STD_CORRECTION,
                stds: KERAS_TRUNCATION_STDS,
            },
            VarianceDistribution::UntruncatedNormal => Spread::Normal { std: s.sqrt() },
            VarianceDistribution::Uniform => Spread::Uniform {
                bound: (3.0 * s).sqrt(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_keras_constant_is_the_truncated_std() {
        let s = Spread::TruncatedNormal {
            std: 1.0,
            stds: 2.0,
        };
        assert!((s.std() - KERAS_TRUNCATED_STD_CORRECTION).abs() < 2e-15);
        // Keras's literal, parsed: the same double.
        assert_eq!(
            "0.87962566103423978".parse::<f64>().unwrap(),
            KERAS_TRUNCATED_STD_CORRECTION
        );
    }

    #[test]
    fn presets_and_new_agree() {
        let p = VarianceScaling::he_normal();
        let n = VarianceScaling::new(2.0, FanMode::FanIn, VarianceDistribution::TruncatedNormal)
            .unwrap();
        assert_eq!(p, n);
        assert_eq!((p.scale(), p.mode()), (2.0, FanMode::FanIn));
        assert_eq!(p.distribution(), VarianceDistribution::TruncatedNormal);
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let err = VarianceScaling::new(bad, FanMode::FanIn, VarianceDistribution::Uniform)
                .unwrap_err();
            assert_eq!(err.parameter(), Some("scale"));
        }
    }
}
