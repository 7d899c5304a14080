//! The one error type of initkit: every rejected input names its parameter and value.

use std::fmt;
use std::path::PathBuf;

/// What went wrong, with the parameter's name, the value given and what is accepted.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A count (a width, a number of layers, a fan) outside its accepted range.
    InvalidCount {
        /// The parameter's name, such as `width` or `fan_in`.
        name: String,
        /// The value that was given.
        value: usize,
        /// What the parameter accepts, such as `at least 1`.
        expected: &'static str,
    },
    /// A real-valued parameter that is NaN, infinite or out of range.
    InvalidValue {
        /// The parameter's name, such as `init_std` or `init_stds[3]`.
        name: String,
        /// The value that was given.
        value: f64,
        /// What the parameter accepts, such as `a finite number >= 0`.
        expected: &'static str,
    },
    /// An array or weight shape that an operation cannot use, such as a vector given to an
    /// initializer that needs a layer's fans.
    InvalidShape {
        /// The parameter's name, such as `array` or `shape`.
        name: String,
        /// The shape that was given, one length per axis.
        shape: Vec<usize>,
        /// What the operation accepts, such as `at least 2-dimensional`.
        expected: &'static str,
    },
    /// A name (such as a file stem) that cannot be used.
    InvalidName {
        /// The parameter's name, such as `stem`.
        name: &'static str,
        /// The value that was given.
        value: String,
        /// What the parameter accepts.
        expected: &'static str,
    },
    /// Memory for a buffer could not be reserved (the sizes asked for are too large).
    OutOfMemory {
        /// What the buffer was for.
        what: &'static str,
        /// How many bytes it needed, where that could be computed without overflow.
        bytes: Option<usize>,
    },
    /// A figure file could not be written; nothing was left at `path`.
    Write {
        /// The file that was being written.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// No headless Chromium could be started to draw a PNG.
    BrowserUnavailable {
        /// Why: which programs were looked for, or what the browser reported.
        reason: String,
    },
    /// No plotly.js was found to embed in a saved page.
    PlotlyJsUnavailable {
        /// Where it was looked for, and how to provide it.
        reason: String,
    },
    /// A figure could not be built.
    Figure {
        /// What failed.
        reason: String,
    },
}

/// initkit's result type.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub(crate) fn count(name: impl Into<String>, value: usize, expected: &'static str) -> Self {
        Error::InvalidCount {
            name: name.into(),
            value,
            expected,
        }
    }

    pub(crate) fn value(name: impl Into<String>, value: f64, expected: &'static str) -> Self {
        Error::InvalidValue {
            name: name.into(),
            value,
            expected,
        }
    }

    pub(crate) fn shape(name: impl Into<String>, shape: &[usize], expected: &'static str) -> Self {
        Error::InvalidShape {
            name: name.into(),
            shape: shape.to_vec(),
            expected,
        }
    }

    /// The name of the parameter that was rejected, if the error is about a parameter.
    pub fn parameter(&self) -> Option<&str> {
        match self {
            Error::InvalidCount { name, .. }
            | Error::InvalidValue { name, .. }
            | Error::InvalidShape { name, .. } => Some(name),
            Error::InvalidName { name, .. } => Some(name),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidCount {
                name,
                value,
                expected,
            } => {
                write!(f, "{name} must be {expected}, got {value}")
            }
            Error::InvalidValue {
                name,
                value,
                expected,
            } => {
                write!(
                    f,
                    "{name} must be {expected}, got {}",
                    crate::py_repr(*value)
                )
            }
            Error::InvalidShape {
                name,
                shape,
                expected,
            } => {
                write!(f, "{name} must be {expected}, got shape {shape:?}")
            }
            Error::InvalidName {
                name,
                value,
                expected,
            } => {
                write!(f, "{name} must be {expected}, got {value:?}")
            }
            Error::OutOfMemory {
                what,
                bytes: Some(bytes),
            } => {
                write!(f, "could not reserve {bytes} bytes for {what}")
            }
            Error::OutOfMemory { what, bytes: None } => {
                write!(f, "the {what} would need more memory than can be addressed")
            }
            Error::Write { path, source } => {
                write!(f, "could not write {}: {source}", path.display())
            }
            Error::BrowserUnavailable { reason } => {
                write!(f, "no headless Chromium for PNG export: {reason}")
            }
            Error::PlotlyJsUnavailable { reason } => {
                write!(f, "no plotly.js to embed in the saved page: {reason}")
            }
            Error::Figure { reason } => write!(f, "{reason}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Write { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Checks that `value` is finite and not negative: the rule for standard deviations and scales.
pub(crate) fn non_negative(name: impl Into<String>, value: f64) -> Result<f64> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(Error::value(name, value, "a finite number >= 0"))
    }
}

/// Checks that a count is at least one.
pub(crate) fn positive(name: &str, value: usize) -> Result<usize> {
    if value == 0 {
        Err(Error::count(name, value, "at least 1"))
    } else {
        Ok(value)
    }
}

/// An empty vector with room for `len` values, reporting failure instead of aborting.
pub(crate) fn with_capacity<T>(what: &'static str, len: usize) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| Error::OutOfMemory {
        what,
        bytes: len.checked_mul(std::mem::size_of::<T>()),
    })?;
    Ok(v)
}

/// A zeroed buffer of `len` values, reporting failure instead of aborting.
pub(crate) fn zeroed(what: &'static str, len: usize) -> Result<Vec<f64>> {
    let mut v = with_capacity(what, len)?;
    v.resize(len, 0.0);
    Ok(v)
}
