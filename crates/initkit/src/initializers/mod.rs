//! Weight initializers for `ndarray` arrays, with PyTorch's and Keras's formulas.
//!
//! Every initializer fills an array of any dimension, of `f32` or `f64`, from any
//! [`rand::Rng`] (such as [`numpy::Pcg64`](crate::numpy::Pcg64)), in logical (row-major)
//! order, one value after another. Values are drawn as `f64` and rounded to the element type.
//! The sampling itself is compiled once, in initkit, on plain slices; the generic functions
//! only check their arguments and hand over.

mod fan;
mod gain;
mod orthogonal;
mod sample;
mod scale;
mod special;

pub use fan::{FanMode, Fans, Layout};
pub use gain::{DEFAULT_NEGATIVE_SLOPE, Nonlinearity, calculate_gain};
pub use scale::{
    KERAS_TRUNCATED_STD_CORRECTION, KERAS_TRUNCATION_STDS, Spread, VarianceDistribution,
    VarianceScaling, kaiming_normal_std, kaiming_uniform_bound, lecun_normal_std,
    lecun_uniform_bound, xavier_normal_std, xavier_uniform_bound,
};

use crate::error::{Error, Result};
use gain::check_gain;
use ndarray::{ArrayBase, DataMut, Dimension};
use rand::Rng;
use sample::{DynRng, Sampler};

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// The element types initializers fill: `f32` and `f64`. Sealed: it cannot be implemented
/// outside initkit.
pub trait Float:
    Copy + PartialOrd + std::fmt::Debug + Send + Sync + 'static + sealed::Sealed
{
    /// Zero.
    const ZERO: Self;
    /// One.
    const ONE: Self;
    /// The largest finite value, as `f64`.
    const MAX: f64;

    /// `value` rounded to the nearest value of this type.
    fn from_f64(value: f64) -> Self;

    /// Fills a contiguous slice from `sampler`: the concrete code for each type.
    #[doc(hidden)]
    fn fill_slice(out: &mut [Self], sampler: &Sampler, rng: &mut DynRng<'_>);
}

impl Float for f64 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    const MAX: f64 = f64::MAX;

    #[inline]
    fn from_f64(value: f64) -> Self {
        value
    }

    fn fill_slice(out: &mut [Self], sampler: &Sampler, rng: &mut DynRng<'_>) {
        sampler.fill_f64(out, rng);
    }
}

impl Float for f32 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    const MAX: f64 = f32::MAX as f64;

    #[inline]
    fn from_f64(value: f64) -> Self {
        value as f32
    }

    fn fill_slice(out: &mut [Self], sampler: &Sampler, rng: &mut DynRng<'_>) {
        sampler.fill_f32(out, rng);
    }
}

/// Fills `array` in logical order with draws from `sampler`.
fn fill_sampled<A, S, D, R>(array: &mut ArrayBase<S, D>, sampler: &Sampler, rng: &mut R)
where
    A: Float,
    S: DataMut<Elem = A>,
    D: Dimension,
    R: Rng + ?Sized,
{
    let mut rng = rng;
    let rng: &mut DynRng<'_> = &mut rng;
    match array.as_slice_mut() {
        Some(slice) => A::fill_slice(slice, sampler, rng),
        None => {
            for x in array.iter_mut() {
                *x = A::from_f64(sampler.sample(rng));
            }
        }
    }
}

/// Checks that a value written as is fits the element type.
fn representable<A: Float>(name: &str, value: f64) -> Result<f64> {
    if value.is_finite() && value.abs() <= A::MAX {
        Ok(value)
    } else {
        Err(Error::value(
            name,
            value,
            "a finite number within the element type's range",
        ))
    }
}

/// The fans of an initializer's `array`.
fn array_fans(shape: &[usize], layout: Layout) -> Result<Fans> {
    Fans::of_named_shape("array", shape, layout)
}

/// Sets every element to 0: PyTorch's `torch.nn.init.zeros_`, Keras's `Zeros`.
///
/// The usual start for biases: symmetry is already broken by the weights, and a zero bias
/// leaves the pre-activation's mean where the weights put it.
///
/// ```
/// let mut b = ndarray::Array1::<f32>::ones(4);
/// initkit::zeros(&mut b);
/// assert_eq!(b, ndarray::arr1(&[0.0, 0.0, 0.0, 0.0]));
/// ```
pub fn zeros<A, S, D>(array: &mut ArrayBase<S, D>)
where
    A: Float,
    S: DataMut<Elem = A>,
    D: Dimension,
{
    array.fill(A::ZERO);
}

/// Sets every element to 1: PyTorch's `torch.nn.init.ones_`, Keras's `Ones`.
///
/// For multiplicative parameters such as a normalization layer's scale. Never for weights:
/// identical weights give every unit of a layer the same gradient, so they never become
/// different (the symmetry problem).
///
/// ```
/// let mut gamma = ndarray::Array1::<f64>::zeros(3);
/// initkit::ones(&mut gamma);
/// assert_eq!(gamma.sum(), 3.0);
/// ```
pub fn ones<A, S, D>(array: &mut ArrayBase<S, D>)
where
    A: Float,
    S: DataMut<Elem = A>,
    D: Dimension,
{
    array.fill(A::ONE);
}

/// Sets every element to `value`: PyTorch's `torch.nn.init.constant_`, Keras's `Constant`.
///
/// For biases with a known good start (such as a small positive bias before a ReLU, or a
/// forget-gate bias of 1 in an LSTM).
///
/// ```
/// let mut b = ndarray::Array1::<f32>::zeros(2);
/// initkit::constant(&mut b, 0.1)?;
/// assert_eq!(b, ndarray::arr1(&[0.1f32, 0.1]));
/// # Ok::<(), initkit::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::InvalidValue`] naming `value` when it is NaN, infinite or beyond the element
/// type's range (about 3.4e38 for `f32`).
pub fn constant<A, S, D>(array: &mut ArrayBase<S, D>, value: f64) -> Result<()>
where
    A: Float,
    S: DataMut<Elem = A>,
    D: Dimension,
{
    let value = representable::<A>("value", value)?;
    array.fill(A::from_f64(value));
    Ok(())
}

/// Fills `array` from the uniform distribution `U(low, high)`: PyTorch's
/// `torch.nn.init.uniform_(tensor, a, b)`, Keras's `RandomUniform(minval, maxval)`.
///
/// Each value is `low + (high - low) · u` with `u` a double in `[0, 1)` made from the top 53
/// bits of a 64-bit draw: with [`numpy::Pcg64`](crate::numpy::Pcg64) and `f64` these are
/// NumPy's `rng.uniform(low, high, shape)` values, bit for bit. Values are kept within
/// `[low, high]` where rounding would step outside (NumPy's own rounding may reach `high`).
///
/// ```
/// use initkit::numpy::default_rng;
/// let mut w = ndarray::Array2::<f64>::zeros((3, 4));
/// initkit::uniform(&mut w, -0.1, 0.1, &mut default_rng(0))?;
/// assert!(w.iter().all(|&x| (-0.1..=0.1).contains(&x)));
/// # Ok::<(), initkit::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::InvalidValue`] naming `low` or `high` when it is NaN, infinite or beyond the
/// element type's range, or naming `high` when `low >= high`.
pub fn uniform<A, S, D, R>(
    array: &mut ArrayBase<S, D>,
    low: f64,
    high: f64,
    rng: &mut R,
) -> Result<()>
where
    A: Float,
    S: DataMut<Elem = A>,
    D: Dimension,
    R: Rng + ?Sized,
{
    let sampler = Sampler::uniform(low, high)?;
    representable::<A>("low", low)?;
    representable::<A>("high", high)?;
    fill_sampled(array, &sampler, rng);
    Ok(())
}

/// Fills `array` from the normal distribution `N(mean, std²)`: PyTorch's
/// `torch.nn.init.normal_(tensor, mean, std)`, Keras's `RandomNormal(mean, stddev)`.
///
/// Each value is `mean + std · z`, `z` from NumPy's standard normal ziggurat
/// ([`numpy::StandardNormal`](crate::numpy::StandardNormal)): with
/// [`numpy::Pcg64`](crate::numpy::Pcg64) and `f64` these are NumPy's
/// `rng.normal(mean, std, shape)` values, bit for bit. A fixed std such as 0.01 is what the
/// lesson shows failing in deep networks: the right scale depends on the layer's fans.
/// A std near the element type's limit can give values that round to ±infinity, as in NumPy.
///
/// ```
/// use initkit::numpy::{default_rng, StandardNormal};
/// use rand::distr::Distribution;
/// let mut w = ndarray::Array1::<f64>::zeros(3);
/// initkit::normal(&mut w, 1.0, 0.5, &mut default_rng(0))?;
/// let mut rng = default_rng(0);
/// let z: f64 = StandardNormal.sample(&mut rng);
/// assert_eq!(w[0], 1.0 + 0.5 * z); // numpy: default_rng(0).normal(1.0, 0.5)
/// # Ok::<(), initkit::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::InvalidValue`] naming `mean` when it is NaN, infinite or beyond the element
/// type's range, or `std` when it is negative, NaN or infinite (`std = 0` gives `mean`
/// everywhere).
pub fn normal<A, S, D, R>(
    array: &mut ArrayBase<S, D>,
    mean: f64,
    std: f64,
    rng: &mut R,
) -> Result<()>
where
    A: Float,
    S: DataMut<Elem = A>,
    D: Dimension,
    R: Rng + ?Sized,
{
    let sampler = Sampler::normal(mean, std)?;
    representable::<A>("mean", mean)?;
    fill_sampled(array, &sampler, rng);
    Ok(())
}

/// Fills `array` from `N(mean, std²)` truncated to `[low, high]`, the bounds given **in
/// absolute units**: PyTorch's `torch.nn.init.trunc_normal_(tensor, mean, std, a, b)`.
///
/// Beware PyTorch's defaults `a = -2, b = 2`: they are absolute, not "2 std". With
/// `std = 0.02` (as in ViT or BERT) they cut nothing at all. For Keras's cut at ±2 std use
/// [`truncated_normal_within_stds`].
///
/// `std` is the std of the normal *before* truncation; the values drawn have a smaller one
/// (see [`Spread::std`]). `low` may be `-inf` and `high` `+inf` for a one-sided cut.
///
/// Sampling is exact (no approximation of the inverse CDF), by rejection from whichever
/// proposal fits the standardized interval `[α, β]`: standard normals when it is wide and
/// holds the mean; uniforms on `[α, β]`, kept with probability `exp(-z²/2)`, when it is narrow
/// and holds the mean; and Robert's shifted exponentials when it lies on one side of the mean
/// (C. P. Robert, "Simulation of truncated normal variables", Statistics and Computing 5,
/// 1995), which work however far out the interval is. Each keeps at least 49% of proposals,
/// so a value costs about two proposals at worst; after 10,000 rejections in a row (which a
/// working generator does with probability below 10^-2900) the last proposal is clamped into
/// `[low, high]`, so the loop always ends.
///
/// ```
/// use initkit::numpy::default_rng;
/// let mut w = ndarray::Array2::<f32>::zeros((64, 64));
/// initkit::truncated_normal_between(&mut w, 0.0, 0.02, -0.04, 0.04, &mut default_rng(0))?;
/// assert!(w.iter().all(|x| x.abs() <= 0.04));
/// # Ok::<(), initkit::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::InvalidValue`] naming
/// - `mean` when it is NaN, infinite or beyond the element type's range;
/// - `std` unless it is a finite number > 0;
/// - `low` when it is NaN or `+inf`, `high` when it is NaN or `-inf` or `high <= low`;
/// - the bound nearer the mean (`low` if the interval lies above the mean, `high` if below)
///   when the interval is numerically empty: when the normal probability of `[low, high]`,
///   computed in log space from the bounds standardized in `f64`, is below 2^-1022 ≈ 2.2e-308,
///   the smallest normal double. That is an interval whose nearer end lies more than about
///   37.5 std from the mean, or (much) less for extremely narrow intervals.
pub fn truncated_normal_between<A, S, D, R>(
    array: &mut ArrayBase<S, D>,
    mean: f64,
    std: f64,
    low: f64,
    high: f64,
    rng: &mut R,
) -> Result<()>
where
    A: Float,
    S: DataMut<Elem = A>,
    D: Dimension,
    R: Rng + ?Sized,
{
    let sampler = Sampler::truncated(mean, std, low, high)?;
    representable::<A>("mean", mean)?;
    fill_sampled(array, &sampler, rng);
    Ok(())
}

/// Fills `array` from `N(mean, std²)` with values beyond `mean ± stds · std` redrawn, the cut
/// given **in standard deviations**: Keras's `keras.initializers.TruncatedNormal(mean, stddev)`
/// and TensorFlow's `tf.random.truncated_normal` with `stds = 2` ([`KERAS_TRUNCATION_STDS`]).
///
/// `std` is the std of the normal before truncation: with `stds = 2` the values drawn have
/// std `0.8796 · std` (see [`KERAS_TRUNCATED_STD_CORRECTION`]). Cutting the tails keeps rare
/// huge weights out of a fresh network. Sampling as in [`truncated_normal_between`]; for
/// `stds = 2` that is redrawing standard normals until one lands within ±2, as TensorFlow does.
///
/// ```
/// use initkit::numpy::default_rng;
/// let mut w = ndarray::Array2::<f64>::zeros((32, 32));
/// initkit::truncated_normal_within_stds(&mut w, 0.0, 0.05, 2.0, &mut default_rng(0))?;
/// assert!(w.iter().all(|x| x.abs() <= 0.1));
/// # Ok::<(), initkit::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::InvalidValue`] naming `mean` when it is NaN, infinite or beyond the element
/// type's range, `std` unless it is a finite number > 0, or `stds` unless it is a number > 0
/// (`+inf` means no cut) whose interval holds a normal probability of at least 2^-1022 (any
/// `stds` above about 1e-308).
pub fn truncated_normal_within_stds<A, S, D, R>(
    array: &mut ArrayBase<S, D>,
    mean: f64,
    std: f64,
    stds: f64,
    rng: &mut R,
) -> Result<()>
where
    A: Float,
    S: DataMut<Elem = A>,
    D: Dimension,
    R: Rng + ?Sized,
{
    let sampler = scale::within_stds(mean, std, stds)?;
    representable::<A>("mean", mean)?;
    fill_sampled(array, &sampler, rng);
    Ok(())
}

/// Xavier/Glorot uniform: `U(-a, a)` with `a = gain · sqrt(6 / (fan_in + fan_out))`
/// ([`xavier_uniform_bound`]). PyTorch's `torch.nn.init.xavier_uniform_(tensor, gain)`;
/// with gain 1, Keras's `GlorotUniform` ([`VarianceScaling::glorot_uniform`]).
///
/// Keeps the variance of activations and of gradients roughly constant across layers whose
/// activation is close to linear at zero: tanh (with gain 5/3, see [`Nonlinearity`]), sigmoid,
/// or none. Glorot & Bengio, "Understanding the difficulty of training deep feedforward
/// neural networks", AISTATS 2010.
///
/// ```
/// use initkit::{Layout, numpy::default_rng};
/// // nn.Linear(784, 256).weight has shape [256, 784].
/// let mut w = ndarray::Array2::<f32>::zeros((256, 784));
/// initkit::xavier_uniform(&mut w, Layout::PyTorch, 1.0, &mut default_rng(0))?;
/// let a = (6.0f32 / (784.0 + 256.0)).sqrt();
/// assert!(w.iter().all(|x| x.abs() <= a));
/// # Ok::<(), initkit::Error>(())
/// ```
///
/// # Errors
///
/// - [`Error::InvalidShape`] naming `array` when it has fewer than 2 axes;
/// - [`Error::InvalidCount`] naming `fan_in` or `fan_out` when it is 0 (an axis of length 0);
/// - [`Error::InvalidValue`] naming `gain` when it is negative, NaN or infinite.
pub fn xavier_uniform<A, S, D, R>(
    array: &mut ArrayBase<S, D>,
    layout: Layout,
    gain: f64,
    rng: &mut R,
) -> Result<()>
where
    A: Float,
    S: DataMut<Elem = A>,
    D: Dimension,
    R: Rng + ?Sized,
{
    let bound = xavier_uniform_bound(array_fans(array.shape(), layout)?, gain)?;
    fill_sampled(array, &Sampler::symmetric_uniform(bound), rng);
    Ok(())
}

/// Xavier/Glorot normal: `N(0, σ²)` with `σ = gain · sqrt(2 / (fan_in + fan_out))`
/// ([`xavier_normal_std`]). PyTorch's `torch.nn.init.xavier_normal_(tensor, gain)`.
///
/// Untruncated, as in PyTorch; Keras's `GlorotNormal` draws a truncated normal of the same
/// variance ([`VarianceScaling::glorot_normal`]). When to use it: as [`xavier_uniform`].
/// Glorot & Bengio, AISTATS 2010.
///
/// ```
/// use initkit::{Layout, numpy::default_rng};
/// let mut w = ndarray::Array2::<f64>::zeros((512, 512));
/// initkit::xavier_normal(&mut w, Layout::PyTorch, 1.0, &mut default_rng(0))?;
/// let var = w.mapv(|x| x * x).mean().unwrap();
/// assert!((var.sqrt() - initkit::xavier_std(512, 512)?).abs() < 1e-3);
/// # Ok::<(), initkit::Error>(())
/// ```
///
/// # Errors
///
/// As [`xavier_uniform`].
pub fn xavier_normal<A, S, D, R>(
    array: &mut ArrayBase<S, D>,
    layout: Layout,
    gain: f64,
    rng: &mut R,
) -> Result<()>
where
    A: Float,
    S: DataMut<Elem = A>,
    D: Dimension,
    R: Rng + ?Sized,
{
    let std = xavier_normal_std(array_fans(array.shape(), layout)?, gain)?;
    fill_sampled(array, &Sampler::normal(0.0, std)?, rng);
    Ok(())
}

/// Kaiming/He uniform: `U(-a, a)` with `a = sqrt(3) · gain / sqrt(fan)`
/// ([`kaiming_uniform_bound`]), the gain from `nonlinearity` and the fan from `mode`.
/// PyTorch's `torch.nn.init.kaiming_uniform_(tensor, a, mode, nonlinearity)`, where PyTorch's
/// `a` is the `negative_slope` of [`Nonlinearity::LeakyRelu`]; with ReLU and `FanIn`, Keras's
/// `HeUniform` ([`VarianceScaling::he_uniform`]).
///
/// For layers followed by ReLU-like activations, which zero half their inputs: the gain √2
/// makes up for the halved second moment. PyTorch's own default for `nn.Linear` and `nn.Conv*`
/// weights is this function with `LeakyRelu { negative_slope: √5 }`, i.e. `U(±1/sqrt(fan_in))`.
/// He et al., "Delving Deep into Rectifiers: Surpassing Human-Level Performance on ImageNet
/// Classification", ICCV 2015.
///
/// ```
/// use initkit::{FanMode, Layout, Nonlinearity, numpy::default_rng};
/// // nn.Conv2d(3, 64, 3).weight: [64, 3, 3, 3], fan_in = 27.
/// let mut w = ndarray::Array4::<f32>::zeros((64, 3, 3, 3));
/// initkit::kaiming_uniform(&mut w, Layout::PyTorch, FanMode::FanIn, Nonlinearity::Relu, &mut default_rng(0))?;
/// let a = (6.0f32 / 27.0).sqrt();
/// assert!(w.iter().all(|x| x.abs() <= a));
/// # Ok::<(), initkit::Error>(())
/// ```
///
/// # Errors
///
/// - [`Error::InvalidShape`] naming `array` when it has fewer than 2 axes;
/// - [`Error::InvalidCount`] naming `fan_in` or `fan_out` when it is 0 (an axis of length 0);
/// - [`Error::InvalidValue`] naming `negative_slope` or `gain` as [`Nonlinearity::gain`] does.
pub fn kaiming_uniform<A, S, D, R>(
    array: &mut ArrayBase<S, D>,
    layout: Layout,
    mode: FanMode,
    nonlinearity: Nonlinearity,
    rng: &mut R,
) -> Result<()>
where
    A: Float,
    S: DataMut<Elem = A>,
    D: Dimension,
    R: Rng + ?Sized,
{
    let fans = array_fans(array.shape(), layout)?;
    let bound = kaiming_uniform_bound(fans, mode, nonlinearity)?;
    fill_sampled(array, &Sampler::symmetric_uniform(bound), rng);
    Ok(())
}

/// Kaiming/He normal: `N(0, σ²)` with `σ = gain / sqrt(fan)` ([`kaiming_normal_std`]).
/// PyTorch's `torch.nn.init.kaiming_normal_(tensor, a, mode, nonlinearity)`; with ReLU and
/// `FanIn`, `σ = sqrt(2 / fan_in)` = [`he_std`](crate::he_std).
///
/// Untruncated, as in PyTorch; Keras's `HeNormal` draws a truncated normal of the same
/// variance ([`VarianceScaling::he_normal`]). When to use it: as [`kaiming_uniform`].
/// He et al., ICCV 2015.
///
/// ```
/// use initkit::{FanMode, Layout, Nonlinearity, numpy::default_rng};
/// let mut w = ndarray::Array2::<f64>::zeros((512, 512));
/// initkit::kaiming_normal(&mut w, Layout::PyTorch, FanMode::FanIn, Nonlinearity::Relu, &mut default_rng(0))?;
/// let std = w.mapv(|x| x * x).mean().unwrap().sqrt();
/// assert!((std - 0.0625).abs() < 1e-3);
/// # Ok::<(), initkit::Error>(())
/// ```
///
/// # Errors
///
/// As [`kaiming_uniform`].
pub fn kaiming_normal<A, S, D, R>(
    array: &mut ArrayBase<S, D>,
    layout: Layout,
    mode: FanMode,
    nonlinearity: Nonlinearity,
    rng: &mut R,
) -> Result<()>
where
    A: Float,
    S: DataMut<Elem = A>,
    D: Dimension,
    R: Rng + ?Sized,
{
    let fans = array_fans(array.shape(), layout)?;
    let std = kaiming_normal_std(fans, mode, nonlinearity)?;
    fill_sampled(array, &Sampler::normal(0.0, std)?, rng);
    Ok(())
}

/// LeCun uniform: `U(-a, a)` with `a = sqrt(3 / fan_in)` ([`lecun_uniform_bound`]), variance
/// `1 / fan_in`. Keras's `LecunUniform` ([`VarianceScaling::lecun_uniform`]); in PyTorch,
/// `kaiming_uniform_(tensor, mode="fan_in", nonlinearity="linear")` (equal up to rounding).
///
/// Keeps the forward variance of linear or tanh-like (scaled) layers; the original
/// prescription of LeCun et al., "Efficient BackProp", in Neural Networks: Tricks of the
/// Trade, 1998.
///
/// ```
/// use initkit::{Layout, numpy::default_rng};
/// let mut w = ndarray::Array2::<f64>::zeros((300, 100)); // Keras kernel [in, out]
/// initkit::lecun_uniform(&mut w, Layout::Keras, &mut default_rng(0))?;
/// assert!(w.iter().all(|x| x.abs() <= 0.1));
/// # Ok::<(), initkit::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::InvalidShape`] naming `array` when it has fewer than 2 axes;
/// [`Error::InvalidCount`] naming `fan_in` or `fan_out` when it is 0 (an axis of length 0).
pub fn lecun_uniform<A, S, D, R>(
    array: &mut ArrayBase<S, D>,
    layout: Layout,
    rng: &mut R,
) -> Result<()>
where
    A: Float,
    S: DataMut<Elem = A>,
    D: Dimension,
    R: Rng + ?Sized,
{
    let bound = lecun_uniform_bound(array_fans(array.shape(), layout)?);
    fill_sampled(array, &Sampler::symmetric_uniform(bound), rng);
    Ok(())
}

/// LeCun normal: `N(0, σ²)` with `σ = sqrt(1 / fan_in)` ([`lecun_normal_std`]), untruncated.
/// Keras's `VarianceScaling(1, "fan_in", "untruncated_normal")`; in PyTorch,
/// `kaiming_normal_(tensor, mode="fan_in", nonlinearity="linear")`, which PyTorch's `SELU`
/// documentation recommends. Keras's `LecunNormal` is the *truncated* variant
/// ([`VarianceScaling::lecun_normal`]).
///
/// The initialization of self-normalizing networks: SELU activations keep mean 0 and
/// variance 1 through depth when the weights have variance `1 / fan_in` (Klambauer et al.,
/// "Self-Normalizing Neural Networks", NeurIPS 2017). LeCun et al., "Efficient BackProp", 1998.
///
/// ```
/// use initkit::{Layout, numpy::default_rng};
/// let mut w = ndarray::Array2::<f64>::zeros((256, 1024)); // PyTorch [out, in]
/// initkit::lecun_normal(&mut w, Layout::PyTorch, &mut default_rng(0))?;
/// let std = w.mapv(|x| x * x).mean().unwrap().sqrt();
/// assert!((std - 1.0 / 32.0).abs() < 1e-3);
/// # Ok::<(), initkit::Error>(())
/// ```
///
/// # Errors
///
/// As [`lecun_uniform`].
pub fn lecun_normal<A, S, D, R>(
    array: &mut ArrayBase<S, D>,
    layout: Layout,
    rng: &mut R,
) -> Result<()>
where
    A: Float,
    S: DataMut<Elem = A>,
    D: Dimension,
    R: Rng + ?Sized,
{
    let std = lecun_normal_std(array_fans(array.shape(), layout)?);
    fill_sampled(array, &Sampler::normal(0.0, std)?, rng);
    Ok(())
}

impl Spread {
    /// Fills `array` from this distribution (see [`Spread`] for each kind).
    ///
    /// ```
    /// use initkit::{Spread, numpy::default_rng};
    /// let mut w = ndarray::Array2::<f32>::zeros((8, 8));
    /// Spread::Uniform { bound: 0.5 }.fill(&mut w, &mut default_rng(0))?;
    /// assert!(w.iter().all(|x| x.abs() <= 0.5));
    /// # Ok::<(), initkit::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidValue`] naming `bound` or `std` when it is negative, NaN or infinite,
    /// or, for a truncated normal, `std` when it is 0 and `stds` as in
    /// [`truncated_normal_within_stds`].
    pub fn fill<A, S, D, R>(&self, array: &mut ArrayBase<S, D>, rng: &mut R) -> Result<()>
    where
        A: Float,
        S: DataMut<Elem = A>,
        D: Dimension,
        R: Rng + ?Sized,
    {
        fill_sampled(array, &self.sampler()?, rng);
        Ok(())
    }
}

impl VarianceScaling {
    /// Fills `array`, a weight in `layout`, from [`VarianceScaling::spread`] of its fans.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidShape`] naming `array` when it has fewer than 2 axes;
    /// [`Error::InvalidCount`] naming `fan_in` or `fan_out` when it is 0 (an axis of length 0).
    pub fn fill<A, S, D, R>(
        &self,
        array: &mut ArrayBase<S, D>,
        layout: Layout,
        rng: &mut R,
    ) -> Result<()>
    where
        A: Float,
        S: DataMut<Elem = A>,
        D: Dimension,
        R: Rng + ?Sized,
    {
        let spread = self.spread(array_fans(array.shape(), layout)?);
        fill_sampled(array, &spread.sampler()?, rng);
        Ok(())
    }
}

/// A (semi-)orthogonal matrix times `gain`: PyTorch's `torch.nn.init.orthogonal_(tensor,
/// gain)`, Keras's `Orthogonal(gain)`.
///
/// The array is viewed as a matrix: with [`Layout::PyTorch`], `rows = shape[0]` and `cols` the
/// product of the other axes (PyTorch's flattening); with [`Layout::Keras`], `cols =
/// shape[n-1]` and `rows` the product of the others (Keras's). If `rows <= cols` the rows are
/// orthonormal, `Q Qᵀ = gain² I`; otherwise the columns are, `Qᵀ Q = gain² I`.
///
/// Made as PyTorch makes it: a `rows × cols` matrix of standard normals (transposed if wide),
/// factored `QR` by Householder reflections, each column of `Q` multiplied by the sign of
/// `R`'s diagonal entry, so that the result is uniformly (Haar) distributed over such matrices.
///
/// An orthogonal matrix preserves the norm of every vector, so a deep *linear* network
/// initialized this way neither explodes nor vanishes, whatever its depth; Saxe et al. show
/// it also makes learning time independent of depth ("Exact solutions to the nonlinear
/// dynamics of learning in deep linear neural networks", ICLR 2014). Common for recurrent
/// weight matrices.
///
/// ```
/// use initkit::{Layout, numpy::default_rng};
/// let mut w = ndarray::Array2::<f64>::zeros((4, 6));
/// initkit::orthogonal(&mut w, Layout::PyTorch, 1.0, &mut default_rng(0))?;
/// let gram = w.dot(&w.t()); // 4 × 4: the rows are orthonormal
/// assert!((&gram - &ndarray::Array2::<f64>::eye(4)).iter().all(|e| e.abs() < 1e-12));
/// # Ok::<(), initkit::Error>(())
/// ```
///
/// # Errors
///
/// - [`Error::InvalidShape`] naming `array` when it has fewer than 2 axes or an axis of
///   length 0;
/// - [`Error::InvalidValue`] naming `gain` when it is negative, NaN or infinite;
/// - [`Error::OutOfMemory`] when the working matrices cannot be held (about twice the array).
pub fn orthogonal<A, S, D, R>(
    array: &mut ArrayBase<S, D>,
    layout: Layout,
    gain: f64,
    rng: &mut R,
) -> Result<()>
where
    A: Float,
    S: DataMut<Elem = A>,
    D: Dimension,
    R: Rng + ?Sized,
{
    let (rows, cols) = matrix_of(array.shape(), layout)?;
    let gain = check_gain(gain)?;
    let mut rng = rng;
    let q = orthogonal::orthogonal_matrix(rows, cols, gain, &mut rng)?;
    for (x, v) in array.iter_mut().zip(q) {
        *x = A::from_f64(v);
    }
    Ok(())
}

/// The matrix an array is flattened to for [`orthogonal`].
fn matrix_of(shape: &[usize], layout: Layout) -> Result<(usize, usize)> {
    let n = shape.len();
    if n < 2 {
        return Err(Error::shape("array", shape, "at least 2-dimensional"));
    }
    if shape.contains(&0) {
        return Err(Error::shape(
            "array",
            shape,
            "non-empty (no axis of length 0) to be made orthogonal",
        ));
    }
    let product = |axes: &[usize]| {
        axes.iter()
            .try_fold(1usize, |acc, &k| acc.checked_mul(k))
            .ok_or_else(|| Error::shape("array", shape, "a shape whose size fits in usize"))
    };
    Ok(match layout {
        Layout::PyTorch => (shape[0], product(&shape[1..])?),
        Layout::Keras => (product(&shape[..n - 1])?, shape[n - 1]),
    })
}

/// The identity matrix times `gain`: ones (times `gain`) on the main diagonal, zeros
/// elsewhere, for square and rectangular 2-D arrays. PyTorch's `torch.nn.init.eye_(tensor)`
/// (gain 1), Keras's `Identity(gain)`.
///
/// Makes a layer start as the identity map (up to `gain`), which keeps signals unchanged
/// through depth; used for residual-like and recurrent layers (Le, Jaitly & Hinton, "A Simple
/// Way to Initialize Recurrent Networks of Rectified Linear Units", 2015). Every unit starts
/// different, so symmetry is broken without randomness.
///
/// ```
/// let mut w = ndarray::Array2::<f32>::zeros((2, 3));
/// initkit::eye(&mut w, 1.0)?;
/// assert_eq!(w, ndarray::arr2(&[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]));
/// # Ok::<(), initkit::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::InvalidShape`] naming `array` unless it is 2-dimensional; [`Error::InvalidValue`]
/// naming `gain` when it is negative, NaN, infinite or beyond the element type's range.
pub fn eye<A, S, D>(array: &mut ArrayBase<S, D>, gain: f64) -> Result<()>
where
    A: Float,
    S: DataMut<Elem = A>,
    D: Dimension,
{
    if array.ndim() != 2 {
        return Err(Error::shape("array", array.shape(), "2-dimensional"));
    }
    let gain = representable::<A>("gain", check_gain(gain)?)?;
    array.fill(A::ZERO);
    let mut view = array.view_mut().into_dyn();
    let n = view.shape()[0].min(view.shape()[1]);
    for i in 0..n {
        if let Some(x) = view.get_mut([i, i].as_slice()) {
            *x = A::from_f64(gain);
        }
    }
    Ok(())
}

/// The Dirac delta for convolution kernels in PyTorch's layout `[out, in/groups, k…]`: each
/// output channel copies one input channel, through the kernel's centre tap. PyTorch's
/// `torch.nn.init.dirac_(tensor, groups)`.
///
/// With `groups` groups of `out/groups` output channels, output channel `g·(out/groups) + d`
/// gets a 1 at `[.., d, k1/2, …, kd/2]` for `d < min(out/groups, in/groups)`; everything else
/// is 0. A convolution so initialized passes its input through unchanged (channels beyond the
/// smaller count are dropped or left zero): the convolutional analogue of [`eye`], which keeps
/// very deep plain convolutional networks trainable (Zagoruyko & Komodakis, "DiracNets", 2017).
///
/// ```
/// let mut w = ndarray::Array3::<f64>::zeros((2, 2, 3)); // Conv1d(2, 2, kernel_size=3)
/// initkit::dirac(&mut w, 1)?;
/// assert_eq!(w, ndarray::arr3(&[[[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]],
///                               [[0.0, 0.0, 0.0], [0.0, 1.0, 0.0]]]));
/// # Ok::<(), initkit::Error>(())
/// ```
///
/// # Errors
///
/// - [`Error::InvalidShape`] naming `array` unless it is 3-, 4- or 5-dimensional;
/// - [`Error::InvalidCount`] naming `groups` when it is 0 or does not divide `shape[0]`.
pub fn dirac<A, S, D>(array: &mut ArrayBase<S, D>, groups: usize) -> Result<()>
where
    A: Float,
    S: DataMut<Elem = A>,
    D: Dimension,
{
    let shape = array.shape().to_vec();
    if !(3..=5).contains(&shape.len()) {
        return Err(Error::shape(
            "array",
            &shape,
            "3-, 4- or 5-dimensional (a convolution kernel [out, in/groups, k...])",
        ));
    }
    if groups == 0 {
        return Err(Error::count("groups", groups, "at least 1"));
    }
    if shape[0] % groups != 0 {
        return Err(Error::count(
            "groups",
            groups,
            "a divisor of the array's first axis (the output channels)",
        ));
    }
    array.fill(A::ZERO);
    let per_group = shape[0] / groups;
    let mut index: Vec<usize> = shape.iter().map(|k| k / 2).collect();
    let mut view = array.view_mut().into_dyn();
    for g in 0..groups {
        for d in 0..per_group.min(shape[1]) {
            index[0] = g * per_group + d;
            index[1] = d;
            if let Some(x) = view.get_mut(index.as_slice()) {
                *x = A::ONE;
            }
        }
    }
    Ok(())
}
