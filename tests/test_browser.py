"""What the class sees: the lesson run through JupyterLab's own UI in a real headless Chromium.

JupyterLab serves a scratch copy of the lesson on 127.0.0.1 (a random free port and token), so
nothing the browser does (autosave included) touches the repository's notebook. Every request
the page makes to any other host is refused and fails the test: the lesson must work offline.
Screenshots of each chart go to artifacts/browser/ for a person to look at.
"""

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
RUN_LIMIT_S = 600
PLOTLY = "application/vnd.plotly.v1+json"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on a scratch copy of the lesson; always stopped at the end."""
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", root / "notebooks", ignore=shutil.ignore_patterns("outputs"))
    for name in ("crates", "Cargo.toml", "Cargo.lock"):
        (root / name).symlink_to(ROOT / name)
    port, token = free_port(), secrets.token_hex(16)
    jupyter = Path(sys.executable).parent / "jupyter"
    cmd = [
        str(jupyter), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        "--ServerApp.port_retries=0",
    ]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(root / "lab.log", "w")
    server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=root)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.time() > deadline:
                    pytest.fail(f"JupyterLab did not start:\n{(root / 'lab.log').read_text()}")
                time.sleep(0.5)
        yield {"base": base, "token": token}
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).is_file():
        pytest.fail("Chromium is missing: install Debian's chromium package (make browser)")
    with sync_playwright() as p:
        try:
            chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except PlaywrightError as e:
            pytest.fail(f"Chromium at {CHROMIUM} did not start ({e}); install Debian's chromium")
        yield chromium
        chromium.close()


def is_local(url: str) -> bool:
    parts = urllib.parse.urlparse(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname in ("127.0.0.1", "localhost")


def status_bar(page) -> str:
    return page.evaluate(
        "() => Array.from(document.querySelectorAll('.jp-StatusBar-TextItem'))"
        ".map(e => e.textContent).join('|')"
    )


def wait_until_idle(page, limit_s: float) -> None:
    deadline = time.time() + limit_s
    while time.time() < deadline:
        prompts = page.eval_on_selector_all(
            ".jp-CodeCell .jp-InputPrompt", "els => els.map(e => e.textContent.trim())"
        )
        done = prompts and all(re.fullmatch(r"\[\d+\]:", p) for p in prompts)
        if done and "Idle" in status_bar(page):
            return
        time.sleep(0.5)
    pytest.fail(f"the kernel was still busy after {limit_s} s: {status_bar(page)}")


def menu(page, top: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{top}$")).first.click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{item}$")).first.click()


@pytest.fixture(scope="module")
def lesson(lab, browser):
    """The lesson opened in JupyterLab, its outputs cleared, then every cell run from the UI."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    outside = []

    def guard(route):
        if is_local(route.request.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page_errors = []
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    page.goto(f"{lab['base']}/lab/tree/notebooks/day45.ipynb?token={lab['token']}")
    page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=120_000)
    deadline = time.time() + 120
    while "Idle" not in status_bar(page):
        if time.time() > deadline:
            pytest.fail(f"the Rust kernel did not start: {status_bar(page)}")
        time.sleep(0.5)
    menu(page, "Edit", "Clear Outputs of All Cells")
    assert page.locator(".js-plotly-plot").count() == 0
    menu(page, "Run", "Run All Cells")
    time.sleep(1)
    wait_until_idle(page, RUN_LIMIT_S)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "notebook.png"))
    yield {"page": page, "outside": outside, "page_errors": page_errors}
    context.close()


def test_no_cell_shows_an_error(lesson):
    page = lesson["page"]
    errors = page.locator(
        '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], '
        ".jp-OutputArea-output.jp-mod-error, .jp-RenderedText[data-mime-type*='error']"
    )
    assert errors.count() == 0, errors.all_inner_texts()
    text = page.locator(".jp-Notebook").inner_text()
    assert "0.001 1.2679878323076746e-10" in text
    assert "Xavier std: 0.04419417382415922" in text


VARIANCE_TITLE = "Variance After 3 Layers"


def stored_chart_titles() -> list[str]:
    """The titles of the charts the stored notebook shows, in order."""
    import nbformat

    nb = nbformat.read(ROOT / "notebooks" / "day45.ipynb", as_version=4)
    return [
        out.data[PLOTLY]["layout"]["title"]["text"]
        for cell in nb.cells
        for out in cell.get("outputs", [])
        if PLOTLY in out.get("data", {})
    ]


def chart_titled(page, title: str):
    titles = page.locator(".js-plotly-plot").evaluate_all(
        "gs => gs.map(g => g._fullLayout.title.text)"
    )
    assert titles.count(title) == 1, titles
    return page.locator(".js-plotly-plot").nth(titles.index(title))


def test_every_chart_is_drawn_by_plotly_with_its_points(lesson):
    page = lesson["page"]
    charts = page.locator(".js-plotly-plot")
    titles = charts.evaluate_all("gs => gs.map(g => g._fullLayout.title.text)")
    assert titles == stored_chart_titles()
    for index in range(charts.count()):
        chart = charts.nth(index)
        chart.scroll_into_view_if_needed()
        drawn = chart.evaluate("g => g._fullData.map(t => [t.name, t._length ?? null])")
        # Only the lost-value markers (overflow, underflow, NaN) may be empty: nothing was lost.
        empty = [name for name, n in drawn if n == 0 and not name.startswith(("▲", "▼", "✕"))]
        assert drawn and not empty, (titles[index], empty)
        chart.screenshot(path=str(ARTIFACTS / f"chart-{index + 1}.png"))
    chart = chart_titled(page, VARIANCE_TITLE)
    shape = chart.evaluate(
        "g => ({traces: g._fullData.length, points: g._fullData.map(t => t._length),"
        " y: g._fullLayout.yaxis.type})"
    )
    assert shape == {"traces": 1, "points": [20], "y": "log"}
    assert chart.locator("svg .scatterlayer .point").count() == 20


def test_symmetry_demo_draws_every_panel(lesson):
    chart = chart_titled(lesson["page"], "Symmetry breaking on XOR: one network, two initializations")
    chart.scroll_into_view_if_needed()
    drawn = chart.evaluate(
        "g => ({heatmaps: g.querySelectorAll('.hm').length,"
        " lines: g.querySelectorAll('.scatterlayer .trace').length,"
        " panels: Object.keys(g._fullLayout).filter(k => /^xaxis\\d*$/.test(k)).length})"
    )
    assert drawn["heatmaps"] == 2 and drawn["panels"] == 5, drawn
    assert drawn["lines"] >= 16, drawn


def test_dragging_the_slider_redraws_without_the_kernel(lesson):
    page = lesson["page"]
    charts = page.locator(".js-plotly-plot")
    with_slider = charts.evaluate_all("gs => gs.map(g => (g._fullLayout.sliders || []).length)")
    assert with_slider.count(1) == 1, with_slider
    chart = charts.nth(with_slider.index(1))
    chart.scroll_into_view_if_needed()
    state = "g => ({active: g._fullLayout.sliders[0].active, y: Array.from(g._fullData[0].y),"
    state += " title: g._fullLayout.title.text})"
    before = chart.evaluate(state)
    prompts = page.locator(".jp-InputPrompt").all_inner_texts()
    grip, rail = chart.locator(".slider-grip-rect").bounding_box(), chart.locator(".slider-rail-rect")
    rail = rail.bounding_box()
    page.mouse.move(grip["x"] + grip["width"] / 2, grip["y"] + grip["height"] / 2)
    page.mouse.down()
    page.mouse.move(rail["x"] + rail["width"] - 2, grip["y"] + grip["height"] / 2, steps=10)
    page.mouse.up()
    wait_for(lambda: chart.evaluate(state)["active"] != before["active"])
    after = chart.evaluate(state)
    assert after["active"] == 24 and after["y"] != before["y"] and after["title"] != before["title"]
    # No cell ran again: every execution count is as it was.
    assert page.locator(".jp-InputPrompt").all_inner_texts() == prompts
    chart.screenshot(path=str(ARTIFACTS / "slider-end.png"))


def test_hovering_a_point_shows_its_value(lesson):
    page = lesson["page"]
    chart = chart_titled(page, VARIANCE_TITLE)
    chart.scroll_into_view_if_needed()
    point = chart.evaluate(
        """g => { const fl = g._fullLayout, t = g._fullData[0], i = 10, r = g.getBoundingClientRect();
        return {x: r.left + fl.xaxis._offset + fl.xaxis.d2p(t.x[i]),
                y: r.top + fl.yaxis._offset + fl.yaxis.d2p(t.y[i]), std: t.x[i]}; }"""
    )
    page.mouse.move(point["x"] - 40, point["y"] - 40)
    page.mouse.move(point["x"], point["y"], steps=5)
    hover = chart.locator(".hoverlayer .hovertext")
    hover.first.wait_for(timeout=5000)
    text = hover.first.text_content()
    assert f"init std {point['std']:.4g}" in text and "output variance" in text, text


def test_axis_buttons_change_what_is_drawn(lesson):
    page = lesson["page"]
    chart = chart_titled(page, VARIANCE_TITLE)
    chart.scroll_into_view_if_needed()
    ticks = "g => Array.from(g.querySelectorAll('.ytick text')).map(t => t.textContent)"
    axis_type = "g => g._fullLayout.yaxis.type"
    log_ticks = chart.evaluate(ticks)
    chart.locator(".updatemenu-button", has_text="linear y").click()
    wait_for(lambda: chart.evaluate(axis_type) == "linear")
    assert chart.evaluate(ticks) != log_ticks
    chart.screenshot(path=str(ARTIFACTS / "variance-linear.png"))
    chart.locator(".updatemenu-button", has_text="log y").click()
    wait_for(lambda: chart.evaluate(axis_type) == "log")


def wait_for(condition, seconds: float = 10) -> None:
    deadline = time.time() + seconds
    while not condition():
        if time.time() > deadline:
            pytest.fail("the chart did not change in time")
        time.sleep(0.1)


def test_the_page_asked_no_other_host(lesson):
    assert lesson["outside"] == []
    assert lesson["page_errors"] == []
