//! The lesson's comparison table: the scale each framework's scheme gives a few layers,
//! computed from their fans without drawing a single weight.

use crate::error::Result;
use crate::initializers::{
    FanMode, Fans, Layout, Nonlinearity, Spread, VarianceScaling, kaiming_normal_std,
    kaiming_uniform_bound, lecun_normal_std, xavier_normal_std, xavier_uniform_bound,
};
use std::fmt;

/// A table of the bound or std that PyTorch's and Keras's schemes give some layers, with the
/// standard deviation of the weights each one draws: shown as HTML in a notebook, as aligned
/// text by `Display`.
///
/// ```
/// let table = initkit::SchemeTable::lesson();
/// let text = table.to_string();
/// assert!(text.contains("xavier_uniform_"));
/// assert!(table.to_html().starts_with("<table"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SchemeTable {
    layers: Vec<TableLayer>,
    rows: Vec<SchemeRow>,
}

#[derive(Debug, Clone, PartialEq)]
struct TableLayer {
    name: String,
    fans: Fans,
}

/// One scheme of a [`SchemeTable`]: which framework, which initializer, and what it gives each
/// layer.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemeRow {
    framework: &'static str,
    initializer: &'static str,
    spreads: Vec<Spread>,
}

impl SchemeRow {
    /// The framework the name belongs to, such as `PyTorch` or `Keras` (`PyTorch default` for
    /// what `nn.Linear` and `nn.Conv*d` do to their weights unasked).
    pub fn framework(&self) -> &str {
        self.framework
    }

    /// The initializer under that framework's name, with its arguments.
    pub fn initializer(&self) -> &str {
        self.initializer
    }

    /// What the initializer draws for each layer of the table, in column order.
    pub fn spreads(&self) -> &[Spread] {
        &self.spreads
    }
}

/// How each row computes its spread from a layer's fans: PyTorch layout and Keras layout fans.
type Scheme = fn(Fans, Fans) -> Result<Spread>;

fn schemes() -> [(&'static str, &'static str, Scheme); 8] {
    [
        ("PyTorch", "xavier_uniform_", |f, _| {
            Ok(Spread::Uniform {
                bound: xavier_uniform_bound(f, 1.0)?,
            })
        }),
        ("Keras", "GlorotUniform", |_, k| {
            Ok(VarianceScaling::glorot_uniform().spread(k))
        }),
        ("PyTorch", "xavier_normal_", |f, _| {
            Ok(Spread::Normal {
                std: xavier_normal_std(f, 1.0)?,
            })
        }),
        ("PyTorch", "kaiming_uniform_(relu, fan_in)", |f, _| {
            Ok(Spread::Uniform {
                bound: kaiming_uniform_bound(f, FanMode::FanIn, Nonlinearity::Relu)?,
            })
        }),
        ("PyTorch", "kaiming_normal_(relu, fan_in)", |f, _| {
            Ok(Spread::Normal {
                std: kaiming_normal_std(f, FanMode::FanIn, Nonlinearity::Relu)?,
            })
        }),
        ("Keras", "HeNormal", |_, k| {
            Ok(VarianceScaling::he_normal().spread(k))
        }),
        (
            "PyTorch",
            "kaiming_normal_(linear) = LeCun normal",
            |f, _| {
                Ok(Spread::Normal {
                    std: lecun_normal_std(f),
                })
            },
        ),
        // What nn.Linear and nn.Conv*d do to their weights when nothing else is asked.
        ("PyTorch default", "kaiming_uniform_(a=√5)", |f, _| {
            let slope = Nonlinearity::LeakyRelu {
                negative_slope: 5f64.sqrt(),
            };
            Ok(Spread::Uniform {
                bound: kaiming_uniform_bound(f, FanMode::FanIn, slope)?,
            })
        }),
    ]
}

impl SchemeTable {
    /// The lesson's table: dense 512→512, dense 784→256, and a 3×3 convolution from 3 to 64
    /// channels (PyTorch weight `[64, 3, 3, 3]`, Keras kernel `[3, 3, 3, 64]`).
    pub fn lesson() -> SchemeTable {
        let layers: [(&str, &[usize]); 3] = [
            ("dense 512→512", &[512, 512]),
            ("dense 784→256", &[256, 784]),
            ("conv 3→64, 3×3", &[64, 3, 3, 3]),
        ];
        // These shapes have fans, so this cannot fail; an empty table would show the bug.
        Self::for_layers(&layers).unwrap_or(SchemeTable {
            layers: Vec::new(),
            rows: Vec::new(),
        })
    }

    /// The table for layers given by name and PyTorch-layout weight shape (`[out, in]` for
    /// dense layers, `[out, in/groups, k…]` for convolutions). Keras's rows read the same
    /// layer's kernel in Keras's layout (`[in, out]`, `[k…, in/groups, out]`).
    ///
    /// ```
    /// let table = initkit::SchemeTable::for_layers(&[("tanh 100→100", &[100, 100])])?;
    /// assert_eq!(table.rows()[0].initializer(), "xavier_uniform_");
    /// # Ok::<(), initkit::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Fans::of_shape`], for a shape without fans.
    pub fn for_layers(layers: &[(&str, &[usize])]) -> Result<SchemeTable> {
        let mut table_layers = Vec::with_capacity(layers.len());
        let mut keras_fans = Vec::with_capacity(layers.len());
        for (name, shape) in layers {
            let fans = Fans::of_shape(shape, Layout::PyTorch)?;
            keras_fans.push(Fans::of_shape(&keras_shape(shape), Layout::Keras)?);
            table_layers.push(TableLayer {
                name: (*name).to_string(),
                fans,
            });
        }
        let mut rows = Vec::new();
        for (framework, initializer, scheme) in schemes() {
            let spreads = table_layers
                .iter()
                .zip(&keras_fans)
                .map(|(layer, &keras)| scheme(layer.fans, keras))
                .collect::<Result<Vec<_>>>()?;
            rows.push(SchemeRow {
                framework,
                initializer,
                spreads,
            });
        }
        Ok(SchemeTable {
            layers: table_layers,
            rows,
        })
    }

    /// The layers' names, in column order.
    pub fn layer_names(&self) -> Vec<&str> {
        self.layers.iter().map(|l| l.name.as_str()).collect()
    }

    /// The layers' fans, in column order.
    pub fn layer_fans(&self) -> Vec<Fans> {
        self.layers.iter().map(|l| l.fans).collect()
    }

    /// The schemes, in row order.
    pub fn rows(&self) -> &[SchemeRow] {
        &self.rows
    }

    /// The table as an HTML `<table>` element; names are escaped.
    pub fn to_html(&self) -> String {
        let mut html = String::from(
            "<table>\n<caption>Scale each scheme gives: a = bound of U(−a, a), σ = std of the \
             normal; sd = std of the weights drawn</caption>\n<thead><tr><th>Framework</th>\
             <th>Initializer</th><th>Draws</th>",
        );
        for layer in &self.layers {
            html.push_str(&format!(
                "<th>{}<br><small>fan_in {} · fan_out {}</small></th>",
                escape(&layer.name),
                layer.fans.fan_in(),
                layer.fans.fan_out()
            ));
        }
        html.push_str("</tr></thead>\n<tbody>\n");
        for row in &self.rows {
            html.push_str(&format!(
                "<tr><td>{}</td><td><code>{}</code></td><td>{}</td>",
                escape(row.framework),
                escape(row.initializer),
                escape(&draws(&row.spreads))
            ));
            for spread in &row.spreads {
                html.push_str(&format!(
                    "<td style=\"text-align:right\">{}<br><small>sd {}</small></td>",
                    escape(&parameter(spread)),
                    significant(spread.std())
                ));
            }
            html.push_str("</tr>\n");
        }
        html.push_str("</tbody>\n</table>");
        html
    }

    /// Shows the table in an evcxr notebook as HTML (evcxr calls this on a cell's final value).
    pub fn evcxr_display(&self) {
        crate::notebook::evcxr_show(&[("text/html", &self.to_html())]);
    }
}

impl fmt::Display for SchemeTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut header = vec![
            "Framework".to_string(),
            "Initializer".to_string(),
            "Draws".to_string(),
        ];
        let mut fans_line = vec![String::new(); 3];
        for layer in &self.layers {
            header.push(layer.name.clone());
            fans_line.push(format!(
                "fan_in {}, fan_out {}",
                layer.fans.fan_in(),
                layer.fans.fan_out()
            ));
        }
        let mut lines = vec![header, fans_line];
        for row in &self.rows {
            let mut line = vec![
                row.framework.to_string(),
                row.initializer.to_string(),
                draws(&row.spreads),
            ];
            line.extend(
                row.spreads
                    .iter()
                    .map(|s| format!("{} (sd {})", parameter(s), significant(s.std()))),
            );
            lines.push(line);
        }
        let columns = lines.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<usize> = (0..columns)
            .map(|c| {
                lines
                    .iter()
                    .filter_map(|l| l.get(c))
                    .map(|cell| cell.chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        writeln!(
            f,
            "Scale each scheme gives: a = bound of U(−a, a), σ = std of the normal; sd = std of \
             the weights drawn"
        )?;
        for line in &lines {
            let cells: Vec<String> = line
                .iter()
                .zip(&widths)
                .map(|(cell, &w)| {
                    let pad = w.saturating_sub(cell.chars().count());
                    format!("{cell}{}", " ".repeat(pad))
                })
                .collect();
            writeln!(f, "{}", cells.join("  ").trim_end())?;
        }
        Ok(())
    }
}

/// A PyTorch-layout shape in Keras's layout: `[out, in, k…]` → `[k…, in, out]`.
fn keras_shape(shape: &[usize]) -> Vec<usize> {
    match shape {
        [out, inp, kernel @ ..] => {
            let mut k = kernel.to_vec();
            k.extend([*inp, *out]);
            k
        }
        other => other.to_vec(),
    }
}

/// The distribution a row draws from, in words.
fn draws(spreads: &[Spread]) -> String {
    match spreads.first() {
        Some(Spread::Uniform { .. }) => "U(−a, a)".to_string(),
        Some(Spread::Normal { .. }) => "N(0, σ²)".to_string(),
        Some(Spread::TruncatedNormal { stds, .. }) => {
            format!("N(0, σ²) cut at ±{}σ", significant_trimmed(*stds))
        }
        None => String::new(),
    }
}

/// The parameter of a spread, labelled: `a = 0.07655` or `σ = 0.04419`.
fn parameter(spread: &Spread) -> String {
    match spread {
        Spread::Uniform { bound } => format!("a = {}", significant(*bound)),
        Spread::Normal { std } | Spread::TruncatedNormal { std, .. } => {
            format!("σ = {}", significant(*std))
        }
    }
}

/// `x` to 4 significant digits, in plain decimal notation for the sizes a table shows.
fn significant(x: f64) -> String {
    if !x.is_finite() {
        return "—".to_string();
    }
    if x == 0.0 {
        return "0".to_string();
    }
    let magnitude = x.abs().log10().floor() as i32;
    if !(-6..=6).contains(&magnitude) {
        return format!("{x:.3e}");
    }
    let decimals = (3 - magnitude).max(0) as usize;
    format!("{x:.decimals$}")
}

/// Like [`significant`], without trailing zeros (for small whole numbers such as 2).
fn significant_trimmed(x: f64) -> String {
    let s = significant(x);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Text made safe inside HTML elements and attributes.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lesson_values_are_the_formulas() {
        let t = SchemeTable::lesson();
        assert_eq!(
            t.layer_names(),
            ["dense 512→512", "dense 784→256", "conv 3→64, 3×3"]
        );
        let fans: Vec<(usize, usize)> = t
            .layer_fans()
            .iter()
            .map(|f| (f.fan_in(), f.fan_out()))
            .collect();
        assert_eq!(fans, [(512, 512), (784, 256), (27, 576)]);
        assert_eq!(t.rows().len(), 8);
        let row = |name: &str| {
            t.rows()
                .iter()
                .find(|r| r.initializer() == name)
                .unwrap()
                .spreads()
                .to_vec()
        };
        // Written out per framework: PyTorch sqrt(3) * gain * sqrt(2 / (in + out)).
        let xu = row("xavier_uniform_");
        for (s, (i, o)) in xu.iter().zip(&fans) {
            let bound = 3f64.sqrt() * (2.0 / (*i + *o) as f64).sqrt();
            assert_eq!(*s, Spread::Uniform { bound });
        }
        // Keras sqrt(3 * (1 / ((in + out) / 2))).
        for (s, (i, o)) in row("GlorotUniform").iter().zip(&fans) {
            let limit = (3.0 * (1.0 / ((*i + *o) as f64 / 2.0))).sqrt();
            assert_eq!(*s, Spread::Uniform { bound: limit });
        }
        for (s, (i, _)) in row("HeNormal").iter().zip(&fans) {
            let std = (2.0 / *i as f64).sqrt() / 0.879_625_661_034_239_8;
            assert_eq!(*s, Spread::TruncatedNormal { std, stds: 2.0 });
        }
        for (s, (i, _)) in row("kaiming_normal_(relu, fan_in)").iter().zip(&fans) {
            assert_eq!(
                *s,
                Spread::Normal {
                    std: 2f64.sqrt() / (*i as f64).sqrt()
                }
            );
        }
        // PyTorch's default: bound 1/sqrt(fan_in), up to rounding.
        let default = row("kaiming_uniform_(a=√5)");
        for (s, (i, _)) in default.iter().zip(&fans) {
            assert!((s.parameter() - 1.0 / (*i as f64).sqrt()).abs() < 1e-15);
        }
        // The lesson's own numbers.
        assert_eq!(row("kaiming_normal_(relu, fan_in)")[0].parameter(), 0.0625);
        assert_eq!(row("xavier_normal_")[0].parameter(), 0.04419417382415922);
    }

    #[test]
    fn text_and_html_render_all_cells() {
        let t = SchemeTable::lesson();
        let text = t.to_string();
        assert!(text.contains("a = 0.07655 (sd 0.04419)"), "{text}");
        assert!(text.contains("σ = 0.07105 (sd 0.06250)"), "{text}");
        assert!(text.contains("fan_in 27, fan_out 576"), "{text}");
        assert_eq!(text.lines().count(), 1 + 2 + 8);
        let html = t.to_html();
        assert_eq!(html.matches("<tr>").count(), 1 + 8);
        assert_eq!(html.matches("<td style").count(), 8 * 3);
        assert!(html.contains("N(0, σ²) cut at ±2σ"));
    }

    #[test]
    fn names_are_escaped() {
        let t = SchemeTable::for_layers(&[("<b>&\"x'", &[2, 2])]).unwrap();
        let html = t.to_html();
        assert!(html.contains("&lt;b&gt;&amp;&quot;x&#39;"), "{html}");
        assert!(!html.contains("<b>"));
        assert!(SchemeTable::for_layers(&[("bias", &[4])]).is_err());
    }

    #[test]
    fn numbers_keep_four_significant_digits() {
        assert_eq!(significant(0.0765466), "0.07655");
        assert_eq!(significant(0.0625), "0.06250");
        assert_eq!(significant(0.2722), "0.2722");
        assert_eq!(significant(1.0), "1.000");
        assert_eq!(significant(1234.4), "1234");
        assert_eq!(significant(f64::NAN), "—");
        assert_eq!(significant_trimmed(2.0), "2");
        assert_eq!(keras_shape(&[64, 3, 5, 7]), [5, 7, 3, 64]);
    }
}
