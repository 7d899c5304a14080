//! The variance-flow lab: deep fully connected networks simulated layer by layer, forward and
//! backward, to set against [`MeanField`] theory.
//!
//! A network takes a batch of `batch` inputs `x ~ N(0, I)` of width `n_0` and computes, for
//! layers `l = 1..=L`, `z_l = sigma_l W_l h_{l-1} + sigma_b b_l` and `h_l = phi(z_l)` (`h_0 = x`,
//! `W_l` and `b_l` standard normal). A unit-variance gradient `g ~ N(0, I)` is then sent back
//! from the top activations through the same weights, transposed:
//! `delta_L = g * phi'(z_L)`, `delta_l = (sigma_{l+1} W_{l+1}^T delta_{l+1}) * phi'(z_l)`.
//!
//! Each layer's *variance* is the mean square over all units and inputs of the batch (the
//! second moment about zero, which is what the theory tracks: see [`crate::theory`]).
//!
//! Draws come from `numpy::default_rng(seed)` in this order: `x` (row by row, `n_0 x batch`),
//! then each `W_l` row by row, then each `b_l` (only when `bias_std > 0`), then `g`. Every
//! init scale of a sweep uses these same draws, scaled: one draw per layer serves them all.
//!
//! Values that leave the range of doubles are kept, never dropped: a variance that underflows
//! is `0.0`; one that overflows is `inf`, and so is every layer after the first whose values
//! overflowed (the true variance is larger still, beyond 1.8e308); a gradient that cannot be
//! computed because the forward pass overflowed is NaN. The charts mark each kind at the edge
//! of the plot (▲ overflow at the top, ▼ underflow at the bottom, ✕ undefined) with a hover
//! note, and list them in the chart's text summary: JSON cannot hold NaN or infinity, and a
//! log axis cannot show 0, so nothing is left as an unexplained gap.
//!
//! ```
//! use initkit::{Activation, Lab, Scale};
//! // The notebook's knobs: plain consts.
//! const WIDTH: usize = 64;
//! const DEPTH: usize = 12;
//! const ACTIVATION: Activation = Activation::Tanh;
//! const INIT: Scale = Scale::Std(0.05);
//! let chart = Lab::new(WIDTH, DEPTH, ACTIVATION, INIT)?.slider_chart()?;
//! assert!(chart.summary().contains("slider"));
//! # Ok::<(), initkit::Error>(())
//! ```

use crate::activation::Activation;
use crate::error::{Error, Result, non_negative, positive, with_capacity, zeroed};
use crate::init::{he_std, xavier_std};
use crate::numpy::default_rng;
use crate::theory::{MeanField, check_network};
use ndarray::linalg::general_mat_mul;
use ndarray::{ArrayView2, ArrayViewMut2};

/// Which fan a [`Scale::Gain`] divides by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fan {
    /// `fan_in`, the number of inputs of a unit: keeps forward variance.
    In,
    /// `fan_out`, the number of units fed by an input: keeps backward (gradient) variance.
    Out,
    /// `(fan_in + fan_out) / 2`: Xavier's compromise.
    Average,
}

impl Fan {
    fn label(self) -> &'static str {
        match self {
            Fan::In => "fan_in",
            Fan::Out => "fan_out",
            Fan::Average => "fan_avg",
        }
    }
}

/// How a layer's weight std is chosen from its fans. A plain `Copy` enum for `const` knobs:
///
/// ```
/// use initkit::{Fan, Scale};
/// const INIT: Scale = Scale::Gain(Fan::In, 0.5); // half the LeCun std: too small
/// assert_eq!(INIT.std(256, 256)?, 0.5 / 16.0);
/// assert_eq!(Scale::He.std(512, 100)?, 0.0625);
/// assert_eq!(Scale::Std(0.01).std(3, 4)?, 0.01);
/// # Ok::<(), initkit::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scale {
    /// The same std for every layer, whatever its fans (the original lesson's `init_std`).
    Std(f64),
    /// LeCun: `1 / sqrt(fan_in)`, for linear layers and SELU.
    LeCun,
    /// Xavier (Glorot): [`xavier_std`], `sqrt(2 / (fan_in + fan_out))`, for tanh.
    Xavier,
    /// He (Kaiming), fan-in mode: [`he_std`], `sqrt(2 / fan_in)`, for ReLU.
    He,
    /// `gain / sqrt(fan)`: LeCun is `Gain(Fan::In, 1)`, He `Gain(Fan::In, sqrt 2)`, He's fan-out
    /// mode `Gain(Fan::Out, sqrt 2)`, Xavier `Gain(Fan::Average, 1)`.
    Gain(Fan, f64),
}

impl Scale {
    /// The std of a layer with `fan_in` inputs and `fan_out` outputs.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidCount`] for a zero fan; [`Error::InvalidValue`] naming `init_std` or
    /// `gain` when it is negative, NaN or infinite.
    pub fn std(self, fan_in: usize, fan_out: usize) -> Result<f64> {
        let fan_in = positive("fan_in", fan_in)?;
        let fan_out = positive("fan_out", fan_out)?;
        match self {
            Scale::Std(s) => non_negative("init_std", s),
            Scale::LeCun => Ok((1.0 / fan_in as f64).sqrt()),
            Scale::Xavier => xavier_std(fan_in, fan_out),
            Scale::He => he_std(fan_in),
            Scale::Gain(fan, gain) => {
                let gain = non_negative("gain", gain)?;
                let fan = match fan {
                    Fan::In => fan_in as f64,
                    Fan::Out => fan_out as f64,
                    Fan::Average => 0.5 * (fan_in as f64 + fan_out as f64),
                };
                Ok(gain / fan.sqrt())
            }
        }
    }

    /// `sigma * sqrt(fan_in)` for a square layer of `width`: 1 for LeCun and Xavier, 1.41 for
    /// He.
    ///
    /// # Errors
    ///
    /// As [`Scale::std`].
    pub fn gain(self, width: usize) -> Result<f64> {
        Ok(self.std(width, width)? * (width as f64).sqrt())
    }

    /// A label for charts, such as `He (fan_in)` or `std 0.05`.
    pub fn label(self) -> String {
        match self {
            Scale::Std(s) => format!("std {}", crate::py_repr(s)),
            Scale::LeCun => "LeCun".into(),
            Scale::Xavier => "Xavier".into(),
            Scale::He => "He (fan_in)".into(),
            Scale::Gain(fan, g) => format!("{} / sqrt({})", round3(g), fan.label()),
        }
    }

    fn check(self) -> Result<Scale> {
        self.std(1, 1).map(|_| self)
    }
}

pub(crate) fn round3(v: f64) -> String {
    format!("{v:.3}")
        .trim_end_matches('0')
        .trim_end_matches('.')
        .to_string()
}

/// The deepest network a [`Lab`] simulates: far beyond any chart (variance has long vanished
/// or overflowed by then), and small enough that per-layer records stay a few megabytes.
pub const MAX_DEPTH: usize = 100_000;

/// One network to simulate or predict: its knobs. A plain `Copy` struct, so a notebook can
/// hold one in a `const`:
///
/// ```
/// use initkit::{Activation, Lab, Scale};
/// const LAB: Lab = Lab { activation: Activation::Relu, init: Scale::He, ..Lab::DEFAULT };
/// let run = LAB.run()?;
/// assert_eq!(run.pre_activation.len(), LAB.depth);
/// # Ok::<(), initkit::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lab {
    /// Units per layer (the input too).
    pub width: usize,
    /// Number of weight layers `L`.
    pub depth: usize,
    /// The nonlinearity after every layer.
    pub activation: Activation,
    /// How each layer's weight std is chosen.
    pub init: Scale,
    /// Inputs per batch.
    pub batch: usize,
    /// Std of the biases (0: no bias).
    pub bias_std: f64,
    /// Seed of `numpy::default_rng`.
    pub seed: u128,
}

impl Default for Lab {
    fn default() -> Self {
        Lab::DEFAULT
    }
}

/// What a simulated network measured, per layer `1..=L` in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// Layer widths `n_0..=n_L`, input first.
    pub widths: Vec<usize>,
    /// Weight std of each layer.
    pub stds: Vec<f64>,
    /// Mean square of the pre-activations `z_l`.
    pub pre_activation: Vec<f64>,
    /// Mean square of the activations `h_l = phi(z_l)`.
    pub activation: Vec<f64>,
    /// Mean square of the gradients with respect to `z_l`.
    pub gradient: Vec<f64>,
    /// Histograms of each layer's activations, when asked for.
    pub histograms: Option<Histograms>,
}

/// Histograms of activations, one per layer, on shared bin edges so layers can be compared.
#[derive(Debug, Clone, PartialEq)]
pub struct Histograms {
    /// The `bins + 1` edges, increasing.
    pub edges: Vec<f64>,
    /// `counts[l][b]`: values of layer `l + 1` in bin `b` (`[edges[b], edges[b+1])`, the last
    /// bin closed).
    pub counts: Vec<Vec<u64>>,
    /// Per layer, finite values below the first edge and above the last.
    pub outside: Vec<(u64, u64)>,
    /// Per layer, values that were NaN or infinite.
    pub non_finite: Vec<u64>,
}

impl Lab {
    /// The defaults: width 256, depth 30, tanh, Xavier, batch 16, no bias, seed 0.
    ///
    /// With 16 inputs of width 256, a layer's variance is measured from 4096 values: its
    /// sampling noise, about `sqrt(2 / 4096)` = 2%, is invisible on the charts' log axes, and
    /// the slider chart (25 scales, forward and backward) builds in about 0.2 s.
    pub const DEFAULT: Lab = Lab {
        width: 256,
        depth: 30,
        activation: Activation::Tanh,
        init: Scale::Xavier,
        batch: 16,
        bias_std: 0.0,
        seed: 0,
    };

    /// A lab with the given knobs and the other settings of [`Lab::DEFAULT`], checked.
    ///
    /// ```
    /// let lab = initkit::Lab::new(256, 30, initkit::Activation::Tanh, initkit::Scale::Std(0.05))?;
    /// assert_eq!(lab.batch, 16);
    /// # Ok::<(), initkit::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Lab::check`].
    pub fn new(width: usize, depth: usize, activation: Activation, init: Scale) -> Result<Lab> {
        Lab {
            width,
            depth,
            activation,
            init,
            ..Lab::DEFAULT
        }
        .check()
    }

    /// The lab itself when every knob is valid.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidCount`] naming `width`, `depth` or `batch` when 0, or `depth` above
    /// [`MAX_DEPTH`];
    /// [`Error::InvalidValue`] naming `init_std`, `gain`, `bias_std` or `slope` when negative
    /// (slope excepted), NaN or infinite.
    pub fn check(self) -> Result<Lab> {
        positive("width", self.width)?;
        positive("depth", self.depth)?;
        if self.depth > MAX_DEPTH {
            return Err(Error::count("depth", self.depth, "at most 100000"));
        }
        positive("batch", self.batch)?;
        self.activation.check()?;
        self.init.check()?;
        non_negative("bias_std", self.bias_std)?;
        Ok(self)
    }

    /// The same lab with another init scale.
    pub fn with_init(self, init: Scale) -> Lab {
        Lab { init, ..self }
    }

    /// The same lab with another activation.
    pub fn with_activation(self, activation: Activation) -> Lab {
        Lab { activation, ..self }
    }

    /// The layer widths `[width; depth + 1]`.
    ///
    /// # Errors
    ///
    /// As [`Lab::check`].
    pub fn widths(&self) -> Result<Vec<usize>> {
        let lab = self.check()?;
        Ok(vec![lab.width; lab.depth + 1])
    }

    /// Each layer's std under `init` for layer widths `widths`.
    pub(crate) fn stds_for(init: Scale, widths: &[usize]) -> Result<Vec<f64>> {
        widths.windows(2).map(|w| init.std(w[0], w[1])).collect()
    }

    /// Simulates the network once: per-layer variances forward and backward, and histograms
    /// of the activations on [`Lab::histogram_edges`].
    ///
    /// # Errors
    ///
    /// As [`Lab::check`]; [`Error::OutOfMemory`] when the weights do not fit in memory.
    pub fn run(&self) -> Result<Run> {
        let lab = self.check()?;
        let widths = lab.widths()?;
        let stds = Lab::stds_for(lab.init, &widths)?;
        let edges = lab.histogram_edges()?;
        let mut runs = simulate(&lab, &widths, &[stds], Some(&edges))?;
        Ok(runs.remove(0))
    }

    /// The mean-field prediction for this lab (see [`MeanField`]).
    ///
    /// # Errors
    ///
    /// As [`Lab::check`].
    pub fn theory(&self) -> Result<MeanField> {
        let lab = self.check()?;
        let widths = lab.widths()?;
        let stds = Lab::stds_for(lab.init, &widths)?;
        MeanField::new(lab.activation, &widths, &stds, lab.bias_std)
    }

    /// Simulates the network for each gain `sigma * sqrt(width)` in `gains` (the lab's `init`
    /// is ignored), all from the same draws; runs are spread over the available cores.
    ///
    /// # Errors
    ///
    /// As [`Lab::run`]; [`Error::InvalidValue`] naming `gains[i]` for a negative, NaN or
    /// infinite gain.
    pub fn sweep(&self, gains: &[f64]) -> Result<Vec<Run>> {
        let lab = self.check()?;
        let widths = lab.widths()?;
        let stds = gain_stds(&widths, gains)?;
        simulate(&lab, &widths, &stds, None)
    }

    /// Fixed bin edges for the activation histograms: 40 bins over `[-1, 1]` for tanh,
    /// `[0, 1]` for sigmoid; otherwise `+-3` standard deviations of the first layer's
    /// activations under LeCun init (`q_1 = 1`), so that runs at different scales are binned
    /// alike.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidValue`] naming `slope` for an invalid leaky ReLU.
    pub fn histogram_edges(&self) -> Result<Vec<f64>> {
        let (lo, hi) = match self.activation.check()? {
            Activation::Tanh => (-1.0, 1.0),
            Activation::Sigmoid => (0.0, 1.0),
            other => {
                let r = 3.0 * other.mean_square(1.0).sqrt();
                (-r, r)
            }
        };
        let bins = 40;
        Ok((0..=bins)
            .map(|i| lo + (hi - lo) * i as f64 / bins as f64)
            .collect())
    }
}

/// Stds `gain / sqrt(fan_in)` per layer, for each gain.
pub(crate) fn gain_stds(widths: &[usize], gains: &[f64]) -> Result<Vec<Vec<f64>>> {
    gains
        .iter()
        .enumerate()
        .map(|(i, &g)| {
            non_negative(format!("gains[{i}]"), g)?;
            Ok(widths
                .windows(2)
                .map(|w| g / (w[0] as f64).sqrt())
                .collect())
        })
        .collect()
}

/// The draws shared by every scale of a sweep.
struct Draws {
    x: Vec<f64>,
    weights: Vec<Vec<f64>>,
    biases: Vec<Vec<f64>>,
    top_gradient: Vec<f64>,
}

fn draw(lab: &Lab, widths: &[usize]) -> Result<Draws> {
    let m = lab.batch;
    let too_big = |what| Error::OutOfMemory { what, bytes: None };
    let mut total: usize = 0;
    for w in widths.windows(2) {
        let cells = w[0].checked_mul(w[1]).ok_or(too_big("weights"))?;
        total = total.checked_add(cells).ok_or(too_big("weights"))?;
    }
    // One reservation up front (not touched, so not paid for), so that a network too large
    // fails before any work.
    with_capacity::<f64>("weights", total)?;
    let mut rng = default_rng(lab.seed);
    let n0 = widths[0];
    let mut x = zeroed("inputs", n0.checked_mul(m).ok_or(too_big("inputs"))?)?;
    rng.fill_standard_normal(&mut x);
    let mut weights = Vec::with_capacity(widths.len() - 1);
    for w in widths.windows(2) {
        let mut v = zeroed("weights", w[0] * w[1])?;
        rng.fill_standard_normal(&mut v);
        weights.push(v);
    }
    let mut biases = Vec::new();
    if lab.bias_std > 0.0 {
        for &n in &widths[1..] {
            let mut v = zeroed("biases", n)?;
            rng.fill_standard_normal(&mut v);
            biases.push(v);
        }
    }
    let top = widths[widths.len() - 1];
    let mut top_gradient = zeroed("gradients", top.checked_mul(m).ok_or(too_big("gradients"))?)?;
    rng.fill_standard_normal(&mut top_gradient);
    Ok(Draws {
        x,
        weights,
        biases,
        top_gradient,
    })
}

/// Runs the network of `widths` once per entry of `stds` (each a std per layer), from one set
/// of draws, spreading the runs over the available cores.
pub(crate) fn simulate(
    lab: &Lab,
    widths: &[usize],
    stds: &[Vec<f64>],
    edges: Option<&[f64]>,
) -> Result<Vec<Run>> {
    for s in stds {
        check_network(widths, s, lab.bias_std)?;
    }
    positive("batch", lab.batch)?;
    let activation = lab.activation.check()?;
    if stds.is_empty() {
        return Ok(Vec::new());
    }
    let draws = draw(lab, widths)?;
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(stds.len());
    let job = |k: usize| one_run(lab, activation, widths, &stds[k], &draws, edges);
    if threads <= 1 {
        return (0..stds.len()).map(job).collect();
    }
    let results: Vec<Option<Result<Run>>> = std::thread::scope(|scope| {
        let job = &job;
        let mut handles = Vec::new();
        for t in 0..threads {
            let spawned = std::thread::Builder::new().spawn_scoped(scope, move || {
                (t..stds.len())
                    .step_by(threads)
                    .map(|k| (k, job(k)))
                    .collect::<Vec<_>>()
            });
            // A thread that cannot be started leaves its share to this one, below.
            handles.push(spawned.ok());
        }
        let mut results: Vec<Option<Result<Run>>> = (0..stds.len()).map(|_| None).collect();
        for handle in handles.into_iter().flatten() {
            if let Ok(done) = handle.join() {
                for (k, r) in done {
                    results[k] = Some(r);
                }
            }
        }
        results
    });
    results
        .into_iter()
        .enumerate()
        .map(|(k, r)| r.unwrap_or_else(|| job(k)))
        .collect()
}

/// Mean of squares; `inf` when the squares overflow, `0` when they underflow.
fn mean_square(v: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    let chunks = v.chunks_exact(4);
    let rest = chunks.remainder();
    for c in chunks {
        for l in 0..4 {
            acc[l] += c[l] * c[l];
        }
    }
    let mut sum = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for x in rest {
        sum += x * x;
    }
    sum / v.len() as f64
}

fn one_run(
    lab: &Lab,
    activation: Activation,
    widths: &[usize],
    stds: &[f64],
    draws: &Draws,
    edges: Option<&[f64]>,
) -> Result<Run> {
    let m = lab.batch;
    let depth = stds.len();
    let widest = widths.iter().copied().max().unwrap_or(1);
    let buf_len = widest * m;
    let mut a = zeroed("activations", buf_len)?;
    let mut b = zeroed("activations", buf_len)?;
    a[..widths[0] * m].copy_from_slice(&draws.x);
    // phi'(z_l) for every layer, kept for the backward pass.
    let total: usize = widths[1..].iter().map(|&n| n * m).sum();
    let mut derivative = zeroed("derivatives", total)?;
    let mut offsets = Vec::with_capacity(depth);
    let mut off = 0;
    for &n in &widths[1..] {
        offsets.push(off);
        off += n * m;
    }
    let mut pre = vec![0.0; depth];
    let mut post = vec![0.0; depth];
    let mut histograms = edges.map(|e| Histograms {
        edges: e.to_vec(),
        counts: Vec::with_capacity(depth),
        outside: Vec::with_capacity(depth),
        non_finite: Vec::with_capacity(depth),
    });
    let mut overflowed_at = None;
    let mut zero_from = None;
    for l in 0..depth {
        let (n_in, n_out) = (widths[l], widths[l + 1]);
        let w = view(&draws.weights[l], n_out, n_in)?;
        let h = view(&a[..n_in * m], n_in, m)?;
        let mut z = view_mut(&mut b[..n_out * m], n_out, m)?;
        general_mat_mul(stds[l], &w, &h, 0.0, &mut z);
        let z = &mut b[..n_out * m];
        if lab.bias_std > 0.0 {
            for (row, &bias) in z.chunks_exact_mut(m).zip(&draws.biases[l]) {
                let shift = lab.bias_std * bias;
                row.iter_mut().for_each(|v| *v += shift);
            }
        }
        pre[l] = mean_square(z);
        let d = &mut derivative[offsets[l]..offsets[l] + n_out * m];
        activation.apply_with_derivative(z, d);
        post[l] = mean_square(z);
        if let Some(hist) = histograms.as_mut() {
            hist.add_layer(z);
        }
        std::mem::swap(&mut a, &mut b);
        let h = &a[..n_out * m];
        if h.iter().any(|v| !v.is_finite()) {
            overflowed_at = Some(l);
            break;
        }
        if lab.bias_std == 0.0 && activation.apply(0.0) == 0.0 && h.iter().all(|&v| v == 0.0) {
            zero_from = Some(l + 1);
            break;
        }
    }
    if let Some(l) = overflowed_at {
        // Values beyond the largest double: this layer and all later ones overflowed.
        pre[l..].fill(f64::INFINITY);
        post[l..].fill(f64::INFINITY);
    } else if let Some(l) = zero_from {
        // Zero maps to zero with no bias: every later layer is exactly zero.
        pre[l..].fill(0.0);
        post[l..].fill(0.0);
    }
    if let Some(hist) = histograms.as_mut() {
        for l in hist.counts.len()..depth {
            let count = (widths[l + 1] * m) as u64;
            if overflowed_at.is_some() {
                hist.add_constant(f64::INFINITY, count);
            } else {
                hist.add_constant(0.0, count);
            }
        }
    }
    let gradient = if overflowed_at.is_some() && activation != Activation::Identity {
        // phi' at overflowed values is meaningless: the gradient is undefined.
        vec![f64::NAN; depth]
    } else {
        backward(
            activation,
            widths,
            stds,
            draws,
            &derivative,
            &offsets,
            zero_from,
            m,
        )?
    };
    Ok(Run {
        widths: widths.to_vec(),
        stds: stds.to_vec(),
        pre_activation: pre,
        activation: post,
        gradient,
        histograms,
    })
}

#[allow(clippy::too_many_arguments)]
fn backward(
    activation: Activation,
    widths: &[usize],
    stds: &[f64],
    draws: &Draws,
    derivative: &[f64],
    offsets: &[usize],
    zero_from: Option<usize>,
    m: usize,
) -> Result<Vec<f64>> {
    let depth = stds.len();
    let mut gradient = vec![0.0; depth];
    let widest = widths.iter().copied().max().unwrap_or(1);
    let mut a = zeroed("gradients", widest * m)?;
    let mut b = zeroed("gradients", widest * m)?;
    let top = widths[depth];
    a[..top * m].copy_from_slice(&draws.top_gradient);
    let computed_to = zero_from.unwrap_or(depth);
    for l in (0..depth).rev() {
        let n = widths[l + 1];
        if l >= computed_to {
            // Layers that were never computed forward had all-zero inputs: z = 0 there.
            let d0 = activation.derivative(0.0);
            a[..n * m].iter_mut().for_each(|v| *v *= d0);
        } else if activation != Activation::Identity {
            let d = &derivative[offsets[l]..offsets[l] + n * m];
            for (v, &dv) in a[..n * m].iter_mut().zip(d) {
                *v *= dv;
            }
        }
        let delta = &a[..n * m];
        gradient[l] = mean_square(delta);
        if delta.iter().any(|v| !v.is_finite()) {
            gradient[..=l].fill(f64::INFINITY);
            break;
        }
        if delta.iter().all(|&v| v == 0.0) {
            gradient[..l].fill(0.0);
            break;
        }
        if l > 0 {
            let n_below = widths[l];
            let w = view(&draws.weights[l], n, n_below)?;
            let dv = view(&a[..n * m], n, m)?;
            let mut out = view_mut(&mut b[..n_below * m], n_below, m)?;
            general_mat_mul(stds[l], &w.t(), &dv, 0.0, &mut out);
            std::mem::swap(&mut a, &mut b);
        }
    }
    Ok(gradient)
}

// The slices are always sized rows * cols, so these never fail; a mismatch would be a bug,
// reported rather than panicking.
fn view(v: &[f64], rows: usize, cols: usize) -> Result<ArrayView2<'_, f64>> {
    ArrayView2::from_shape((rows, cols), v).map_err(|_| Error::count("rows", rows, "to fit"))
}

fn view_mut(v: &mut [f64], rows: usize, cols: usize) -> Result<ArrayViewMut2<'_, f64>> {
    ArrayViewMut2::from_shape((rows, cols), v).map_err(|_| Error::count("rows", rows, "to fit"))
}

impl Histograms {
    fn add_layer(&mut self, values: &[f64]) {
        let bins = self.edges.len() - 1;
        let (lo, hi) = (self.edges[0], self.edges[bins]);
        let scale = bins as f64 / (hi - lo);
        let mut counts = vec![0u64; bins];
        let (mut below, mut above, mut bad) = (0, 0, 0);
        for &v in values {
            if !v.is_finite() {
                bad += 1;
            } else if v < lo {
                below += 1;
            } else if v > hi {
                above += 1;
            } else {
                let i = (((v - lo) * scale) as usize).min(bins - 1);
                counts[i] += 1;
            }
        }
        self.counts.push(counts);
        self.outside.push((below, above));
        self.non_finite.push(bad);
    }

    /// A layer whose `count` values all equal `value` (layers not computed one by one, after
    /// an overflow or once everything is zero).
    fn add_constant(&mut self, value: f64, count: u64) {
        let before = self.counts.len();
        self.add_layer(&[value]);
        let scale = |c: &mut u64| *c *= count;
        self.counts[before].iter_mut().for_each(scale);
        scale(&mut self.outside[before].0);
        scale(&mut self.outside[before].1);
        scale(&mut self.non_finite[before]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Mean over `seeds` runs of simulated / predicted, per layer.
    fn mean_ratios(lab: Lab, seeds: u128) -> (Vec<f64>, Vec<f64>) {
        let theory = lab.theory().unwrap();
        let depth = lab.depth;
        let (mut fwd, mut bwd) = (vec![0.0; depth], vec![0.0; depth]);
        for seed in 0..seeds {
            let run = Lab { seed, ..lab }.run().unwrap();
            for l in 0..depth {
                fwd[l] += run.pre_activation[l] / theory.pre_activation[l] / seeds as f64;
                bwd[l] += run.gradient[l] / theory.gradient[l] / seeds as f64;
            }
        }
        (fwd, bwd)
    }

    /// Tolerance on the mean of `seeds` ratios, layer by layer.
    ///
    /// Given the layer below, the pre-activations of a layer are Gaussian, independent across
    /// units, with covariance over the batch `sigma^2 G`, `G = H^T H` the Gram matrix of the
    /// `m` inputs. Their mean square therefore has relative variance
    /// `2 tr(G^2) / (n tr(G)^2) = 2 rho / n`, where `rho` lies between `1/m` (orthogonal inputs
    /// of equal norm) and 1 (all inputs alike). With `c` the typical cosine between two inputs
    /// of the layer and the spread of their norms and overlaps after `k` random layers
    /// (normalized second moment of a product of `k` Wishart matrices: `k + 1`),
    /// `rho_k ~ 1/m + c^2 + (k + 1)/n`. A rectifier adds the noise of which half of the units
    /// pass: the kept fraction of the second moment, `sum relu(z)^2 / sum z^2`, has relative
    /// variance `3 rho / n`, so `5 rho / n` per rectifier layer in all. These per-layer factors
    /// are independent and multiply, so relative variances add up layer after layer, `V_l`
    /// (forward from the input, whose own mean square adds `2 / (n m)`; backward from the
    /// top). One run's ratio then has relative variance `exp(V_l) - 1`, and the mean of
    /// `seeds` runs `(exp(V_l) - 1) / seeds`: the bound is 5 of those standard deviations
    /// (a chance below 1e-6 per layer of failing by noise).
    fn tolerances(
        n: usize,
        m: usize,
        depth: usize,
        per_layer: impl Fn(usize) -> f64,
        seeds: u128,
    ) -> (Vec<f64>, Vec<f64>) {
        let (n, m) = (n as f64, m as f64);
        let v: Vec<f64> = (1..=depth).map(&per_layer).collect();
        let sd = |var: f64| 5.0 * (var.exp_m1() / seeds as f64).sqrt();
        let fwd = (0..depth)
            .map(|l| sd(2.0 / (n * m) + v[..=l].iter().sum::<f64>()))
            .collect();
        let bwd = (0..depth).map(|l| sd(v[l..].iter().sum::<f64>())).collect();
        (fwd, bwd)
    }

    fn check(name: &str, got: &[f64], tol: &[f64]) {
        for (l, (r, t)) in got.iter().zip(tol).enumerate() {
            assert!(
                (r - 1.0).abs() < *t,
                "{name}, layer {}: ratio {r}, tolerance {t}",
                l + 1
            );
        }
    }

    #[test]
    fn linear_network_matches_its_closed_form() {
        // Forward: E[z_l^2] = (n sigma^2)^l exactly; backward likewise, g being independent.
        let (n, m, depth, seeds) = (512, 32, 10, 4);
        let lab = Lab {
            width: n,
            depth,
            batch: m,
            activation: Activation::Identity,
            init: Scale::Gain(Fan::In, 1.1),
            ..Lab::DEFAULT
        };
        let (fwd, bwd) = mean_ratios(lab, seeds);
        let nf = n as f64;
        let (tf, tb) = tolerances(
            n,
            m,
            depth,
            |k| 2.0 * (1.0 / m as f64 + (k + 1) as f64 / nf) / nf,
            seeds,
        );
        check("linear forward", &fwd, &tf);
        check("linear backward", &bwd, &tb);
        // About 0.11 at the top: the test would catch a factor of 1.2 in one layer.
        assert!(tf[depth - 1] < 0.12, "{}", tf[depth - 1]);
        let theory = lab.theory().unwrap();
        let closed = crate::linear_variance(depth, n, 1.1 / nf.sqrt()).unwrap();
        assert!((theory.pre_activation[depth - 1] / closed - 1.0).abs() < 1e-13);
    }

    #[test]
    fn relu_network_matches_its_closed_form() {
        let (n, m, depth, seeds) = (512, 32, 10, 16);
        let lab = Lab {
            width: n,
            depth,
            batch: m,
            activation: Activation::Relu,
            init: Scale::He,
            ..Lab::DEFAULT
        };
        let (fwd, bwd) = mean_ratios(lab, seeds);
        // The cosine between two inputs after k ReLU layers: c_k = f(c_{k-1}), c_0 = 0, with
        // the arc-cosine map f(c) = (sqrt(1 - c^2) + (pi - acos c) c) / pi.
        let mut c = vec![0.0f64];
        for k in 1..=depth {
            let p = c[k - 1];
            c.push(
                ((1.0 - p * p).sqrt() + (std::f64::consts::PI - p.acos()) * p)
                    / std::f64::consts::PI,
            );
        }
        let nf = n as f64;
        let rho = |k: usize| 1.0 / m as f64 + c[k - 1].powi(2) + (k + 1) as f64 / nf;
        let (tf, tb) = tolerances(n, m, depth, |k| 5.0 * rho(k) / nf, seeds);
        check("ReLU forward", &fwd, &tf);
        // Backward relies on gradient independence, an O(1/n) approximation, well inside.
        check("ReLU backward", &bwd, &tb);
        assert!(tf[depth - 1] < 0.35, "{}", tf[depth - 1]);
        // The closed form, first layer un-activated: (n sigma^2)^L / 2^(L-1) = 2 for He.
        let theory = lab.theory().unwrap();
        assert!((theory.pre_activation[depth - 1] - 2.0).abs() < 1e-12);
    }

    #[test]
    fn tanh_follows_mean_field_in_the_first_layers() {
        // Given the layer below, z is exactly Gaussian (W is), with variance sigma^2 |h|^2 per
        // input; mean-field replaces |h|^2 / n by its expectation, a relative bias of order
        // 1/n = 0.2% in E[tanh^2], allowed as 1% on top of the sampling tolerance (tanh is
        // odd, so inputs stay uncorrelated: the linear network's rho).
        let (n, m, depth, seeds) = (512, 32, 5, 4);
        let lab = Lab {
            width: n,
            depth,
            batch: m,
            activation: Activation::Tanh,
            init: Scale::Gain(Fan::In, 1.5),
            ..Lab::DEFAULT
        };
        let (fwd, bwd) = mean_ratios(lab, seeds);
        let nf = n as f64;
        let (tf, tb) = tolerances(
            n,
            m,
            depth,
            |k| 2.0 * (1.0 / m as f64 + (k + 1) as f64 / nf) / nf,
            seeds,
        );
        let add = |t: Vec<f64>| t.into_iter().map(|t| t + 0.01).collect::<Vec<_>>();
        check("tanh forward", &fwd, &add(tf));
        check("tanh backward", &bwd, &add(tb));
    }

    #[test]
    fn sweeps_reuse_draws_and_equal_single_runs() {
        let lab = Lab {
            width: 40,
            depth: 6,
            batch: 5,
            ..Lab::DEFAULT
        };
        let gains = [0.5, 1.0, 2.0];
        let swept = lab.sweep(&gains).unwrap();
        for (g, run) in gains.iter().zip(&swept) {
            let mut single = lab.with_init(Scale::Gain(Fan::In, *g)).run().unwrap();
            single.histograms = None;
            assert_eq!(&single, run);
        }
        assert_eq!(lab.run().unwrap(), lab.run().unwrap());
        assert_ne!(lab.run().unwrap(), Lab { seed: 1, ..lab }.run().unwrap());
    }

    #[test]
    fn overflow_and_underflow_are_kept() {
        let big = Lab {
            width: 100,
            depth: 400,
            activation: Activation::Relu,
            init: Scale::Std(10.0),
            ..Lab::DEFAULT
        };
        let run = big.run().unwrap();
        let first = run
            .pre_activation
            .iter()
            .position(|v| v.is_infinite())
            .unwrap();
        assert!(first > 50 && first < 120, "{first}");
        assert!(
            run.pre_activation[first..]
                .iter()
                .all(|v| *v == f64::INFINITY)
        );
        assert!(
            run.pre_activation[..first]
                .iter()
                .all(|v| v.is_finite() && *v > 0.0)
        );
        assert!(run.gradient.iter().all(|v| v.is_nan()));
        let hist = run.histograms.unwrap();
        assert_eq!(hist.non_finite[399], 1600);
        let small = Lab {
            width: 100,
            depth: 400,
            init: Scale::Std(0.01),
            ..Lab::DEFAULT
        };
        let run = small.run().unwrap();
        assert_eq!(run.pre_activation[399], 0.0);
        assert_eq!(run.gradient[0], 0.0);
        // Linear networks have a gradient even after the forward pass overflowed.
        let linear = Lab {
            activation: Activation::Identity,
            ..big
        };
        assert!(linear.run().unwrap().gradient[399].is_finite());
    }

    #[test]
    fn bad_knobs_are_named() {
        let e = |lab: Lab| lab.run().unwrap_err().parameter().map(str::to_string);
        assert_eq!(
            e(Lab {
                width: 0,
                ..Lab::DEFAULT
            })
            .as_deref(),
            Some("width")
        );
        assert_eq!(
            e(Lab {
                depth: 0,
                ..Lab::DEFAULT
            })
            .as_deref(),
            Some("depth")
        );
        assert_eq!(
            e(Lab {
                batch: 0,
                ..Lab::DEFAULT
            })
            .as_deref(),
            Some("batch")
        );
        assert_eq!(
            e(Lab {
                init: Scale::Std(f64::NAN),
                ..Lab::DEFAULT
            })
            .as_deref(),
            Some("init_std")
        );
        assert_eq!(
            e(Lab {
                init: Scale::Gain(Fan::Out, -1.0),
                ..Lab::DEFAULT
            })
            .as_deref(),
            Some("gain")
        );
        assert_eq!(
            e(Lab {
                bias_std: -1.0,
                ..Lab::DEFAULT
            })
            .as_deref(),
            Some("bias_std")
        );
        assert_eq!(
            e(Lab {
                activation: Activation::LeakyRelu(f64::NAN),
                ..Lab::DEFAULT
            })
            .as_deref(),
            Some("slope")
        );
        let err = Lab::DEFAULT.sweep(&[1.0, f64::INFINITY]).unwrap_err();
        assert_eq!(err.parameter(), Some("gains[1]"));
        let huge = Lab {
            width: usize::MAX / 2,
            depth: 2,
            ..Lab::DEFAULT
        };
        assert!(matches!(huge.run(), Err(Error::OutOfMemory { .. })));
    }

    #[test]
    fn scales_map_fans_to_stds() {
        assert_eq!(
            Scale::Xavier.std(512, 512).unwrap(),
            xavier_std(512, 512).unwrap()
        );
        assert_eq!(
            Scale::Gain(Fan::Average, 1.0).std(100, 300).unwrap(),
            0.1 / 2f64.sqrt()
        );
        assert_eq!(Scale::Gain(Fan::Out, 2.0).std(100, 400).unwrap(), 0.1);
        assert_eq!(Scale::LeCun.std(400, 1).unwrap(), 0.05);
        assert!((Scale::He.gain(256).unwrap() - 2f64.sqrt()).abs() < 1e-15);
        assert_eq!(Scale::Gain(Fan::In, 0.5).label(), "0.5 / sqrt(fan_in)");
        // With bias, the recursion adds sigma_b^2 per layer; zero activations are not a stop.
        let lab = Lab {
            width: 64,
            depth: 3,
            bias_std: 0.5,
            init: Scale::Std(0.0),
            ..Lab::DEFAULT
        };
        let run = lab.run().unwrap();
        assert!(run.pre_activation.iter().all(|&v| v > 0.1 && v < 0.5));
        assert_eq!(lab.theory().unwrap().pre_activation, vec![0.25; 3]);
    }
}
