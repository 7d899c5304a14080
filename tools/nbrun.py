"""Run a notebook on the evcxr kernel the way JupyterLab does, and optionally store its outputs.

    python tools/nbrun.py notebooks/day45.ipynb            # run, report, change nothing
    python tools/nbrun.py notebooks/day45.ipynb --write    # run and store the outputs

The kernel runs in the notebook's own folder, as in JupyterLab. Stored outputs carry no timings
and no execution metadata, so re-running an unchanged lesson leaves the file unchanged.
"""

from __future__ import annotations

import argparse
import copy
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

KERNEL = "rust"
CELL_TIMEOUT_S = 900  # a first, uncached `:dep` compiles ndarray, rand and plotly


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drops what changes from run to run: timing metadata; numbers cells in order."""
    count = 0
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        count += 1
        cell.execution_count = count
        for out in cell.outputs:
            if "execution_count" in out:
                out["execution_count"] = count
            out.get("metadata", {}).pop("execution", None)
    return nb


def client_for(nb: nbformat.NotebookNode, path: Path) -> NotebookClient:
    return NotebookClient(
        nb,
        kernel_name=KERNEL,
        timeout=CELL_TIMEOUT_S,
        record_timing=False,
        allow_errors=True,
        coalesce_streams=True,
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )


def run_cells(client: NotebookClient, nb: nbformat.NotebookNode) -> None:
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            client.execute_cell(cell, index)


def execute(path: Path, times: int = 1) -> list[nbformat.NotebookNode]:
    """Runs the notebook `times` times in one kernel; returns a cleaned copy per run."""
    nb = nbformat.read(path, as_version=4)
    client = client_for(nb, path)
    runs = []
    with client.setup_kernel():
        for _ in range(times):
            fresh = copy.deepcopy(nb)
            for cell in fresh.cells:
                if cell.cell_type == "code":
                    cell.outputs = []
            client.nb = fresh
            run_cells(client, fresh)
            runs.append(clean(fresh))
    return runs


def errors(nb: nbformat.NotebookNode) -> list[str]:
    found = []
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                found.append(f"cell {index}: {out.ename}: {out.evalue}")
            if out.output_type == "stream" and out.name == "stderr":
                found.append(f"cell {index} wrote to stderr: {out.text.strip()}")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--write", action="store_true", help="store the outputs in the file")
    args = parser.parse_args()
    (nb,) = execute(args.notebook)
    problems = errors(nb)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        return 1
    if args.write:
        # nbformat's own layout, the one JupyterLab saves, so saving from Lab changes nothing.
        text = nbformat.writes(nb) + "\n"
        tmp = args.notebook.with_suffix(".ipynb.partial")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(args.notebook)
        print(f"stored the outputs of {args.notebook}")
    else:
        print(f"{args.notebook}: every cell ran without error")
    return 0


if __name__ == "__main__":
    sys.exit(main())
