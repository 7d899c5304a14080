//! Variance propagation through a deep linear network, as the original lesson simulates it.
//!
//! The network has no activation: `x_{l+1} = W_l x_l` with every entry of `W_l` drawn from
//! `N(0, init_std^2)` and `x_0 ~ N(0, I)`, all `width` wide. Each layer multiplies the expected
//! squared norm by `width * init_std^2`, so the output variance grows or shrinks geometrically
//! with depth unless `init_std = 1 / sqrt(width)`:
//!
//! ```text
//! E[var(x_L)] = (width * init_std^2)^L * (1 - 1/width)
//! ```
//!
//! (`var` is the population variance; the last factor is the part of the squared norm that the
//! sample mean takes away.) For a fixed seed, the output is exactly `init_std^L` times the output
//! at `init_std = 1`, so its variance is exactly proportional to `init_std^(2L)`.
//!
//! Draws come from NumPy's stream (see [`crate::numpy`]) in NumPy's order: `x_0` first, then
//! each matrix row by row, and each product `W x` is summed as NumPy's OpenBLAS sums it, so the
//! lesson's numbers are the Python lesson's to the last digit. Rows are drawn and used one at a time, so memory stays
//! O(`width`) however wide the network is.

use crate::error::{Error, Result, non_negative, positive, with_capacity, zeroed};
use crate::numpy::{default_rng, fill_standard_normal};
use rand::Rng;

/// Settings of the simulated linear network other than its depth and init scale.
///
/// ```
/// use initkit::Propagation;
///
/// // The original lesson: width 512, seed 0.
/// let v = Propagation::default().output_variance(3, 0.01)?;
/// assert!((v / 0.00012679878323076748 - 1.0).abs() < 1e-13);
///
/// // Anything else, by naming only what changes.
/// let wide = Propagation { width: 2048, ..Propagation::default() };
/// let v = wide.output_variance(3, 1.0 / 2048f64.sqrt())?;
/// assert!(v > 0.5 && v < 2.0);
/// # Ok::<(), initkit::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Propagation {
    /// Units in every layer, input included (the original uses 512).
    pub width: usize,
    /// Seed of NumPy's `default_rng` (the original uses 0); any size NumPy accepts up to 2^128.
    pub seed: u128,
}

impl Default for Propagation {
    fn default() -> Self {
        Propagation {
            width: 512,
            seed: 0,
        }
    }
}

impl Propagation {
    /// Population variance of the output after `n_layers` layers with weights of std
    /// `init_std`; the original lesson's `propagate(n_layers, init_std)`.
    ///
    /// `n_layers = 0` gives the variance of the input itself. Activations that overflow give
    /// NaN, as NumPy's `np.var` does: once every value is zero or one is not finite, later layers
    /// cannot change the result, and the simulation stops there.
    ///
    /// Each dot product is summed in the order NumPy's OpenBLAS sums it on x86-64, so for widths
    /// that are multiples of 4 the result is NumPy's to the last bit (checked against NumPy for
    /// the lesson's values). A NumPy built on another BLAS, or run on another kind of CPU, may
    /// sum in another order and differ in the last bits (relative differences near 1e-16).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidCount`] for `width == 0`; [`Error::InvalidValue`] naming `init_std` when
    /// it is negative, NaN or infinite; [`Error::OutOfMemory`] if the buffers cannot be had.
    pub fn output_variance(&self, n_layers: usize, init_std: f64) -> Result<f64> {
        non_negative("init_std", init_std)?;
        let v = self.sweep(n_layers, &[init_std])?;
        Ok(v[0])
    }

    /// Output variance for each of several init stds at once, from one set of draws.
    ///
    /// Every std sees the same normals, scaled and multiplied exactly as a separate
    /// [`output_variance`](Self::output_variance) call would, so each result equals that call's
    /// bit for bit; the draws, which dominate the cost, are made once. Memory is
    /// O(`width * init_stds.len()`).
    ///
    /// # Errors
    ///
    /// As [`output_variance`](Self::output_variance), naming `init_stds[i]` for a bad entry.
    pub fn sweep(&self, n_layers: usize, init_stds: &[f64]) -> Result<Vec<f64>> {
        let mut rng = default_rng(self.seed);
        self.simulate(n_layers, init_stds, |row| rng.fill_standard_normal(row))
    }

    /// [`sweep`](Self::sweep) drawing from `rng` instead of `default_rng(self.seed)`, in the
    /// same order: the input first, then each weight matrix row by row.
    ///
    /// Once every output is exactly zero (all stds 0, or values underflowed), the remaining
    /// layers would stay zero and are not drawn, so `rng` is then left less advanced. Time grows
    /// as `n_layers * width^2` otherwise; there is no cap on `n_layers`.
    ///
    /// ```
    /// use initkit::{numpy::default_rng, Propagation};
    ///
    /// let p = Propagation::default();
    /// let mut rng = default_rng(0);
    /// assert_eq!(p.sweep_with(&mut rng, 3, &[0.01])?, p.sweep(3, &[0.01])?);
    /// # Ok::<(), initkit::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`sweep`](Self::sweep).
    pub fn sweep_with<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        n_layers: usize,
        init_stds: &[f64],
    ) -> Result<Vec<f64>> {
        self.simulate(n_layers, init_stds, |row| fill_standard_normal(rng, row))
    }

    fn simulate(
        &self,
        n_layers: usize,
        init_stds: &[f64],
        mut normals: impl FnMut(&mut [f64]),
    ) -> Result<Vec<f64>> {
        let width = positive("width", self.width)?;
        for (i, &s) in init_stds.iter().enumerate() {
            non_negative(format!("init_stds[{i}]"), s)?;
        }
        let k = init_stds.len();
        if k == 0 {
            return Ok(Vec::new());
        }
        let too_big = |what| Error::OutOfMemory { what, bytes: None };
        let len = width.checked_mul(k).ok_or(too_big("layer outputs"))?;
        let mut rows = zeroed(
            "weight rows",
            width.checked_mul(ROWS).ok_or(too_big("weight rows"))?,
        )?;
        normals(&mut rows[..width]);
        let mut xs = zeroed("layer inputs", len)?;
        for x in xs.chunks_exact_mut(width) {
            x.copy_from_slice(&rows[..width]);
        }
        let mut next = zeroed("layer outputs", len)?;
        for _ in 0..n_layers {
            // Rows are drawn in order, a few at a time; NumPy's row-major stream order is kept.
            let mut i = 0;
            while i < width {
                let take = ROWS.min(width - i);
                normals(&mut rows[..take * width]);
                for (j, &s) in init_stds.iter().enumerate() {
                    let x = &xs[j * width..(j + 1) * width];
                    let out = &mut next[j * width + i..j * width + i + take];
                    if take == ROWS {
                        out.copy_from_slice(&scaled_dots::<ROWS>(&rows, s, x));
                    } else {
                        for (r, o) in out.iter_mut().enumerate() {
                            *o = scaled_dots::<1>(&rows[r * width..(r + 1) * width], s, x)[0];
                        }
                    }
                }
                i += take;
            }
            std::mem::swap(&mut xs, &mut next);
            let settled =
                |x: &[f64]| x.iter().all(|&v| v == 0.0) || x.iter().any(|v| !v.is_finite());
            if xs.chunks_exact(width).all(settled) {
                // Every later layer maps zero to zero, and spreads a non-finite value to all its
                // outputs (the variance is then NaN whatever follows): stop drawing.
                break;
            }
        }
        Ok(xs.chunks_exact(width).map(population_variance).collect())
    }
}

/// The original lesson's `propagate(n_layers, init_std)` with its defaults (width 512, seed 0).
///
/// ```
/// let v = initkit::propagate(3, 0.001)?;
/// assert!((v / 1.2679878323076746e-10 - 1.0).abs() < 1e-13);
/// # Ok::<(), initkit::Error>(())
/// ```
///
/// # Errors
///
/// As [`Propagation::output_variance`].
pub fn propagate(n_layers: usize, init_std: f64) -> Result<f64> {
    Propagation::default().output_variance(n_layers, init_std)
}

/// The expected population variance after `n_layers` layers:
/// `(width * init_std^2)^n_layers * (1 - 1/width)`.
///
/// # Errors
///
/// As [`Propagation::output_variance`].
pub fn expected_output_variance(n_layers: usize, init_std: f64, width: usize) -> Result<f64> {
    let width = positive("width", width)?;
    non_negative("init_std", init_std)?;
    let centred = 1.0 - 1.0 / width as f64;
    if centred == 0.0 {
        // One unit has no spread, whatever the gain (and `inf * 0` would say NaN).
        return Ok(0.0);
    }
    let gain = width as f64 * init_std * init_std;
    let layers = i32::try_from(n_layers)
        .map_err(|_| Error::count("n_layers", n_layers, "at most 2^31 - 1"))?;
    Ok(gain.powi(layers) * centred)
}

/// How many weight rows are drawn, then multiplied, together: each `x` value loaded serves this
/// many dot products.
const ROWS: usize = 4;

/// Terms per block of a dot product, as OpenBLAS's `dgemv_t` blocks them.
const BLOCK: usize = 2048;

/// `sum_j (w_j * scale) * x_j` for each of `R` rows stored one after another in `rows`, with
/// the weight scaled and rounded first, as NumPy's `(standard_normal(...) * init_std) @ x` does.
///
/// The sum is formed in the order NumPy's OpenBLAS uses on x86-64 (its `dgemv_t` kernel for
/// Haswell and later): four running sums, sum `l` taking the terms `j = l (mod 4)` by fused
/// multiply-add, combined as `(s0 + s2) + (s1 + s3)`, per block of 2048 terms, the blocks added
/// in order. So for widths that are multiples of 4, results equal NumPy's bit for bit. The
/// last `width % 4` terms are added one product at a time (a known limit: NumPy's kernel for
/// those differs, so other widths may differ from NumPy in the last bits).
#[inline]
fn scaled_dots<const R: usize>(rows: &[f64], scale: f64, x: &[f64]) -> [f64; R] {
    assert!(rows.len() >= R * x.len(), "{R} rows of {} weights", x.len());
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx") && std::arch::is_x86_feature_detected!("fma")
        {
            // SAFETY: the CPU has AVX and FMA, and `rows` holds R rows of x.len() values.
            return unsafe { dots_avx_fma::<R>(rows, scale, x) };
        }
    }
    scaled_dots_portable::<R>(rows, scale, x)
}

/// [`scaled_dots_portable`] with the four running sums of a row in one AVX register.
///
/// # Safety
///
/// The CPU must support AVX and FMA, and `rows.len() >= R * x.len()`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx,fma")]
unsafe fn dots_avx_fma<const R: usize>(rows: &[f64], scale: f64, x: &[f64]) -> [f64; R] {
    use std::arch::x86_64::{
        __m256d, _mm256_fmadd_pd, _mm256_loadu_pd, _mm256_mul_pd, _mm256_set1_pd,
        _mm256_setzero_pd, _mm256_storeu_pd,
    };
    let n = x.len();
    let main = n - n % 4;
    let s = _mm256_set1_pd(scale);
    let (xp, wp) = (x.as_ptr(), rows.as_ptr());
    let mut y = [0.0; R];
    for start in (0..main).step_by(BLOCK) {
        let end = (start + BLOCK).min(main);
        let mut acc: [__m256d; R] = [_mm256_setzero_pd(); R];
        let mut c = start;
        while c < end {
            // SAFETY: c + 4 <= end <= n, and row r spans r * n .. (r + 1) * n <= rows.len().
            unsafe {
                let xc = _mm256_loadu_pd(xp.add(c));
                for (r, acc) in acc.iter_mut().enumerate() {
                    let w = _mm256_mul_pd(_mm256_loadu_pd(wp.add(r * n + c)), s);
                    *acc = _mm256_fmadd_pd(w, xc, *acc);
                }
            }
            c += 4;
        }
        for (acc, y) in acc.iter().zip(&mut y) {
            let mut lanes = [0.0f64; 4];
            // SAFETY: `lanes` has room for four doubles.
            unsafe { _mm256_storeu_pd(lanes.as_mut_ptr(), *acc) };
            *y += combine(&lanes);
        }
    }
    for (r, y) in y.iter_mut().enumerate() {
        *y = tail(*y, &rows[r * n + main..(r + 1) * n], scale, &x[main..]);
    }
    y
}

/// The reference arithmetic of [`scaled_dots`], for any CPU (`mul_add` is exact everywhere,
/// in hardware where there is FMA and in software otherwise).
#[inline(always)]
fn scaled_dots_portable<const R: usize>(rows: &[f64], scale: f64, x: &[f64]) -> [f64; R] {
    let n = x.len();
    let main = n - n % 4;
    let mut out = [0.0; R];
    for (r, out) in out.iter_mut().enumerate() {
        let w = &rows[r * n..(r + 1) * n];
        let mut y = 0.0;
        for start in (0..main).step_by(BLOCK) {
            let end = (start + BLOCK).min(main);
            let mut lanes = [0.0f64; 4];
            for (wc, xc) in w[start..end]
                .chunks_exact(4)
                .zip(x[start..end].chunks_exact(4))
            {
                for l in 0..4 {
                    lanes[l] = (wc[l] * scale).mul_add(xc[l], lanes[l]);
                }
            }
            y += combine(&lanes);
        }
        *out = tail(y, &w[main..], scale, &x[main..]);
    }
    out
}

#[inline(always)]
fn combine(lanes: &[f64; 4]) -> f64 {
    (lanes[0] + lanes[2]) + (lanes[1] + lanes[3])
}

/// Adds the last `width % 4` terms to `y`.
#[inline(always)]
fn tail(y: f64, w: &[f64], scale: f64, x: &[f64]) -> f64 {
    let mut terms = w.iter().zip(x).map(|(a, b)| (a * scale) * b);
    match terms.next() {
        Some(first) => y + terms.fold(first, |sum, t| sum + t),
        None => y,
    }
}

/// NumPy's pairwise summation (what `np.sum` and `np.mean` use on a contiguous array) of
/// `f(a[i])`: blocks of up to 128 values summed with eight running sums, larger arrays split in
/// halves. `f` is applied on the fly, so no temporary array is needed.
pub(crate) fn pairwise_sum(a: &[f64], f: &impl Fn(f64) -> f64) -> f64 {
    let n = a.len();
    if n < 8 {
        a.iter().fold(-0.0, |s, &v| s + f(v))
    } else if n <= 128 {
        let mut r = [0.0f64; 8];
        for (r, &v) in r.iter_mut().zip(&a[..8]) {
            *r = f(v);
        }
        let whole = n - n % 8;
        for chunk in a[8..whole].chunks_exact(8) {
            for l in 0..8 {
                r[l] += f(chunk[l]);
            }
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for &v in &a[whole..] {
            res += f(v);
        }
        res
    } else {
        let mut half = n / 2;
        half -= half % 8;
        pairwise_sum(&a[..half], f) + pairwise_sum(&a[half..], f)
    }
}

/// Population variance (divide by n) computed as `np.var` does: mean first, then the mean of
/// squared deviations, both by pairwise summation. An empty slice gives NaN, as in NumPy.
pub fn population_variance(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let mean = pairwise_sum(x, &|v| v) / n;
    pairwise_sum(x, &|v| (v - mean) * (v - mean)) / n
}

/// `num` evenly spaced values from `start` to `stop` inclusive, computed as `np.linspace` does
/// (`start + i * step`, with the last value set to `stop` exactly).
///
/// ```
/// let stds = initkit::linspace(0.001, 0.05, 20)?;
/// assert_eq!(stds[1], 0.0035789473684210526);
/// assert_eq!(stds[19], 0.05);
/// # Ok::<(), initkit::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::InvalidValue`] naming `start` or `stop` when it is NaN or infinite.
pub fn linspace(start: f64, stop: f64, num: usize) -> Result<Vec<f64>> {
    for (name, v) in [("start", start), ("stop", stop)] {
        if !v.is_finite() {
            return Err(Error::value(name, v, "a finite number"));
        }
    }
    if num <= 1 {
        return Ok(vec![start; num]);
    }
    let div = (num - 1) as f64;
    let delta = stop - start;
    let step = delta / div;
    let mut y = with_capacity("linspace values", num)?;
    y.extend((0..num).map(|i| {
        let i = i as f64;
        // NumPy's route for steps that underflow to zero: divide first, then scale.
        if step == 0.0 {
            i / div * delta + start
        } else {
            i * step + start
        }
    }));
    y[num - 1] = stop;
    Ok(y)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(a: f64, b: f64) -> f64 {
        ((a - b) / b).abs()
    }

    #[test]
    fn pairwise_sum_follows_numpy_blocking() {
        let a: Vec<f64> = (0..1000).map(|i| 1.0 / (i as f64 + 1.0)).collect();
        let naive: f64 = a.iter().sum();
        assert!(rel(pairwise_sum(&a, &|v| v), naive) < 1e-14);
        assert_eq!(pairwise_sum(&[1.0, 2.0, 3.0], &|v| v), 6.0);
        assert_eq!(pairwise_sum(&[1.0, 2.0, 3.0], &|v| v * v), 14.0);
        assert_eq!(pairwise_sum(&[], &|v| v).to_bits(), (-0.0f64).to_bits());
        assert_eq!(population_variance(&[1.0, 2.0, 3.0, 4.0]), 1.25);
    }

    #[test]
    fn blocked_vector_and_portable_dots_agree_bit_for_bit() {
        let mut rng = default_rng(5);
        for n in [1, 7, 8, 9, 100, 513] {
            let mut rows = vec![0.0; ROWS * n];
            let mut x = vec![0.0; n];
            rng.fill_standard_normal(&mut rows);
            rng.fill_standard_normal(&mut x);
            let blocked = scaled_dots::<ROWS>(&rows, 0.37, &x);
            let portable = scaled_dots_portable::<ROWS>(&rows, 0.37, &x);
            for r in 0..ROWS {
                let single = scaled_dots::<1>(&rows[r * n..(r + 1) * n], 0.37, &x)[0];
                assert_eq!(
                    blocked[r].to_bits(),
                    portable[r].to_bits(),
                    "n = {n}, row {r}"
                );
                assert_eq!(single.to_bits(), portable[r].to_bits(), "n = {n}, row {r}");
            }
        }
    }

    #[test]
    fn sweep_equals_single_runs_bit_for_bit() {
        let p = Propagation { width: 42, seed: 9 };
        let stds = [0.0, 0.01, 0.1, 0.3];
        let swept = p.sweep(4, &stds).unwrap();
        for (s, v) in stds.iter().zip(&swept) {
            assert_eq!(p.output_variance(4, *s).unwrap().to_bits(), v.to_bits());
        }
        assert_eq!(swept[0], 0.0);
    }

    #[test]
    fn variance_scales_exactly_as_std_to_the_2l() {
        // Scaling by a power of two is exact in binary floating point, so the law holds to the bit.
        let p = Propagation { width: 64, seed: 1 };
        for layers in 0..5 {
            let base = p.output_variance(layers, 1.0).unwrap();
            for k in [-6, -3, -1, 1, 2] {
                let s = 2f64.powi(k);
                let v = p.output_variance(layers, s).unwrap();
                assert_eq!(
                    v,
                    base * s.powi(2 * layers as i32),
                    "layers {layers}, std 2^{k}"
                );
            }
        }
        // Any other std: equal up to rounding in the scaled weights, a few ulps per term.
        let base = p.output_variance(3, 1.0).unwrap();
        for s in [0.003, 0.07, 0.9] {
            let v = p.output_variance(3, s).unwrap();
            assert!(rel(v, base * s.powi(6)) < 1e-12, "std {s}");
        }
    }

    #[test]
    fn mean_over_seeds_matches_the_expectation() {
        // The sample mean of n independent runs has standard error sd / sqrt(n); a true
        // expectation lies within 5 standard errors except with probability below 1e-6.
        let width = 8;
        let std = 1.0 / (width as f64).sqrt();
        let n_layers = 3;
        let runs: Vec<f64> = (0..20_000)
            .map(|seed| {
                Propagation { width, seed }
                    .output_variance(n_layers, std * 1.1)
                    .unwrap()
            })
            .collect();
        let n = runs.len() as f64;
        let mean = runs.iter().sum::<f64>() / n;
        let sd = (runs.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        let expected = expected_output_variance(n_layers, std * 1.1, width).unwrap();
        let se = sd / n.sqrt();
        assert!(
            (mean - expected).abs() < 5.0 * se,
            "mean {mean}, expected {expected}, se {se}"
        );
        // The test has power: the large-width form, without (1 - 1/width), is 12.5% off.
        let naive = (width as f64 * (std * 1.1).powi(2)).powi(3);
        assert!(
            (mean - naive).abs() > 5.0 * se,
            "mean {mean}, naive {naive}, se {se}"
        );
    }

    #[test]
    fn bad_inputs_are_named() {
        let p = Propagation::default();
        for bad in [-0.1, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let err = p.output_variance(3, bad).unwrap_err();
            assert_eq!(err.parameter(), Some("init_std"), "{bad}");
        }
        let zero_width = Propagation { width: 0, seed: 0 };
        assert_eq!(
            zero_width.output_variance(3, 0.1).unwrap_err().parameter(),
            Some("width")
        );
        let err = p.sweep(3, &[0.1, f64::NAN]).unwrap_err();
        assert_eq!(err.parameter(), Some("init_stds[1]"));
        assert_eq!(
            err.to_string(),
            "init_stds[1] must be a finite number >= 0, got nan"
        );
        assert_eq!(
            linspace(0.0, f64::NAN, 3).unwrap_err().parameter(),
            Some("stop")
        );
        let huge = Propagation {
            width: usize::MAX / 4,
            seed: 0,
        };
        assert!(matches!(
            huge.output_variance(1, 0.1),
            Err(Error::OutOfMemory { .. })
        ));
        assert_eq!(
            expected_output_variance(2, -1.0, 8)
                .unwrap_err()
                .parameter(),
            Some("init_std")
        );
    }

    #[test]
    fn degenerate_requests_return_at_once() {
        let p = Propagation::default();
        assert_eq!(p.sweep(usize::MAX, &[]).unwrap(), Vec::<f64>::new());
        assert_eq!(p.output_variance(usize::MAX, 0.0).unwrap(), 0.0);
        let too_wide = Propagation {
            width: usize::MAX / 4 + 1,
            seed: 0,
        };
        assert!(matches!(
            too_wide.output_variance(1, 0.1),
            Err(Error::OutOfMemory { .. })
        ));
        assert!(matches!(
            linspace(0.0, 1.0, usize::MAX),
            Err(Error::OutOfMemory { .. })
        ));
    }

    #[test]
    fn zero_layers_is_the_input_variance() {
        let v = Propagation {
            width: 100,
            seed: 0,
        }
        .output_variance(0, 123.0)
        .unwrap();
        assert!(v > 0.5 && v < 1.5);
        assert_eq!(
            Propagation { width: 1, seed: 0 }
                .output_variance(2, 0.5)
                .unwrap(),
            0.0
        );
    }

    #[test]
    fn linspace_edges() {
        assert_eq!(linspace(1.0, 2.0, 0).unwrap(), Vec::<f64>::new());
        assert_eq!(linspace(1.0, 2.0, 1).unwrap(), vec![1.0]);
        assert_eq!(
            linspace(0.0, 1.0, 5).unwrap(),
            vec![0.0, 0.25, 0.5, 0.75, 1.0]
        );
        assert_eq!(linspace(0.0, 5e-324, 3).unwrap(), vec![0.0, 0.0, 5e-324]);
    }
}
