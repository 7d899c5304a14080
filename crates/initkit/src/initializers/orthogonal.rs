//! Random orthogonal matrices: Householder QR of a Gaussian matrix, signs fixed by `diag(R)`.

use super::sample::DynRng;
use crate::error::{Result, with_capacity, zeroed};
use crate::numpy::StandardNormal;
use rand::distr::Distribution;

/// A `rows × cols` matrix, row-major, with orthonormal rows (if `rows <= cols`) or columns
/// (if `rows >= cols`), times `gain`; Haar-distributed.
///
/// The standard normals are drawn row-major into `rows × cols`, as PyTorch's `orthogonal_`
/// draws them; a wide matrix is factored transposed, so the factored matrix is always tall.
/// Both `rows` and `cols` must be at least 1.
pub(crate) fn orthogonal_matrix(
    rows: usize,
    cols: usize,
    gain: f64,
    rng: &mut DynRng<'_>,
) -> Result<Vec<f64>> {
    let len = rows
        .checked_mul(cols)
        .ok_or(crate::error::Error::OutOfMemory {
            what: "orthogonal matrix",
            bytes: None,
        })?;
    let mut a = with_capacity::<f64>("orthogonal matrix", len)?;
    a.extend((0..len).map(|_| -> f64 { StandardNormal.sample(&mut *rng) }));
    // The factored matrix is m × n, m >= n, stored column-major: G itself when it is tall or
    // square (the transpose of the row-major buffer), and Gᵀ when G is wide (whose
    // column-major storage is G's row-major buffer as drawn), as PyTorch factors them.
    let (m, n) = (rows.max(cols), rows.min(cols));
    if rows >= cols {
        a = transpose(&a, rows, cols)?;
    }
    let q = householder_q(&mut a, m, n, gain)?;
    // q is m × n column-major. For a tall result that is the transpose of the row-major
    // output; for a wide result (Qᵀ, n × m row-major) it is the output as is.
    if rows >= cols {
        transpose(&q, cols, rows)
    } else {
        Ok(q)
    }
}

/// The transpose of a row-major `r × c` matrix, row-major (`c × r`).
fn transpose(x: &[f64], r: usize, c: usize) -> Result<Vec<f64>> {
    let mut t = zeroed("orthogonal matrix", x.len())?;
    for i in 0..r {
        for j in 0..c {
            t[j * r + i] = x[i * c + j];
        }
    }
    Ok(t)
}

/// Householder QR of the column-major `m × n` matrix `a` (`m >= n`), overwriting it with the
/// reflectors; returns the thin `Q` (column-major `m × n`) with column `k` multiplied by
/// `sign(R[k][k]) · gain`, so that `R` would have a positive diagonal and `Q` is the unique,
/// Haar-distributed factor (Mezzadri, "How to generate random matrices from the classical
/// compact groups", Notices of the AMS 54(5), 2007).
fn householder_q(a: &mut [f64], m: usize, n: usize, gain: f64) -> Result<Vec<f64>> {
    let mut tau = zeroed("orthogonal matrix", n)?;
    let mut sign = zeroed("orthogonal matrix", n)?;
    for k in 0..n {
        let (done, rest) = a.split_at_mut((k + 1) * m);
        let v = &mut done[k * m + k..];
        let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm == 0.0 {
            // A zero column (probability zero): no reflection, and R[k][k] = 0 counts as +.
            sign[k] = 1.0;
            continue;
        }
        // Reflect x onto alpha·e1 with alpha of the opposite sign to x[0], so v[0] = x[0] -
        // alpha does not cancel; then R[k][k] = alpha.
        let alpha = if v[0] > 0.0 { -norm } else { norm };
        sign[k] = alpha.signum();
        v[0] -= alpha;
        let vtv: f64 = v.iter().map(|x| x * x).sum();
        tau[k] = 2.0 / vtv;
        for col in rest.chunks_exact_mut(m) {
            apply_reflector(v, tau[k], &mut col[k..]);
        }
    }
    // Q = H0 H1 … H(n-1) applied to the first n columns of I, accumulated backwards so each
    // reflector only touches the trailing block.
    let mut q = zeroed("orthogonal matrix", m * n)?;
    for j in 0..n {
        q[j * m + j] = 1.0;
    }
    for k in (0..n).rev() {
        if tau[k] == 0.0 {
            continue;
        }
        let v = &a[k * m + k..(k + 1) * m];
        for col in q.chunks_exact_mut(m).skip(k) {
            apply_reflector(v, tau[k], &mut col[k..]);
        }
    }
    for (col, s) in q.chunks_exact_mut(m).zip(&sign) {
        let factor = s * gain;
        for x in col {
            *x *= factor;
        }
    }
    Ok(q)
}

/// `x ← (I - tau·v·vᵀ) x`.
#[inline]
fn apply_reflector(v: &[f64], tau: f64, x: &mut [f64]) {
    // Plain indexed loops over equal-length slices: notebooks build initkit without
    // optimization, where iterator adaptors cost several times more than the arithmetic.
    let n = v.len().min(x.len());
    let (v, x) = (&v[..n], &mut x[..n]);
    let mut dot = 0.0;
    for i in 0..n {
        dot += v[i] * x[i];
    }
    let scale = tau * dot;
    for i in 0..n {
        x[i] -= scale * v[i];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numpy::default_rng;

    /// max |MᵀM - gain²·I| over the smaller Gram matrix of a row-major `r × c` matrix.
    fn gram_error(q: &[f64], r: usize, c: usize, gain: f64) -> f64 {
        let mut worst: f64 = 0.0;
        if r >= c {
            for i in 0..c {
                for j in 0..c {
                    let dot: f64 = (0..r).map(|k| q[k * c + i] * q[k * c + j]).sum();
                    let want = if i == j { gain * gain } else { 0.0 };
                    worst = worst.max((dot - want).abs());
                }
            }
        } else {
            for i in 0..r {
                for j in 0..r {
                    let dot: f64 = (0..c).map(|k| q[i * c + k] * q[j * c + k]).sum();
                    let want = if i == j { gain * gain } else { 0.0 };
                    worst = worst.max((dot - want).abs());
                }
            }
        }
        worst
    }

    #[test]
    fn tall_wide_and_square_are_orthogonal() {
        let mut rng = default_rng(1);
        for (r, c, gain) in [
            (40, 40, 1.0),
            (60, 25, 2.0),
            (25, 60, 0.5),
            (1, 7, 1.0),
            (7, 1, 1.0),
        ] {
            let q = orthogonal_matrix(r, c, gain, &mut rng).unwrap();
            assert_eq!(q.len(), r * c);
            let err = gram_error(&q, r, c, gain);
            assert!(err < 1e-12, "{r}x{c}: {err:e}");
        }
    }

    #[test]
    fn signs_follow_the_diagonal_of_r() {
        // For a 1 × 1 draw z, Q = sign(z) · gain and R = |z|: so Q carries z's sign.
        let mut rng = default_rng(7);
        let mut check = rng.clone();
        for _ in 0..20 {
            let z: f64 = StandardNormal.sample(&mut check);
            let q = orthogonal_matrix(1, 1, 3.0, &mut rng).unwrap();
            assert!((q[0] - 3.0 * z.signum()).abs() < 1e-14, "{q:?} for z = {z}");
        }
    }
}
