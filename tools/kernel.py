"""Starts evcxr_jupyter in a build folder of its own that outlives the kernel.

    python tools/kernel.py --evcxr PATH --slots DIR -- <evcxr arguments>

evcxr normally builds each kernel's cells in a fresh temporary folder, so every new kernel
recompiles (or copies from its cache) initkit and its dependencies. Here each kernel takes the
first free slot `DIR/<n>`, held with an exclusive lock for the kernel's lifetime; the next kernel
in that slot finds cargo's target folder up to date and starts building cells at once. Two
kernels never share a slot: a second notebook open at the same time takes the next one (and
compiles cold once). When every slot is taken, evcxr gets a temporary folder as usual.

The lock file descriptor is inherited across exec, so the lock lives exactly as long as the
kernel process, however it ends.
"""

from __future__ import annotations

import argparse
import fcntl
import os
from pathlib import Path

SLOTS = 4


def take_slot(root: Path) -> Path | None:
    root.mkdir(parents=True, exist_ok=True)
    for n in range(SLOTS):
        slot = root / str(n)
        fd = os.open(root / f"{n}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        os.set_inheritable(fd, True)
        slot.mkdir(exist_ok=True)
        return slot
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evcxr", required=True, help="the evcxr_jupyter binary")
    parser.add_argument("--slots", type=Path, required=True, help="folder of build slots")
    parser.add_argument("rest", nargs=argparse.REMAINDER, help="arguments for evcxr_jupyter")
    args = parser.parse_args()
    rest = args.rest[1:] if args.rest[:1] == ["--"] else args.rest
    slot = take_slot(args.slots)
    if slot is not None:
        os.environ["EVCXR_TMPDIR"] = str(slot)
    os.execv(args.evcxr, [args.evcxr, *rest])


if __name__ == "__main__":
    main()
