"""tools/kernel.py: each kernel gets a build folder of its own, held for exactly its lifetime."""

import subprocess
import sys
import time

from conftest import ROOT

LAUNCHER = [sys.executable, str(ROOT / "tools" / "kernel.py")]


def slot_of(slots, program="/usr/bin/env", *args) -> str:
    out = subprocess.run(
        [*LAUNCHER, "--evcxr", program, "--slots", str(slots), "--", *args],
        capture_output=True, text=True, check=True, timeout=30,
    ).stdout
    (line,) = [line for line in out.splitlines() if line.startswith("EVCXR_TMPDIR=")]
    return line.split("=", 1)[1]


def test_concurrent_kernels_never_share_a_slot_and_a_slot_frees_when_its_kernel_ends(tmp_path):
    slots = tmp_path / "build"
    holder = subprocess.Popen([*LAUNCHER, "--evcxr", "/bin/sleep", "--slots", str(slots), "--", "30"])
    try:
        deadline = time.time() + 10
        while not (slots / "0").is_dir():
            assert time.time() < deadline, "the first kernel took no slot"
            time.sleep(0.05)
        assert slot_of(slots) == str(slots / "1")  # slot 0 is held by the running kernel
    finally:
        holder.kill()
        holder.wait()
    assert slot_of(slots) == str(slots / "0")  # freed when that kernel ended, however it ended


def test_arguments_reach_the_kernel_unchanged(tmp_path):
    out = subprocess.run(
        [*LAUNCHER, "--evcxr", "/bin/echo", "--slots", str(tmp_path), "--",
         "--control_file", "/x/kernel-1.json"],
        capture_output=True, text=True, check=True, timeout=30,
    ).stdout
    assert out == "--control_file /x/kernel-1.json\n"
