"""Start-up cost: wall time and peak RSS of two tiny commands, medians of several runs.

    python bench/startup.py [--runs 15] [--wsarecv PATH]

`wsarecv --version` is the floor (interpreter, click, the group); `wsarecv simulate --tcp hi` is the
smallest real command (one scenario, one call, a table). Each run is a fresh process; its peak RSS
comes from the kernel (os.wait4's rusage: ru_maxrss, KiB on Linux), as /usr/bin/time -v reports it.
The commands are run round-robin so a busy moment on a shared machine hits both alike.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

COMMANDS = (("--version", ["--version"]), ("simulate --tcp hi", ["simulate", "--tcp", "hi"]))


def run_once(argv: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of one run, output discarded."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}")
    return wall, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--wsarecv", default=shutil.which("wsarecv") or "wsarecv",
                        help="the wsarecv executable (default: the one on PATH)")
    args = parser.parse_args()
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name, _ in COMMANDS}
    for _ in range(args.runs):
        for name, extra in COMMANDS:
            samples[name].append(run_once([args.wsarecv, *extra]))
    print(f"{'command':<22} {'wall s (median)':>16} {'min':>7} {'max':>7} {'peak RSS MiB':>13}   ({args.runs} runs)")
    for name, runs in samples.items():
        walls = [w for w, _ in runs]
        print(f"{name:<22} {statistics.median(walls):>16.3f} {min(walls):>7.3f} {max(walls):>7.3f} "
              f"{statistics.median(r for _, r in runs):>13.1f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
