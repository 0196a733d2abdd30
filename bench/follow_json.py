#!/usr/bin/env python3
"""`follow --json` whole, this tree against others (bench/FOLLOW.md).

    python bench/follow_json.py CAPTURE [CAPTURE...] --before /work/main [--before TREE...] [--runs 5]

Each run is a fresh process timing the command's CPU time (time.process_time, output to
/dev/null, imports outside the timing): bench/lean.py's child. The trees run round-robin, so
load from other processes spreads over all; prints us/packet medians and each tree's ratio to
the first --before.
"""

from __future__ import annotations

import argparse
import os
import statistics
from pathlib import Path

from lean import run_child

BENCH = Path(__file__).resolve().parent
LEAN = str(BENCH / "lean.py")


def packets(path: str) -> int:
    """Frames in the capture (the floor's count, as lean.py prints it)."""
    return run_child(LEAN, "floor", path, BENCH.parent)[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("captures", nargs="+")
    ap.add_argument("--before", type=Path, action="append", required=True,
                    help="source tree to compare with (e.g. /work/main); repeat for more, the first is the baseline")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    trees = {str(tree): tree for tree in args.before} | {"this tree": BENCH.parent}
    print(f"load average before: {os.getloadavg()[0]:.2f}; {os.cpu_count()} CPUs; median of {args.runs} runs")
    for path in (str(Path(c).resolve()) for c in args.captures):  # the children run in their tree
        frames = packets(path)
        times: dict[str, list[float]] = {name: [] for name in trees}
        for _ in range(args.runs):
            for name, tree in trees.items():
                times[name].append(run_child(LEAN, "follow --json", path, tree)[0])
        med = {name: statistics.median(runs) for name, runs in times.items()}
        base = med[str(args.before[0])]
        print(f"{Path(path).name}: {frames} frames")
        for name in trees:
            runs = ", ".join(f"{t:.3f}" for t in times[name])
            print(f"  {name:24} {med[name] * 1e6 / frames:5.2f} us/pkt  {med[name] / base:.3f}  (runs: {runs} s)")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
