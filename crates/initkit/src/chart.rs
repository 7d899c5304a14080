//! Interactive plotly charts: shown inline in JupyterLab, or saved as offline HTML and PNG.
//!
//! In a notebook a [`Chart`] is shown as the `application/vnd.plotly.v1+json` MIME type, which
//! the plotly renderer for JupyterLab (the `plotly` Python package) draws with the plotly.js it
//! ships: no network is needed. Saved HTML files embed plotly.js for the same reason.

use crate::error::{Error, Result};
use crate::numpy::default_rng;
use crate::propagate::{Propagation, linspace};
use serde_json::{Value, json};
use std::borrow::Cow;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Pixel size of saved PNGs: the original's 6 x 3.5 inches at 200 dpi. A figure whose layout
/// asks for a taller height (a grid of panels) keeps that height, up to [`PNG_MAX_HEIGHT`].
pub const PNG_SIZE: (u32, u32) = (1200, 700);

/// The tallest PNG [`Chart::write_png`] draws.
pub const PNG_MAX_HEIGHT: u32 = 4000;

/// A plotly figure with the knowledge of how to show and save itself.
///
/// The figure is plotly.js JSON (`{"data": [...], "layout": {...}, "frames": [...]}`), built by
/// initkit's chart functions, by hand, or (with the `plotly` feature) from a plotly.rs `Plot`.
/// initkit does not need the plotly crate to draw: the notebook stays light to compile.
#[derive(Clone)]
pub struct Chart {
    figure: Value,
    summary: String,
}

impl Chart {
    /// Wraps plotly.js figure JSON; `summary` is the one-line text shown where a chart cannot be
    /// drawn (a terminal, or a notebook viewer without the plotly renderer).
    ///
    /// A figure that is not a JSON object is kept under `data` if it is an array of traces, and
    /// otherwise replaced by an empty figure, so that what is shown is always a valid figure.
    pub fn from_figure(figure: Value, summary: impl Into<String>) -> Self {
        Chart {
            figure: as_figure(figure),
            summary: summary.into(),
        }
    }

    /// Converts a plotly.rs figure.
    ///
    /// # Errors
    ///
    /// [`Error::Figure`] when the plot cannot be serialized.
    #[cfg(feature = "plotly")]
    pub fn from_plot(plot: &plotly::Plot, summary: impl Into<String>) -> Result<Self> {
        let figure = serde_json::to_value(plot).map_err(|e| Error::Figure {
            reason: format!("the plotly figure could not be serialized: {e}"),
        })?;
        Ok(Chart::from_figure(figure, summary))
    }

    /// The figure as plotly.js JSON, for inspection or further styling.
    pub fn figure(&self) -> &Value {
        &self.figure
    }

    /// The figure, mutable: change titles, colours or sizes before showing it. Whatever it is
    /// left as is shown as [`Chart::from_figure`] would take it.
    pub fn figure_mut(&mut self) -> &mut Value {
        &mut self.figure
    }

    /// The figure as plotly JSON text (`{"data": [...], "layout": {...}, ...}`).
    ///
    /// Numeric `x` and `y` arrays are written as plotly.js typed arrays
    /// (`{"dtype": "f8", "bdata": <base64 of little-endian doubles>}`, as the `plotly` Python
    /// package writes NumPy arrays): the values reach the browser bit for bit, whereas decimal
    /// text may be re-read inexactly on the way (evcxr's kernel re-parses JSON outputs).
    pub fn to_json(&self) -> String {
        self.wire_figure().to_string()
    }

    /// The figure with numeric columns as typed arrays (see [`Chart::to_json`]), in traces and
    /// in animation frames alike.
    fn wire_figure(&self) -> Value {
        let mut figure = as_figure(self.figure.clone());
        type_columns(figure.get_mut("data"));
        if let Some(Value::Array(frames)) = figure.get_mut("frames") {
            for frame in frames {
                type_columns(frame.get_mut("data"));
            }
        }
        figure
    }

    /// The text shown in place of the chart where it cannot be drawn.
    pub fn summary(&self) -> &str {
        &self.summary
    }

    /// Shows the chart in an evcxr notebook (evcxr calls this on a cell's final value), with
    /// the summary as its text form.
    pub fn evcxr_display(&self) {
        crate::notebook::evcxr_show(&[
            ("text/plain", &self.summary),
            ("application/vnd.plotly.v1+json", &self.to_json()),
        ]);
    }

    /// A complete HTML page showing the chart, with plotly.js embedded so it opens offline.
    ///
    /// plotly.js is read from the file named by `$INITKIT_PLOTLY_JS` (the lesson's kernel sets
    /// it to the copy inside the Python `plotly` package, the same one that draws the charts
    /// inline), or, with the `plotly` feature, taken from the plotly crate.
    ///
    /// # Errors
    ///
    /// [`Error::PlotlyJsUnavailable`] when neither source is available.
    pub fn to_html(&self) -> Result<String> {
        Ok(self.html_with(&plotly_js()?))
    }

    fn html_with(&self, plotly_js: &str) -> String {
        page(
            plotly_js,
            &self.to_json(),
            "width:100vw;height:100vh",
            &self.summary,
        )
    }

    /// Writes the interactive page to `path`. The file is written beside its destination and
    /// renamed into place, so a failure never leaves a truncated file.
    ///
    /// # Errors
    ///
    /// [`Error::Write`] with the path when the file cannot be written; as [`Chart::to_html`].
    pub fn write_html(&self, path: impl AsRef<Path>) -> Result<PathBuf> {
        self.write_html_with(&plotly_js()?, path.as_ref())
    }

    fn write_html_with(&self, plotly_js: &str, path: &Path) -> Result<PathBuf> {
        write_atomically(path, self.html_with(plotly_js).as_bytes())?;
        Ok(path.to_path_buf())
    }

    /// Draws the chart at [`PNG_SIZE`] (or its own taller height) in a headless Chromium and
    /// writes it to `path`.
    ///
    /// The browser is the first of `$INITKIT_CHROMIUM`, `chromium`, `chromium-browser`,
    /// `google-chrome` found on the `PATH`; it runs offline on a local file.
    ///
    /// # Errors
    ///
    /// [`Error::BrowserUnavailable`] when no browser is found or it fails to draw;
    /// [`Error::Write`] when the file cannot be written; as [`Chart::to_html`]. Nothing is left
    /// at `path` on failure.
    pub fn write_png(&self, path: impl AsRef<Path>) -> Result<PathBuf> {
        self.write_png_with(&plotly_js()?, path.as_ref())
    }

    fn write_png_with(&self, plotly_js: &str, path: &Path) -> Result<PathBuf> {
        let browser = find_chromium()?;
        let scratch = ScratchDir::new()?;
        let mut figure = self.wire_figure();
        if !figure["layout"].is_object() {
            figure["layout"] = json!({});
        }
        let height = figure["layout"]["height"]
            .as_f64()
            .filter(|h| h.is_finite())
            .map_or(PNG_SIZE.1, |h| {
                h.clamp(1.0, f64::from(PNG_MAX_HEIGHT)) as u32
            });
        let size = (PNG_SIZE.0, height);
        figure["layout"]["width"] = size.0.into();
        figure["layout"]["height"] = size.1.into();
        // Buttons and sliders do nothing on a still image.
        figure["layout"]["updatemenus"] = json!([]);
        figure["layout"]["sliders"] = json!([]);
        figure["config"] = json!({"staticPlot": true, "displayModeBar": false});
        let style = format!("width:{}px;height:{}px", size.0, size.1);
        let html = scratch.0.join("figure.html");
        fs::write(
            &html,
            page(plotly_js, &figure.to_string(), &style, &self.summary),
        )
        .map_err(|source| Error::Write {
            path: html.clone(),
            source,
        })?;
        let shot = scratch.0.join("figure.png");
        screenshot(&browser, &html, &shot, &scratch.0, size)?;
        let bytes = fs::read(&shot).map_err(|source| Error::Write {
            path: shot.clone(),
            source,
        })?;
        write_atomically(path, &bytes)?;
        Ok(path.to_path_buf())
    }

    /// Writes `<dir>/<stem>.html` and, where a headless Chromium is available, `<dir>/<stem>.png`,
    /// creating `dir` if needed.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidName`] when `stem` is not a plain file name; [`Error::Write`] when the
    /// folder or the HTML file cannot be written; as [`Chart::to_html`]. A missing browser is not an error: it is
    /// reported in [`Saved::png`] (and a PNG from an earlier save, if any, is left as it was).
    pub fn save(&self, dir: impl AsRef<Path>, stem: &str) -> Result<Saved> {
        let dir = dir.as_ref();
        let stem = file_stem(stem)?;
        fs::create_dir_all(dir).map_err(|source| Error::Write {
            path: dir.to_path_buf(),
            source,
        })?;
        // plotly.js (about 5 MB) is read once for both files.
        let plotly_js = plotly_js()?;
        let html = self.write_html_with(&plotly_js, &dir.join(format!("{stem}.html")))?;
        let png = self.write_png_with(&plotly_js, &dir.join(format!("{stem}.png")));
        Ok(Saved { html, png })
    }
}

impl std::fmt::Debug for Chart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chart")
            .field("summary", &self.summary)
            .finish_non_exhaustive()
    }
}

/// What [`Chart::save`] wrote.
#[derive(Debug)]
pub struct Saved {
    /// The interactive, offline HTML page.
    pub html: PathBuf,
    /// The PNG, or why it could not be drawn.
    pub png: Result<PathBuf>,
}

impl std::fmt::Display for Saved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "Wrote {}", self.html.display())?;
        match &self.png {
            Ok(png) => write!(f, "Wrote {}", png.display()),
            Err(e) => write!(f, "Skipped the PNG: {e}"),
        }
    }
}

/// The data behind the original lesson's chart: output variance after `n_layers` layers for
/// each init std.
#[derive(Debug, Clone, PartialEq)]
pub struct Sweep {
    /// Depth of the linear network.
    pub n_layers: usize,
    /// The init stds, in order.
    pub init_stds: Vec<f64>,
    /// Population variance of the output for each init std.
    pub variances: Vec<f64>,
}

impl Sweep {
    /// The original lesson's sweep: 3 layers, 20 init stds evenly spaced from 0.001 to 0.05,
    /// width 512, seed 0.
    ///
    /// # Errors
    ///
    /// None in practice: the parameters are fixed and valid.
    pub fn lesson() -> Result<Sweep> {
        Sweep::run(Propagation::default(), 3, linspace(0.001, 0.05, 20)?)
    }

    /// Runs a sweep over `init_stds` with the given network settings.
    ///
    /// # Errors
    ///
    /// As [`Propagation::sweep`].
    pub fn run(propagation: Propagation, n_layers: usize, init_stds: Vec<f64>) -> Result<Sweep> {
        let variances = propagation.sweep(n_layers, &init_stds)?;
        Ok(Sweep {
            n_layers,
            init_stds,
            variances,
        })
    }

    /// The lesson's chart: `Variance After 3 Layers`, init std against output variance, a line
    /// with markers on a light grid.
    ///
    /// The y axis starts logarithmic because the variances span many decades (a linear axis
    /// flattens all but the last few points onto zero); buttons switch it to the original's
    /// linear axis and back.
    pub fn chart(&self) -> Chart {
        let title = format!("Variance After {} Layers", self.n_layers);
        let trace = json!({
            "type": "scatter",
            "mode": "lines+markers",
            "name": "simulated",
            "x": self.init_stds,
            "y": self.variances,
            "line": { "color": BLUE, "width": 2.0 },
            "marker": { "color": BLUE, "size": 7 },
            "hovertemplate": "init std %{x:.4g}<br>output variance %{y:.4e}<extra></extra>",
        });
        let mut layout = layout(&title);
        layout["xaxis"] = axis("Init std");
        layout["yaxis"] = axis("Output variance");
        for key in ["xaxis", "yaxis"] {
            layout[key]["zeroline"] = json!(false);
        }
        layout["yaxis"]["type"] = json!("log");
        layout["yaxis"]["exponentformat"] = json!("power");
        layout["updatemenus"] = json!([log_linear_menu("yaxis", 0.0, 1.02)]);
        let summary = format!(
            "{title}: {} points (interactive plotly chart)",
            self.init_stds.len()
        );
        Chart::from_figure(json!({ "data": [trace], "layout": layout }), summary)
    }
}

/// `figure` as a plotly figure object: an array is taken as its traces, anything else that is
/// not an object becomes an empty figure.
fn as_figure(figure: Value) -> Value {
    match figure {
        Value::Object(_) => figure,
        Value::Array(traces) => json!({ "data": traces }),
        _ => json!({ "data": [] }),
    }
}

/// plotly's first colour, the line of the original lesson's chart.
pub(crate) const BLUE: &str = "#1f77b4";
/// The light grid of every initkit chart.
pub(crate) const GRID: &str = "rgba(0,0,0,0.12)";

/// The lesson's chart frame: a centred title on white, with room for a button row above.
pub(crate) fn layout(title: &str) -> Value {
    json!({
        "title": { "text": title, "x": 0.5 },
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "margin": { "l": 80, "r": 30, "t": 80, "b": 60 },
    })
}

/// A labelled axis in initkit's style: a light grid, a dark axis line, ticks outside.
pub(crate) fn axis(title: &str) -> Value {
    json!({
        "title": { "text": title },
        "showgrid": true,
        "gridcolor": GRID,
        "showline": true,
        "linecolor": "#444",
        "ticks": "outside",
    })
}

/// Buttons switching `axis` (such as `yaxis`) between log and linear; log is shown first.
pub(crate) fn log_linear_menu(axis: &str, x: f64, y: f64) -> Value {
    let button = |label: &str, kind: &str| json!({ "label": label, "method": "relayout", "args": [{ format!("{axis}.type"): kind }] });
    json!({
        "type": "buttons",
        "direction": "right",
        "showactive": true,
        "active": 0,
        "x": x,
        "xanchor": "left",
        "y": y,
        "yanchor": "bottom",
        "buttons": [button("log y", "log"), button("linear y", "linear")],
    })
}

/// Replaces the numeric `x` and `y` columns of every trace in `traces` by typed arrays.
fn type_columns(traces: Option<&mut Value>) {
    let Some(Value::Array(traces)) = traces else {
        return;
    };
    for trace in traces {
        for key in ["x", "y"] {
            if let Some(column) = trace.get_mut(key) {
                if let Some(typed) = typed_array(column) {
                    *column = typed;
                }
            }
        }
    }
}

/// A JSON array of numbers as a plotly.js typed array of doubles; `None` for anything else.
fn typed_array(column: &Value) -> Option<Value> {
    let values = column.as_array()?;
    let mut bytes = Vec::with_capacity(values.len() * 8);
    for v in values {
        bytes.extend_from_slice(&v.as_f64()?.to_le_bytes());
    }
    Some(json!({ "dtype": "f8", "bdata": base64(&bytes) }))
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// plotly.js, for saved pages: `$INITKIT_PLOTLY_JS` first, then the plotly crate's copy.
fn plotly_js() -> Result<Cow<'static, str>> {
    plotly_js_at(std::env::var_os("INITKIT_PLOTLY_JS"))
}

fn plotly_js_at(chosen: Option<std::ffi::OsString>) -> Result<Cow<'static, str>> {
    let unavailable = |reason: String| Error::PlotlyJsUnavailable { reason };
    if let Some(path) = chosen.filter(|v| !v.is_empty()) {
        // An explicit choice is used or reported, never silently replaced.
        let path = PathBuf::from(path);
        let cannot = |why: String| {
            unavailable(format!(
                "INITKIT_PLOTLY_JS is {}, which {why}",
                path.display()
            ))
        };
        // A FIFO or device would block or never end; plotly.js is about 5 MB.
        match fs::metadata(&path) {
            Ok(meta) if meta.is_file() && meta.len() <= PLOTLY_JS_MAX_BYTES => {}
            Ok(meta) if meta.is_file() => return Err(cannot("is too large for plotly.js".into())),
            Ok(_) => return Err(cannot("is not a regular file".into())),
            Err(e) => return Err(cannot(format!("cannot be read: {e}"))),
        }
        let js = fs::read_to_string(&path).map_err(|e| cannot(format!("cannot be read: {e}")))?;
        let lower = js.to_ascii_lowercase();
        return if js.contains("Plotly") && !lower.contains("</script") && !lower.contains("<!--") {
            Ok(Cow::Owned(js))
        } else {
            Err(unavailable(format!(
                "INITKIT_PLOTLY_JS is {}, which is not a plotly.js bundle",
                path.display()
            )))
        };
    }
    #[cfg(feature = "plotly")]
    {
        // plotly's bundle carries plotly.js and MathJax as two scripts; only plotly.js is needed.
        let scripts = plotly::Plot::offline_js_sources();
        let js = scripts.split("</script>").next().unwrap_or_default();
        let js = js.split_once('>').map_or(js, |(_, body)| body);
        Ok(Cow::Owned(js.to_string()))
    }
    #[cfg(not(feature = "plotly"))]
    Err(unavailable(
        "set INITKIT_PLOTLY_JS to a plotly.min.js (the Python plotly package has one in \
         plotly/package_data/), or build initkit with its `plotly` feature"
            .to_string(),
    ))
}

/// Far above any plotly.js bundle (about 5 MB), far below what would strain memory.
const PLOTLY_JS_MAX_BYTES: u64 = 64 << 20;

fn page(plotly_js: &str, figure_json: &str, style: &str, title: &str) -> String {
    let title = title.replace('&', "&amp;").replace('<', "&lt;");
    // '<' only occurs inside JSON strings, where \u003c means the same; escaping it keeps any
    // text ("</script>", "<!--") from ending or confusing the script element.
    let figure_json = figure_json.replace('<', "\\u003c");
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n\
         <script>{plotly_js}</script>\n</head>\n<body style=\"margin:0\">\n\
         <div id=\"figure\" style=\"{style}\"></div>\n<script>\n\
         const figure = {figure_json};\n\
         Plotly.newPlot(\"figure\", {{data: figure.data, layout: figure.layout, \
         frames: figure.frames, config: Object.assign({{responsive: true}}, figure.config || {{}})}});\n\
         </script>\n</body>\n</html>\n"
    )
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let err = |source| Error::Write {
        path: path.to_path_buf(),
        source,
    };
    if path.file_name().is_none() {
        return Err(err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the path names no file",
        )));
    }
    // Renaming over a device, FIFO or symlink would replace it (as root, even /dev/null).
    if let Ok(meta) = fs::symlink_metadata(path) {
        if !meta.is_file() {
            return Err(err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "it exists and is not a regular file",
            )));
        }
    }
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    // A fresh, unguessable name opened with create_new: never another writer's file, never a
    // planted symlink, and short enough for any file name the destination may have.
    let mut rng = unique_rng();
    let (tmp, mut file) = loop {
        let tmp = dir.join(format!(".initkit-{:016x}.partial", rng.next_raw()));
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
        {
            Ok(file) => break (tmp, file),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(source) => return Err(err(source)),
        }
    };
    let result = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .and_then(|()| fs::rename(&tmp, path));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.map_err(err)
}

fn unique_rng() -> crate::numpy::Pcg64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let call = CALLS.fetch_add(1, Ordering::Relaxed);
    default_rng(
        (u128::from(std::process::id()) << 96) | (u128::from(call) << 64) | u128::from(now_nanos()),
    )
}

/// A private temporary folder, removed with everything in it when dropped.
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn new() -> Result<Self> {
        let mut rng = unique_rng();
        for _ in 0..16 {
            let dir = std::env::temp_dir().join(format!("initkit-{:016x}", rng.next_raw()));
            match fs::create_dir(&dir) {
                Ok(()) => return Ok(ScratchDir(dir)),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(source) => return Err(Error::Write { path: dir, source }),
            }
        }
        Err(Error::BrowserUnavailable {
            reason: "could not make a temporary folder".into(),
        })
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn now_nanos() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

fn find_chromium() -> Result<PathBuf> {
    let unavailable = |reason: String| Error::BrowserUnavailable { reason };
    if let Some(custom) = std::env::var_os("INITKIT_CHROMIUM").filter(|v| !v.is_empty()) {
        // An explicit choice is used or reported, never silently replaced by another browser.
        let custom = PathBuf::from(custom);
        let absolute = if custom.is_absolute() {
            custom.clone()
        } else {
            std::env::current_dir()
                .map(|d| d.join(&custom))
                .unwrap_or(custom.clone())
        };
        return if absolute.is_file() {
            Ok(absolute)
        } else {
            Err(unavailable(format!(
                "INITKIT_CHROMIUM is {}, which is not a file",
                custom.display()
            )))
        };
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    let names = ["chromium", "chromium-browser", "google-chrome"];
    for name in names {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    Err(unavailable(format!(
        "none of {} is on the PATH (install Debian's chromium package, or set INITKIT_CHROMIUM)",
        names.join(", ")
    )))
}

/// A `file://` URL for an absolute path, every byte outside the unreserved set percent-encoded.
fn file_url(path: &Path) -> String {
    #[cfg(unix)]
    let bytes = std::os::unix::ffi::OsStrExt::as_bytes(path.as_os_str()).to_vec();
    #[cfg(not(unix))]
    let bytes = path.to_string_lossy().replace('\\', "/").into_bytes();
    let mut url = String::from(if bytes.first() == Some(&b'/') {
        "file://"
    } else {
        "file:///"
    });
    for &b in &bytes {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            url.push(char::from(b));
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

fn screenshot(
    browser: &Path,
    html: &Path,
    png: &Path,
    profile: &Path,
    size: (u32, u32),
) -> Result<()> {
    let unavailable = |reason: String| Error::BrowserUnavailable { reason };
    let html =
        std::path::absolute(html).map_err(|e| unavailable(format!("no page to open: {e}")))?;
    let mut command = Command::new(browser);
    // Its own process group, so a browser that hangs is stopped with all its helpers.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--force-device-scale-factor=1",
            "--virtual-time-budget=5000",
        ])
        .arg(format!(
            "--user-data-dir={}",
            profile.join("profile").display()
        ))
        .arg(format!("--window-size={},{}", size.0, size.1))
        .arg(format!("--screenshot={}", png.display()))
        .arg(file_url(&html))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| unavailable(format!("{} could not be started: {e}", browser.display())))?;
    let deadline = Instant::now() + Duration::from_secs(60);
    let group = child.id();
    // The browser's helpers (and anything else it started) go with it, whether it hung or not.
    let kill_group = || {
        #[cfg(unix)]
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{group}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    };
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                kill_group();
                break status;
            }
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            _ => {
                kill_group();
                let _ = child.kill();
                let _ = child.wait();
                return Err(unavailable(format!(
                    "{} did not finish within 60 s",
                    browser.display()
                )));
            }
        }
    };
    let written = fs::read(png).unwrap_or_default();
    if status.success() && written.starts_with(b"\x89PNG\r\n\x1a\n") {
        Ok(())
    } else if status.success() {
        Err(unavailable(format!(
            "{} exited without writing a PNG image",
            browser.display()
        )))
    } else {
        Err(unavailable(format!(
            "{} exited with {status} without a screenshot",
            browser.display()
        )))
    }
}

/// Checks that `stem` names a file inside the output folder.
fn file_stem(stem: &str) -> Result<&str> {
    let plain =
        !stem.is_empty() && stem != "." && stem != ".." && !stem.contains(['/', '\\', '\0']);
    if plain {
        Ok(stem)
    } else {
        Err(Error::InvalidName {
            name: "stem",
            value: stem.to_string(),
            expected: "a plain file name: not empty, no path separators, not . or ..",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_keep_caller_text_inside_the_script() {
        let html = page("Plotly", r#"{"data":[{"name":"</script><!--"}]}"#, "", "t");
        assert!(html.contains(r#""name":"\u003c/script>\u003c!--""#));
        assert_eq!(html.matches("</script>").count(), 2);
    }

    #[test]
    fn only_a_plain_plotly_js_file_is_embedded() {
        let dir = ScratchDir::new().unwrap();
        let file = |name: &str, text: &str| {
            let path = dir.0.join(name);
            fs::write(&path, text).unwrap();
            Some(path.into_os_string())
        };
        let good = plotly_js_at(file("ok.js", "var Plotly = {};")).unwrap();
        assert_eq!(good, "var Plotly = {};");
        for bad in [
            file("upper.js", "Plotly</SCRIPT><img src=x>"),
            file("comment.js", "Plotly <!--<script>"),
            file("other.js", "not the library"),
            Some(dir.0.clone().into_os_string()),
            Some(dir.0.join("missing.js").into_os_string()),
            Some("/dev/zero".into()),
        ] {
            let err = plotly_js_at(bad.clone()).unwrap_err();
            assert!(
                matches!(err, Error::PlotlyJsUnavailable { .. }),
                "{bad:?}: {err}"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn writes_never_replace_what_is_not_a_regular_file() {
        let dir = ScratchDir::new().unwrap();
        let kept = dir.0.join("kept.txt");
        fs::write(&kept, "kept").unwrap();
        let link = dir.0.join("link.html");
        std::os::unix::fs::symlink(&kept, &link).unwrap();
        assert!(write_atomically(&link, b"x").is_err());
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read(&kept).unwrap(), b"kept");
    }

    #[test]
    fn a_bad_stem_leaves_no_folder_behind() {
        let dir = ScratchDir::new().unwrap();
        let chart = Chart::from_figure(json!({}), "s");
        let target = dir.0.join("new").join("deep");
        assert!(chart.save(&target, "a/b").is_err());
        assert!(!dir.0.join("new").exists());
    }

    #[test]
    fn any_json_becomes_a_figure() {
        let traces = Chart::from_figure(json!([{ "type": "scatter" }]), "s");
        assert_eq!(traces.figure()["data"][0]["type"], "scatter");
        let nothing = Chart::from_figure(json!(3), "s");
        assert_eq!(nothing.figure(), &json!({ "data": [] }));
        let mut edited = Chart::from_figure(json!({}), "s");
        *edited.figure_mut() = json!(5);
        assert_eq!(edited.to_json(), r#"{"data":[]}"#);
    }

    #[test]
    fn frames_carry_typed_arrays_too() {
        let figure = json!({
            "data": [{ "x": [1.0, 2.0], "y": [0.5, 0.25], "name": "a" }],
            "frames": [{ "name": "f", "data": [{ "y": [0.125, 1.0] }] }],
        });
        let wire: Value = serde_json::from_str(&Chart::from_figure(figure, "s").to_json()).unwrap();
        assert_eq!(wire["data"][0]["y"]["dtype"], "f8");
        assert_eq!(wire["data"][0]["name"], "a");
        let mut bytes = Vec::new();
        for v in [0.125f64, 1.0] {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        assert_eq!(
            wire["frames"][0]["data"][0]["y"]["bdata"],
            base64(&bytes).as_str()
        );
        assert_eq!(wire["frames"][0]["name"], "f");
    }

    #[cfg(feature = "plotly")]
    #[test]
    fn plotly_figures_convert_and_bring_plotly_js() {
        let mut plot = plotly::Plot::new();
        plot.add_trace(plotly::Scatter::new(vec![1.0, 2.0], vec![3.0, 4.0]).name("t"));
        let chart = Chart::from_plot(&plot, "s").unwrap();
        assert_eq!(chart.figure()["data"][0]["name"], "t");
        if std::env::var_os("INITKIT_PLOTLY_JS").is_none() {
            let js = plotly_js().unwrap();
            assert!(js.contains("Plotly") && !js.contains("</script"));
        }
    }

    #[test]
    fn file_urls_are_percent_encoded() {
        assert_eq!(
            file_url(Path::new("/tmp/a b/#1?%.html")),
            "file:///tmp/a%20b/%231%3F%25.html"
        );
    }

    #[test]
    fn stems_must_be_plain_file_names() {
        assert_eq!(file_stem("00_variance").unwrap(), "00_variance");
        for bad in ["", ".", "..", "../up", "a/b", "a\\b"] {
            assert_eq!(
                file_stem(bad).unwrap_err().parameter(),
                Some("stem"),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn writes_replace_the_file_and_leave_nothing_else() {
        let dir = ScratchDir::new().unwrap();
        let target = dir.0.join("out.html");
        write_atomically(&target, b"first").unwrap();
        write_atomically(&target, b"second").unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"second");
        let names: Vec<_> = fs::read_dir(&dir.0)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("out.html")]);
        assert!(write_atomically(&dir.0.join("missing/out.html"), b"x").is_err());
        assert!(write_atomically(&dir.0, b"x").is_err());
    }

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in cases {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn lesson_chart_carries_exact_points_as_typed_arrays() {
        let sweep = Sweep::lesson().unwrap();
        let figure: serde_json::Value = serde_json::from_str(&sweep.chart().to_json()).unwrap();
        let trace = &figure["data"][0];
        assert_eq!(trace["x"]["dtype"], "f8");
        let mut bytes = Vec::new();
        for v in &sweep.init_stds {
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        assert_eq!(trace["x"]["bdata"], base64(&bytes).as_str());
        assert_eq!(figure["layout"]["title"]["text"], "Variance After 3 Layers");
        assert_eq!(figure["layout"]["yaxis"]["type"], "log");
        assert_eq!(trace["mode"], "lines+markers");
    }
}
