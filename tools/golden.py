"""Writes the NumPy reference data that initkit's tests compare against.

    .venv/bin/python tools/golden.py      # rewrites crates/initkit/tests/golden/numpy.json

For each seed: the first 1,000 raw PCG64 outputs, the first 1,000 doubles of
`Generator.random`, and the first 1,000,000 standard normals (as a SHA-256 of their
little-endian bytes, plus the first 1,000 and every 1,000th value written out). Then the
original lesson's `propagate` for a handful of (layers, std, width, seed). NumPy is only a
tool for making this file; initkit never calls it.
"""

import hashlib
import json
import sys
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent.parent / "crates/initkit/tests/golden/numpy.json"
SEEDS = [0, 1, 2**70 + 12345]
N_NORMALS = 1_000_000
PROPAGATIONS = [
    (3, 0.001, 512, 0),
    (3, 0.01, 512, 0),
    (3, 0.03, 512, 0),
    (0, 0.5, 100, 1),
    (1, 0.1, 64, 7),
    (5, 0.05, 256, 3),
    (10, 128**-0.5, 128, 42),
    (2, 0.02, 1000, 2**70 + 12345),
    (2, 0.2, 30, 5),
    (1, 0.01, 4100, 9),
]


def propagate(n_layers, init_std, width, seed):
    """The original lesson's simulation, as it was written."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(width)
    for _ in range(n_layers):
        w = rng.standard_normal((width, width)) * init_std
        x = w @ x
    return float(np.var(x))


def words(seed: int) -> list[int]:
    out = []
    while True:
        out.append(seed & 0xFFFFFFFF)
        seed >>= 32
        if seed == 0:
            return out


def stream(seed: int) -> dict:
    normals = np.random.default_rng(seed).standard_normal(N_NORMALS)
    raw = np.random.default_rng(seed).bit_generator.random_raw(1000)
    return {
        "seed": str(seed),
        "seed_words": words(seed),
        "raw_u64_hex": [f"{int(v):016x}" for v in raw],
        "doubles": np.random.default_rng(seed).random(1000).tolist(),
        "normals": {
            "count": N_NORMALS,
            "sha256_le": hashlib.sha256(normals.astype("<f8").tobytes()).hexdigest(),
            "first": normals[:1000].tolist(),
            "every_1000th": normals[::1000].tolist(),
        },
    }


def main() -> None:
    data = {
        "about": "Reference draws from numpy.random.default_rng, written by tools/golden.py",
        "numpy_version": np.__version__,
        "streams": [stream(seed) for seed in SEEDS],
        "propagate": [
            {"n_layers": n, "init_std": s, "width": w, "seed": str(seed),
             "variance": propagate(n, s, w, seed)}
            for n, s, w, seed in PROPAGATIONS
        ],
    }
    OUT.write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote {OUT.relative_to(Path.cwd()) if OUT.is_relative_to(Path.cwd()) else OUT}")


if __name__ == "__main__":
    sys.exit(main())
