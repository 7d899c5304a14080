//! initkit: weight initialization, how variance travels through deep networks, and charts that
//! show it; the support crate of the "Day 45: Initialization, Symmetry Breaking & Why Training
//! Must Start Carefully" lesson.
//!
//! - [`he_std`] and [`xavier_std`]: the scale each classic scheme gives a layer;
//! - initializers that fill `ndarray` weights of `f32` or `f64` from any [`rand::Rng`], with
//!   PyTorch's and Keras's formulas (table below), the [`Fans`] of any weight shape in either
//!   framework's [`Layout`], the [`Nonlinearity`] gains, and [`SchemeTable`], which compares
//!   the scales the frameworks give a layer;
//! - [`propagate`] and [`Propagation`]: output variance of a deep linear network, simulated
//!   with NumPy's own random stream ([`numpy`]) so the numbers match the Python lesson;
//! - [`Sweep`] and [`Chart`]: the lesson's chart, shown inline in JupyterLab or saved offline;
//! - [`SymmetryDemo`] and [`symmetry`]: a tiny network trained from a constant and from a
//!   random start, showing why identical hidden units stay identical;
//! - [`Lab`]: the variance-flow lab: deep networks with any [`Activation`] and init [`Scale`],
//!   simulated forward and backward and set against mean-field [`theory`], with charts (a
//!   slider over the init scale among them) that mark every value lost to overflow or underflow;
//! - [`py_repr`]: floats printed as Python prints them.
//!
//! # Initializers
//!
//! | initkit | PyTorch (`torch.nn.init`) | Keras (`keras.initializers`) | scale |
//! |---|---|---|---|
//! | [`zeros`], [`ones`], [`constant`] | `zeros_`, `ones_`, `constant_` | `Zeros`, `Ones`, `Constant` | |
//! | [`uniform`] | `uniform_` | `RandomUniform` | `U(low, high)` |
//! | [`normal`] | `normal_` | `RandomNormal` | `N(mean, std²)` |
//! | [`truncated_normal_between`] | `trunc_normal_` (absolute bounds) | | |
//! | [`truncated_normal_within_stds`] | | `TruncatedNormal` (±2 std) | |
//! | [`xavier_uniform`] | `xavier_uniform_` | `GlorotUniform` | `a = gain·√(6/(fan_in+fan_out))` |
//! | [`xavier_normal`] | `xavier_normal_` | (`GlorotNormal` is truncated) | `σ = gain·√(2/(fan_in+fan_out))` |
//! | [`kaiming_uniform`] | `kaiming_uniform_` | `HeUniform` | `a = √3·gain/√fan` |
//! | [`kaiming_normal`] | `kaiming_normal_` | (`HeNormal` is truncated) | `σ = gain/√fan` |
//! | [`lecun_uniform`] | | `LecunUniform` | `a = √(3/fan_in)` |
//! | [`lecun_normal`] | `kaiming_normal_(nonlinearity="linear")` | (`LecunNormal` is truncated) | `σ = √(1/fan_in)` |
//! | [`VarianceScaling`] | | `VarianceScaling` and its presets | `variance = scale/n` |
//! | [`orthogonal`] | `orthogonal_` | `Orthogonal` | `QᵀQ = gain²·I` |
//! | [`eye`] | `eye_` | `Identity` | |
//! | [`dirac`] | `dirac_` | | |
//!
//! The scales are also pure functions of the fans ([`xavier_uniform_bound`],
//! [`kaiming_normal_std`], [`VarianceScaling::spread`], …), for tables without drawing.
//!
//! ```
//! use initkit::{FanMode, Layout, Nonlinearity, numpy::default_rng};
//! let mut rng = default_rng(0);
//! // nn.Linear(512, 256): weight [256, 512], He initialization for a ReLU network.
//! let mut w = ndarray::Array2::<f32>::zeros((256, 512));
//! initkit::kaiming_normal(&mut w, Layout::PyTorch, FanMode::FanIn, Nonlinearity::Relu, &mut rng)?;
//! # Ok::<(), initkit::Error>(())
//! ```
//!
//! # Variance propagation
//!
//! ```
//! let v = initkit::propagate(3, 0.01)?;
//! println!("0.01 {}", initkit::PyFloat(v));
//! println!("He std: {}", initkit::PyFloat(initkit::he_std(512)?));
//! # Ok::<(), initkit::Error>(())
//! ```

mod activation;
mod chart;
mod error;
mod init;
mod initializers;
pub mod lab;
mod lab_chart;
pub mod notebook;
pub mod numpy;
mod propagate;
mod pyfloat;
mod scheme_table;
mod special;
pub mod symmetry;
pub mod theory;

pub use activation::{Activation, SELU_ALPHA, SELU_LAMBDA};
pub use chart::{Chart, PNG_MAX_HEIGHT, PNG_SIZE, Saved, Sweep};
pub use error::{Error, Result};
pub use init::{he_std, xavier_std};
pub use initializers::{
    DEFAULT_NEGATIVE_SLOPE, FanMode, Fans, Float, KERAS_TRUNCATED_STD_CORRECTION,
    KERAS_TRUNCATION_STDS, Layout, Nonlinearity, Spread, VarianceDistribution, VarianceScaling,
    calculate_gain, constant, dirac, eye, kaiming_normal, kaiming_normal_std, kaiming_uniform,
    kaiming_uniform_bound, lecun_normal, lecun_normal_std, lecun_uniform, lecun_uniform_bound,
    normal, ones, orthogonal, truncated_normal_between, truncated_normal_within_stds, uniform,
    xavier_normal, xavier_normal_std, xavier_uniform, xavier_uniform_bound, zeros,
};
pub use lab::{Fan, Histograms, Lab, Run, Scale};
pub use lab_chart::slider_gains;
pub use propagate::{
    Propagation, expected_output_variance, linspace, population_variance, propagate,
};
pub use pyfloat::{PyFloat, py_repr};
pub use scheme_table::{SchemeRow, SchemeTable};
pub use special::{erf, erfc};
pub use symmetry::SymmetryDemo;
pub use theory::{GaussHermite, MeanField, linear_variance, rectifier_variance};
