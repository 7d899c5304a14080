"""initkit against the original NumPy code, side by side in one run: `make bench`.

Prints medians and the ratio NumPy time / Rust time (higher is better for initkit), then the
variance-flow lab's slider workload (41 init scales x 30 tanh layers x width 256 x batch 32,
forward and backward) in both, then the peak memory of one propagation at width 8192 and 10
layers for both. Absolute times depend on the machine and its load; the ratios are what to quote.
"""

import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
WIDE, DEEP = 8192, 10


def propagate(n_layers, init_std, width=512, seed=0):
    """The original lesson's code."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(width)
    for _ in range(n_layers):
        W = rng.standard_normal((width, width)) * init_std
        x = W @ x
    return np.var(x)


def bench_gains():
    """The benchmark's 41 init scales sigma * sqrt(n) = 2^(-2 + i/10), as bench.rs uses."""
    return [2.0 ** (-2 + i / 10) for i in range(41)]


def lab_sweep(gains, width=256, depth=30, batch=32, seed=0):
    """What initkit's Lab::sweep computes for tanh, in NumPy: the same draws in the same order
    (inputs, each weight matrix, the top gradient), reused by every scale."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((width, batch))
    ws = [rng.standard_normal((width, width)) for _ in range(depth)]
    g = rng.standard_normal((width, batch))
    out = []
    for gain in gains:
        s = gain / np.sqrt(width)
        h, derivs, pre, post = x, [], [], []
        for w in ws:
            z = s * (w @ h)
            pre.append(np.mean(z * z))
            h = np.tanh(z)
            derivs.append(1.0 - h * h)
            post.append(np.mean(h * h))
        d = g * derivs[-1]
        grads = [np.mean(d * d)]
        for l in range(depth - 1, 0, -1):
            d = (s * (ws[l].T @ d)) * derivs[l - 1]
            grads.append(np.mean(d * d))
        out.append((pre, post, grads[::-1]))
    return out


def median_seconds(repeats, f):
    f()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def rust(*args):
    cmd = ["cargo", "run", "--quiet", "--release", "--example", "bench", "--", *args]
    out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def numpy_peak_kib():
    """Peak memory of the original at WIDE x DEEP, in a fresh process, above its baseline."""
    code = (
        "import resource, numpy as np\n"
        "from tools.bench import propagate\n"
        "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        f"propagate({DEEP}, {WIDE ** -0.5}, width={WIDE})\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    return int(out)


def main():
    subprocess.run(["cargo", "build", "--quiet", "--release", "--example", "bench"], cwd=ROOT,
                   check=True)
    stds = np.linspace(0.001, 0.05, 20)
    rs = rust("time")
    np_one = median_seconds(31, lambda: propagate(3, 0.01))
    np_sweep = median_seconds(5, lambda: [propagate(3, s) for s in stds])
    print(f"{'case':<40}{'NumPy':>12}{'initkit':>12}{'ratio':>9}{'target':>9}")
    rows = [
        ("propagate(3, 0.01), width 512", np_one, rs["propagate_3"], 4),
        ("20-point sweep, 3 layers, width 512", np_sweep, rs["sweep_20"], 40),
    ]
    for name, a, b, target in rows:
        print(f"{name:<40}{a * 1e3:>10.2f}ms{b * 1e3:>10.2f}ms{a / b:>8.1f}x{target:>8}x")
    lab = rust("lab")
    gains = bench_gains()
    np_lab = median_seconds(3, lambda: lab_sweep(gains))
    pre, _, grads = lab_sweep([1.0])[0]
    agree = max(max(abs(a / b - 1) for a, b in zip(pre, lab["check_pre"])),
                max(abs(a / b - 1) for a, b in zip(grads, lab["check_grad"])))
    print(f"\nvariance-flow lab, 41 scales x 30 tanh layers x width 256, forward + backward "
          f"({lab['threads']} cores)")
    print(f"{'case':<40}{'NumPy':>12}{'initkit':>12}{'ratio':>9}")
    print(f"{'slider simulation, batch 32':<40}{np_lab * 1e3:>10.1f}ms"
          f"{lab['lab_sweep_b32'] * 1e3:>10.1f}ms{np_lab / lab['lab_sweep_b32']:>8.1f}x")
    print(f"{'  initkit at batch 16 (Lab default)':<40}{'':>12}"
          f"{lab['lab_sweep_b16'] * 1e3:>10.1f}ms")
    print(f"{'  slider_chart(): 25 scales, batch 16':<40}{'':>12}"
          f"{lab['slider_chart_b16'] * 1e3:>10.1f}ms")
    print(f"  same draws, same variances: largest relative difference {agree:.1e}")
    mem = rust("memory", str(WIDE), str(DEEP))
    np_kib = numpy_peak_kib()
    print(f"\npeak memory above baseline, width {WIDE}, {DEEP} layers "
          f"(target for initkit: under 16 MiB)")
    print(f"  NumPy original: {np_kib / 1024:8.1f} MiB")
    print(f"  initkit:        {mem['peak_above_baseline_kib'] / 1024:8.1f} MiB")


if __name__ == "__main__":
    main()
