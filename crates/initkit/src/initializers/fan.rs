//! Fans: how many inputs feed each output of a layer (`fan_in`) and how many outputs each
//! input feeds (`fan_out`), read from a weight's shape as PyTorch and Keras read it.

use crate::error::{Error, Result, positive};

/// How a framework lays out a weight's axes, which decides where the fans are read.
///
/// | Layer | [`Layout::PyTorch`] | [`Layout::Keras`] |
/// |---|---|---|
/// | dense | `[out, in]` (`nn.Linear.weight`) | `[in, out]` (`Dense.kernel`) |
/// | convolution | `[out, in/groups, k1, …, kd]` | `[k1, …, kd, in/groups, out]` |
/// | depthwise convolution | `[in·m, 1, k1, …, kd]` (groups = in) | `[k1, …, kd, in, m]` (`DepthwiseConv2D`) |
///
/// Both frameworks multiply the receptive field size `k1·…·kd` into both fans:
///
/// - PyTorch: `fan_in = shape[1] · k1·…·kd`, `fan_out = shape[0] · k1·…·kd`;
/// - Keras: `fan_in = shape[n-2] · k1·…·kd`, `fan_out = shape[n-1] · k1·…·kd`.
///
/// What that means for grouped and depthwise convolutions, where each output sees only
/// `in/groups` channels:
///
/// - grouped (`groups = g`): `fan_in = (in/g)·k` is exactly the inputs each output sees, in
///   both layouts; `fan_out = out·k` counts every output channel although each input channel
///   feeds only `out/g` of them, so it is `g` times the connections that exist;
/// - depthwise in PyTorch (`groups = in`, `out = in·m`): `fan_in = 1·k`, which is exact, and
///   `fan_out = in·m·k`, `in` times the `m·k` outputs each input really feeds;
/// - depthwise in Keras (`[k…, in, m]`): `fan_in = in·k`, `in` times the `k` inputs each output
///   really sees, and `fan_out = m·k`, which is exact. Keras's depthwise kernels therefore get
///   a smaller scale from fan-in schemes (He, LeCun) than PyTorch's.
///
/// Transposed convolutions store `[in, out/groups, k…]` (PyTorch) and `[k…, out, in]` (Keras);
/// both frameworks read them with the rules above, so `fan_in` is computed from the output
/// channels and `fan_out` from the input channels. Build [`Fans::new`] yourself if you want
/// other counts.
///
/// Vectors and scalars have no fans: PyTorch refuses them, Keras quietly uses the length (or
/// 1). initkit refuses them, so a bias cannot be given a weight initializer by mistake.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layout {
    /// PyTorch's `[out, in/groups, k…]`, as read by `torch.nn.init._calculate_fan_in_and_fan_out`.
    PyTorch,
    /// Keras's and TensorFlow's `[k…, in, out]`, as read by `keras.initializers`'s `compute_fans`.
    Keras,
}

/// Which fan sets the scale: PyTorch's `mode` and Keras's `mode` argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FanMode {
    /// `fan_in`: keeps the variance of the forward activations (PyTorch's default for Kaiming).
    FanIn,
    /// `fan_out`: keeps the variance of the backward gradients.
    FanOut,
    /// `(fan_in + fan_out) / 2`: the compromise of Glorot & Bengio (Keras's `fan_avg`).
    FanAvg,
}

/// A layer's fans, both at least 1.
///
/// ```
/// use initkit::{Fans, FanMode, Layout};
/// // nn.Conv2d(3, 64, kernel_size=3).weight has shape [64, 3, 3, 3].
/// let fans = Fans::of_shape(&[64, 3, 3, 3], Layout::PyTorch)?;
/// assert_eq!((fans.fan_in(), fans.fan_out()), (27, 576));
/// // The same layer in Keras: Conv2D(64, 3) on 3 channels, kernel [3, 3, 3, 64].
/// assert_eq!(Fans::of_shape(&[3, 3, 3, 64], Layout::Keras)?, fans);
/// assert_eq!(fans.fan(FanMode::FanAvg), 301.5);
/// # Ok::<(), initkit::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fans {
    fan_in: usize,
    fan_out: usize,
}

impl Fans {
    /// Fans given directly.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidCount`] naming `fan_in` or `fan_out` when it is 0.
    pub fn new(fan_in: usize, fan_out: usize) -> Result<Self> {
        Ok(Fans {
            fan_in: positive("fan_in", fan_in)?,
            fan_out: positive("fan_out", fan_out)?,
        })
    }

    /// The fans of a weight of shape `shape` in `layout` (see [`Layout`] for the rules).
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidShape`] naming `shape` when it has fewer than 2 axes, or when a fan
    ///   does not fit in `usize`;
    /// - [`Error::InvalidCount`] naming `fan_in` or `fan_out` when it is 0, which happens
    ///   exactly when some axis has length 0.
    pub fn of_shape(shape: &[usize], layout: Layout) -> Result<Self> {
        Self::of_named_shape("shape", shape, layout)
    }

    /// [`Fans::of_shape`], naming the shape's owner (`array` for an initializer's argument).
    pub(crate) fn of_named_shape(name: &str, shape: &[usize], layout: Layout) -> Result<Self> {
        let n = shape.len();
        if n < 2 {
            return Err(Error::shape(name, shape, FEW_AXES));
        }
        let (receptive, fan_in_axis, fan_out_axis) = match layout {
            Layout::PyTorch => (&shape[2..], shape[1], shape[0]),
            Layout::Keras => (&shape[..n - 2], shape[n - 2], shape[n - 1]),
        };
        let overflow = || Error::shape(name, shape, "a shape whose fans fit in usize");
        let receptive = receptive
            .iter()
            .try_fold(1usize, |acc, &k| acc.checked_mul(k))
            .ok_or_else(overflow)?;
        let fan_in = fan_in_axis.checked_mul(receptive).ok_or_else(overflow)?;
        let fan_out = fan_out_axis.checked_mul(receptive).ok_or_else(overflow)?;
        Self::new(fan_in, fan_out)
    }

    /// How many inputs feed each output.
    pub fn fan_in(&self) -> usize {
        self.fan_in
    }

    /// How many outputs each input feeds.
    pub fn fan_out(&self) -> usize {
        self.fan_out
    }

    /// The fan `mode` picks, as a float: `fan_in`, `fan_out` or `(fan_in + fan_out) / 2`.
    pub fn fan(&self, mode: FanMode) -> f64 {
        match mode {
            FanMode::FanIn => self.fan_in as f64,
            FanMode::FanOut => self.fan_out as f64,
            // Summed as floats: the integer sum may overflow, and is exact below 2^53 anyway.
            FanMode::FanAvg => (self.fan_in as f64 + self.fan_out as f64) / 2.0,
        }
    }

    /// `fan_in + fan_out` as a float, the denominator of Xavier/Glorot.
    pub(crate) fn sum(&self) -> f64 {
        self.fan_in as f64 + self.fan_out as f64
    }
}

/// What fan-based initializers accept.
const FEW_AXES: &str =
    "at least 2-dimensional (a weight matrix or convolution kernel) to have fans";

#[cfg(test)]
mod tests {
    use super::*;

    fn fans(shape: &[usize], layout: Layout) -> (usize, usize) {
        let f = Fans::of_shape(shape, layout).unwrap();
        (f.fan_in(), f.fan_out())
    }

    #[test]
    fn dense_and_convolution_fans_in_both_layouts() {
        // Dense 784 -> 256.
        assert_eq!(fans(&[256, 784], Layout::PyTorch), (784, 256));
        assert_eq!(fans(&[784, 256], Layout::Keras), (784, 256));
        // Conv1d(16 -> 32, k=5), Conv3d(4 -> 8, 3x3x3).
        assert_eq!(fans(&[32, 16, 5], Layout::PyTorch), (16 * 5, 32 * 5));
        assert_eq!(fans(&[5, 16, 32], Layout::Keras), (16 * 5, 32 * 5));
        assert_eq!(fans(&[8, 4, 3, 3, 3], Layout::PyTorch), (4 * 27, 8 * 27));
        assert_eq!(fans(&[3, 3, 3, 4, 8], Layout::Keras), (4 * 27, 8 * 27));
    }

    #[test]
    fn grouped_and_depthwise_follow_the_frameworks() {
        // Conv2d(32 -> 64, 3x3, groups=4): weight [64, 8, 3, 3] / kernel [3, 3, 8, 64].
        assert_eq!(fans(&[64, 8, 3, 3], Layout::PyTorch), (8 * 9, 64 * 9));
        assert_eq!(fans(&[3, 3, 8, 64], Layout::Keras), (8 * 9, 64 * 9));
        // Depthwise on 32 channels, multiplier 2: PyTorch [64, 1, 3, 3], Keras [3, 3, 32, 2].
        assert_eq!(fans(&[64, 1, 3, 3], Layout::PyTorch), (9, 64 * 9));
        assert_eq!(fans(&[3, 3, 32, 2], Layout::Keras), (32 * 9, 2 * 9));
    }

    #[test]
    fn shapes_without_fans_are_refused() {
        for shape in [&[][..], &[5][..]] {
            let err = Fans::of_shape(shape, Layout::PyTorch).unwrap_err();
            assert!(matches!(err, Error::InvalidShape { .. }), "{err}");
            assert_eq!(err.parameter(), Some("shape"));
        }
        assert_eq!(
            Fans::of_shape(&[3, 0], Layout::PyTorch)
                .unwrap_err()
                .parameter(),
            Some("fan_in")
        );
        assert_eq!(
            Fans::of_shape(&[0, 3], Layout::PyTorch)
                .unwrap_err()
                .parameter(),
            Some("fan_out")
        );
        let huge = Fans::of_shape(&[2, 2, usize::MAX, 2], Layout::PyTorch).unwrap_err();
        assert!(matches!(huge, Error::InvalidShape { .. }), "{huge}");
        assert_eq!(
            Fans::of_shape(&[7], Layout::Keras).unwrap_err().to_string(),
            "shape must be at least 2-dimensional (a weight matrix or convolution kernel) to \
             have fans, got shape [7]"
        );
    }

    #[test]
    fn fan_modes() {
        let f = Fans::new(3, 4).unwrap();
        assert_eq!(f.fan(FanMode::FanIn), 3.0);
        assert_eq!(f.fan(FanMode::FanOut), 4.0);
        assert_eq!(f.fan(FanMode::FanAvg), 3.5);
        let big = Fans::new(usize::MAX, usize::MAX).unwrap();
        assert_eq!(big.fan(FanMode::FanAvg), usize::MAX as f64);
    }
}
