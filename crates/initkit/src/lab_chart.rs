//! The lab's charts, built as plotly.js figure JSON.
//!
//! JSON has no NaN or infinity, and a log axis cannot show 0, so a variance that overflowed,
//! underflowed or became undefined is never left as a silent gap: it is drawn as a marker at
//! the edge of the plot (▲ overflow at the top, ▼ underflow at the bottom, ✕ undefined at the
//! top) with a hover note, and each chart's text summary lists where it happened.

use crate::activation::Activation;
use crate::chart::{BLUE, GRID, axis};
use crate::chart::{Chart, Sweep};
use crate::error::{Error, Result};
use crate::lab::{Fan, Lab, Run, Scale, gain_stds, round3, simulate};
use crate::propagate::expected_output_variance;
use crate::theory::MeanField;
use serde_json::{Value, json};

const ORANGE: &str = "#ff7f0e";
const GREEN: &str = "#2ca02c";
const RED: &str = "#d62728";
const PURPLE: &str = "#9467bd";

/// The slider's scales: `sigma * sqrt(fan_in) = 2^(-2 + i/6)`, `i = 0..=24`, from 0.25 to 4
/// in 25 steps of 12%, which include 0.5, 1 (LeCun, and Xavier for square layers), sqrt 2
/// (He), 2 and 4 exactly. 25 steps keep the chart's compute near 0.2 s at width 256, depth 30.
pub fn slider_gains() -> Vec<f64> {
    (0..=24)
        .map(|i| match i {
            // powf is within an ulp of these; pin the schemes' own values.
            15 => std::f64::consts::SQRT_2,
            21 => 2.0 * std::f64::consts::SQRT_2,
            _ if i % 6 == 0 => 2f64.powi(i / 6 - 2),
            _ => 2f64.powf(-2.0 + f64::from(i) / 6.0),
        })
        .collect()
}

/// How a plotted value left the range of doubles, if it did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lost {
    Overflow,
    Underflow,
    Undefined,
}

impl Lost {
    fn of(v: f64) -> Option<Lost> {
        if v.is_nan() {
            Some(Lost::Undefined)
        } else if v.is_infinite() {
            Some(Lost::Overflow)
        } else if v <= 0.0 {
            Some(Lost::Underflow)
        } else {
            None
        }
    }

    fn note(self) -> &'static str {
        match self {
            Lost::Overflow => "overflow: beyond the largest double, 1.8e308 (inf)",
            Lost::Underflow => "underflow: vanished to 0, below the smallest double, 4.9e-324",
            Lost::Undefined => "undefined (NaN): the forward pass overflowed first",
        }
    }

    fn short(self) -> &'static str {
        match self {
            Lost::Overflow => "overflow beyond 1e308",
            Lost::Underflow => "underflow to 0",
            Lost::Undefined => "undefined (NaN) after overflow",
        }
    }

    const ALL: [Lost; 3] = [Lost::Overflow, Lost::Underflow, Lost::Undefined];
}

/// One line of a panel: per-layer values, simulated (markers and line) or predicted (dashed).
struct Line<'a> {
    name: String,
    ys: &'a [f64],
    color: &'static str,
    simulated: bool,
    dash: &'static str,
}

/// Axis range in log10 units covering every finite positive value, with room at both edges
/// for the markers of lost values.
fn log_range<'a>(values: impl IntoIterator<Item = &'a f64>) -> [f64; 2] {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for &v in values {
        if v.is_finite() && v > 0.0 {
            lo = lo.min(v.log10());
            hi = hi.max(v.log10());
        }
    }
    if !lo.is_finite() {
        return [-1.0, 1.0];
    }
    let pad = 0.08 * (hi - lo).max(2.0);
    // Plotly takes log ranges in decades; keep the edges (and so the markers placed just
    // inside them) within the doubles.
    [(lo - pad).max(-320.0), (hi + pad).min(308.0)]
}

/// Where a lost value's marker goes on an axis of `range` (log10 units): inside the edge.
fn edge(lost: Lost, range: [f64; 2]) -> f64 {
    let inset = 0.025 * (range[1] - range[0]);
    match lost {
        Lost::Underflow => 10f64.powf(range[0] + inset),
        Lost::Overflow | Lost::Undefined => 10f64.powf(range[1] - inset),
    }
}

/// The finite positive values of `ys` with null elsewhere, and the lost points as
/// `(layer, kind)`.
fn split(ys: &[f64]) -> (Vec<Value>, Vec<(usize, Lost)>) {
    let mut shown = Vec::with_capacity(ys.len());
    let mut lost = Vec::new();
    for (i, &v) in ys.iter().enumerate() {
        match Lost::of(v) {
            None => shown.push(json!(v)),
            Some(kind) => {
                shown.push(Value::Null);
                lost.push((i + 1, kind));
            }
        }
    }
    (shown, lost)
}

/// The traces of one panel: its lines, then one marker trace per kind of lost value (empty
/// ones too when `keep_empty`, so a slider can refill them), with notes for the summary.
fn panel_traces(
    lines: &[Line],
    axes: (&str, &str),
    range: [f64; 2],
    show_legend: bool,
    keep_empty: bool,
    notes: &mut Vec<String>,
) -> Vec<Value> {
    let mut traces = Vec::new();
    let mut markers: Vec<(Vec<usize>, Vec<f64>, Vec<String>)> = vec![Default::default(); 3];
    for line in lines {
        let (shown, lost) = split(line.ys);
        let layers: Vec<usize> = (1..=line.ys.len()).collect();
        let mut trace = json!({
            "type": "scatter",
            "x": layers,
            "y": shown,
            "name": line.name,
            "legendgroup": line.name,
            "showlegend": show_legend,
            "xaxis": axes.0,
            "yaxis": axes.1,
            "hovertemplate": format!("{}<br>layer %{{x}}<br>variance %{{y:.3e}}<extra></extra>", line.name),
        });
        if line.simulated {
            // Points only, so the theory line beneath stays visible where they agree.
            trace["mode"] = json!("markers");
            trace["marker"] = json!({"color": line.color, "size": 6, "opacity": 0.85});
        } else {
            trace["mode"] = json!("lines");
            trace["line"] = json!({"color": line.color, "width": 2, "dash": line.dash});
        }
        traces.push(trace);
        for kind in Lost::ALL {
            let at: Vec<usize> = lost.iter().filter(|l| l.1 == kind).map(|l| l.0).collect();
            if at.is_empty() {
                continue;
            }
            notes.push(format!(
                "{}: {} at {}",
                line.name,
                kind.short(),
                layer_list(&at)
            ));
            let slot = &mut markers[kind as usize];
            for layer in at {
                slot.0.push(layer);
                slot.1.push(edge(kind, range));
                slot.2
                    .push(format!("{}, layer {layer}: {}", line.name, kind.note()));
            }
        }
    }
    for kind in Lost::ALL {
        let (xs, ys, text) = &markers[kind as usize];
        if xs.is_empty() && !keep_empty {
            continue;
        }
        traces.push(marker_trace(kind, xs, ys, text, axes, show_legend));
    }
    traces
}

fn marker_trace(
    kind: Lost,
    xs: &[usize],
    ys: &[f64],
    text: &[String],
    axes: (&str, &str),
    show_legend: bool,
) -> Value {
    let (name, symbol, color) = match kind {
        Lost::Overflow => ("▲ overflow (inf)", "triangle-up", RED),
        Lost::Underflow => ("▼ underflow (0)", "triangle-down", PURPLE),
        Lost::Undefined => ("✕ undefined (NaN)", "x", "#555"),
    };
    json!({
        "type": "scatter",
        "mode": "markers",
        "x": xs,
        "y": ys,
        "text": text,
        "name": name,
        "legendgroup": name,
        "showlegend": show_legend,
        "xaxis": axes.0,
        "yaxis": axes.1,
        "marker": {"symbol": symbol, "size": 10, "color": color,
                   "line": {"width": 1, "color": "white"}},
        "hovertemplate": "%{text}<extra></extra>",
        "cliponaxis": false,
    })
}

/// `3, 5-9, 12` for layers 3, 5, 6, 7, 8, 9, 12.
fn layer_list(layers: &[usize]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < layers.len() {
        let mut j = i;
        while j + 1 < layers.len() && layers[j + 1] == layers[j] + 1 {
            j += 1;
        }
        let word = if j == i { "layer" } else { "layers" };
        parts.push(if j == i {
            format!("{word} {}", layers[i])
        } else {
            format!("{word} {}-{}", layers[i], layers[j])
        });
        i = j + 1;
    }
    parts.join(", ")
}

fn log_axis(title: &str, range: [f64; 2], anchor: &str) -> Value {
    let mut a = axis(title);
    a["type"] = json!("log");
    a["range"] = json!(range);
    a["exponentformat"] = json!("power");
    a["anchor"] = json!(anchor);
    a
}

fn layer_axis(domain: [f64; 2], anchor: &str) -> Value {
    let mut a = axis("Layer");
    a["domain"] = json!(domain);
    a["anchor"] = json!(anchor);
    a
}

fn base_layout(title: &str, height: u32) -> Value {
    json!({
        "title": {"text": title, "x": 0.5},
        "height": height,
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "margin": {"l": 80, "r": 30, "t": 90, "b": 60},
        "legend": {"orientation": "h", "y": -0.18},
        "hovermode": "closest",
    })
}

fn panel_title(text: &str, x: f64) -> Value {
    json!({"text": format!("<b>{text}</b>"), "x": x, "y": 1.0, "xref": "paper", "yref": "paper",
           "xanchor": "center", "yanchor": "bottom", "showarrow": false})
}

fn summary(title: &str, notes: &[String]) -> String {
    if notes.is_empty() {
        format!("{title} (interactive plotly chart). Every value is within the range of doubles.")
    } else {
        format!(
            "{title} (interactive plotly chart). Values that left the range of doubles, marked \
             at the plot's edge: {}.",
            notes.join("; ")
        )
    }
}

impl Sweep {
    /// The lesson's chart with theory laid over it: the simulated output variance (points) and
    /// the expectation `(width sigma^2)^L (1 - 1/width)` ([`expected_output_variance`], a
    /// line over 200 stds), on a log axis, with the std that keeps the variance, `1/sqrt(width)`,
    /// marked. `width` is the simulated network's (512 for [`Sweep::lesson`]).
    ///
    /// ```
    /// let chart = initkit::Sweep::lesson()?.theory_chart(512)?;
    /// assert!(chart.summary().contains("theory"));
    /// # Ok::<(), initkit::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidCount`] for `width == 0`; [`Error::InvalidValue`] for a bad std.
    pub fn theory_chart(&self, width: usize) -> Result<Chart> {
        let (figure, summary) = self.theory_figure(width)?;
        Ok(Chart::from_figure(figure, summary))
    }

    pub(crate) fn theory_figure(&self, width: usize) -> Result<(Value, String)> {
        let lo = self.init_stds.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = self.init_stds.iter().copied().fold(0.0, f64::max);
        let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
        let fine: Vec<f64> = (0..200)
            .map(|i| lo + (hi - lo) * f64::from(i) / 199.0)
            .collect();
        let theory = fine
            .iter()
            .map(|&s| expected_output_variance(self.n_layers, s, width))
            .collect::<Result<Vec<f64>>>()?;
        let range = log_range(self.variances.iter().chain(theory.iter().skip(1)));
        let mut notes = Vec::new();
        let mut lost_traces = Vec::new();
        for (name, xs, ys) in [
            ("simulated", &self.init_stds, &self.variances),
            ("theory", &fine, &theory),
        ] {
            let mut by_kind: Vec<(Vec<f64>, Vec<f64>, Vec<String>)> = vec![Default::default(); 3];
            for (&x, &y) in xs.iter().zip(ys.iter()) {
                if let Some(kind) = Lost::of(y) {
                    if name == "theory" && x == 0.0 {
                        continue; // std 0 gives exactly 0: the theory line just starts later
                    }
                    let slot = &mut by_kind[kind as usize];
                    slot.0.push(x);
                    slot.1.push(edge(kind, range));
                    slot.2
                        .push(format!("{name}, init std {x:.4}: {}", kind.note()));
                }
            }
            for kind in Lost::ALL {
                let (xs, ys, text) = &by_kind[kind as usize];
                if !xs.is_empty() {
                    notes.push(format!("{name}: {} at {} stds", kind.short(), xs.len()));
                    let mut t = marker_trace(kind, &[], ys, text, ("x", "y"), true);
                    t["x"] = json!(xs);
                    lost_traces.push(t);
                }
            }
        }
        let finite = |ys: &[f64]| -> Vec<Value> {
            ys.iter()
                .map(|&v| {
                    if Lost::of(v).is_none() {
                        json!(v)
                    } else {
                        Value::Null
                    }
                })
                .collect()
        };
        let keep = 1.0 / (width as f64).sqrt();
        let mut data = vec![
            json!({
                "type": "scatter", "mode": "lines", "x": fine, "y": finite(&theory),
                "name": format!("theory: ({width}·std²)<sup>{}</sup> · (1 − 1/{width})", self.n_layers),
                "line": {"color": ORANGE, "width": 2, "dash": "dash"},
                "hovertemplate": "init std %{x:.4g}<br>expected %{y:.4e}<extra>theory</extra>",
            }),
            json!({
                "type": "scatter", "mode": "markers", "x": self.init_stds,
                "y": finite(&self.variances), "name": "simulated (seed 0)",
                "marker": {"color": BLUE, "size": 8},
                "hovertemplate": "init std %{x:.4g}<br>output variance %{y:.4e}<extra>simulated</extra>",
            }),
        ];
        data.extend(lost_traces);
        let title = format!(
            "Variance After {} Layers: Simulation and Theory",
            self.n_layers
        );
        let mut layout = base_layout(&title, 480);
        layout["xaxis"] = axis("Init std");
        layout["yaxis"] = log_axis("Output variance", range, "x");
        if keep >= lo && keep <= hi {
            layout["shapes"] = json!([{"type": "line", "xref": "x", "yref": "paper", "x0": keep,
                "x1": keep, "y0": 0, "y1": 1, "line": {"color": GREEN, "dash": "dot", "width": 1.5}}]);
            layout["annotations"] = json!([{"x": keep, "y": 1, "xref": "x", "yref": "paper",
                "text": format!("std = 1/√{width}: variance kept "), "showarrow": false,
                "xanchor": "right", "yanchor": "top", "font": {"color": GREEN}}]);
        }
        layout["legend"] = json!({"x": 0.02, "y": 0.98, "bgcolor": "rgba(255,255,255,0.8)"});
        let figure = json!({"data": data, "layout": layout});
        let text = format!(
            "{} — {} simulated points and the theory curve",
            title,
            self.init_stds.len()
        );
        Ok((figure, summary(&text, &notes)))
    }
}

/// The four inits of the schemes chart, as gains `sigma * sqrt(n)`.
fn scheme_lines() -> [(String, f64, &'static str); 4] {
    [
        ("too small: 0.5/√n".into(), 0.5, PURPLE),
        ("Xavier: 1/√n".into(), 1.0, BLUE),
        ("He: √2/√n".into(), std::f64::consts::SQRT_2, GREEN),
        ("too large: 2.5/√n".into(), 2.5, RED),
    ]
}

impl Lab {
    /// Variance per layer for this lab: pre-activations and activations forward, gradients
    /// backward, each simulated (points) and predicted by mean-field theory (dashed).
    ///
    /// ```
    /// use initkit::{Activation, Lab, Scale};
    /// let chart = Lab::new(64, 10, Activation::Relu, Scale::He)?.layer_chart()?;
    /// assert!(chart.summary().starts_with("Variance per layer"));
    /// # Ok::<(), initkit::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Lab::run`].
    pub fn layer_chart(&self) -> Result<Chart> {
        let (figure, summary) = self.layer_figure()?;
        Ok(Chart::from_figure(figure, summary))
    }

    pub(crate) fn layer_figure(&self) -> Result<(Value, String)> {
        let run = self.run()?;
        let theory = self.theory()?;
        let lines = [
            line("pre-activation z (sim)", &run.pre_activation, BLUE, true),
            line(
                "pre-activation z (theory)",
                &theory.pre_activation,
                BLUE,
                false,
            ),
            line("activation φ(z) (sim)", &run.activation, GREEN, true),
            line("activation φ(z) (theory)", &theory.activation, GREEN, false),
            line("gradient ∂/∂z (sim)", &run.gradient, RED, true),
            line("gradient ∂/∂z (theory)", &theory.gradient, RED, false),
        ];
        let range = log_range(lines.iter().flat_map(|l| l.ys.iter()));
        let mut notes = Vec::new();
        let data = panel_traces(&lines, ("x", "y"), range, true, false, &mut notes);
        let title = format!(
            "Variance per layer: {}, {} init, width {}, batch {}",
            self.activation.name(),
            self.init.label(),
            self.width,
            self.batch
        );
        let mut layout = base_layout(&title, 500);
        layout["xaxis"] = layer_axis([0.0, 1.0], "y");
        layout["yaxis"] = log_axis("Variance (mean square)", range, "x");
        Ok((
            json!({"data": data, "layout": layout}),
            summary(&title, &notes),
        ))
    }

    /// Variance per layer (forward, pre-activations) under too-small, Xavier, He and too-large
    /// init, for tanh (left) and ReLU (right), simulated (points) and predicted (dashed). Uses
    /// this lab's width, depth, batch, bias and seed; its activation and init are not used.
    ///
    /// # Errors
    ///
    /// As [`Lab::run`].
    pub fn schemes_chart(&self) -> Result<Chart> {
        let (figure, summary) = self.schemes_figure()?;
        Ok(Chart::from_figure(figure, summary))
    }

    pub(crate) fn schemes_figure(&self) -> Result<(Value, String)> {
        let lab = self.check()?;
        let schemes = scheme_lines();
        let gains: Vec<f64> = schemes.iter().map(|s| s.1).collect();
        let widths = lab.widths()?;
        let stds = gain_stds(&widths, &gains)?;
        let mut data = Vec::new();
        let mut notes = Vec::new();
        let mut layout = base_layout(
            &format!(
                "Variance per layer, width {}: which init keeps the signal?",
                lab.width
            ),
            520,
        );
        for (p, act) in [Activation::Tanh, Activation::Relu].into_iter().enumerate() {
            let l = lab.with_activation(act);
            let runs = simulate(&l, &widths, &stds, None)?;
            let theories = stds
                .iter()
                .map(|s| MeanField::new(act, &widths, s, l.bias_std))
                .collect::<Result<Vec<_>>>()?;
            let mut lines = Vec::new();
            for ((scheme, run), theory) in schemes.iter().zip(&runs).zip(&theories) {
                lines.push(Line {
                    name: format!("{} (sim)", scheme.0),
                    ys: &run.pre_activation,
                    color: scheme.2,
                    simulated: true,
                    dash: "solid",
                });
                lines.push(Line {
                    name: format!("{} (theory)", scheme.0),
                    ys: &theory.pre_activation,
                    color: scheme.2,
                    simulated: false,
                    dash: "dash",
                });
            }
            let range = log_range(lines.iter().flat_map(|l| l.ys.iter()));
            let suffix = if p == 0 { "" } else { "2" };
            let (xa, ya) = (format!("x{suffix}"), format!("y{suffix}"));
            let mut panel_notes = Vec::new();
            data.extend(panel_traces(
                &lines,
                (&xa, &ya),
                range,
                p == 0,
                false,
                &mut panel_notes,
            ));
            notes.extend(
                panel_notes
                    .into_iter()
                    .map(|n| format!("{}: {n}", act.name())),
            );
            let domain = if p == 0 { [0.0, 0.46] } else { [0.54, 1.0] };
            layout[format!("xaxis{suffix}")] = layer_axis(domain, &ya);
            layout[format!("yaxis{suffix}")] = log_axis("Pre-activation variance", range, &xa);
            let centre = (domain[0] + domain[1]) / 2.0;
            let annotations = layout["annotations"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let mut annotations = annotations;
            annotations.push(panel_title(&act.name(), centre));
            layout["annotations"] = json!(annotations);
        }
        let title = format!(
            "Variance per layer for four inits, tanh and ReLU, width {}, depth {}",
            lab.width, lab.depth
        );
        Ok((
            json!({"data": data, "layout": layout}),
            summary(&title, &notes),
        ))
    }

    /// Variance per layer with a slider over the init scale `sigma * sqrt(n)` from 0.25 to 4
    /// ([`slider_gains`], 25 steps): forward pre-activations and backward gradients, simulated
    /// (points) and predicted (dashed), for this lab's activation, width, depth and batch. All
    /// steps are computed up front and stored in the figure (`layout.sliders` with `update`
    /// steps), so dragging redraws at once, with no round trip to the kernel. The slider starts
    /// at the step nearest this lab's own init. The y axis is fixed across steps.
    ///
    /// # Errors
    ///
    /// As [`Lab::run`].
    pub fn slider_chart(&self) -> Result<Chart> {
        let (figure, summary) = self.slider_figure(&slider_gains())?;
        Ok(Chart::from_figure(figure, summary))
    }

    pub(crate) fn slider_figure(&self, gains: &[f64]) -> Result<(Value, String)> {
        let lab = self.check()?;
        if gains.is_empty() {
            return Err(Error::count("gains", 0, "at least 1"));
        }
        let widths = lab.widths()?;
        let stds = gain_stds(&widths, gains)?;
        let runs = simulate(&lab, &widths, &stds, None)?;
        let theories = stds
            .iter()
            .map(|s| MeanField::new(lab.activation, &widths, s, lab.bias_std))
            .collect::<Result<Vec<_>>>()?;
        let lines_of =
            |run: &'_ Run, theory: &'_ MeanField| -> [(String, Vec<f64>, &'static str, bool); 4] {
                [
                    (
                        "forward: pre-activation (sim)".into(),
                        run.pre_activation.clone(),
                        BLUE,
                        true,
                    ),
                    (
                        "forward (theory)".into(),
                        theory.pre_activation.clone(),
                        BLUE,
                        false,
                    ),
                    (
                        "backward: gradient (sim)".into(),
                        run.gradient.clone(),
                        RED,
                        true,
                    ),
                    (
                        "backward (theory)".into(),
                        theory.gradient.clone(),
                        RED,
                        false,
                    ),
                ]
            };
        let range = log_range(
            runs.iter()
                .flat_map(|r| r.pre_activation.iter().chain(&r.gradient))
                .chain(
                    theories
                        .iter()
                        .flat_map(|t| t.pre_activation.iter().chain(&t.gradient)),
                ),
        );
        let own = lab.init.gain(lab.width)?;
        let active = gains
            .iter()
            .enumerate()
            .min_by(|a, b| {
                let d = |g: f64| (g.max(1e-300).ln() - own.max(1e-300).ln()).abs();
                d(*a.1).total_cmp(&d(*b.1))
            })
            .map_or(0, |(i, _)| i);
        let mut steps = Vec::with_capacity(gains.len());
        let mut first = Vec::new();
        let mut lost_steps = Vec::new();
        for (k, ((run, theory), &g)) in runs.iter().zip(&theories).zip(gains).enumerate() {
            let owned = lines_of(run, theory);
            let lines: Vec<Line> = owned
                .iter()
                .map(|(name, ys, color, sim)| Line {
                    name: name.clone(),
                    ys,
                    color,
                    simulated: *sim,
                    dash: "dash",
                })
                .collect();
            let mut notes = Vec::new();
            let traces = panel_traces(&lines, ("x", "y"), range, true, true, &mut notes);
            let label = format!("σ·√n = {}", round2(g));
            if !notes.is_empty() {
                lost_steps.push(format!("at {label}: {}", notes.join("; ")));
            }
            let title = step_title(&lab, g, run, theory);
            let pick =
                |key: &str| -> Vec<Value> { traces.iter().map(|t| t[key].clone()).collect() };
            steps.push(json!({
                "label": round2(g),
                "method": "update",
                "args": [
                    {"x": pick("x"), "y": pick("y"), "text": pick("text")},
                    {"title.text": title},
                ],
            }));
            if k == active {
                first = traces;
            }
        }
        let mut layout = base_layout(
            &step_title(&lab, gains[active], &runs[active], &theories[active]),
            560,
        );
        layout["xaxis"] = layer_axis([0.0, 1.0], "y");
        layout["yaxis"] = log_axis("Variance (mean square)", range, "x");
        layout["margin"]["b"] = json!(150);
        layout["legend"] = json!({"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0.0});
        layout["margin"]["t"] = json!(120);
        layout["sliders"] = json!([{
            "active": active,
            "currentvalue": {"prefix": "init scale σ·√n = ", "font": {"size": 14}},
            "pad": {"t": 50},
            "steps": steps,
        }]);
        let title = format!(
            "Variance per layer with a slider over the init scale ({} steps, σ·√n from {} to {}), \
             {}, width {}, depth {}",
            gains.len(),
            round2(gains[0]),
            round2(gains[gains.len() - 1]),
            lab.activation.name(),
            lab.width,
            lab.depth
        );
        Ok((
            json!({"data": first, "layout": layout}),
            summary(&title, &lost_steps),
        ))
    }

    /// Histograms of each layer's activations (about six layers from first to last, on fixed
    /// bins: [`Lab::histogram_edges`]) for this lab's activation under three inits: the
    /// "standard" `U(-1/sqrt n, 1/sqrt n)` scale that Glorot & Bengio (2010) started from
    /// (`std 1/sqrt(3n)`), a naive `std 1.0`, and Xavier. With tanh, the first shrinks toward 0
    /// layer by layer, the second saturates at +-1, Xavier keeps its shape.
    ///
    /// # Errors
    ///
    /// As [`Lab::run`].
    pub fn histogram_chart(&self) -> Result<Chart> {
        let (figure, summary) = self.histogram_figure()?;
        Ok(Chart::from_figure(figure, summary))
    }

    pub(crate) fn histogram_figure(&self) -> Result<(Value, String)> {
        let lab = self.check()?;
        let widths = lab.widths()?;
        let edges = lab.histogram_edges()?;
        let inits = [
            (
                "std 1/√(3n) (Glorot & Bengio's 'standard')",
                Scale::Gain(Fan::In, 1.0 / 3f64.sqrt()),
            ),
            ("naive std 1.0", Scale::Std(1.0)),
            ("Xavier", Scale::Xavier),
        ];
        let stds = inits
            .iter()
            .map(|(_, s)| Lab::stds_for(*s, &widths))
            .collect::<Result<Vec<_>>>()?;
        let runs = simulate(&lab, &widths, &stds, Some(&edges))?;
        let shown = shown_layers(lab.depth);
        let centres: Vec<f64> = edges.windows(2).map(|w| 0.5 * (w[0] + w[1])).collect();
        let mut data = Vec::new();
        let mut notes = Vec::new();
        let mut layout = base_layout("", 480);
        let mut annotations = Vec::new();
        let panels = inits.len() as f64;
        for (p, ((label, _), run)) in inits.iter().zip(&runs).enumerate() {
            let suffix = if p == 0 {
                String::new()
            } else {
                (p + 1).to_string()
            };
            let (xa, ya) = (format!("x{suffix}"), format!("y{suffix}"));
            let Some(hist) = &run.histograms else {
                continue;
            };
            let mut most_off = 0.0f64;
            for (j, &layer) in shown.iter().enumerate() {
                let counts = &hist.counts[layer - 1];
                let total: u64 = counts.iter().sum::<u64>()
                    + hist.outside[layer - 1].0
                    + hist.outside[layer - 1].1
                    + hist.non_finite[layer - 1];
                let fractions: Vec<f64> = counts
                    .iter()
                    .map(|&c| c as f64 / total.max(1) as f64)
                    .collect();
                let (below, above) = hist.outside[layer - 1];
                let off = below + above + hist.non_finite[layer - 1];
                most_off = most_off.max(off as f64 / total.max(1) as f64);
                if off > 0 {
                    notes.push(format!(
                        "{label}, layer {layer}: {off} of {total} values outside the bins \
                         ({below} below, {above} above, {} not finite)",
                        hist.non_finite[layer - 1]
                    ));
                }
                let shade = layer_colour(j, shown.len());
                data.push(json!({
                    "type": "scatter", "mode": "lines", "line": {"shape": "hvh", "color": shade, "width": 2},
                    "x": centres, "y": fractions, "xaxis": xa, "yaxis": ya,
                    "name": format!("layer {layer}"), "legendgroup": format!("layer {layer}"),
                    "showlegend": p == 0,
                    "hovertemplate": format!("layer {layer}<br>activation %{{x:.3f}}<br>fraction %{{y:.3f}}<extra>{label}</extra>"),
                }));
            }
            let gap = 0.05;
            let w = (1.0 - gap * (panels - 1.0)) / panels;
            let x0 = p as f64 * (w + gap);
            layout[format!("xaxis{suffix}")] = json!({
                "title": {"text": "Activation value"}, "domain": [x0, x0 + w], "anchor": ya,
                "range": [edges[0], edges[edges.len() - 1]],
                "showgrid": true, "gridcolor": GRID, "showline": true, "linecolor": "#444",
            });
            layout[format!("yaxis{suffix}")] = json!({
                "title": {"text": if p == 0 { "Fraction of units" } else { "" }},
                "anchor": xa, "rangemode": "tozero",
                "showgrid": true, "gridcolor": GRID, "showline": true, "linecolor": "#444",
            });
            // Values beyond the bins are not drawn; the panel says how many, so none vanish unseen.
            let heading = if most_off > 0.0 {
                format!(
                    "{label}<br>(up to {:.0}% of a layer beyond the bins)",
                    100.0 * most_off
                )
            } else {
                label.to_string()
            };
            annotations.push(panel_title(&heading, x0 + w / 2.0));
        }
        let title = format!(
            "Activation histograms per layer, {}, width {}, depth {}",
            lab.activation.name(),
            lab.width,
            lab.depth
        );
        layout["title"]["text"] = json!(title);
        layout["annotations"] = json!(annotations);
        layout["margin"]["t"] = json!(100);
        Ok((
            json!({"data": data, "layout": layout}),
            summary(&title, &notes),
        ))
    }

    /// Forward against backward variance per layer in a network whose widths grow
    /// geometrically from `width/2` to `2 width` (so every layer has `fan_out > fan_in`), with
    /// the gain of this lab's init (`He`: sqrt 2, `Xavier`/`LeCun`: 1, `Std(s)`: `s sqrt(width)`)
    /// divided by `sqrt(fan_in)`, `sqrt(fan_out)` and `sqrt(fan_avg)`. Fan-in keeps the forward
    /// variance and lets the gradient grow toward the input; fan-out keeps the gradient and
    /// lets the forward variance shrink; the average (Xavier's choice) halves both drifts.
    ///
    /// # Errors
    ///
    /// As [`Lab::run`].
    pub fn fan_chart(&self) -> Result<Chart> {
        let (figure, summary) = self.fan_figure()?;
        Ok(Chart::from_figure(figure, summary))
    }

    /// The widening network of [`Lab::fan_chart`]: `n_l = round(width/2 * 4^(l/L))`.
    ///
    /// # Errors
    ///
    /// As [`Lab::check`].
    pub fn widening_widths(&self) -> Result<Vec<usize>> {
        let lab = self.check()?;
        let start = (lab.width as f64 / 2.0).max(1.0);
        Ok((0..=lab.depth)
            .map(|l| {
                let w = start * 4f64.powf(l as f64 / lab.depth as f64);
                (w.round() as usize).max(1)
            })
            .collect())
    }

    pub(crate) fn fan_figure(&self) -> Result<(Value, String)> {
        let lab = self.check()?;
        let gain = lab.init.gain(lab.width)?;
        let widths = lab.widening_widths()?;
        let fans = [
            (Fan::In, "fan_in", BLUE),
            (Fan::Out, "fan_out", RED),
            (Fan::Average, "fan_avg (Xavier)", GREEN),
        ];
        let stds = fans
            .iter()
            .map(|(fan, _, _)| Lab::stds_for(Scale::Gain(*fan, gain), &widths))
            .collect::<Result<Vec<_>>>()?;
        let runs = simulate(&lab, &widths, &stds, None)?;
        let theories = stds
            .iter()
            .map(|s| MeanField::new(lab.activation, &widths, s, lab.bias_std))
            .collect::<Result<Vec<_>>>()?;
        let mut data = Vec::new();
        let mut notes = Vec::new();
        let g = round2(gain);
        let mut layout = base_layout("", 520);
        let mut annotations = Vec::new();
        for (p, (panel, pick)) in [
            ("Forward: pre-activation variance", 0usize),
            ("Backward: gradient variance", 1),
        ]
        .into_iter()
        .enumerate()
        {
            let mut lines = Vec::new();
            for (((_, name, colour), run), theory) in fans.iter().zip(&runs).zip(&theories) {
                let (sim, th) = if pick == 0 {
                    (&run.pre_activation, &theory.pre_activation)
                } else {
                    (&run.gradient, &theory.gradient)
                };
                lines.push(Line {
                    name: format!("{g}/√{name} (sim)"),
                    ys: sim,
                    color: colour,
                    simulated: true,
                    dash: "solid",
                });
                lines.push(Line {
                    name: format!("{g}/√{name} (theory)"),
                    ys: th,
                    color: colour,
                    simulated: false,
                    dash: "dash",
                });
            }
            let range = log_range(lines.iter().flat_map(|l| l.ys.iter()));
            let suffix = if p == 0 { "" } else { "2" };
            let (xa, ya) = (format!("x{suffix}"), format!("y{suffix}"));
            let mut panel_notes = Vec::new();
            data.extend(panel_traces(
                &lines,
                (&xa, &ya),
                range,
                p == 0,
                false,
                &mut panel_notes,
            ));
            notes.extend(panel_notes.into_iter().map(|n| format!("{panel}: {n}")));
            let domain = if p == 0 { [0.0, 0.46] } else { [0.54, 1.0] };
            layout[format!("xaxis{suffix}")] = layer_axis(domain, &ya);
            layout[format!("yaxis{suffix}")] = log_axis(panel, range, &xa);
            annotations.push(panel_title(panel, (domain[0] + domain[1]) / 2.0));
        }
        let title = format!(
            "Forward vs backward, {}: widths grow from {} to {} over {} layers",
            lab.activation.name(),
            widths[0],
            widths[widths.len() - 1],
            lab.depth
        );
        layout["title"]["text"] = json!(title);
        layout["annotations"] = json!(annotations);
        Ok((
            json!({"data": data, "layout": layout}),
            summary(&title, &notes),
        ))
    }
}

fn line<'a>(name: &str, ys: &'a [f64], color: &'static str, simulated: bool) -> Line<'a> {
    Line {
        name: name.into(),
        ys,
        color,
        simulated,
        dash: "dash",
    }
}

fn round2(v: f64) -> String {
    format!("{v:.2}")
}

/// The title of one slider step: the scale and what happens at the last layer.
fn step_title(lab: &Lab, gain: f64, run: &Run, theory: &MeanField) -> String {
    let last = |v: &[f64]| v.last().copied().unwrap_or(f64::NAN);
    let describe = |v: f64| match Lost::of(v) {
        Some(kind) => kind.short().to_string(),
        None => format!("{v:.2e}"),
    };
    format!(
        "{}, σ·√n = {}: at layer {}, forward {} (theory {}), gradient at layer 1 {}",
        lab.activation.name(),
        round3(gain),
        lab.depth,
        describe(last(&run.pre_activation)),
        describe(last(&theory.pre_activation)),
        describe(run.gradient.first().copied().unwrap_or(f64::NAN)),
    )
}

/// About six layers from the first to the last, evenly spread.
fn shown_layers(depth: usize) -> Vec<usize> {
    let k = depth.min(6);
    let mut layers: Vec<usize> = (0..k)
        .map(|i| 1 + (i * (depth - 1)) / (k - 1).max(1))
        .collect();
    layers.dedup();
    layers
}

/// From light to dark blue with depth.
fn layer_colour(j: usize, n: usize) -> String {
    let t = if n <= 1 {
        1.0
    } else {
        j as f64 / (n - 1) as f64
    };
    let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    format!(
        "rgb({},{},{})",
        mix(158.0, 8.0),
        mix(202.0, 48.0),
        mix(225.0, 107.0)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> Lab {
        Lab {
            width: 32,
            depth: 8,
            batch: 4,
            ..Lab::DEFAULT
        }
    }

    fn named<'a>(figure: &'a Value, name: &str) -> Vec<&'a Value> {
        figure["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["name"].as_str().unwrap_or("").contains(name))
            .collect()
    }

    /// Every number in the figure is finite: JSON could not hold anything else, and serde_json
    /// writes NaN and infinity as null, which must only appear where a marker explains it.
    fn nulls(v: &Value) -> usize {
        match v {
            Value::Null => 1,
            Value::Array(a) => a.iter().map(nulls).sum(),
            Value::Object(o) => o.values().map(nulls).sum(),
            _ => 0,
        }
    }

    #[test]
    fn lesson_chart_with_theory() {
        let sweep = Sweep::lesson().unwrap();
        let (figure, text) = sweep.theory_figure(512).unwrap();
        assert_eq!(figure["layout"]["yaxis"]["type"], "log");
        let theory = named(&figure, "theory")[0];
        let sim = named(&figure, "simulated")[0];
        assert_eq!(sim["x"].as_array().unwrap().len(), 20);
        assert_eq!(sim["mode"], "markers");
        let xs = theory["x"].as_array().unwrap();
        let ys = theory["y"].as_array().unwrap();
        assert_eq!(xs.len(), 200);
        for (x, y) in xs.iter().zip(ys).skip(1) {
            let want = expected_output_variance(3, x.as_f64().unwrap(), 512).unwrap();
            assert_eq!(y.as_f64().unwrap(), want);
        }
        // The simulated points lie near the curve (3 layers of width 512: a few percent).
        for (x, y) in sweep.init_stds.iter().zip(&sweep.variances) {
            let want = expected_output_variance(3, *x, 512).unwrap();
            assert!((y / want - 1.0).abs() < 0.25);
        }
        assert!(text.contains("within the range of doubles"));
        assert_eq!(nulls(&figure), 0);
    }

    #[test]
    fn schemes_chart_has_two_log_panels_of_four_inits() {
        let (figure, _) = small().schemes_figure().unwrap();
        assert_eq!(figure["layout"]["yaxis"]["type"], "log");
        assert_eq!(figure["layout"]["yaxis2"]["type"], "log");
        assert_eq!(figure["layout"]["xaxis2"]["anchor"], "y2");
        for scheme in ["too small", "Xavier", "He", "too large"] {
            let traces = named(&figure, scheme);
            assert_eq!(traces.len(), 4, "{scheme}: sim and theory, two panels");
            assert_eq!(traces.iter().filter(|t| t["xaxis"] == "x2").count(), 2);
        }
        let annotations = figure["layout"]["annotations"].to_string();
        assert!(annotations.contains("tanh") && annotations.contains("ReLU"));
    }

    #[test]
    fn slider_steps_carry_every_scale() {
        let lab = small()
            .with_activation(Activation::Relu)
            .with_init(Scale::He);
        let gains = slider_gains();
        assert_eq!(gains.len(), 25);
        assert_eq!((gains[12], gains[15]), (1.0, std::f64::consts::SQRT_2));
        assert_eq!(
            (gains[0], gains[6], gains[18], gains[24]),
            (0.25, 0.5, 2.0, 4.0)
        );
        assert!(
            gains
                .windows(2)
                .all(|w| (w[1] / w[0] - 2f64.powf(1.0 / 6.0)).abs() < 1e-12)
        );
        let (figure, _) = lab.slider_figure(&gains).unwrap();
        let slider = &figure["layout"]["sliders"][0];
        let steps = slider["steps"].as_array().unwrap();
        assert_eq!(steps.len(), 25);
        assert_eq!(slider["active"], 15, "starts at He's own scale");
        assert_eq!(steps[15]["label"], "1.41");
        assert_eq!(steps[0]["label"], "0.25");
        assert!(
            slider["currentvalue"]["prefix"]
                .as_str()
                .unwrap()
                .contains("σ·√n")
        );
        let traces = figure["data"].as_array().unwrap();
        assert_eq!(
            traces.len(),
            7,
            "4 lines and 3 marker traces, always present"
        );
        for step in steps {
            assert_eq!(step["method"], "update");
            let ys = step["args"][0]["y"].as_array().unwrap();
            assert_eq!(ys.len(), 7);
            assert_eq!(ys[0].as_array().unwrap().len(), 8);
            assert!(
                step["args"][1]["title.text"]
                    .as_str()
                    .unwrap()
                    .contains("σ·√n")
            );
        }
        // The initial data is the active step's.
        assert_eq!(figure["data"][0]["y"], steps[15]["args"][0]["y"][0]);
        // ReLU at He: theory says the forward variance stays 2 at every layer.
        for y in steps[15]["args"][0]["y"][1].as_array().unwrap() {
            assert!((y.as_f64().unwrap() - 2.0).abs() < 1e-12);
        }
        assert_eq!(figure["layout"]["yaxis"]["type"], "log");
    }

    #[test]
    fn overflow_is_marked_at_the_top_edge() {
        let big = Lab {
            width: 100,
            depth: 400,
            activation: Activation::Relu,
            init: Scale::Std(10.0),
            ..Lab::DEFAULT
        };
        let (figure, text) = big.layer_figure().unwrap();
        let range = figure["layout"]["yaxis"]["range"].as_array().unwrap();
        let top = range[1].as_f64().unwrap();
        let over = named(&figure, "overflow");
        assert_eq!(over.len(), 1);
        let ys = over[0]["y"].as_array().unwrap();
        assert!(!ys.is_empty());
        for y in ys {
            let y = y.as_f64().unwrap();
            assert!(y.is_finite() && y.log10() < top && y.log10() > top - 0.1 * (top + 1.0));
        }
        assert!(over[0]["text"][0].as_str().unwrap().contains("1.8e308"));
        // Undefined gradients (forward overflowed) have their own markers.
        assert_eq!(named(&figure, "undefined").len(), 1);
        assert!(text.contains("overflow beyond 1e308") && text.contains("undefined (NaN)"));
        // Each null in a line is explained by exactly one marker.
        let markers: usize = ["overflow", "underflow", "undefined"]
            .iter()
            .flat_map(|k| named(&figure, k))
            .map(|t| t["x"].as_array().unwrap().len())
            .sum();
        assert_eq!(nulls(&figure), markers);
    }

    #[test]
    fn underflow_is_marked_at_the_bottom_edge() {
        let tiny = Lab {
            width: 100,
            depth: 400,
            init: Scale::Std(0.01),
            ..Lab::DEFAULT
        };
        let (figure, text) = tiny.layer_figure().unwrap();
        let bottom = figure["layout"]["yaxis"]["range"][0].as_f64().unwrap();
        let under = named(&figure, "underflow");
        assert_eq!(under.len(), 1);
        for y in under[0]["y"].as_array().unwrap() {
            let y = y.as_f64().unwrap();
            assert!(y > 0.0 && y.log10() > bottom);
        }
        assert!(under[0]["text"][0].as_str().unwrap().contains("underflow"));
        assert!(text.contains("underflow to 0"));
        assert!(named(&figure, "overflow").is_empty());
    }

    #[test]
    fn histograms_and_fans() {
        let (figure, _) = small().histogram_figure().unwrap();
        let traces = figure["data"].as_array().unwrap();
        assert_eq!(traces.len(), 3 * shown_layers(8).len());
        for t in traces {
            let total: f64 = t["y"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .sum();
            assert!(total <= 1.0 + 1e-12 && total > 0.0);
            assert_eq!(t["x"].as_array().unwrap().len(), 40);
        }
        assert!(figure["layout"]["xaxis3"].is_object());
        let lab = small()
            .with_activation(Activation::Relu)
            .with_init(Scale::He);
        let widths = lab.widening_widths().unwrap();
        assert_eq!((widths[0], widths[8]), (16, 64));
        let (figure, _) = lab.fan_figure().unwrap();
        for fan in ["fan_in", "fan_out", "fan_avg"] {
            assert_eq!(
                named(&figure, fan).len(),
                4,
                "{fan}: forward and backward, sim and theory"
            );
        }
        assert_eq!(figure["layout"]["yaxis2"]["type"], "log");
        assert_eq!(shown_layers(1), vec![1]);
        assert_eq!(shown_layers(30), vec![1, 6, 12, 18, 24, 30]);
        assert_eq!(layer_list(&[3, 5, 6, 7, 9]), "layer 3, layers 5-7, layer 9");
    }

    #[test]
    fn charts_wrap_the_figures() {
        let lab = small();
        let chart = lab.layer_chart().unwrap();
        let json: Value = serde_json::from_str(&chart.to_json()).unwrap();
        assert_eq!(json["layout"]["yaxis"]["type"], "log");
        assert!(chart.summary().contains("Variance per layer"));
        assert!(lab.slider_chart().unwrap().to_json().contains("sliders"));
        assert!(
            lab.schemes_chart().is_ok() && lab.histogram_chart().is_ok() && lab.fan_chart().is_ok()
        );
        assert!(Lab { width: 0, ..lab }.slider_chart().is_err());
    }
}
