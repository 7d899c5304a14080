//! Interactive plotly charts: shown inline in JupyterLab, or saved as offline HTML and PNG.
//!
//! In a notebook a [`Chart`] is shown as the `application/vnd.plotly.v1+json` MIME type, which
//! the plotly renderer for JupyterLab (the `plotly` Python package) draws with the plotly.js it
//! ships: no network is needed. Saved HTML files embed plotly.js for the same reason.

use crate::error::{Error, Result};
use crate::numpy::default_rng;
use crate::propagate::{Propagation, linspace};
use plotly::common::{Line, Marker, Mode, Title};
use plotly::layout::update_menu::{
    Button, ButtonMethod, UpdateMenu, UpdateMenuDirection, UpdateMenuType,
};
use plotly::layout::{Axis, AxisType, Margin};
use plotly::{Layout, Plot, Scatter};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Pixel size of saved PNGs: the original's 6 x 3.5 inches at 200 dpi.
pub const PNG_SIZE: (u32, u32) = (1200, 700);

/// A plotly figure with the knowledge of how to show and save itself.
#[derive(Clone)]
pub struct Chart {
    plot: Plot,
    /// Figure JSON given directly ([`Chart::from_figure`]), shown instead of `plot`.
    figure: Option<serde_json::Value>,
    summary: String,
}

impl Chart {
    /// Wraps a plotly [`Plot`]; `summary` is the one-line text shown where a chart cannot be
    /// drawn (a terminal, or a notebook viewer without the plotly renderer).
    pub fn new(plot: Plot, summary: impl Into<String>) -> Self {
        Chart {
            plot,
            figure: None,
            summary: summary.into(),
        }
    }

    /// Wraps plotly.js figure JSON (`{"data": [...], "layout": {...}, "frames": [...]}`);
    /// `summary` is the text shown where the chart cannot be drawn.
    pub fn from_figure(figure: serde_json::Value, summary: impl Into<String>) -> Self {
        Chart {
            plot: Plot::new(),
            figure: Some(figure),
            summary: summary.into(),
        }
    }

    /// The underlying plotly figure, for further styling (empty for [`Chart::from_figure`]).
    pub fn plot(&self) -> &Plot {
        &self.plot
    }

    /// The figure as plotly JSON (`{"data": [...], "layout": {...}, ...}`).
    ///
    /// Numeric `x` and `y` arrays are written as plotly.js typed arrays
    /// (`{"dtype": "f8", "bdata": <base64 of little-endian doubles>}`, as the `plotly` Python
    /// package writes NumPy arrays): the values reach the browser bit for bit, whereas decimal
    /// text may be re-read inexactly on the way (evcxr's kernel re-parses JSON outputs).
    pub fn to_json(&self) -> String {
        self.figure().to_string()
    }

    /// The figure as a JSON value, with numeric columns as typed arrays (see [`Chart::to_json`]).
    fn figure(&self) -> serde_json::Value {
        let mut figure = match &self.figure {
            Some(figure) => figure.clone(),
            None => self.plot_figure(),
        };
        if let Some(traces) = figure.get_mut("data").and_then(|d| d.as_array_mut()) {
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
        figure
    }

    fn plot_figure(&self) -> serde_json::Value {
        serde_json::to_value(&self.plot)
            // A trace that cannot be serialized makes plotly's own `to_json` panic, as before.
            .unwrap_or_else(|_| serde_json::from_str(&self.plot.to_json()).unwrap_or_default())
    }

    /// The text shown in place of the chart where it cannot be drawn.
    pub fn summary(&self) -> &str {
        &self.summary
    }

    /// Shows the chart in an evcxr notebook. evcxr calls this on a cell's final value; it is
    /// the one place initkit writes to stdout, because that is how evcxr receives rich output.
    pub fn evcxr_display(&self) {
        let text = format!(
            "EVCXR_BEGIN_CONTENT text/plain\n{}\nEVCXR_END_CONTENT\n\
             EVCXR_BEGIN_CONTENT application/vnd.plotly.v1+json\n{}\nEVCXR_END_CONTENT\n",
            self.summary,
            self.to_json()
        );
        // A closed stdout has nowhere to show an error either; evcxr reports the cell itself.
        let _ = std::io::stdout().lock().write_all(text.as_bytes());
    }

    /// A complete HTML page showing the chart, with plotly.js embedded so it opens offline.
    pub fn to_html(&self) -> String {
        page(&self.to_json(), "width:100vw;height:100vh", &self.summary)
    }

    /// Writes the interactive page to `path`. The file is written beside its destination and
    /// renamed into place, so a failure never leaves a truncated file.
    ///
    /// # Errors
    ///
    /// [`Error::Write`] with the path when the file cannot be written.
    pub fn write_html(&self, path: impl AsRef<Path>) -> Result<PathBuf> {
        let path = path.as_ref();
        write_atomically(path, self.to_html().as_bytes())?;
        Ok(path.to_path_buf())
    }

    /// Draws the chart at [`PNG_SIZE`] in a headless Chromium and writes it to `path`.
    ///
    /// The browser is the first of `$INITKIT_CHROMIUM`, `chromium`, `chromium-browser`,
    /// `google-chrome` found on the `PATH`; it runs offline on a local file.
    ///
    /// # Errors
    ///
    /// [`Error::BrowserUnavailable`] when no browser is found or it fails to draw;
    /// [`Error::Write`] when the file cannot be written. Nothing is left at `path` on failure.
    pub fn write_png(&self, path: impl AsRef<Path>) -> Result<PathBuf> {
        let path = path.as_ref();
        let browser = find_chromium()?;
        let scratch = ScratchDir::new()?;
        let mut figure = self.figure();
        figure["layout"]["width"] = PNG_SIZE.0.into();
        figure["layout"]["height"] = PNG_SIZE.1.into();
        figure["layout"]["updatemenus"] = serde_json::Value::Array(Vec::new());
        figure["config"] = serde_json::json!({"staticPlot": true, "displayModeBar": false});
        let style = format!("width:{}px;height:{}px", PNG_SIZE.0, PNG_SIZE.1);
        let html = scratch.0.join("figure.html");
        fs::write(&html, page(&figure.to_string(), &style, &self.summary)).map_err(|source| {
            Error::Write {
                path: html.clone(),
                source,
            }
        })?;
        let shot = scratch.0.join("figure.png");
        screenshot(&browser, &html, &shot, &scratch.0)?;
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
    /// folder or the HTML file cannot be written. A missing browser is not an error: it is
    /// reported in [`Saved::png`] (and a PNG from an earlier save, if any, is left as it was).
    pub fn save(&self, dir: impl AsRef<Path>, stem: &str) -> Result<Saved> {
        let dir = dir.as_ref();
        fs::create_dir_all(dir).map_err(|source| Error::Write {
            path: dir.to_path_buf(),
            source,
        })?;
        let stem = file_stem(stem)?;
        let html = self.write_html(dir.join(format!("{stem}.html")))?;
        let png = self.write_png(dir.join(format!("{stem}.png")));
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
        let trace = Scatter::new(self.init_stds.clone(), self.variances.clone())
            .mode(Mode::LinesMarkers)
            .name("simulated")
            .line(Line::new().color("#1f77b4").width(2.0))
            .marker(Marker::new().color("#1f77b4").size(7))
            .hover_template("init std %{x:.4g}<br>output variance %{y:.4e}<extra></extra>");
        let axis_button = |label: &str, kind: &str| {
            Button::new()
                .label(label)
                .method(ButtonMethod::Relayout)
                .args(serde_json::json!([{ "yaxis.type": kind }]))
        };
        let menu = UpdateMenu::new()
            .ty(UpdateMenuType::Buttons)
            .direction(UpdateMenuDirection::Right)
            .show_active(true)
            .active(0)
            .x(0.0)
            .x_anchor(plotly::common::Anchor::Left)
            .y(1.02)
            .y_anchor(plotly::common::Anchor::Bottom)
            .buttons(vec![
                axis_button("log y", "log"),
                axis_button("linear y", "linear"),
            ]);
        let grid = "rgba(0,0,0,0.12)";
        let layout = Layout::new()
            .title(Title::with_text(&title).x(0.5))
            .x_axis(
                Axis::new()
                    .title("Init std")
                    .show_grid(true)
                    .grid_color(grid)
                    .zero_line(false)
                    .show_line(true)
                    .line_color("#444")
                    .ticks(plotly::layout::TicksDirection::Outside),
            )
            .y_axis(
                Axis::new()
                    .title("Output variance")
                    .type_(AxisType::Log)
                    .exponent_format(plotly::common::ExponentFormat::Power)
                    .show_grid(true)
                    .grid_color(grid)
                    .show_line(true)
                    .line_color("#444")
                    .ticks(plotly::layout::TicksDirection::Outside),
            )
            .plot_background_color("white")
            .paper_background_color("white")
            .margin(Margin::new().left(80).right(30).top(80).bottom(60))
            .update_menus(vec![menu]);
        let mut plot = Plot::new();
        plot.add_trace(trace);
        plot.set_layout(layout);
        let summary = format!(
            "{title}: {} points (interactive plotly chart)",
            self.init_stds.len()
        );
        Chart::new(plot, summary)
    }
}

/// A JSON array of numbers as a plotly.js typed array of doubles; `None` for anything else.
fn typed_array(column: &serde_json::Value) -> Option<serde_json::Value> {
    let values = column.as_array()?;
    let mut bytes = Vec::with_capacity(values.len() * 8);
    for v in values {
        bytes.extend_from_slice(&v.as_f64()?.to_le_bytes());
    }
    Some(serde_json::json!({ "dtype": "f8", "bdata": base64(&bytes) }))
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

fn page(figure_json: &str, style: &str, title: &str) -> String {
    // plotly's bundle carries plotly.js and MathJax as two scripts; only plotly.js is needed.
    let scripts = Plot::offline_js_sources();
    let plotly_js = scripts.split("</script>").next().unwrap_or_default();
    let title = title.replace('&', "&amp;").replace('<', "&lt;");
    // '<' only occurs inside JSON strings, where \u003c means the same; escaping it keeps any
    // text ("</script>", "<!--") from ending or confusing the script element.
    let figure_json = figure_json.replace('<', "\\u003c");
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n\
         {plotly_js}</script>\n</head>\n<body style=\"margin:0\">\n\
         <div id=\"figure\" style=\"{style}\"></div>\n<script>\n\
         const figure = {figure_json};\n\
         Plotly.newPlot(\"figure\", {{data: figure.data, layout: figure.layout, \
         frames: figure.frames, config: Object.assign({{responsive: true}}, figure.config || {{}})}});\n</script>\n</body>\n</html>\n"
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

fn screenshot(browser: &Path, html: &Path, png: &Path, profile: &Path) -> Result<()> {
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
        .arg(format!("--window-size={},{}", PNG_SIZE.0, PNG_SIZE.1))
        .arg(format!("--screenshot={}", png.display()))
        .arg(file_url(&html))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| unavailable(format!("{} could not be started: {e}", browser.display())))?;
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            _ => {
                #[cfg(unix)]
                let _ = Command::new("kill")
                    .args(["-KILL", "--", &format!("-{}", child.id())])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status();
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
        let html = page(r#"{"data":[{"name":"</script><!--"}]}"#, "", "t");
        assert!(html.contains(r#""name":"\u003c/script>\u003c!--""#));
        assert_eq!(html.matches("</script>").count(), 2);
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
