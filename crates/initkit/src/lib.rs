//! initkit: weight initialization, how variance travels through deep networks, and charts that
//! show it; the support crate of the "Day 45: Initialization, Symmetry Breaking & Why Training
//! Must Start Carefully" lesson.
//!
//! - [`he_std`] and [`xavier_std`]: the scale each classic scheme gives a layer;
//! - [`propagate`] and [`Propagation`]: output variance of a deep linear network, simulated
//!   with NumPy's own random stream ([`numpy`]) so the numbers match the Python lesson;
//! - [`Sweep`] and [`Chart`]: the lesson's chart, shown inline in JupyterLab or saved offline;
//! - [`Lab`]: the variance-flow lab: deep networks with any [`Activation`] and init [`Scale`],
//!   simulated forward and backward and set against mean-field [`theory`], with charts (a
//!   slider over the init scale among them) that mark every value lost to overflow or underflow;
//! - [`py_repr`]: floats printed as Python prints them.
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
pub mod lab;
mod lab_chart;
pub mod notebook;
pub mod numpy;
mod propagate;
mod pyfloat;
mod special;
pub mod theory;

pub use activation::{Activation, SELU_ALPHA, SELU_LAMBDA};
pub use chart::{Chart, PNG_SIZE, Saved, Sweep};
pub use error::{Error, Result};
pub use init::{he_std, xavier_std};
pub use lab::{Fan, Histograms, Lab, Run, Scale};
pub use lab_chart::slider_gains;
pub use propagate::{
    Propagation, expected_output_variance, linspace, population_variance, propagate,
};
pub use pyfloat::{PyFloat, py_repr};
pub use special::{erf, erfc};
pub use theory::{GaussHermite, MeanField, linear_variance, rectifier_variance};
