//! Small helpers for the lesson's notebook cells.

use std::io::Write;
use std::path::Path;

/// Where this copy of initkit was built from, relative to the root of its Cargo workspace
/// (`crates/initkit` in the lesson's repository), so notebooks can say so without printing an
/// absolute, personal path. Outside a workspace it is the crate's folder name.
pub fn source_dir() -> String {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = manifest.ancestors().skip(1).find(|dir| {
        std::fs::read_to_string(dir.join("Cargo.toml")).is_ok_and(|t| t.contains("[workspace]"))
    });
    let relative = root.and_then(|root| manifest.strip_prefix(root).ok());
    let shown = relative.unwrap_or_else(|| Path::new(manifest.file_name().unwrap_or_default()));
    shown.to_string_lossy().replace('\\', "/")
}

/// The line the lesson's first cell prints: initkit's version and where it was loaded from,
/// relative to the root of the repository.
///
/// ```
/// assert_eq!(
///     initkit::notebook::loaded_from(),
///     format!("Using initkit {} from crates/initkit in this repository", env!("CARGO_PKG_VERSION")),
/// );
/// ```
pub fn loaded_from() -> String {
    format!(
        "Using initkit {} from {} in this repository",
        env!("CARGO_PKG_VERSION"),
        source_dir()
    )
}

/// Hands rich output to evcxr: each `(mime type, content)` pair as one block of the cell's
/// display. This is the one place initkit writes to stdout, because that is how evcxr receives
/// rich output.
pub(crate) fn evcxr_show(parts: &[(&str, &str)]) {
    let mut text = String::new();
    for (mime, content) in parts {
        text.push_str(&format!(
            "EVCXR_BEGIN_CONTENT {mime}\n{content}\nEVCXR_END_CONTENT\n"
        ));
    }
    // A closed stdout has nowhere to show an error either; evcxr reports the cell itself.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}
