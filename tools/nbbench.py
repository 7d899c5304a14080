"""How long the lesson makes a class wait, on the evcxr kernel: `make nbbench`.

Starts fresh kernels the way JupyterLab does (the registered `rust` kernel, in notebooks/) and
reports, as medians over several runs with warm build folders:

- kernel start: from asking for a kernel until it answers;
- each code cell's latency, from sending it until the kernel is idle again;
- run-all: every code cell in order, kernel start excluded;
- first chart: from asking for a kernel until the first plotly chart arrives (what a teacher
  who opens the notebook and presses Run All waits for);
- the teacher's loop: edit the knobs cell, re-run it and the chart cell after it.

The Python original (its three code cells, with NumPy and matplotlib, on ipykernel) runs in the
same session for the ratios. One cold run follows, with a build folder of its own that starts
empty. Absolute times depend on the machine and its load; quote the ratios.

    python tools/nbbench.py [--runs N] [--no-cold] [--json FILE]
"""

from __future__ import annotations

import argparse
import inspect
import json
import re
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import nbformat
from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpecManager

import bench

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "day45.ipynb"
TIMEOUT_S = 900
KNOBS_MARKER = "Knobs"

# The original lesson's code, as its notebook imported it (days/day45/code/); `propagate` is
# the copy the speed benchmark runs.
ORIGINAL_INITIALIZATION = f"""
import numpy as np

{inspect.getsource(bench.propagate)}

def he_std(n_in):
    return np.sqrt(2 / n_in)

def xavier_std(n_in, n_out):
    return np.sqrt(2 / (n_in + n_out))
"""
ORIGINAL_VISUALIZATIONS = '''
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from days.day45.code.initialization import propagate

def plot_variance_propagation():
    stds = np.linspace(0.001, 0.05, 20)
    plt.plot(stds, [propagate(3, s) for s in stds], marker="o")
'''
ORIGINAL_CELLS = [
    """
    import sys
    from pathlib import Path

    repo_root = Path.cwd()
    if not (repo_root / "days").exists():
        for parent in Path.cwd().resolve().parents:
            if (parent / "days").exists():
                repo_root = parent
                break

    sys.path.insert(0, str(repo_root))
    print(f"Using repo root: {repo_root}")
    """,
    """
    from days.day45.code.initialization import propagate, he_std, xavier_std

    for std in [0.001, 0.01, 0.03]:
        print(std, propagate(3, std))

    print("He std:", he_std(512))
    print("Xavier std:", xavier_std(512, 512))
    """,
    """
    from days.day45.code.visualizations import plot_variance_propagation

    RUN_FIGURES = False

    if RUN_FIGURES:
        plot_variance_propagation()
    else:
        print("Set RUN_FIGURES = True to regenerate Day 45 figures inside days/day45/outputs/.")
    """,
]


class Session:
    """One kernel, started as JupyterLab starts it, timing what it is asked to run."""

    def __init__(self, name: str, cwd: Path, spec_dirs: list[str] | None = None):
        self.t0 = time.perf_counter()
        specs = KernelSpecManager(kernel_dirs=spec_dirs) if spec_dirs else KernelSpecManager()
        self.km = KernelManager(kernel_name=name, kernel_spec_manager=specs)
        # The kernels' own stderr (compiler progress, startup notes) is not part of the table.
        self.km.start_kernel(cwd=str(cwd), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=TIMEOUT_S)
        self.started = time.perf_counter() - self.t0
        self.first_chart: float | None = None

    def run(self, source: str) -> tuple[float, list[str]]:
        """Runs one cell; returns its latency and any error or stderr text."""
        start = time.perf_counter()
        msg_id = self.kc.execute(source)
        problems = []
        while True:
            msg = self.kc.get_iopub_msg(timeout=TIMEOUT_S)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "status" and content["execution_state"] == "idle":
                break
            if kind in ("display_data", "execute_result"):
                if "application/vnd.plotly.v1+json" in content["data"] and self.first_chart is None:
                    self.first_chart = time.perf_counter() - self.t0
            elif kind == "error":
                problems.append(f"{content['ename']}: {content['evalue']}")
            elif kind == "stream" and content["name"] == "stderr":
                problems.append(content["text"])
        return time.perf_counter() - start, problems

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


def code_cells(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code"]


def edited_knobs(source: str, turn: int) -> str:
    """The knobs cell as a teacher edits it: its first number changed, differently each turn."""
    match = re.search(r"(?<![\w.])(\d+\.\d+)(?![\w.])", source)
    if not match:
        return source
    value = float(match.group(1)) * (1.5 if turn % 2 == 0 else 1 / 1.5)
    return source[: match.start()] + repr(value) + source[match.end() :]


def rust_run(cells: list[str], spec_dirs: list[str] | None, loops: int) -> dict:
    session = Session("rust", NOTEBOOK.parent, spec_dirs)
    try:
        latencies, problems = [], []
        for source in cells:
            seconds, found = session.run(source)
            latencies.append(seconds)
            problems += found
        loop_times = []
        knobs = next((i for i, s in enumerate(cells) if KNOBS_MARKER in s.split("\n", 1)[0]), None)
        if knobs is not None and knobs + 1 < len(cells):
            for turn in range(loops):
                edit, _ = session.run(edited_knobs(cells[knobs], turn))
                chart, found = session.run(cells[knobs + 1])
                problems += found
                loop_times.append(edit + chart)
        return {
            "kernel_start": session.started,
            "cells": latencies,
            "run_all": sum(latencies),
            "first_chart": session.first_chart,
            "loop": statistics.median(loop_times) if loop_times else None,
            "problems": problems,
        }
    finally:
        session.close()


def python_run(workdir: Path) -> dict:
    session = Session("python3", workdir)
    try:
        latencies = []
        for source in ORIGINAL_CELLS:
            seconds, problems = session.run(textwrap.dedent(source))
            if problems:
                raise SystemExit(f"the Python original failed: {problems}")
            latencies.append(seconds)
        return {"kernel_start": session.started, "cells": latencies, "run_all": sum(latencies)}
    finally:
        session.close()


def cold_spec(tmp: Path) -> list[str]:
    """A copy of the rust kernel spec whose build folders start empty."""
    source = Path(KernelSpecManager().get_kernel_spec("rust").resource_dir) / "kernel.json"
    spec = json.loads(source.read_text())
    argv = spec["argv"]
    if "--slots" not in argv:
        raise SystemExit("the rust kernel spec has no --slots; run `make kernel`")
    argv[argv.index("--slots") + 1] = str(tmp / "slots")
    target = tmp / "kernels" / "rust" / "kernel.json"
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps(spec))
    return [str(tmp / "kernels")]


def median_of(runs: list[dict], key: str) -> float | None:
    values = [r[key] for r in runs if r.get(key) is not None]
    return statistics.median(values) if values else None


def fmt(seconds: float | None) -> str:
    return "     -" if seconds is None else f"{seconds:6.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="warm runs (default 5)")
    parser.add_argument("--loops", type=int, default=5, help="teacher loops per run")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold run")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    cells = code_cells(NOTEBOOK)

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        code = tmp / "days" / "day45" / "code"
        code.mkdir(parents=True)
        for package in (tmp / "days", tmp / "days" / "day45", code):
            (package / "__init__.py").write_text("")
        (code / "initialization.py").write_text(ORIGINAL_INITIALIZATION)
        (code / "visualizations.py").write_text(ORIGINAL_VISUALIZATIONS)

        rust_run(cells, None, 1)  # brings the build folder up to date after any change
        warm, python = [], []
        for i in range(args.runs):
            warm.append(rust_run(cells, None, args.loops))
            python.append(python_run(tmp))
            print(f"run {i + 1}/{args.runs}: run-all {warm[-1]['run_all']:.2f} s", file=sys.stderr)
        cold = None if args.no_cold else rust_run(cells, cold_spec(tmp), 1)

    problems = [p for r in warm + ([cold] if cold else []) for p in r["problems"]]
    rows = [("kernel start", median_of(warm, "kernel_start"), median_of(python, "kernel_start"),
             cold and cold["kernel_start"])]
    for i, source in enumerate(cells):
        first = source.strip().splitlines()[0][:44] if source.strip() else ""
        rows.append((f"cell {i + 1}: {first}", statistics.median(r["cells"][i] for r in warm),
                     None, cold and cold["cells"][i]))
    rows += [
        ("run-all (kernel start excluded)", median_of(warm, "run_all"), median_of(python, "run_all"),
         cold and cold["run_all"]),
        ("first chart after opening", median_of(warm, "first_chart"), None,
         cold and cold["first_chart"]),
        ("teacher's loop (knobs + chart)", median_of(warm, "loop"), None, None),
    ]
    print(f"\nevcxr lesson ({len(cells)} code cells), medians of {args.runs} fresh kernels; seconds\n")
    print(f"{'':56} {'warm':>6} {'python':>6} {'cold':>6}")
    for label, w, p, c in rows:
        print(f"{label:56} {fmt(w)} {fmt(p)} {fmt(c)}")
    ratio_all = median_of(warm, "run_all") / median_of(python, "run_all")
    open_rust = median_of(warm, "kernel_start") + median_of(warm, "run_all")
    open_python = median_of(python, "kernel_start") + median_of(python, "run_all")
    print(f"\nrun-all: {ratio_all:.1f}x the Python original's; "
          f"kernel start + run-all: {open_rust / open_python:.1f}x")
    if problems:
        print("\nproblems seen:", *sorted(set(problems)), sep="\n  ")
    if args.json:
        args.json.write_text(json.dumps({"warm": warm, "python": python, "cold": cold}, indent=1))


if __name__ == "__main__":
    main()
