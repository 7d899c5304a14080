//! Floats written the way Python's `repr` writes them, so printed lines match the original lesson.

use std::fmt;

/// Python's `repr(x)` for a float: the shortest digits that read back as `x`, in positional
/// notation when the decimal exponent lies in `-4..16` and in scientific notation otherwise.
///
/// ```
/// use initkit::py_repr;
/// assert_eq!(py_repr(1.2679878323076746e-10), "1.2679878323076746e-10");
/// assert_eq!(py_repr(0.00012679878323076748), "0.00012679878323076748");
/// assert_eq!(py_repr(0.0625), "0.0625");
/// assert_eq!(py_repr(3.0), "3.0");
/// assert_eq!(py_repr(1e16), "1e+16");
/// ```
pub fn py_repr(x: f64) -> String {
    PyFloat(x).to_string()
}

/// The shortest digits that read back as `x` and, among strings of that length, the nearest to
/// `x` (ties to even), in Rust's `d.ddde±x` layout: the digits Python's `repr` chooses.
fn shortest_nearest(x: f64) -> String {
    // `{:e}` gives the shortest round-trip length but, on an exact tie, may round the last digit
    // up; precision formatting rounds the exact value to nearest-even.
    let shortest = format!("{x:e}");
    let digits = shortest
        .split('e')
        .next()
        .unwrap_or("")
        .replace('.', "")
        .len();
    let nearest = format!("{x:.*e}", digits.saturating_sub(1));
    if nearest.parse::<f64>() == Ok(x) {
        nearest
    } else {
        shortest
    }
}

/// A float that displays as Python's `repr` does; see [`py_repr`].
///
/// ```
/// use initkit::PyFloat;
/// assert_eq!(format!("{} {}", PyFloat(0.001), PyFloat(1e-5)), "0.001 1e-05");
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PyFloat(pub f64);

impl fmt::Display for PyFloat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let x = self.0;
        if x.is_nan() {
            return f.write_str("nan");
        }
        if x.is_infinite() {
            return f.write_str(if x > 0.0 { "inf" } else { "-inf" });
        }
        let sci = shortest_nearest(x.abs());
        let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
        let exponent: i32 = exponent.parse().unwrap_or(0);
        let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
        if x.is_sign_negative() {
            f.write_str("-")?;
        }
        if (-4..16).contains(&exponent) {
            let point = exponent + 1;
            if point <= 0 {
                write!(f, "0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
            } else if point as usize >= digits.len() {
                write!(f, "{digits}{}.0", "0".repeat(point as usize - digits.len()))
            } else {
                let (int, frac) = digits.split_at(point as usize);
                write!(f, "{int}.{frac}")
            }
        } else {
            let sign = if exponent < 0 { '-' } else { '+' };
            write!(f, "{mantissa}e{sign}{:02}", exponent.unsigned_abs())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::py_repr;

    #[test]
    fn matches_python_repr() {
        // Each pair is (value, what CPython 3.11 prints for repr(value)).
        let cases: &[(f64, &str)] = &[
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (-2.5, "-2.5"),
            (0.1, "0.1"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (0.000123, "0.000123"),
            (123456789.0, "123456789.0"),
            (1e15, "1000000000000000.0"),
            (1234567890123456.0, "1234567890123456.0"),
            (1e16, "1e+16"),
            (1.5e300, "1.5e+300"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (0.04419417382415922, "0.04419417382415922"),
            (0.09243631297522947, "0.09243631297522947"),
            (1.2679878323076746e-10, "1.2679878323076746e-10"),
            (0.00012679878323076748, "0.00012679878323076748"),
            // Exact ties between two shortest candidates: Python takes the even digit.
            (70368744177664.0 + 0.125, "70368744177664.12"),
            (1125899906842624.0 + 1.25, "1125899906842625.2"),
            (f64::NAN, "nan"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
        ];
        for &(x, want) in cases {
            assert_eq!(py_repr(x), want, "repr of {x:e}");
        }
    }

    #[test]
    fn round_trips() {
        let mut x = 1e-320_f64;
        while x < 1e300 {
            assert_eq!(py_repr(x).parse::<f64>().unwrap(), x);
            x *= 3.7;
        }
    }
}
