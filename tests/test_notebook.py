"""The lesson's notebook, executed headless on the real evcxr kernel from notebooks/."""

import base64
import json
import re
import shutil
import struct

import nbformat
import pytest
from conftest import ROOT

import nbrun

NOTEBOOK = ROOT / "notebooks" / "day45.ipynb"
PLOTLY = "application/vnd.plotly.v1+json"


@pytest.fixture(scope="module")
def runs():
    """The notebook run twice, top to bottom, in one kernel."""
    return nbrun.execute(NOTEBOOK, times=2)


@pytest.fixture(scope="module")
def stored():
    return nbformat.read(NOTEBOOK, as_version=4)


def stdout(cell) -> str:
    return "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")


def cell_with(nb, text: str):
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and text in c.source]
    return cell


def plotly_figure(cell) -> dict:
    figures = [o.data[PLOTLY] for o in cell.outputs if PLOTLY in o.get("data", {})]
    assert len(figures) == 1, f"expected one plotly chart, got {len(figures)}"
    return figures[0]


def column(values) -> list[float]:
    """A plotly data column, decoding plotly.js typed arrays of doubles."""
    if isinstance(values, dict):
        assert values["dtype"] == "f8"
        raw = base64.b64decode(values["bdata"])
        return list(struct.unpack(f"<{len(raw) // 8}d", raw))
    return values


def run_copy(nb, tmp_path):
    """Runs an edited copy of the lesson from tmp_path/notebooks/, beside a link to the crates,
    so that its `:dep` path and its outputs folder are as in the repository."""
    workdir = tmp_path / "notebooks"
    workdir.mkdir()
    (tmp_path / "crates").symlink_to(ROOT / "crates")
    copy = workdir / "day45.ipynb"
    nbformat.write(nb, copy)
    (run,) = nbrun.execute(copy)
    return run


def rel(a: float, b: float) -> float:
    return abs(a - b) / abs(b)


def test_every_cell_runs_without_error(runs):
    for run in runs:
        assert nbrun.errors(run) == []


def test_mirrors_the_original_cells_in_order(stored):
    """Every original cell, in order; demo cells only after the markdown of sections 1 to 3."""
    originals = [
        '# Day 45 — "Initialization, Symmetry Breaking & Why Training Must Start Carefully"',
        ":dep initkit",
        "## 1. Core Intuition",
        "## 2. Variance Propagation",
        "## 3. Xavier & He Initialization",
        "## 4. Rust — Variance Propagation",
        "use initkit::{he_std, propagate, xavier_std, PyFloat};",
        "## 5. Visualization — Variance vs Init Scale",
        "const RUN_FIGURES: bool = false;",
        "## 6. Key Takeaways",
    ]
    firsts = [c.source.splitlines()[0] for c in stored.cells]
    positions = [next(i for i, f in enumerate(firsts) if f.startswith(o)) for o in originals]
    assert positions == sorted(positions)
    kinds = [stored.cells[i].cell_type for i in positions]
    assert kinds == ["markdown", "code"] + ["markdown"] * 4 + ["code", "markdown", "code", "markdown"]
    demos = [i for i in range(len(firsts)) if i not in positions]
    assert all(positions[2] < i < positions[5] for i in demos), "demos belong in sections 1-3"
    assert stored.metadata.kernelspec.name == "rust"


def test_symmetry_demo_shows_clones_and_diversity(runs):
    cell = cell_with(runs[0], "SymmetryDemo")
    text = stdout(cell)
    assert "largest difference between hidden units after 500 steps = 0 (exactly)" in text
    constant_loss, random_loss = map(float, re.search(r"final loss (\S+) vs (\S+)", text).groups())
    assert random_loss < constant_loss / 4
    figure = plotly_figure(cell)
    names = [t.get("name", "") for t in figure["data"]]
    units = [t for t in figure["data"] if t.get("type") == "scatter" and t.get("xaxis") == "x"]
    assert len(units) >= 2
    # Under constant init every hidden unit's line is the same line, to the last bit.
    assert all(column(u["y"]) == column(units[0]["y"]) for u in units)
    randoms = [column(t["y"]) for t in figure["data"] if t.get("xaxis") == "x2"]
    assert len(randoms) == len(units) and all(a != b for a, b in zip(randoms, randoms[1:]))
    assert sum(t.get("type") == "heatmap" for t in figure["data"]) == 2, names


def lab_figure(nb, call: str) -> dict:
    return plotly_figure(cell_with(nb, call))


def test_knobs_cell_is_marked_and_only_sets_constants(stored):
    knobs = cell_with(stored, "// Knobs")
    lines = [line for line in knobs.source.splitlines() if line and not line.startswith("//")]
    assert lines and all(line.startswith("const ") for line in lines)
    assert {"INIT", "DEPTH", "WIDTH", "ACTIVATION"} <= {line.split()[1].rstrip(":") for line in lines}


def test_lab_charts_have_their_traces_axes_and_slider(runs):
    nb = runs[0]
    layers = lab_figure(nb, ".layer_chart()")
    names = [t["name"] for t in layers["data"]]
    assert any("pre-activation" in n and "(sim)" in n for n in names)
    assert any("gradient" in n and "(theory)" in n for n in names)
    assert layers["layout"]["yaxis"]["type"] == "log"
    slider = lab_figure(nb, ".slider_chart()")
    (control,) = slider["layout"]["sliders"]
    labels = [float(step["label"]) for step in control["steps"]]
    assert len(labels) == 25 and labels[0] == 0.25 and labels[-1] == 4.0
    assert labels == sorted(labels) and 1.0 in labels
    # Every step carries its own precomputed data: dragging needs no kernel.
    for step in control["steps"]:
        assert step["method"] == "update"
        assert len(step["args"][0]["y"]) == len(slider["data"])
    theory = lab_figure(nb, ".theory_chart(512)")
    simulated = [t for t in theory["data"] if t["name"].startswith("simulated")]
    assert len(column(simulated[0]["y"])) == 20
    schemes = lab_figure(nb, ".schemes_chart()")
    assert {"yaxis", "yaxis2"} <= set(schemes["layout"])
    assert sum("He" in t["name"] for t in schemes["data"]) >= 2
    assert lab_figure(nb, ".histogram_chart()")["data"]
    fans = lab_figure(nb, ".fan_chart()")
    assert any("fan_avg" in t["name"] for t in fans["data"])


def test_theory_curve_passes_through_the_original_points(runs, reference):
    theory = lab_figure(runs[0], ".theory_chart(512)")
    (simulated,) = [t for t in theory["data"] if t["name"].startswith("simulated")]
    assert column(simulated["y"]) == reference["chart"]["output_variance"]


def test_the_teachers_edit_reaches_the_chart(tmp_path):
    """Changing a knob and re-running the knobs cell and a chart cell redraws that chart."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    knobs, chart = cell_with(nb, "// Knobs"), cell_with(nb, ".layer_chart()")
    before = plotly_figure(chart)
    knobs.source = knobs.source.replace(
        re.search(r"const INIT: .*;", knobs.source).group(0),
        "const INIT: initkit::Scale = initkit::Scale::Std(10.0);",
    ).replace("const DEPTH: usize = 30;", "const DEPTH: usize = 400;")
    nb.cells = [c for c in nb.cells if c.cell_type == "markdown" or c in (nb.cells[1], knobs, chart)]
    run = run_copy(nb, tmp_path)
    assert nbrun.errors(run) == []
    after = plotly_figure(cell_with(run, ".layer_chart()"))
    assert after["layout"]["title"] != before["layout"]["title"]
    # std 10 over 400 layers overflows: the lost values are marked and named, not dropped.
    markers = [t for t in after["data"] if "overflow" in t.get("name", "")]
    assert markers and column(markers[0]["x"])
    assert "overflow" in json.dumps(after["data"])


def test_scheme_table_compares_the_frameworks(runs):
    (out,) = cell_with(runs[0], "SchemeTable").outputs
    html = out.data["text/html"]
    assert "text/plain" not in out.data or out.data["text/plain"] != "()"
    # sqrt(6 / 1024), sqrt(2 / 512), and Keras's He normal: sqrt(2 / 512) / 0.8796...
    for number in ["0.07655", "0.06250", "0.07105"]:
        assert number in html
    for name in ["xavier_uniform_", "GlorotUniform", "kaiming_normal_", "HeNormal"]:
        assert name in html


def test_first_cell_says_where_initkit_came_from_without_a_path(runs):
    text = stdout(runs[0].cells[1])
    assert re.fullmatch(r"Using initkit \d+\.\d+\.\d+ from crates/initkit in this repository\n", text)


def test_printed_lines_match_the_original(runs, reference):
    lines = stdout(cell_with(runs[0], "He std")).splitlines()
    want = reference["printed_lines"]
    assert len(lines) == len(want) == 5
    variances = reference["propagate_3_layers_width_512_seed_0"]
    for line, want_line in zip(lines[:3], want[:3]):
        std_text, value_text = line.split(" ")
        value = float(value_text)
        assert value_text == repr(value)  # formatted as Python prints a float
        # The bound; initkit in fact sums as NumPy's BLAS does and matches exactly.
        assert rel(value, variances[std_text]) < 1e-13, line
    assert lines == want


def test_chart_has_the_original_points(runs, reference):
    cell = cell_with(runs[0], "RUN_FIGURES")
    assert stdout(cell) == (
        "Set RUN_FIGURES = true to regenerate Day 45 figures inside notebooks/outputs/.\n"
    )
    figure = plotly_figure(cell)
    chart = reference["chart"]
    (trace,) = figure["data"]
    assert trace["mode"] == "lines+markers"
    assert column(trace["x"]) == chart["init_std"]  # np.linspace, reproduced exactly
    ys = column(trace["y"])
    assert len(ys) == 20
    for got, want in zip(ys, chart["output_variance"]):
        assert rel(got, want) < 1e-12
    assert ys == chart["output_variance"]  # every point to the last bit
    layout = figure["layout"]
    assert layout["title"]["text"] == chart["title"]
    assert layout["xaxis"]["title"]["text"] == chart["x_label"]
    assert layout["yaxis"]["title"]["text"] == chart["y_label"]
    assert layout["xaxis"]["showgrid"] and layout["yaxis"]["showgrid"]


def test_running_twice_in_one_kernel_gives_the_same_outputs(runs):
    first, second = runs
    for a, b in zip(first.cells, second.cells):
        assert a.get("outputs") == b.get("outputs")


def test_stored_outputs_are_what_a_run_gives(runs, stored):
    for index, (fresh, kept) in enumerate(zip(runs[0].cells, stored.cells)):
        assert fresh.get("outputs") == kept.get("outputs"), f"cell {index}: run `make notebook`"


def test_stored_outputs_are_clean(stored):
    text = json.dumps([c.get("outputs", []) for c in stored.cells])
    assert not re.search(r"(/root|/home|/tmp|/work|/media|/Users|[A-Z]:\\\\)", text)
    assert not re.search(r"(?i)took \d|\d+ ?ms\b|warning|error", text)
    for cell in stored.cells:
        for out in cell.get("outputs", []):
            assert out.get("name") != "stderr"
            assert out.get("data", {}).get("text/plain") != "()"
            assert "execution" not in out.get("metadata", {})


def test_run_figures_writes_offline_html_and_png(tmp_path):
    """With RUN_FIGURES on, the chart cell writes both files into notebooks/outputs/."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    cell = cell_with(nb, "RUN_FIGURES")
    cell.source = cell.source.replace("RUN_FIGURES: bool = false", "RUN_FIGURES: bool = true")
    run = run_copy(nb, tmp_path)
    workdir = tmp_path / "notebooks"
    assert nbrun.errors(run) == []
    assert stdout(cell_with(run, "RUN_FIGURES")) == (
        "Wrote outputs/00_variance_propagation.html\nWrote outputs/00_variance_propagation.png\n"
    )
    html = (workdir / "outputs" / "00_variance_propagation.html").read_text()
    assert "Plotly.newPlot" in html and not re.search(r"<script[^>]+src=", html)
    png = (workdir / "outputs" / "00_variance_propagation.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (1200, 700)  # 6 x 3.5 inches at 200 dpi, as the original saved
    shutil.rmtree(workdir / "outputs")
