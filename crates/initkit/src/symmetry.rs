//! Symmetry breaking, shown rather than told: one tiny network trained twice, from a constant
//! and from a random initialization, on a toy 2-D data set.
//!
//! The network has 2 inputs, one hidden layer of `H` units and one output:
//!
//! ```text
//! h_j = w_j1 x_1 + w_j2 x_2 + b_j        a_j = tanh(h_j)  or  max(h_j, 0)
//! z   = v_1 a_1 + ... + v_H a_H + c      sigmoid(z) with binary cross-entropy,
//!                                        or z itself with squared error
//! ```
//!
//! and is trained by full-batch gradient descent, with the forward and backward passes written
//! out on `ndarray` arrays of `f64`.
//!
//! # Why gradient descent alone can never break the tie
//!
//! Hidden unit `j` is described by its four numbers `θ_j = (w_j1, w_j2, b_j, v_j)`: its
//! incoming weights, its bias and its outgoing weight. Swapping two hidden units (swapping
//! their `θ`s) does not change the function the network computes, so it does not change the
//! loss: the loss is *symmetric under permutations of the hidden units*. Now start with
//! `θ_j = θ_k`. Both units see the same inputs through the same weights, so they compute the
//! same `h` and `a` on every sample; the error signal reaching them is the output's error
//! times the same `v` times the same slope, so their gradients are equal, and so are their
//! updates. After the step they are again equal, and by induction they stay equal forever: the
//! `H` units behave as one unit copied `H` times, and the network can only learn what a
//! single hidden unit can. A constant initialization makes *all* units equal, which is the
//! worst case.
//!
//! Nothing inside gradient descent can separate them: a larger learning rate, more steps or
//! mini-batches (a mini-batch is the same for every unit) all keep identical units identical.
//! Not even rounding error helps, because each unit's arithmetic is the same sequence of
//! floating-point operations on the same numbers, and IEEE arithmetic is deterministic: the
//! units here stay equal *bit for bit*, not merely approximately (the computation is written
//! so that every unit's sums run over the samples in the same order; a library that summed
//! different units in different orders could split them by a rounding error, an accident that
//! training might then amplify, not a way to train). Only something that
//! treats units differently breaks the tie: random initial weights, or per-unit noise such as
//! dropout masks. With a random start each unit begins in a different place, receives a
//! different gradient, and can become a different feature detector.
//!
//! # The largest difference between hidden units
//!
//! Each step records `D(θ) = max over pairs j < k of max over p of |θ_j[p] - θ_k[p]|`, with
//! `θ_j = (w_j1, w_j2, b_j, v_j)` as above: the largest absolute difference, in any one of the
//! four numbers, between any two hidden units. `D = 0` exactly when all units are identical.
//! It is computed as the largest, over the four numbers, of the highest value minus the lowest
//! across units, which is the same number in floating point (rounding is monotone), and it is
//! NaN when any of the numbers is.
//!
//! ```
//! use initkit::symmetry::{Dataset, Init, Samples, Training};
//!
//! let samples = Samples::generate(Dataset::Xor, 200, 0.1, 0)?;
//! let training = Training::default();
//! let clones = training.run(&samples, Init::Constant(0.5))?;
//! let diverse = training.run(&samples, Init::Random { seed: 0 })?;
//! assert!(clones.differences().iter().all(|&d| d == 0.0)); // exactly, at every step
//! assert!(diverse.final_difference() > 0.5);
//! assert!(diverse.final_loss() < 0.5 * clones.final_loss());
//! # Ok::<(), initkit::Error>(())
//! ```

use crate::chart::Chart;
use crate::error::{Error, Result, non_negative, positive, with_capacity, zeroed};
use crate::init::{he_std, xavier_std};
use crate::numpy::{Pcg64, default_rng, fill_standard_normal};
use crate::propagate::linspace;
use ndarray::{Array1, Array2, Array3, ArrayView1, ArrayView2, ArrayView3, Axis, Zip};
use serde_json::{Value, json};
use std::f64::consts::PI;
use std::fmt;

/// The smallest distance of an XOR point's coordinates from 0, before noise.
const XOR_GAP: f64 = 0.1;

/// The toy 2-D data sets, each with two classes labelled 0 and 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dataset {
    /// Points in the four quadrants of the square `[-1, 1]²`, each coordinate at least 0.1
    /// away from 0 (before noise); class 1 where `x_1 x_2 > 0` (the first and third
    /// quadrants): no straight line separates the classes.
    Xor,
    /// Two interleaved half circles of radius 1, as scikit-learn's `make_moons`, shifted by
    /// `(-0.5, -0.25)` to centre them on the origin; the lower moon is class 1.
    Moons,
    /// Two concentric circles of radius 1 (class 0) and 0.5 (class 1), as scikit-learn's
    /// `make_circles` with `factor = 0.5`.
    Circles,
}

impl Dataset {
    /// All three data sets, in the order they are documented.
    pub const ALL: [Dataset; 3] = [Dataset::Xor, Dataset::Moons, Dataset::Circles];

    /// The name used in chart titles: `XOR`, `two moons` or `concentric circles`.
    pub fn name(self) -> &'static str {
        match self {
            Dataset::Xor => "XOR",
            Dataset::Moons => "two moons",
            Dataset::Circles => "concentric circles",
        }
    }
}

impl fmt::Display for Dataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The hidden layer's activation function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Activation {
    /// `tanh(h)`; random weights are drawn with the Xavier std.
    Tanh,
    /// `max(h, 0)`, with slope 0 at `h = 0`; random weights are drawn with the He std.
    Relu,
}

impl Activation {
    /// The name used in summaries: `tanh` or `ReLU`.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Tanh => "tanh",
            Activation::Relu => "ReLU",
        }
    }

    fn apply(self, h: f64) -> f64 {
        match self {
            Activation::Tanh => h.tanh(),
            Activation::Relu => {
                if h > 0.0 {
                    h
                } else {
                    0.0
                }
            }
        }
    }

    /// The derivative at pre-activation `h`, whose activation is `a`.
    fn slope(self, h: f64, a: f64) -> f64 {
        match self {
            Activation::Tanh => 1.0 - a * a,
            Activation::Relu => {
                if h > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
        }
    }
}

/// The output unit and the loss it is trained with; the loss is averaged over the samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Output {
    /// `p = sigmoid(z)`, the probability of class 1, with binary cross-entropy
    /// `-(y ln p + (1 - y) ln(1 - p))` (computed from `z` without overflow).
    SigmoidCrossEntropy,
    /// The output `z` itself, with squared error `(z - y)²` against the label 0 or 1.
    LinearSquaredError,
}

impl Output {
    /// The loss's name, for axis titles: `binary cross-entropy` or `mean squared error`.
    pub fn loss_name(self) -> &'static str {
        match self {
            Output::SigmoidCrossEntropy => "binary cross-entropy",
            Output::LinearSquaredError => "mean squared error",
        }
    }

    /// What a prediction is, for colour bars: `P(class 1)` or `output`.
    fn prediction_name(self) -> &'static str {
        match self {
            Output::SigmoidCrossEntropy => "P(class 1)",
            Output::LinearSquaredError => "output",
        }
    }

    /// The loss of one sample and its derivative with respect to `z`.
    fn loss_and_slope(self, z: f64, y: f64) -> (f64, f64) {
        match self {
            Output::SigmoidCrossEntropy => {
                // softplus(z) - y z, with softplus written so that exp never overflows.
                let loss = z.max(0.0) - z * y + (-z.abs()).exp().ln_1p();
                (loss, sigmoid(z) - y)
            }
            Output::LinearSquaredError => {
                let e = z - y;
                (e * e, 2.0 * e)
            }
        }
    }

    fn predict(self, z: f64) -> f64 {
        match self {
            Output::SigmoidCrossEntropy => sigmoid(z),
            Output::LinearSquaredError => z,
        }
    }
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// How the network's weights and biases start.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Init {
    /// Every weight and bias of both layers equal to this value: all hidden units identical.
    Constant(f64),
    /// Weights drawn from NumPy's normal stream seeded with `seed`, hidden-layer weights first
    /// (unit by unit), then output weights; biases zero. The hidden layer's std is
    /// [`xavier_std`]`(2, H)` for tanh and [`he_std`]`(2)` for ReLU, the output layer's
    /// [`xavier_std`]`(H, 1)`.
    Random {
        /// Seed of [`default_rng`].
        seed: u128,
    },
}

impl fmt::Display for Init {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Init::Constant(c) => write!(f, "constant init (every weight {})", crate::py_repr(*c)),
            Init::Random { seed } => write!(f, "random init (seed {seed})"),
        }
    }
}

/// A toy data set: points in the plane and their class labels (0.0 or 1.0).
#[derive(Debug, Clone, PartialEq)]
pub struct Samples {
    dataset: Dataset,
    noise: f64,
    /// Shape `(2, n)`: one row per coordinate, so every per-unit sum runs over contiguous
    /// memory in sample order.
    coords: Array2<f64>,
    labels: Array1<f64>,
}

impl Samples {
    /// Generates `n_points` points of `dataset` with Gaussian noise of std `noise` added to
    /// each coordinate, from NumPy's random stream seeded with `seed`.
    ///
    /// XOR draws its points at random; moons and circles place them evenly along their curves
    /// (class 0 gets `n_points / 2` points, rounded down, class 1 the rest), so only their
    /// noise is random.
    ///
    /// ```
    /// use initkit::symmetry::{Dataset, Samples};
    ///
    /// let moons = Samples::generate(Dataset::Moons, 100, 0.1, 7)?;
    /// assert_eq!(moons.points().dim(), (100, 2));
    /// assert_eq!(moons.labels().sum(), 50.0);
    /// # Ok::<(), initkit::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidCount`] naming `n_points` when it is below 2; [`Error::InvalidValue`]
    /// naming `noise` when it is negative, NaN or infinite; [`Error::OutOfMemory`] when the
    /// points cannot be held.
    pub fn generate(dataset: Dataset, n_points: usize, noise: f64, seed: u128) -> Result<Samples> {
        if n_points < 2 {
            return Err(Error::count("n_points", n_points, "at least 2"));
        }
        let noise = non_negative("noise", noise)?;
        let mut rng = default_rng(seed);
        let mut x = with_capacity("data points", n_points)?;
        let mut y = with_capacity("data points", n_points)?;
        let mut labels = with_capacity("data labels", n_points)?;
        let n_out = n_points / 2;
        let n_in = n_points - n_out;
        match dataset {
            Dataset::Xor => {
                // Each coordinate uniform on [-1, -gap] or [gap, 1]: a clear gap along the axes,
                // so the quadrants are told apart by the data rather than by luck.
                let mut coordinate = || {
                    let u = 2.0 * rng.next_f64() - 1.0;
                    u.signum() * (XOR_GAP + (1.0 - XOR_GAP) * u.abs())
                };
                for _ in 0..n_points {
                    let (px, py) = (coordinate(), coordinate());
                    x.push(px);
                    y.push(py);
                    labels.push(if px * py > 0.0 { 1.0 } else { 0.0 });
                }
            }
            Dataset::Moons => {
                for t in linspace(0.0, PI, n_out)? {
                    x.push(t.cos() - 0.5);
                    y.push(t.sin() - 0.25);
                    labels.push(0.0);
                }
                for t in linspace(0.0, PI, n_in)? {
                    x.push(1.0 - t.cos() - 0.5);
                    y.push(1.0 - t.sin() - 0.5 - 0.25);
                    labels.push(1.0);
                }
            }
            Dataset::Circles => {
                for (n, radius, label) in [(n_out, 1.0, 0.0), (n_in, 0.5, 1.0)] {
                    for i in 0..n {
                        let t = 2.0 * PI * i as f64 / n as f64;
                        x.push(radius * t.cos());
                        y.push(radius * t.sin());
                        labels.push(label);
                    }
                }
            }
        }
        // Noise is drawn after the points, point by point, as NumPy's
        // `X += noise * rng.standard_normal((n, 2))` would.
        let mut normals = zeroed("data noise", 2 * n_points)?;
        fill_standard_normal(&mut rng, &mut normals);
        for (i, pair) in normals.chunks_exact(2).enumerate() {
            x[i] += noise * pair[0];
            y[i] += noise * pair[1];
        }
        x.append(&mut y);
        let coords = Array2::from_shape_vec((2, n_points), x).map_err(|_| Error::OutOfMemory {
            what: "data points",
            bytes: None,
        })?;
        Ok(Samples {
            dataset,
            noise,
            coords,
            labels: Array1::from(labels),
        })
    }

    /// Which data set these points come from.
    pub fn dataset(&self) -> Dataset {
        self.dataset
    }

    /// The std of the noise added to each coordinate.
    pub fn noise(&self) -> f64 {
        self.noise
    }

    /// The number of points.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Always false: a data set has at least two points.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The points, one row `(x_1, x_2)` per sample.
    pub fn points(&self) -> ArrayView2<'_, f64> {
        self.coords.t()
    }

    /// The class labels, 0.0 or 1.0, in the order of [`Samples::points`].
    pub fn labels(&self) -> ArrayView1<'_, f64> {
        self.labels.view()
    }
}

/// The 2-input, `H`-hidden-unit, 1-output network (see the [module docs](self)).
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    activation: Activation,
    output: Output,
    /// Incoming weights, shape `(H, 2)`.
    w: Array2<f64>,
    /// Hidden biases, length `H`.
    b: Array1<f64>,
    /// Outgoing weights, length `H`.
    v: Array1<f64>,
    /// Output bias.
    c: f64,
}

impl Network {
    /// A network with `hidden` hidden units, started as `init` says.
    ///
    /// ```
    /// use initkit::symmetry::{Activation, Init, Network, Output};
    ///
    /// let net = Network::new(4, Activation::Tanh, Output::SigmoidCrossEntropy, Init::Constant(0.5))?;
    /// // At the origin every unit outputs tanh(0.5); the output is sigmoid(4 * 0.5 * tanh(0.5) + 0.5).
    /// let expected = 1.0 / (1.0 + (-(2.0 * 0.5f64.tanh() + 0.5)).exp());
    /// assert!((net.predict(0.0, 0.0) - expected).abs() < 1e-15);
    /// assert_eq!(net.largest_unit_difference(), 0.0);
    /// # Ok::<(), initkit::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidCount`] naming `hidden` when it is 0; [`Error::InvalidValue`] naming
    /// `constant` when a constant init is NaN or infinite; [`Error::OutOfMemory`] when the
    /// weights cannot be held.
    pub fn new(
        hidden: usize,
        activation: Activation,
        output: Output,
        init: Init,
    ) -> Result<Network> {
        let hidden = positive("hidden", hidden)?;
        let too_big = || Error::OutOfMemory {
            what: "network weights",
            bytes: None,
        };
        let n_weights = hidden.checked_mul(2).ok_or_else(too_big)?;
        let mut w = zeroed("network weights", n_weights)?;
        let mut b = zeroed("network weights", hidden)?;
        let mut v = zeroed("network weights", hidden)?;
        let mut c = 0.0;
        match init {
            Init::Constant(value) => {
                if !value.is_finite() {
                    return Err(Error::value("constant", value, "a finite number"));
                }
                for x in w.iter_mut().chain(&mut b).chain(&mut v) {
                    *x = value;
                }
                c = value;
            }
            Init::Random { seed } => {
                let hidden_std = match activation {
                    Activation::Tanh => xavier_std(2, hidden)?,
                    Activation::Relu => he_std(2)?,
                };
                let output_std = xavier_std(hidden, 1)?;
                let mut rng: Pcg64 = default_rng(seed);
                fill_standard_normal(&mut rng, &mut w);
                fill_standard_normal(&mut rng, &mut v);
                w.iter_mut().for_each(|x| *x *= hidden_std);
                v.iter_mut().for_each(|x| *x *= output_std);
            }
        }
        Ok(Network {
            activation,
            output,
            w: Array2::from_shape_vec((hidden, 2), w).map_err(|_| too_big())?,
            b: Array1::from(b),
            v: Array1::from(v),
            c,
        })
    }

    /// The number of hidden units `H`.
    pub fn hidden(&self) -> usize {
        self.b.len()
    }

    /// The hidden layer's activation.
    pub fn activation(&self) -> Activation {
        self.activation
    }

    /// The output unit and its loss.
    pub fn output(&self) -> Output {
        self.output
    }

    /// The incoming weights, one row `(w_j1, w_j2)` per hidden unit.
    pub fn input_weights(&self) -> ArrayView2<'_, f64> {
        self.w.view()
    }

    /// The hidden units' biases `b_j`.
    pub fn hidden_biases(&self) -> ArrayView1<'_, f64> {
        self.b.view()
    }

    /// The outgoing weights `v_j`, from each hidden unit to the output.
    pub fn output_weights(&self) -> ArrayView1<'_, f64> {
        self.v.view()
    }

    /// The output bias `c`.
    pub fn output_bias(&self) -> f64 {
        self.c
    }

    /// Hidden unit `j`'s numbers `(w_j1, w_j2, b_j, v_j)`, or `None` past the last unit.
    pub fn unit(&self, j: usize) -> Option<[f64; 4]> {
        Some([*self.w.get((j, 0))?, self.w[(j, 1)], self.b[j], self.v[j]])
    }

    /// The largest difference between hidden units, `D` in the [module docs](self): 0 exactly
    /// when all units are identical (and for a single unit, which has no pairs).
    pub fn largest_unit_difference(&self) -> f64 {
        let columns = [
            self.w.column(0),
            self.w.column(1),
            self.b.view(),
            self.v.view(),
        ];
        let mut largest = 0.0f64;
        for column in columns {
            let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
            for &x in column {
                if x.is_nan() {
                    return f64::NAN;
                }
                lo = lo.min(x);
                hi = hi.max(x);
            }
            largest = largest.max(hi - lo);
        }
        largest
    }

    /// The prediction at the point `(x1, x2)`: the probability of class 1 for a sigmoid
    /// output, the output `z` itself for a linear one.
    pub fn predict(&self, x1: f64, x2: f64) -> f64 {
        let mut z = 0.0;
        for (w, (&b, &v)) in self.w.outer_iter().zip(self.b.iter().zip(&self.v)) {
            z += v * self.activation.apply(w[0] * x1 + w[1] * x2 + b);
        }
        self.output.predict(z + self.c)
    }

    /// The mean loss over `samples`.
    ///
    /// # Errors
    ///
    /// [`Error::OutOfMemory`] when the hidden activations cannot be held.
    pub fn loss(&self, samples: &Samples) -> Result<f64> {
        let mut work = Workspace::new(self.hidden(), samples.len())?;
        Ok(self.forward_loss(samples, &mut work))
    }

    /// Fills `work.pre`, `work.act` and `work.z` for every sample.
    fn forward(&self, samples: &Samples, work: &mut Workspace) {
        let (x1, x2) = (samples.coords.row(0), samples.coords.row(1));
        let activation = self.activation;
        work.z.fill(0.0);
        // One unit at a time, each with the same operations in the same sample order: units
        // with equal weights get bit-for-bit equal activations.
        Zip::from(work.pre.rows_mut())
            .and(work.act.rows_mut())
            .and(self.w.rows())
            .and(&self.b)
            .and(&self.v)
            .for_each(|mut pre, mut act, w, &b, &v| {
                let (w1, w2) = (w[0], w[1]);
                Zip::from(&mut pre)
                    .and(&mut act)
                    .and(&mut work.z)
                    .and(&x1)
                    .and(&x2)
                    .for_each(|h, a, z, &x1, &x2| {
                        *h = w1 * x1 + w2 * x2 + b;
                        *a = activation.apply(*h);
                        *z += v * *a;
                    });
            });
        let c = self.c;
        work.z.mapv_inplace(|z| z + c);
    }

    /// The mean loss, after a forward pass; also leaves dL/dz per sample in `work.dz`.
    fn forward_loss(&self, samples: &Samples, work: &mut Workspace) -> f64 {
        self.forward(samples, work);
        let inv_n = 1.0 / samples.len() as f64;
        let output = self.output;
        let mut total = 0.0;
        Zip::from(&mut work.dz)
            .and(&work.z)
            .and(&samples.labels)
            .for_each(|dz, &z, &y| {
                let (loss, slope) = output.loss_and_slope(z, y);
                total += loss;
                *dz = slope * inv_n;
            });
        total * inv_n
    }

    /// The mean loss and its gradient with respect to every weight and bias, left in `work`.
    fn backward(&self, samples: &Samples, work: &mut Workspace) -> f64 {
        let loss = self.forward_loss(samples, work);
        let (x1, x2) = (samples.coords.row(0), samples.coords.row(1));
        let activation = self.activation;
        let dz = &work.dz;
        work.grad_c = dz.fold(0.0, |sum, &d| sum + d);
        // Each unit's gradient is a sum over the samples in sample order, with the same
        // operations for every unit: equal units get equal gradients, bit for bit.
        Zip::from(work.grad_w.rows_mut())
            .and(&mut work.grad_b)
            .and(&mut work.grad_v)
            .and(work.pre.rows())
            .and(work.act.rows())
            .and(&self.v)
            .for_each(|mut gw, gb, gv, pre, act, &v| {
                let (mut g1, mut g2, mut g0, mut g_out) = (0.0, 0.0, 0.0, 0.0);
                Zip::from(dz)
                    .and(&pre)
                    .and(&act)
                    .and(&x1)
                    .and(&x2)
                    .for_each(|&d, &h, &a, &x1, &x2| {
                        g_out += d * a;
                        let delta = d * v * activation.slope(h, a);
                        g1 += delta * x1;
                        g2 += delta * x2;
                        g0 += delta;
                    });
                gw[0] = g1;
                gw[1] = g2;
                *gb = g0;
                *gv = g_out;
            });
        loss
    }

    /// One gradient-descent step with the gradient left in `work` by [`Network::backward`].
    fn descend(&mut self, work: &Workspace, learning_rate: f64) {
        Zip::from(&mut self.w)
            .and(&work.grad_w)
            .for_each(|x, &g| *x -= learning_rate * g);
        Zip::from(&mut self.b)
            .and(&work.grad_b)
            .for_each(|x, &g| *x -= learning_rate * g);
        Zip::from(&mut self.v)
            .and(&work.grad_v)
            .for_each(|x, &g| *x -= learning_rate * g);
        self.c -= learning_rate * work.grad_c;
    }
}

/// Buffers reused by every step: activations per unit and sample, and the gradient.
struct Workspace {
    pre: Array2<f64>,
    act: Array2<f64>,
    z: Array1<f64>,
    dz: Array1<f64>,
    grad_w: Array2<f64>,
    grad_b: Array1<f64>,
    grad_v: Array1<f64>,
    grad_c: f64,
}

impl Workspace {
    fn new(hidden: usize, n: usize) -> Result<Workspace> {
        let cells = hidden.checked_mul(n).ok_or(Error::OutOfMemory {
            what: "hidden activations",
            bytes: None,
        })?;
        let matrix = |what, rows, cols, len| {
            Array2::from_shape_vec((rows, cols), zeroed(what, len)?)
                .map_err(|_| Error::OutOfMemory { what, bytes: None })
        };
        Ok(Workspace {
            pre: matrix("hidden activations", hidden, n, cells)?,
            act: matrix("hidden activations", hidden, n, cells)?,
            z: Array1::from(zeroed("outputs", n)?),
            dz: Array1::from(zeroed("outputs", n)?),
            grad_w: matrix("gradient", hidden, 2, 2 * hidden)?,
            grad_b: Array1::from(zeroed("gradient", hidden)?),
            grad_v: Array1::from(zeroed("gradient", hidden)?),
            grad_c: 0.0,
        })
    }
}

/// How a network is built and trained; everything but the data and the initialization.
///
/// ```
/// use initkit::symmetry::{Activation, Training};
///
/// // The lesson's settings, with ReLU units instead of tanh.
/// let relu = Training { activation: Activation::Relu, ..Training::default() };
/// assert_eq!(relu.hidden, 8);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Training {
    /// The number of hidden units `H`, at least 2 (the lesson uses 8).
    pub hidden: usize,
    /// The hidden layer's activation (the lesson uses tanh).
    pub activation: Activation,
    /// The output unit and its loss (the lesson uses a sigmoid with cross-entropy).
    pub output: Output,
    /// The number of full-batch gradient-descent steps, at least 1 (the lesson uses 500).
    pub steps: usize,
    /// The step size, finite and above 0 (the lesson uses 1.5).
    pub learning_rate: f64,
}

impl Default for Training {
    fn default() -> Self {
        Training {
            hidden: 8,
            activation: Activation::Tanh,
            output: Output::SigmoidCrossEntropy,
            steps: 500,
            learning_rate: 1.5,
        }
    }
}

impl Training {
    /// Builds a network from `init` and trains it on all of `samples` at every step,
    /// recording the loss and every hidden unit's numbers before the first step, after each
    /// step.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidCount`] naming `hidden` (below 2) or `steps` (0);
    /// [`Error::InvalidValue`] naming `learning_rate` (not finite and above 0) or `constant`
    /// (not finite); [`Error::OutOfMemory`] when the records cannot be held.
    pub fn run(&self, samples: &Samples, init: Init) -> Result<Run> {
        if self.hidden < 2 {
            return Err(Error::count("hidden", self.hidden, "at least 2"));
        }
        let steps = positive("steps", self.steps)?;
        let learning_rate = self.learning_rate;
        if !(learning_rate.is_finite() && learning_rate > 0.0) {
            return Err(Error::value(
                "learning_rate",
                learning_rate,
                "a finite number > 0",
            ));
        }
        let mut network = Network::new(self.hidden, self.activation, self.output, init)?;
        let too_big = || Error::OutOfMemory {
            what: "training records",
            bytes: None,
        };
        let records = steps.checked_add(1).ok_or_else(too_big)?;
        let cells = records
            .checked_mul(self.hidden)
            .and_then(|n| n.checked_mul(4))
            .ok_or_else(too_big)?;
        let mut units = Array3::from_shape_vec(
            (records, self.hidden, 4),
            zeroed("training records", cells)?,
        )
        .map_err(|_| too_big())?;
        let mut loss = with_capacity("training records", records)?;
        let mut difference = with_capacity("training records", records)?;
        let mut work = Workspace::new(self.hidden, samples.len())?;
        let mut record = |network: &Network, t: usize, value: f64| {
            let mut row = units.index_axis_mut(Axis(0), t);
            for (j, mut unit) in row.outer_iter_mut().enumerate() {
                unit[0] = network.w[(j, 0)];
                unit[1] = network.w[(j, 1)];
                unit[2] = network.b[j];
                unit[3] = network.v[j];
            }
            loss.push(value);
            difference.push(network.largest_unit_difference());
        };
        for t in 0..steps {
            let value = network.backward(samples, &mut work);
            record(&network, t, value);
            network.descend(&work, learning_rate);
        }
        let value = network.forward_loss(samples, &mut work);
        record(&network, steps, value);
        Ok(Run {
            init,
            training: *self,
            loss,
            difference,
            units,
            network,
        })
    }
}

/// One training run: the loss and the hidden units at every step, and the trained network.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    init: Init,
    training: Training,
    loss: Vec<f64>,
    difference: Vec<f64>,
    units: Array3<f64>,
    network: Network,
}

impl Run {
    /// How the network started.
    pub fn init(&self) -> Init {
        self.init
    }

    /// The settings it was trained with.
    pub fn training(&self) -> Training {
        self.training
    }

    /// The mean loss before the first step, then after each step: `steps + 1` values.
    pub fn loss(&self) -> &[f64] {
        &self.loss
    }

    /// The largest difference between hidden units (`D` in the [module docs](self)) at the
    /// same moments as [`Run::loss`].
    pub fn differences(&self) -> &[f64] {
        &self.difference
    }

    /// Every hidden unit's numbers at the same moments as [`Run::loss`], shape
    /// `(steps + 1, H, 4)`: `[t, j, ..]` is `(w_j1, w_j2, b_j, v_j)` of unit `j` at step `t`,
    /// its two incoming weights, its bias and its outgoing weight.
    pub fn units(&self) -> ArrayView3<'_, f64> {
        self.units.view()
    }

    /// The loss after the last step.
    pub fn final_loss(&self) -> f64 {
        self.loss.last().copied().unwrap_or(f64::NAN)
    }

    /// The largest difference between hidden units after the last step.
    pub fn final_difference(&self) -> f64 {
        self.difference.last().copied().unwrap_or(f64::NAN)
    }

    /// The trained network.
    pub fn network(&self) -> &Network {
        &self.network
    }
}

/// The lesson's demonstration: one data set, one network design, trained from a constant and
/// from a random initialization, with the charts that compare the two runs.
///
/// ```
/// let demo = initkit::SymmetryDemo::lesson()?;
/// assert_eq!(demo.constant().final_difference(), 0.0);
/// assert!(demo.random().final_loss() < demo.constant().final_loss());
/// println!("{demo}");
/// let chart = demo.chart(); // the cell's value: weights, boundaries and losses in one figure
/// # Ok::<(), initkit::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SymmetryDemo {
    samples: Samples,
    constant: Run,
    random: Run,
}

/// Points in the lesson's data sets.
const LESSON_POINTS: usize = 200;
/// Std of the noise on each coordinate in the lesson's data sets.
const LESSON_NOISE: f64 = 0.1;
/// The lesson's constant initialization.
const LESSON_CONSTANT: f64 = 0.5;

impl SymmetryDemo {
    /// The lesson's run: [`SymmetryDemo::on`] the XOR data set.
    ///
    /// # Errors
    ///
    /// None in practice: the settings are fixed and valid.
    pub fn lesson() -> Result<SymmetryDemo> {
        SymmetryDemo::on(Dataset::Xor)
    }

    /// The lesson's settings on any of the data sets: 200 points with noise 0.1 (seed 0),
    /// [`Training::default`] (8 tanh units, sigmoid output, 500 steps at learning rate 1.5),
    /// every weight 0.5 for the constant run and seed 0 for the random one.
    ///
    /// # Errors
    ///
    /// None in practice: the settings are fixed and valid.
    pub fn on(dataset: Dataset) -> Result<SymmetryDemo> {
        let samples = Samples::generate(dataset, LESSON_POINTS, LESSON_NOISE, 0)?;
        SymmetryDemo::new(samples, Training::default(), LESSON_CONSTANT, 0)
    }

    /// Trains one network on `samples` from every weight and bias equal to `constant`, and one
    /// from a random init with `seed`.
    ///
    /// # Errors
    ///
    /// As [`Training::run`].
    pub fn new(
        samples: Samples,
        training: Training,
        constant: f64,
        seed: u128,
    ) -> Result<SymmetryDemo> {
        let constant = training.run(&samples, Init::Constant(constant))?;
        let random = training.run(&samples, Init::Random { seed })?;
        Ok(SymmetryDemo {
            samples,
            constant,
            random,
        })
    }

    /// The data both networks were trained on.
    pub fn samples(&self) -> &Samples {
        &self.samples
    }

    /// The run from a constant initialization.
    pub fn constant(&self) -> &Run {
        &self.constant
    }

    /// The run from a random initialization.
    pub fn random(&self) -> &Run {
        &self.random
    }

    fn training(&self) -> Training {
        self.constant.training
    }

    /// The headline of [`SymmetryDemo::chart`] and the other charts.
    fn setting(&self) -> String {
        let t = self.training();
        format!(
            "{}, {} points, {} {} hidden units, {} steps",
            self.samples.dataset,
            self.samples.len(),
            t.hidden,
            t.activation.name(),
            t.steps
        )
    }

    /// All three views in one figure, for one notebook cell: the hidden units' weights during
    /// training (constant run left, random run right), the decision boundary each network
    /// learned below them, and both loss curves at the bottom.
    pub fn chart(&self) -> Chart {
        let columns = [[0.0, 0.44], [0.56, 1.0]];
        let rows = [[0.74, 1.0], [0.34, 0.64], [0.0, 0.22]];
        let mut data = Vec::new();
        let mut layout = base_layout(
            &format!(
                "Symmetry breaking on {}: one network, two initializations",
                self.samples.dataset
            ),
            1150,
        );
        let mut annotations = Vec::new();
        for (k, run) in [&self.constant, &self.random].into_iter().enumerate() {
            let (weights, boundary) = (k + 1, k + 3);
            data.extend(weight_traces(run, weights));
            let (x, y) = axis_names(weights);
            layout[x] = axis("Gradient-descent step", columns[k], &anchor(y));
            layout[y] = axis("Weight x₁ → hidden unit", rows[0], &anchor(x));
            if k == 1 {
                layout[y]["matches"] = json!("y");
            }
            annotations.push(unit_note(run, weights));
            annotations.push(column_header(&run_title(run), columns[k], rows[0][1]));
            let colorbar =
                json!({"len": rows[1][1] - rows[1][0], "y": (rows[1][0] + rows[1][1]) / 2.0});
            data.extend(self.boundary_traces(run, boundary, k == 1, colorbar));
            let (x, y) = axis_names(boundary);
            layout[x] = axis("x₁", columns[k], &anchor(y));
            layout[y] = axis("x₂", rows[1], &anchor(x));
            square(&mut layout, x, y);
        }
        data.extend(self.loss_traces(5));
        let (x, y) = axis_names(5);
        layout[x] = axis("Gradient-descent step", [0.0, 1.0], &anchor(y));
        let scale = if self.loss_is_log() {
            "Loss (log scale)"
        } else {
            "Loss"
        };
        layout[y] = self.loss_axis(scale, rows[2], &anchor(x));
        annotations.push(column_header(
            &format!(
                "Training loss ({}): final {} (constant) vs {} (random)",
                self.training().output.loss_name(),
                short(self.constant.final_loss()),
                short(self.random.final_loss())
            ),
            [0.0, 1.0],
            rows[2][1],
        ));
        annotations.push(column_header(
            "Decision boundaries: what each network learned",
            [0.0, 1.0],
            rows[1][1],
        ));
        layout["annotations"] = Value::Array(annotations);
        Chart::from_figure(json!({"data": data, "layout": layout}), self.to_string())
    }

    /// The hidden units' weights from input `x₁` over the training steps, one line per unit:
    /// the constant run on the left, where all lines lie exactly on top of each other, and
    /// the random run on the right, where they spread apart. Both panels share the y axis.
    pub fn weights_chart(&self) -> Chart {
        let columns = [[0.0, 0.45], [0.55, 1.0]];
        let mut data = Vec::new();
        let mut layout = base_layout(
            &format!("Hidden-unit weights during training ({})", self.setting()),
            480,
        );
        let mut annotations = Vec::new();
        for (k, run) in [&self.constant, &self.random].into_iter().enumerate() {
            data.extend(weight_traces(run, k + 1));
            let (x, y) = axis_names(k + 1);
            layout[x] = axis("Gradient-descent step", columns[k], &anchor(y));
            layout[y] = axis("Weight x₁ → hidden unit", [0.0, 1.0], &anchor(x));
            if k == 1 {
                layout[y]["matches"] = json!("y");
            }
            annotations.push(unit_note(run, k + 1));
            annotations.push(column_header(&run_title(run), columns[k], 1.0));
        }
        layout["annotations"] = Value::Array(annotations);
        Chart::from_figure(json!({"data": data, "layout": layout}), self.to_string())
    }

    /// Both runs' training loss against the step; the y axis is logarithmic when the losses
    /// span a factor of 10 or more.
    pub fn loss_chart(&self) -> Chart {
        let mut layout = base_layout(
            &format!(
                "Training loss: constant vs random initialization ({})",
                self.setting()
            ),
            440,
        );
        layout["xaxis"] = axis("Gradient-descent step", [0.0, 1.0], "y");
        layout["yaxis"] = self.loss_axis(&self.loss_axis_title(), [0.0, 1.0], "x");
        let data = self.loss_traces(1);
        Chart::from_figure(json!({"data": data, "layout": layout}), self.to_string())
    }

    /// What each network learned: its prediction over the plane as a heat map, the 0.5
    /// contour as the decision boundary, and the training points on top; constant run left,
    /// random run right.
    pub fn boundary_chart(&self) -> Chart {
        let columns = [[0.0, 0.44], [0.54, 0.98]];
        let mut data = Vec::new();
        let mut layout = base_layout(
            &format!("What each network learned ({})", self.setting()),
            520,
        );
        let mut annotations = Vec::new();
        for (k, run) in [&self.constant, &self.random].into_iter().enumerate() {
            data.extend(self.boundary_traces(run, k + 1, k == 1, json!({"len": 1.0, "y": 0.5})));
            let (x, y) = axis_names(k + 1);
            layout[x] = axis("x₁", columns[k], &anchor(y));
            layout[y] = axis("x₂", [0.0, 1.0], &anchor(x));
            square(&mut layout, x, y);
            annotations.push(column_header(&run_title(run), columns[k], 1.0));
        }
        layout["annotations"] = Value::Array(annotations);
        Chart::from_figure(json!({"data": data, "layout": layout}), self.to_string())
    }

    fn loss_axis_title(&self) -> String {
        let name = self.training().output.loss_name();
        if self.loss_is_log() {
            format!("Loss ({name}, log scale)")
        } else {
            format!("Loss ({name})")
        }
    }

    /// Whether the losses of both runs are positive and span a factor of 10 or more.
    fn loss_is_log(&self) -> bool {
        let all = self.constant.loss.iter().chain(&self.random.loss);
        let (mut lo, mut hi) = (f64::INFINITY, 0.0f64);
        for &x in all {
            if !(x.is_finite() && x > 0.0) {
                return false;
            }
            lo = lo.min(x);
            hi = hi.max(x);
        }
        hi >= 10.0 * lo
    }

    fn loss_axis(&self, title: &str, domain: [f64; 2], anchor: &str) -> Value {
        let mut a = axis(title, domain, anchor);
        if self.loss_is_log() {
            a["type"] = json!("log");
            a["exponentformat"] = json!("power");
            // Minor labels 2 and 5 only: every digit crowds a short panel.
            a["dtick"] = json!("D2");
        }
        a
    }

    fn loss_traces(&self, axes: usize) -> Vec<Value> {
        let (x, y) = trace_axes(axes);
        [
            (&self.constant, CONSTANT_COLOR),
            (&self.random, RANDOM_COLOR),
        ]
        .into_iter()
        .map(|(run, color)| {
            let steps = sampled_steps(run.loss.len());
            let loss: Vec<f64> = steps.iter().map(|&t| run.loss[t]).collect();
            json!({
                "type": "scatter",
                "mode": "lines",
                "name": run_label(run),
                "x": steps,
                "y": loss,
                "xaxis": x,
                "yaxis": y,
                "line": {"color": color, "width": 2.5},
                "hovertemplate": "step %{x}<br>loss %{y:.4g}<extra>%{fullData.name}</extra>",
            })
        })
        .collect()
    }

    fn boundary_traces(&self, run: &Run, axes: usize, legend: bool, colorbar: Value) -> Vec<Value> {
        let (xa, ya) = trace_axes(axes);
        let points = self.samples.points();
        let (gx, gy) = (
            grid(points.column(0).iter().copied()),
            grid(points.column(1).iter().copied()),
        );
        // Rounded to 4 decimals: no colour or hover label shows more, and the figure's JSON
        // (where these are written as decimal text) shrinks to about a third.
        let z: Vec<Vec<f64>> = gy
            .iter()
            .map(|&b| {
                gx.iter()
                    .map(|&a| (run.network.predict(a, b) * 1e4).round() / 1e4)
                    .collect()
            })
            .collect();
        let label = run_label(run);
        let prediction = self.training().output.prediction_name();
        let mut colorbar = colorbar;
        colorbar["title"] = json!({"text": prediction, "side": "right"});
        colorbar["x"] = json!(1.02);
        colorbar["thickness"] = json!(14);
        let mut traces = vec![
            json!({
                "type": "heatmap",
                "name": format!("{label}: {prediction}"),
                "x": gx,
                "y": gy,
                "z": z,
                "zmin": 0.0,
                "zmax": 1.0,
                "colorscale": [[0.0, "#92c5de"], [0.5, "#f7f7f7"], [1.0, "#f4a582"]],
                "showscale": legend,
                "colorbar": colorbar,
                "xaxis": xa,
                "yaxis": ya,
                "hovertemplate": format!("x₁ %{{x:.2f}}, x₂ %{{y:.2f}}<br>{prediction} %{{z:.3f}}<extra>{label}</extra>"),
            }),
            json!({
                "type": "contour",
                "name": "decision boundary (0.5)",
                "legendgroup": "boundary",
                "showlegend": legend,
                "x": gx,
                "y": gy,
                "z": z,
                "autocontour": false,
                "contours": {"start": 0.5, "end": 0.5, "size": 1.0, "coloring": "none"},
                "line": {"color": "#222222", "width": 2.5},
                "showscale": false,
                "hoverinfo": "skip",
                "xaxis": xa,
                "yaxis": ya,
            }),
        ];
        for (class, color, symbol) in [(0.0, "#2166ac", "circle"), (1.0, "#b2182b", "diamond")] {
            let (mut px, mut py) = (Vec::new(), Vec::new());
            for (p, &l) in points.outer_iter().zip(&self.samples.labels) {
                if l == class {
                    px.push(p[0]);
                    py.push(p[1]);
                }
            }
            traces.push(json!({
                "type": "scatter",
                "mode": "markers",
                "name": format!("class {class}"),
                "legendgroup": format!("class {class}"),
                "showlegend": legend,
                "x": px,
                "y": py,
                "xaxis": xa,
                "yaxis": ya,
                "marker": {"color": color, "symbol": symbol, "size": 6,
                           "line": {"color": "white", "width": 0.8}},
                "hovertemplate": format!("class {class}<br>x₁ %{{x:.2f}}, x₂ %{{y:.2f}}<extra></extra>"),
            }));
        }
        traces
    }
}

impl fmt::Display for SymmetryDemo {
    /// Two lines: the setting, then the largest difference between hidden units and the final
    /// loss of each run.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (c, r) = (&self.constant, &self.random);
        let exactly = |d: f64| {
            if d == 0.0 {
                "0 (exactly)".to_string()
            } else {
                short(d)
            }
        };
        writeln!(f, "{}:", self.setting())?;
        write!(
            f,
            "constant init: largest difference between hidden units after {} steps = {}; \
             random init: {}; final loss {} vs {}",
            self.training().steps,
            exactly(c.final_difference()),
            exactly(r.final_difference()),
            short(c.final_loss()),
            short(r.final_loss()),
        )
    }
}

const CONSTANT_COLOR: &str = "#ff7f0e";
const RANDOM_COLOR: &str = "#1f77b4";
/// One colour per hidden unit (plotly's default palette), the same unit the same colour in
/// both runs.
const UNIT_COLORS: [&str; 10] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf",
];
/// The most points drawn per line; longer runs are thinned evenly (the last step is kept).
const MAX_LINE_POINTS: usize = 500;
/// Grid points per axis of the decision-boundary heat maps.
const GRID_POINTS: usize = 61;

/// A number with three decimals, or three significant digits when it is small or large.
fn short(x: f64) -> String {
    if x == 0.0 || (1e-3..1e4).contains(&x.abs()) {
        format!("{x:.3}")
    } else if x.is_finite() {
        format!("{x:.2e}")
    } else {
        format!("{x}")
    }
}

fn run_label(run: &Run) -> &'static str {
    match run.init {
        Init::Constant(_) => "constant init",
        Init::Random { .. } => "random init",
    }
}

fn run_title(run: &Run) -> String {
    match run.init {
        Init::Constant(c) => format!("Constant init: every weight {}", crate::py_repr(c)),
        Init::Random { seed } => {
            let scheme = match run.training.activation {
                Activation::Tanh => "Xavier",
                Activation::Relu => "He",
            };
            format!("Random init: {scheme} normal, seed {seed}")
        }
    }
}

/// The indices of the records drawn on a line: evenly thinned to at most [`MAX_LINE_POINTS`],
/// always with the first and the last.
fn sampled_steps(records: usize) -> Vec<usize> {
    let stride = records.div_ceil(MAX_LINE_POINTS).max(1);
    let mut steps: Vec<usize> = (0..records).step_by(stride).collect();
    if let Some(last) = records.checked_sub(1) {
        if steps.last() != Some(&last) {
            steps.push(last);
        }
    }
    steps
}

/// One line per hidden unit: its weight from `x₁` at each step.
fn weight_traces(run: &Run, axes: usize) -> Vec<Value> {
    let (x, y) = trace_axes(axes);
    let steps = sampled_steps(run.units.len_of(Axis(0)));
    let label = run_label(run);
    (0..run.units.len_of(Axis(1)))
        .map(|j| {
            let weights: Vec<f64> = steps.iter().map(|&t| run.units[(t, j, 0)]).collect();
            json!({
                "type": "scatter",
                "mode": "lines",
                "name": format!("{label}: unit {}", j + 1),
                "legendgroup": label,
                "showlegend": false,
                "x": steps,
                "y": weights,
                "xaxis": x,
                "yaxis": y,
                "line": {"color": UNIT_COLORS[j % UNIT_COLORS.len()], "width": 2},
                "hovertemplate": format!("unit {}<br>step %{{x}}<br>weight %{{y:.4f}}<extra>{label}</extra>", j + 1),
            })
        })
        .collect()
}

/// The note inside a weights panel: how many lines there are and how far apart they end.
fn unit_note(run: &Run, axes: usize) -> Value {
    let (x, y) = trace_axes(axes);
    let h = run.units.len_of(Axis(1));
    let text = if run.difference.iter().all(|&d| d == 0.0) {
        format!("{h} lines, exactly on top of each other at every step")
    } else {
        format!(
            "{h} lines; largest difference between units at the end: {}",
            short(run.final_difference())
        )
    };
    json!({
        "text": text,
        "xref": format!("{x} domain"),
        "yref": format!("{y} domain"),
        "x": 0.02,
        "y": 0.98,
        "xanchor": "left",
        "yanchor": "top",
        "showarrow": false,
        "font": {"size": 12},
        "bgcolor": "rgba(255,255,255,0.8)",
    })
}

/// A bold title centred above a column.
fn column_header(text: &str, domain: [f64; 2], top: f64) -> Value {
    json!({
        "text": format!("<b>{text}</b>"),
        "xref": "paper",
        "yref": "paper",
        "x": (domain[0] + domain[1]) / 2.0,
        "y": top,
        "xanchor": "center",
        "yanchor": "bottom",
        "yshift": 4,
        "showarrow": false,
        "font": {"size": 14},
    })
}

/// `n` evenly spaced values covering `values` with a margin; `[-1.5, 1.5]` if they are not
/// all finite.
fn grid(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    let pad = 0.08 * (hi - lo) + 0.05;
    let (lo, hi) = (lo - pad, hi + pad);
    linspace(lo, hi, GRID_POINTS)
        .ok()
        .filter(|g| g.iter().all(|v| v.is_finite()) && lo < hi)
        .unwrap_or_else(|| linspace(-1.5, 1.5, GRID_POINTS).unwrap_or_default())
}

/// The layout keys of subplot `k` (1-based): `xaxis`/`yaxis`, then `xaxis2`/`yaxis2`, ...
fn axis_names(k: usize) -> (&'static str, &'static str) {
    const NAMES: [(&str, &str); 5] = [
        ("xaxis", "yaxis"),
        ("xaxis2", "yaxis2"),
        ("xaxis3", "yaxis3"),
        ("xaxis4", "yaxis4"),
        ("xaxis5", "yaxis5"),
    ];
    NAMES[(k - 1).min(NAMES.len() - 1)]
}

/// The axis references of subplot `k` in a trace: `x`/`y`, `x2`/`y2`, ...
fn trace_axes(k: usize) -> (String, String) {
    let (x, y) = axis_names(k);
    (anchor(x), anchor(y))
}

/// `xaxis3` -> `x3`, the name traces and other axes use.
fn anchor(layout_key: &str) -> String {
    layout_key.replacen("axis", "", 1)
}

fn axis(title: &str, domain: [f64; 2], anchor: &str) -> Value {
    let mut a = crate::chart::axis(title);
    a["domain"] = json!(domain);
    a["anchor"] = json!(anchor);
    a["zeroline"] = json!(false);
    a
}

/// Makes a y axis keep one unit of y as long as one unit of x, so the plane is not stretched.
fn square(layout: &mut Value, x_key: &str, y_key: &str) {
    layout[y_key]["scaleanchor"] = json!(anchor(x_key));
    layout[y_key]["scaleratio"] = json!(1);
    // Shrink the panel rather than widen the range beyond the heat map.
    for key in [x_key, y_key] {
        layout[key]["constrain"] = json!("domain");
    }
}

fn base_layout(title: &str, height: u32) -> Value {
    let (top, bottom) = (100, 120);
    // The legend sits below the bottom x axis's title: 70 px below the plot area.
    let legend_y = -70.0 / f64::from(height.saturating_sub(top + bottom).max(1));
    json!({
        "title": {"text": title, "x": 0.5, "xanchor": "center"},
        "height": height,
        "font": {"size": 13},
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "margin": {"l": 80, "r": 110, "t": top, "b": bottom},
        "legend": {"orientation": "h", "x": 0.5, "xanchor": "center", "y": legend_y, "yanchor": "top"},
        "hovermode": "closest",
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numpy::StandardNormal;
    use rand::distr::Distribution;

    const PARAMETERS: usize = 4;

    /// Every weight and bias, in the order w (row by row), b, v, c.
    fn parameters(net: &Network) -> Vec<f64> {
        let mut p: Vec<f64> = net.w.iter().chain(&net.b).chain(&net.v).copied().collect();
        p.push(net.c);
        p
    }

    fn set_parameter(net: &mut Network, i: usize, value: f64) {
        let h = net.hidden();
        match i {
            i if i < 2 * h => net.w[(i / 2, i % 2)] = value,
            i if i < 3 * h => net.b[i - 2 * h] = value,
            i if i < 4 * h => net.v[i - 3 * h] = value,
            _ => net.c = value,
        }
    }

    fn gradient(work: &Workspace) -> Vec<f64> {
        let mut g: Vec<f64> = work
            .grad_w
            .iter()
            .chain(&work.grad_b)
            .chain(&work.grad_v)
            .copied()
            .collect();
        g.push(work.grad_c);
        g
    }

    #[test]
    fn backward_pass_matches_central_differences() {
        let samples = Samples::generate(Dataset::Moons, 40, 0.2, 3).unwrap();
        for activation in [Activation::Tanh, Activation::Relu] {
            for output in [Output::SigmoidCrossEntropy, Output::LinearSquaredError] {
                let hidden = 5;
                let mut net =
                    Network::new(hidden, activation, output, Init::Random { seed: 11 }).unwrap();
                // Non-zero biases, so that their gradients are checked in general position.
                let mut rng = default_rng(5);
                for b in net.b.iter_mut() {
                    *b = 0.5 * StandardNormal.sample(&mut rng);
                }
                net.c = 0.3;
                let mut work = Workspace::new(hidden, samples.len()).unwrap();
                net.backward(&samples, &mut work);
                // A finite difference across a ReLU kink would be meaningless: make sure no
                // pre-activation is within reach of the step.
                let nearest_kink = work.pre.iter().fold(f64::INFINITY, |m, h| m.min(h.abs()));
                assert!(nearest_kink > 1e-3, "{nearest_kink}");
                let analytic = gradient(&work);
                let theta = parameters(&net);
                assert_eq!(theta.len(), PARAMETERS * hidden + 1);
                // Small enough that truncation error (~eps²) is negligible, large enough that
                // the rounding error of the loss (~1e-16 / eps) is too.
                let eps = 1e-5;
                let mut worst = 0.0f64;
                for (i, (&p, &g)) in theta.iter().zip(&analytic).enumerate() {
                    set_parameter(&mut net, i, p + eps);
                    let plus = net.loss(&samples).unwrap();
                    set_parameter(&mut net, i, p - eps);
                    let minus = net.loss(&samples).unwrap();
                    set_parameter(&mut net, i, p);
                    let numeric = (plus - minus) / (2.0 * eps);
                    let scale = g.abs().max(numeric.abs());
                    // Components that vanish (a ReLU unit silent on every sample) must vanish
                    // in both; the rest must agree to a relative 1e-6.
                    let error = if scale < 1e-10 {
                        0.0
                    } else {
                        (g - numeric).abs() / scale
                    };
                    assert!(
                        error < 1e-6,
                        "{activation:?} {output:?} parameter {i}: analytic {g:e}, numeric {numeric:e}"
                    );
                    worst = worst.max(error);
                }
                eprintln!("{activation:?} {output:?}: worst relative error {worst:e}");
            }
        }
    }

    #[test]
    fn largest_unit_difference_is_the_largest_pairwise_difference() {
        let net = Network::new(
            6,
            Activation::Tanh,
            Output::SigmoidCrossEntropy,
            Init::Random { seed: 2 },
        )
        .unwrap();
        let mut brute = 0.0f64;
        for j in 0..6 {
            for k in 0..6 {
                let (a, b) = (net.unit(j).unwrap(), net.unit(k).unwrap());
                for p in 0..PARAMETERS {
                    brute = brute.max((a[p] - b[p]).abs());
                }
            }
        }
        assert_eq!(net.largest_unit_difference(), brute);
        assert!(brute > 0.0);
        assert_eq!(net.unit(6), None);
        let mut nan = net.clone();
        nan.v[3] = f64::NAN;
        assert!(nan.largest_unit_difference().is_nan());
    }

    #[test]
    fn lines_are_thinned_evenly_and_keep_both_ends() {
        assert_eq!(sampled_steps(0), Vec::<usize>::new());
        assert_eq!(sampled_steps(1), vec![0]);
        assert_eq!(sampled_steps(500), (0..500).collect::<Vec<_>>());
        assert_eq!(sampled_steps(501), (0..501).step_by(2).collect::<Vec<_>>());
        let long = sampled_steps(2001);
        assert!(long.len() <= MAX_LINE_POINTS + 1);
        assert_eq!((long[0], long[1], *long.last().unwrap()), (0, 5, 2000));
    }

    #[test]
    fn numbers_in_summaries_are_short() {
        assert_eq!(short(0.0), "0.000");
        assert_eq!(short(0.5412), "0.541");
        assert_eq!(short(11.6189), "11.619");
        assert_eq!(short(3.2e-7), "3.20e-7");
        assert_eq!(short(f64::NAN), "NaN");
    }
}
