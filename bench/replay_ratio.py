#!/usr/bin/env python3
"""Whole-process `replay --ndjson` against tshark `-z conv,tcp`, for source trees interleaved.

    python bench/replay_ratio.py /tmp/replay-base /tmp/replay-new --runs 5

For each run, round-robin: tshark -q -z conv,tcp, then `wsarecv replay FILE --ndjson` of every
tree (`python -m wsarecv_cli`, the tree first on PYTHONPATH, in the tree's directory), on each
capture (default: bench/out/bench-few-200k.pcap and bench-many-200k.pcap). Each is a fresh
process with stdout to /dev/null; its CPU time (user + sys, os.wait4) and wall time are kept.
Prints per capture the median CPU and wall seconds of each, and each tree's ratio to tshark
(CPU time: other work on the machine moves it less than the wall time; both are printed).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def run(argv: list[str], env: dict | None = None, cwd: str | None = None) -> tuple[float, float]:
    """(CPU s, wall s) of one process."""
    with open(os.devnull, "wb") as devnull:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=devnull, stderr=devnull, stdin=subprocess.DEVNULL, env=env, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(argv)}")
    return usage.ru_utime + usage.ru_stime, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="+")
    parser.add_argument("--captures", nargs="+", type=Path,
                        default=[OUT / "bench-few-200k.pcap", OUT / "bench-many-200k.pcap"])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    tshark = shutil.which("tshark")
    if tshark is None:
        raise SystemExit("tshark not installed")
    trees = [os.path.abspath(t) for t in args.trees]
    times: dict[tuple[str, str], list[tuple[float, float]]] = {}
    print(f"load average before: {os.getloadavg()}", file=sys.stderr)
    for _ in range(args.runs):
        for capture in args.captures:
            subprocess.run(["cat", str(capture)], stdout=subprocess.DEVNULL, check=True)  # warm page cache
            times.setdefault((capture.name, "tshark"), []).append(
                run([tshark, "-q", "-n", "-r", str(capture), "-z", "conv,tcp"]))
            for tree in trees:
                env = dict(os.environ, PYTHONPATH=tree)
                times.setdefault((capture.name, tree), []).append(run(
                    [sys.executable, "-m", "wsarecv_cli", "replay", str(capture), "--ndjson", "--no-progress"],
                    env=env, cwd=tree))
    print(f"load average after: {os.getloadavg()}", file=sys.stderr)
    table = {}
    for capture in args.captures:
        base = statistics.median(c for c, _ in times[(capture.name, "tshark")])
        base_wall = statistics.median(w for _, w in times[(capture.name, "tshark")])
        rows = {}
        for who in ["tshark", *trees]:
            runs = times[(capture.name, who)]
            cpu, wall = statistics.median(c for c, _ in runs), statistics.median(w for _, w in runs)
            rows[who] = {"cpu_s": round(cpu, 3), "wall_s": round(wall, 3), "cpu_ratio": round(cpu / base, 2),
                         "wall_ratio": round(wall / base_wall, 2), "cpu_runs": [round(c, 2) for c, _ in runs]}
        table[capture.name] = rows
    print(json.dumps(table, indent=2))


if __name__ == "__main__":
    main()
