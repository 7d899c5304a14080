//! Standard deviations of the classic initialization schemes, from a layer's fans.

use crate::error::{Result, positive};

/// He (Kaiming) normal standard deviation for ReLU layers: `sqrt(2 / fan_in)`.
///
/// A ReLU zeroes half of its inputs on average, halving the second moment each layer; the
/// factor 2 restores it, so forward activations keep their scale through depth.
/// He et al., "Delving Deep into Rectifiers", ICCV 2015.
///
/// ```
/// assert_eq!(initkit::he_std(512)?, 0.0625);
/// # Ok::<(), initkit::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::InvalidCount`](crate::Error::InvalidCount) naming `fan_in` when it is 0.
pub fn he_std(fan_in: usize) -> Result<f64> {
    let fan_in = positive("fan_in", fan_in)?;
    Ok((2.0 / fan_in as f64).sqrt())
}

/// Xavier (Glorot) normal standard deviation: `sqrt(2 / (fan_in + fan_out))`.
///
/// Keeping forward variance needs `1 / fan_in`, keeping backward variance `1 / fan_out`; Xavier
/// takes their harmonic compromise. Suited to tanh and sigmoid layers, which are close to
/// linear around zero. Glorot & Bengio, "Understanding the difficulty of training deep
/// feedforward neural networks", AISTATS 2010.
///
/// ```
/// assert_eq!(initkit::xavier_std(512, 512)?, 0.04419417382415922);
/// # Ok::<(), initkit::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::InvalidCount`](crate::Error::InvalidCount) naming `fan_in` or `fan_out` when it is 0.
pub fn xavier_std(fan_in: usize, fan_out: usize) -> Result<f64> {
    let fan_in = positive("fan_in", fan_in)?;
    let fan_out = positive("fan_out", fan_out)?;
    // Summed as floats, as NumPy's `n_in + n_out` would be for fans this large; exact below 2^53.
    Ok((2.0 / (fan_in as f64 + fan_out as f64)).sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_values_of_the_lesson() {
        // sqrt(2/512) = 1/16 exactly; sqrt(2/1024) = sqrt(1/512), correctly rounded.
        assert_eq!(he_std(512).unwrap(), 0.0625);
        assert_eq!(xavier_std(512, 512).unwrap(), 0.04419417382415922);
        assert_eq!(xavier_std(512, 512).unwrap(), (1.0f64 / 512.0).sqrt());
        assert_eq!(he_std(2).unwrap(), 1.0);
        assert_eq!(xavier_std(1, 1).unwrap(), 1.0);
    }

    #[test]
    fn zero_fans_are_rejected_by_name() {
        assert_eq!(he_std(0).unwrap_err().parameter(), Some("fan_in"));
        assert_eq!(xavier_std(0, 3).unwrap_err().parameter(), Some("fan_in"));
        assert_eq!(xavier_std(3, 0).unwrap_err().parameter(), Some("fan_out"));
        assert!(xavier_std(usize::MAX, usize::MAX).unwrap() > 0.0);
        assert_eq!(
            he_std(0).unwrap_err().to_string(),
            "fan_in must be at least 1, got 0"
        );
    }
}
