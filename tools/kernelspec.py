"""Registers the evcxr `rust` kernel inside the project's Python environment.

The spec lives in <prefix>/share/jupyter/kernels/rust, so it is seen by this environment's
JupyterLab only and nothing in the user's own Jupyter setup changes. The kernel starts through
tools/kernel.py, which gives it a build folder under .evcxr/build/ that persists between kernels,
and points evcxr at the project's settings folder (.evcxr/: offline builds). Saved chart pages
embed the plotly.js of this environment's `plotly` package, the one that draws charts inline.
"""

import argparse
import json
import sys
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evcxr", type=Path, required=True, help="the evcxr_jupyter binary")
    parser.add_argument("--config-dir", type=Path, required=True, help="evcxr settings folder")
    parser.add_argument("--prefix", type=Path, required=True, help="the Python environment")
    args = parser.parse_args()
    if not args.evcxr.is_file():
        raise SystemExit(f"evcxr_jupyter not found at {args.evcxr}; run `make evcxr`")
    import plotly  # the environment's own copy, installed from requirements.txt

    plotly_js = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
    if not plotly_js.is_file():
        raise SystemExit(f"the plotly package has no {plotly_js}")
    config_dir = args.config_dir.resolve()
    launcher = Path(__file__).resolve().parent / "kernel.py"
    spec = {
        "argv": [
            str(Path(sys.executable).absolute()),
            str(launcher),
            "--evcxr",
            str(args.evcxr.resolve()),
            "--slots",
            str(config_dir / "build"),
            "--",
            "--control_file",
            "{connection_file}",
        ],
        "display_name": "Rust",
        "language": "rust",
        "interrupt_mode": "message",
        "env": {"EVCXR_CONFIG_DIR": str(config_dir), "INITKIT_PLOTLY_JS": str(plotly_js)},
    }
    target = args.prefix / "share" / "jupyter" / "kernels" / "rust" / "kernel.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(spec, indent=1) + "\n"
    if not target.is_file() or target.read_text() != text:
        target.write_text(text)
        print(f"registered the rust kernel in {target}")


if __name__ == "__main__":
    main()
