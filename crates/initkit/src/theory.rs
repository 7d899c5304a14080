//! What theory predicts for the variance flowing through a deep network: closed forms for
//! linear and rectifier networks, and the mean-field recursion for any activation.
//!
//! # The network
//!
//! `x ~ N(0, I)` of width `n_0` enters layer 1 as it is (no activation on the input); layer `l`
//! computes the pre-activation `z_l = W_l h_{l-1} + b_l` and the activation `h_l = phi(z_l)`,
//! `h_0 = x`, with `W_l` an `n_l x n_{l-1}` matrix of `N(0, sigma_l^2)` entries and
//! `b_l ~ N(0, sigma_b^2)`. Variances here are second moments `E[z^2]` (about zero): the mean of
//! a pre-activation is zero by the symmetry of `W`, and the second moment of an activation is
//! what the next layer's variance depends on.
//!
//! # Forward
//!
//! Given `h_{l-1}`, each unit of `z_l` is a sum of `n_{l-1}` independent terms, so
//! `E[z_l^2] = n_{l-1} sigma_l^2 E[h_{l-1}^2] + sigma_b^2` exactly. For a wide layer that sum is
//! close to Gaussian (the mean-field assumption), `z_l ~ N(0, q_l)`, and then
//! `E[h_l^2] = E_z[phi(sqrt(q_l) z)^2]`, `z ~ N(0, 1)`. Hence the recursion
//!
//! ```text
//! q_1     = n_0 sigma_1^2 + sigma_b^2                       (the input has E[x^2] = 1)
//! q_{l+1} = n_l sigma_{l+1}^2 E_z[phi(sqrt(q_l) z)^2] + sigma_b^2
//! ```
//!
//! For ReLU the expectation is exact without the Gaussian assumption: `z_l` given `h_{l-1}` is
//! symmetric, so `E[relu(z)^2] = E[z^2] / 2`; for leaky ReLU `(1 + slope^2) / 2`. With equal
//! widths `n`, one std `sigma` and no bias, the first layer has no activation in front of it,
//! so only `L - 1` of the `L` weight layers see a rectifier:
//!
//! ```text
//! linear:      E[z_L^2] = (n sigma^2)^L
//! rectifier:   E[z_L^2] = (n sigma^2)^L ((1 + slope^2) / 2)^(L - 1)
//! ```
//!
//! The original lesson measures `np.var` of one output vector, which also subtracts that
//! vector's mean; across `n` uncorrelated units that removes `1/n` of the second moment, hence
//! [`crate::expected_output_variance`] `= (n sigma^2)^L (1 - 1/n)` = [`linear_variance`]
//! `* (1 - 1/n)`.
//!
//! # Backward
//!
//! A unit-variance gradient `g` (independent of the network) is sent into the top layer's
//! activations; the gradient with respect to pre-activations is `delta_L = g * phi'(z_L)` and
//! `delta_l = (W_{l+1}^T delta_{l+1}) * phi'(z_l)`. Each unit of `W^T delta` sums `n_{l+1}`
//! terms (the fan-out), and treating the weights of the backward pass as independent of the
//! forward pass (the usual mean-field "gradient independence" assumption, accurate for wide
//! layers) gives
//!
//! ```text
//! E[delta_L^2] = chi_L,            chi_l = E_z[phi'(sqrt(q_l) z)^2]
//! E[delta_l^2] = n_{l+1} sigma_{l+1}^2 E[delta_{l+1}^2] chi_l
//! ```
//!
//! Forward, each layer multiplies by `fan_in sigma^2`; backward by `fan_out sigma^2`: keeping
//! both needs `fan_in = fan_out`, and Xavier's `2 / (fan_in + fan_out)` splits the difference.
//!
//! # Expectations
//!
//! `E_z[f(sqrt(q) z)]` for smooth `f` (tanh, sigmoid, GELU) uses Gauss–Hermite quadrature with
//! 100 nodes ([`GaussHermite`]) while `q` is small. Its error falls geometrically at a rate set
//! by how far the integrand's complex singularities lie from the real axis in units of the node
//! spacing: tanh has poles at `z = +-i pi / (2 sqrt q)`, which close in as `q` grows (measured:
//! `E[tanh(sqrt(q) z)^2]` is good to 5e-16 at `q = 1/4`, 2e-11 at `q = 1`, 3e-3 at `q = 16`).
//! So beyond `q = 1/4` (tanh) or `q = 1` (sigmoid, whose poles are twice as far, and GELU), the
//! expectation is instead summed by composite 16-point Gauss–Legendre on panels split at `z = 0`
//! and graded towards it on the scale `1 / sqrt(q)`, which is accurate to rounding level for
//! every `q`. ReLU, leaky ReLU and SELU have kinks at 0, where a full-line rule converges
//! slowly; they use closed forms (SELU through `exp(t^2) erfc(t)`), or, for SELU's forward
//! moment at `q < 1` where its closed form cancels, the panels, split at the kink.

use crate::activation::{Activation, SELU_ALPHA, SELU_LAMBDA};
use crate::error::{Error, Result, non_negative, positive};
use crate::special::{erfcx, normal_pdf};
use std::sync::OnceLock;

/// Nodes and weights of Gauss–Hermite quadrature for the standard normal distribution:
/// `E[f(z)] ~ sum_i w_i f(x_i)` for `z ~ N(0, 1)`, exact when `f` is a polynomial of degree
/// below `2n`.
///
/// The nodes are the roots of the probabilists' Hermite polynomial `He_n`, found by Newton's
/// method on the three-term recurrence of the orthonormal polynomials
/// `p_{k+1}(x) = (x p_k(x) - sqrt(k) p_{k-1}(x)) / sqrt(k + 1)`, started inside brackets from a
/// sign-change scan; the weights are the Christoffel numbers `w_i = 1 / (n p_{n-1}(x_i)^2)`.
///
/// ```
/// let gh = initkit::GaussHermite::new(20)?;
/// // E[z^4] = 3 and E[cos z] = exp(-1/2).
/// assert!((gh.expect(&|z| z.powi(4)) - 3.0).abs() < 1e-13);
/// assert!((gh.expect(&|z| z.cos()) - (-0.5f64).exp()).abs() < 1e-15);
/// # Ok::<(), initkit::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GaussHermite {
    nodes: Vec<f64>,
    weights: Vec<f64>,
}

impl GaussHermite {
    /// The largest rule offered: beyond it `p_k` at the outer nodes would overflow.
    pub const MAX_NODES: usize = 200;

    /// The `n`-node rule.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidCount`] naming `n_nodes` unless `1 <= n_nodes <= 200`.
    pub fn new(n_nodes: usize) -> Result<GaussHermite> {
        if n_nodes == 0 || n_nodes > Self::MAX_NODES {
            return Err(Error::count("n_nodes", n_nodes, "between 1 and 200"));
        }
        let n = n_nodes;
        let mut positive_roots = Vec::with_capacity(n / 2);
        // All roots lie inside +-2 sqrt(n); neighbours are at least ~pi / sqrt(2n + 1) apart, so a
        // scan in steps of 0.01 brackets each one separately. Starting half a step above zero
        // keeps the root at 0 of an odd n off the grid.
        let step = 0.01;
        let end = 2.0 * (n as f64).sqrt() + 1.0;
        let mut a = 0.5 * step;
        let mut fa = orthonormal(n, a).0;
        while a < end {
            let b = a + step;
            let fb = orthonormal(n, b).0;
            if fa == 0.0 {
                positive_roots.push(a);
            } else if fa.signum() != fb.signum() {
                positive_roots.push(newton_root(n, a, b));
            }
            a = b;
            fa = fb;
        }
        let mut nodes: Vec<f64> = positive_roots.iter().rev().map(|&x| -x).collect();
        if n % 2 == 1 {
            nodes.push(0.0);
        }
        nodes.extend(&positive_roots);
        let weights = nodes
            .iter()
            .map(|&x| {
                let (_, prev) = orthonormal(n, x);
                1.0 / (n as f64 * prev * prev)
            })
            .collect();
        Ok(GaussHermite { nodes, weights })
    }

    /// The nodes `x_i`, in increasing order.
    pub fn nodes(&self) -> &[f64] {
        &self.nodes
    }

    /// The weights `w_i` (they sum to 1).
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// `sum_i w_i f(x_i)`, the rule's estimate of `E[f(z)]`, `z ~ N(0, 1)`.
    pub fn expect(&self, f: &dyn Fn(f64) -> f64) -> f64 {
        // Summed from the outside in, smallest weights first.
        let n = self.nodes.len();
        let mut sum = 0.0;
        for k in 0..n.div_ceil(2) {
            let (i, j) = (k, n - 1 - k);
            sum += self.weights[i] * f(self.nodes[i]);
            if j != i {
                sum += self.weights[j] * f(self.nodes[j]);
            }
        }
        sum
    }
}

/// `(p_n(x), p_{n-1}(x))` of the orthonormal probabilists' Hermite polynomials.
fn orthonormal(n: usize, x: f64) -> (f64, f64) {
    let (mut prev, mut cur) = (0.0, 1.0);
    for k in 0..n {
        let next = (x * cur - (k as f64).sqrt() * prev) / ((k + 1) as f64).sqrt();
        prev = cur;
        cur = next;
    }
    (cur, prev)
}

/// The root of `p_n` inside `[a, b]` (a sign change), by Newton's method kept inside the
/// bracket, bisecting whenever a step would leave it.
fn newton_root(n: usize, mut a: f64, mut b: f64) -> f64 {
    let fa_sign = orthonormal(n, a).0.signum();
    let mut x = 0.5 * (a + b);
    for _ in 0..100 {
        let (p, prev) = orthonormal(n, x);
        if p == 0.0 {
            return x;
        }
        if p.signum() == fa_sign {
            a = x;
        } else {
            b = x;
        }
        let dp = (n as f64).sqrt() * prev;
        let newton = x - p / dp;
        let next = if newton > a && newton < b {
            newton
        } else {
            0.5 * (a + b)
        };
        if (next - x).abs() <= 2.0 * f64::EPSILON * x.abs() {
            return next;
        }
        x = next;
    }
    x
}

/// The 100-node rule, computed once.
fn gauss_hermite_100() -> &'static GaussHermite {
    static RULE: OnceLock<GaussHermite> = OnceLock::new();
    RULE.get_or_init(|| GaussHermite::new(100).unwrap_or_else(|_| unreachable!("100 is valid")))
}

/// 16-point Gauss–Legendre nodes and weights on `[-1, 1]`, by Newton's method on Legendre's
/// recurrence from the classic starting guesses `cos(pi (i - 1/4) / (n + 1/2))`.
fn gauss_legendre_16() -> &'static ([f64; 16], [f64; 16]) {
    static RULE: OnceLock<([f64; 16], [f64; 16])> = OnceLock::new();
    RULE.get_or_init(|| {
        const N: usize = 16;
        let mut nodes = [0.0; N];
        let mut weights = [0.0; N];
        for i in 0..N / 2 {
            let mut x = (std::f64::consts::PI * (i as f64 + 0.75) / (N as f64 + 0.5)).cos();
            let mut dp = 0.0;
            for _ in 0..100 {
                let (mut p0, mut p1) = (1.0, x);
                for k in 2..=N {
                    let k = k as f64;
                    let p2 = ((2.0 * k - 1.0) * x * p1 - (k - 1.0) * p0) / k;
                    p0 = p1;
                    p1 = p2;
                }
                dp = N as f64 * (x * p1 - p0) / (x * x - 1.0);
                let dx = p1 / dp;
                x -= dx;
                if dx.abs() < 1e-16 {
                    break;
                }
            }
            let w = 2.0 / ((1.0 - x * x) * dp * dp);
            nodes[i] = -x;
            nodes[N - 1 - i] = x;
            weights[i] = w;
            weights[N - 1 - i] = w;
        }
        (nodes, weights)
    })
}

/// `E[f(z)]`, `z ~ N(0, 1)`, by composite Gauss–Legendre on panels split at 0 and graded towards
/// it on the scale `scale` (features of `f` narrower than 1 near `z = 0`), over `|z| <= 10`
/// (beyond which the normal density is below 1e-22 of its peak).
fn expect_panels(f: &dyn Fn(f64) -> f64, scale: f64) -> f64 {
    let (nodes, weights) = gauss_legendre_16();
    let w = scale.clamp(1e-150, 1.0);
    let mut breaks = vec![0.0];
    let mut b = w / 4.0;
    while b < 1.0 {
        breaks.push(b);
        b *= 2.0;
    }
    breaks.extend((1..=10).map(f64::from));
    let mut sum = 0.0;
    // Outermost panels first, so the small tail contributions are not lost.
    for pair in breaks.windows(2).rev() {
        let (a, b) = (pair[0], pair[1]);
        let (mid, half) = (0.5 * (a + b), 0.5 * (b - a));
        let mut panel = 0.0;
        for (t, wt) in nodes.iter().zip(weights) {
            let z = mid + half * t;
            panel += wt * (f(z) + f(-z)) * normal_pdf(z);
        }
        sum += half * panel;
    }
    sum
}

/// Where Gauss–Hermite is accurate to rounding level for `E[f(sqrt(q) z)]`: `q` up to this.
fn gauss_hermite_limit(activation: Activation) -> f64 {
    match activation {
        Activation::Tanh => 0.25,
        _ => 1.0,
    }
}

/// `E[f(sqrt(q) z)]` for a smooth `f`: Gauss–Hermite while accurate, graded panels beyond.
fn expect_smooth(activation: Activation, q: f64, f: &dyn Fn(f64) -> f64) -> f64 {
    let s = q.sqrt();
    if q <= gauss_hermite_limit(activation) {
        gauss_hermite_100().expect(&|z| f(s * z))
    } else {
        expect_panels(&|z| f(s * z), 1.0 / s)
    }
}

impl Activation {
    /// `E[phi(sqrt(q) z)^2]`, `z ~ N(0, 1)`: the second moment of the activation of a
    /// pre-activation of variance `q` (see the module documentation of `theory` for how it is
    /// computed and how accurately). NaN for a NaN `q`; limits for `q = inf`.
    ///
    /// ```
    /// use initkit::Activation;
    /// assert_eq!(Activation::Relu.mean_square(3.0), 1.5);
    /// assert!((Activation::Tanh.mean_square(1.0) - 0.39429449039784126).abs() < 1e-15);
    /// ```
    pub fn mean_square(self, q: f64) -> f64 {
        if q.is_nan() || q < 0.0 {
            return f64::NAN;
        }
        match self {
            Activation::Identity => q,
            Activation::Relu => 0.5 * q,
            Activation::LeakyRelu(slope) => 0.5 * (1.0 + slope * slope) * q,
            _ if q == 0.0 => self.apply(0.0).powi(2),
            _ if q.is_infinite() => match self {
                Activation::Tanh => 1.0,
                Activation::Sigmoid => 0.5,
                _ => f64::INFINITY,
            },
            Activation::Selu if q >= 1.0 => {
                // E[(e^{tz} - 1)^2; z < 0] with E[e^{cz}; z < 0] = e^{c^2/2} Phi(-c)
                // = erfcx(c / sqrt 2) / 2.
                let t = q.sqrt();
                let negative = 0.5 * erfcx(std::f64::consts::SQRT_2 * t)
                    - erfcx(std::f64::consts::FRAC_1_SQRT_2 * t)
                    + 0.5;
                SELU_LAMBDA * SELU_LAMBDA * (0.5 * q + SELU_ALPHA * SELU_ALPHA * negative)
            }
            Activation::Selu => {
                let s = q.sqrt();
                expect_panels(&|z| Activation::Selu.apply(s * z).powi(2), 1.0)
            }
            _ => expect_smooth(self, q, &|u| self.apply(u).powi(2)),
        }
    }

    /// `E[phi'(sqrt(q) z)^2]`, `z ~ N(0, 1)`: the factor a layer's activation applies to the
    /// variance of gradients passing back through it. NaN for a NaN `q`; limits for `q = inf`.
    ///
    /// ```
    /// use initkit::Activation;
    /// assert_eq!(Activation::Relu.derivative_mean_square(7.0), 0.5);
    /// assert_eq!(Activation::Identity.derivative_mean_square(7.0), 1.0);
    /// ```
    pub fn derivative_mean_square(self, q: f64) -> f64 {
        if q.is_nan() || q < 0.0 {
            return f64::NAN;
        }
        match self {
            Activation::Identity => 1.0,
            Activation::Relu => 0.5,
            Activation::LeakyRelu(slope) => 0.5 * (1.0 + slope * slope),
            Activation::Selu => {
                let t = q.sqrt();
                SELU_LAMBDA
                    * SELU_LAMBDA
                    * (0.5 + SELU_ALPHA * SELU_ALPHA * 0.5 * erfcx(std::f64::consts::SQRT_2 * t))
            }
            _ if q == 0.0 => self.derivative(0.0).powi(2),
            _ if q.is_infinite() => match self {
                Activation::Gelu => 0.5,
                _ => 0.0,
            },
            _ => expect_smooth(self, q, &|u| self.derivative(u).powi(2)),
        }
    }
}

/// The per-layer prediction of mean-field theory (see the module documentation of `theory`),
/// layers `1..=L` in order.
#[derive(Debug, Clone, PartialEq)]
pub struct MeanField {
    /// `q_l = E[z_l^2]`, the variance of the pre-activations.
    pub pre_activation: Vec<f64>,
    /// `E[h_l^2] = E[phi(z_l)^2]`, the second moment of the activations.
    pub activation: Vec<f64>,
    /// `E[delta_l^2]`, the variance of the gradient with respect to `z_l` when a unit-variance
    /// gradient enters the top layer's activations.
    pub gradient: Vec<f64>,
}

impl MeanField {
    /// The recursion for a network of layer widths `widths = [n_0, n_1, ..., n_L]` (input
    /// first), weight stds `stds = [sigma_1, ..., sigma_L]` and bias std `bias_std`.
    ///
    /// Values that leave the range of doubles are kept as `inf` (overflow) or `0` (underflow),
    /// as the simulation keeps them; see [`crate::Lab`]'s charts.
    ///
    /// ```
    /// use initkit::{Activation, MeanField};
    /// let mf = MeanField::new(Activation::Relu, &[100, 100, 100], &[0.2, 0.2], 0.0)?;
    /// // q_1 = 100 * 0.04 = 4; q_2 = 100 * 0.04 * 4 / 2 = 8.
    /// assert_eq!(mf.pre_activation, vec![4.0, 8.0]);
    /// # Ok::<(), initkit::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidCount`] naming `widths` when it has fewer than 2 entries or
    /// `widths[i]` when one is 0, `stds` when its length is not `widths.len() - 1`;
    /// [`Error::InvalidValue`] naming `stds[i]`, `bias_std` or `slope` for a negative, NaN or
    /// infinite value.
    pub fn new(
        activation: Activation,
        widths: &[usize],
        stds: &[f64],
        bias_std: f64,
    ) -> Result<MeanField> {
        let activation = activation.check()?;
        check_network(widths, stds, bias_std)?;
        let depth = stds.len();
        let bias_var = bias_std * bias_std;
        let mut pre = Vec::with_capacity(depth);
        let mut post = Vec::with_capacity(depth);
        let mut input_square = 1.0;
        for (l, &s) in stds.iter().enumerate() {
            let q = gain(widths[l], s) * input_square + bias_var;
            let a = activation.mean_square(q);
            pre.push(q);
            post.push(a);
            input_square = a;
        }
        let mut gradient = vec![0.0; depth];
        let mut upstream = 1.0;
        for l in (0..depth).rev() {
            let g = upstream * activation.derivative_mean_square(pre[l]);
            gradient[l] = g;
            if l > 0 {
                upstream = gain(widths[l + 1], stds[l]) * g;
            }
        }
        Ok(MeanField {
            pre_activation: pre,
            activation: post,
            gradient,
        })
    }
}

/// `n sigma^2`, the factor a layer of `n` inputs (forward) or outputs (backward) applies.
fn gain(n: usize, sigma: f64) -> f64 {
    n as f64 * sigma * sigma
}

pub(crate) fn check_network(widths: &[usize], stds: &[f64], bias_std: f64) -> Result<()> {
    if widths.len() < 2 {
        return Err(Error::count("widths", widths.len(), "at least 2 entries"));
    }
    for (i, &w) in widths.iter().enumerate() {
        positive(&format!("widths[{i}]"), w)?;
    }
    if stds.len() != widths.len() - 1 {
        return Err(Error::count(
            "stds",
            stds.len(),
            "one entry per layer: widths.len() - 1",
        ));
    }
    for (i, &s) in stds.iter().enumerate() {
        non_negative(format!("stds[{i}]"), s)?;
    }
    non_negative("bias_std", bias_std)?;
    Ok(())
}

/// `E[z_L^2] = (width * std^2)^n_layers`: the pre-activation variance after `n_layers` linear
/// layers of equal `width` and weight std `std`, input `N(0, I)`, no bias.
///
/// The lesson's [`crate::expected_output_variance`] is this times `1 - 1/width`, because
/// `np.var` also subtracts each output vector's own mean.
///
/// ```
/// let v = initkit::linear_variance(3, 512, 0.05)?;
/// assert!((v - 1.28f64.powi(3)).abs() < 1e-12);
/// let lesson = initkit::expected_output_variance(3, 0.05, 512)?;
/// assert!((lesson - v * (1.0 - 1.0 / 512.0)).abs() < 1e-12);
/// # Ok::<(), initkit::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::InvalidCount`] for `width == 0` or `n_layers > 2^31 - 1`; [`Error::InvalidValue`]
/// naming `init_std` when it is negative, NaN or infinite.
pub fn linear_variance(n_layers: usize, width: usize, init_std: f64) -> Result<f64> {
    rectifier_variance(n_layers, width, init_std, 1.0)
}

/// `E[z_L^2] = (width * std^2)^L ((1 + slope^2) / 2)^(L - 1)`: the pre-activation variance at
/// layer `L = n_layers` of a (leaky) ReLU network (`slope = 0` for ReLU, `1` for linear), the
/// input entering layer 1 without an activation. Exact in expectation at any width: given the
/// layer below, each pre-activation is symmetric about zero, so a rectifier keeps exactly
/// `(1 + slope^2) / 2` of its second moment.
///
/// ```
/// // He init, sigma^2 = 2 / n: every layer keeps the variance at n sigma^2 = 2.
/// let v = initkit::rectifier_variance(10, 256, initkit::he_std(256)?, 0.0)?;
/// assert!((v - 2.0).abs() < 1e-12);
/// # Ok::<(), initkit::Error>(())
/// ```
///
/// # Errors
///
/// As [`linear_variance`], and [`Error::InvalidValue`] naming `slope` when it is not finite.
pub fn rectifier_variance(n_layers: usize, width: usize, init_std: f64, slope: f64) -> Result<f64> {
    let width = positive("width", width)?;
    non_negative("init_std", init_std)?;
    if !slope.is_finite() {
        return Err(Error::value("slope", slope, "a finite number"));
    }
    if n_layers == 0 {
        return Ok(1.0);
    }
    let layers = i32::try_from(n_layers)
        .map(|n| n - 1)
        .map_err(|_| Error::count("n_layers", n_layers, "at most 2^31 - 1"))?;
    let first = gain(width, init_std);
    // One power of the per-layer factor, so no intermediate overflows that the result would not.
    let per_layer = first * 0.5 * (1.0 + slope * slope);
    Ok(per_layer.powi(layers) * first)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `E[f(z)]` by composite Simpson's rule on `|z| <= 12` with `steps` intervals per side,
    /// split at 0: an independent reference for the quadratures above.
    fn simpson(f: &dyn Fn(f64) -> f64, steps: usize) -> f64 {
        let h = 12.0 / steps as f64;
        let mut total = 0.0;
        for side in [-1.0, 1.0] {
            let g = |i: usize| {
                let z = side * h * i as f64;
                f(z) * normal_pdf(z)
            };
            let mut s = g(0) + g(steps);
            for i in 1..steps {
                s += if i % 2 == 1 { 4.0 } else { 2.0 } * g(i);
            }
            total += s * h / 3.0;
        }
        total
    }

    #[test]
    fn gauss_hermite_integrates_polynomials_exactly() {
        for n in 1..=GaussHermite::MAX_NODES {
            let gh = GaussHermite::new(n).unwrap();
            assert_eq!(gh.nodes().len(), n, "n = {n}");
            assert!(gh.nodes().windows(2).all(|w| w[0] < w[1]), "n = {n}");
            let total: f64 = gh.weights().iter().sum();
            assert!(
                (total - 1.0).abs() < 1e-14,
                "n = {n}: weights sum to {total}"
            );
            // E[z^(2k)] = (2k - 1)!!, exact for 2k < 2n.
            let mut double_factorial = 1.0;
            for k in 1..n.min(8) {
                double_factorial *= (2 * k - 1) as f64;
                let m = gh.expect(&|z| z.powi(2 * k as i32));
                assert!(
                    (m / double_factorial - 1.0).abs() < 1e-12,
                    "n = {n}, E[z^{}] = {m}",
                    2 * k
                );
                assert!(gh.expect(&|z| z.powi(2 * k as i32 - 1)).abs() < 1e-11);
            }
        }
        assert_eq!(
            GaussHermite::new(0).unwrap_err().parameter(),
            Some("n_nodes")
        );
        assert!(GaussHermite::new(201).is_err());
    }

    #[test]
    fn closed_forms_come_out_to_1e_12() {
        let gh = gauss_hermite_100();
        assert!((gh.expect(&|z| z * z) - 1.0).abs() < 1e-13);
        // The panels, split at the kink, give E[relu(z)^2] = 1/2 and E[relu(z)] = 1/sqrt(2 pi).
        let relu = |z: f64| Activation::Relu.apply(z);
        assert!((expect_panels(&|z| relu(z).powi(2), 1.0) - 0.5).abs() < 1e-14);
        let mean = expect_panels(&relu, 1.0);
        assert!((mean - 1.0 / (2.0 * std::f64::consts::PI).sqrt()).abs() < 1e-14);
        for q in [1e-6, 0.3, 1.0, 17.0, 1e6] {
            assert_eq!(Activation::Relu.mean_square(q), 0.5 * q);
            let s = f64::sqrt(q);
            let leaky = Activation::LeakyRelu(0.3);
            let by_panels = expect_panels(&|z| leaky.apply(s * z).powi(2), 1.0);
            assert!(
                (by_panels / leaky.mean_square(q) - 1.0).abs() < 1e-13,
                "q = {q}"
            );
            // SELU's closed forms against the panels.
            let selu = Activation::Selu;
            let panel_fwd = expect_panels(&|z| selu.apply(s * z).powi(2), 1.0 / s);
            let panel_bwd = expect_panels(&|z| selu.derivative(s * z).powi(2), 1.0 / s);
            assert!(
                (selu.mean_square(q) / panel_fwd - 1.0).abs() < 1e-12,
                "SELU forward, q = {q}"
            );
            assert!(
                (selu.derivative_mean_square(q) / panel_bwd - 1.0).abs() < 1e-12,
                "SELU backward, q = {q}"
            );
        }
        // SELU's fixed point: unit variance maps to itself (Klambauer et al.), to their digits.
        assert!((Activation::Selu.mean_square(1.0) - 1.0).abs() < 1e-6);
    }

    #[test]
    fn smooth_expectations_match_an_independent_simpson_reference() {
        // Simpson's error is O(h^4 f''''): with h = 12 / 200000 and the integrand's fourth
        // derivative at most ~ q^2 in size, it is far below 1e-12 for q <= 100; the split at 0
        // keeps the kink-free integrands smooth on each side.
        for act in [Activation::Tanh, Activation::Sigmoid, Activation::Gelu] {
            for q in [0.01, 0.25, 0.9, 1.0, 1.1, 4.0, 16.0, 100.0] {
                let s = f64::sqrt(q);
                let fwd = simpson(&|z| act.apply(s * z).powi(2), 200_000);
                let bwd = simpson(&|z| act.derivative(s * z).powi(2), 200_000);
                let (got_f, got_b) = (act.mean_square(q), act.derivative_mean_square(q));
                assert!(
                    (got_f / fwd - 1.0).abs() < 1e-12,
                    "{} q = {q}: {got_f} vs {fwd}",
                    act.name()
                );
                assert!(
                    (got_b / bwd - 1.0).abs() < 1e-12,
                    "{}' q = {q}: {got_b} vs {bwd}",
                    act.name()
                );
            }
        }
        // E[tanh(z)^2] at q = 1, a value quoted in the documentation.
        let reference = simpson(&|z| z.tanh().powi(2), 200_000);
        assert!((Activation::Tanh.mean_square(1.0) - reference).abs() < 1e-13);
        // Where Gauss-Hermite hands over to the panels, both agree.
        let s = 0.5;
        let gh = gauss_hermite_100().expect(&|z| (s * z).tanh().powi(2));
        let panels = expect_panels(&|z| (s * z).tanh().powi(2), 1.0 / s);
        assert!((gh / panels - 1.0).abs() < 1e-14);
    }

    #[test]
    fn limits_and_bad_values() {
        assert_eq!(Activation::Tanh.mean_square(f64::INFINITY), 1.0);
        assert_eq!(Activation::Tanh.derivative_mean_square(f64::INFINITY), 0.0);
        assert_eq!(Activation::Relu.mean_square(f64::INFINITY), f64::INFINITY);
        assert!(Activation::Gelu.mean_square(f64::NAN).is_nan());
        assert_eq!(Activation::Sigmoid.mean_square(0.0), 0.25);
        assert_eq!(Activation::Tanh.mean_square(0.0), 0.0);
        assert!(MeanField::new(Activation::Tanh, &[3], &[], 0.0).is_err());
        let e = MeanField::new(Activation::Tanh, &[3, 0], &[0.1], 0.0).unwrap_err();
        assert_eq!(e.parameter(), Some("widths[1]"));
        let e = MeanField::new(Activation::Tanh, &[3, 3], &[0.1, 0.2], 0.0).unwrap_err();
        assert_eq!(e.parameter(), Some("stds"));
        let e = MeanField::new(Activation::Tanh, &[3, 3], &[-0.1], 0.0).unwrap_err();
        assert_eq!(e.parameter(), Some("stds[0]"));
        let e = MeanField::new(Activation::Tanh, &[3, 3], &[0.1], f64::NAN).unwrap_err();
        assert_eq!(e.parameter(), Some("bias_std"));
        let e = MeanField::new(Activation::LeakyRelu(f64::INFINITY), &[3, 3], &[0.1], 0.0);
        assert_eq!(e.unwrap_err().parameter(), Some("slope"));
        assert_eq!(rectifier_variance(0, 5, 1.0, 0.0).unwrap(), 1.0);
        assert_eq!(
            linear_variance(3, 0, 1.0).unwrap_err().parameter(),
            Some("width")
        );
    }

    #[test]
    fn recursion_agrees_with_closed_forms() {
        let n = 300;
        for (act, slope) in [
            (Activation::Identity, 1.0),
            (Activation::Relu, 0.0),
            (Activation::LeakyRelu(0.2), 0.2),
        ] {
            let sigma = 1.3 / (n as f64).sqrt();
            let mf = MeanField::new(act, &[n; 13], &[sigma; 12], 0.0).unwrap();
            for (l, q) in mf.pre_activation.iter().enumerate() {
                let closed = rectifier_variance(l + 1, n, sigma, slope).unwrap();
                assert!(
                    (q / closed - 1.0).abs() < 1e-13,
                    "{} layer {}",
                    act.name(),
                    l + 1
                );
            }
            // Backward: chi = n sigma^2 (1 + slope^2)/2 per layer below the top.
            let chi = 1.69 * 0.5 * (1.0 + slope * slope);
            let top = 0.5 * (1.0 + slope * slope);
            for (l, g) in mf.gradient.iter().enumerate() {
                let want = top * chi.powi((11 - l) as i32);
                assert!(
                    (g / want - 1.0).abs() < 1e-13,
                    "{} layer {}",
                    act.name(),
                    l + 1
                );
            }
        }
        // Overflow is kept as inf, underflow as 0, never NaN for a rectifier.
        let mf = MeanField::new(Activation::Relu, &[100; 401], &[10.0; 400], 0.0).unwrap();
        assert_eq!(*mf.pre_activation.last().unwrap(), f64::INFINITY);
        let mf = MeanField::new(Activation::Relu, &[100; 401], &[1e-3; 400], 0.0).unwrap();
        assert_eq!(*mf.pre_activation.last().unwrap(), 0.0);
        assert_eq!(mf.gradient[0], 0.0);
    }
}
