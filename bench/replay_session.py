#!/usr/bin/env python3
"""CPU time of replay's session alone (reading, reassembly, routing, the model; no formatting),
for source trees interleaved (bench/REPLAY.md, round 3).

    python bench/replay_session.py CAPTURE --compare /tmp/base /tmp/new --runs 5

One run: `ReplaySession(CAPTURE, ReplayConfig())` (replay --ndjson's defaults) iterated to the
end in a fresh process over one tree's `wsarecv_cli`, the items counted and dropped; the thread's
CPU time is reported in µs per packet read. `--compare` runs the trees round-robin, `--runs` times,
and prints each tree's median and its ratio to the first tree's.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time


def one_run(capture: str) -> dict:
    from wsarecv_cli.replay.session import ReplayConfig, ReplaySession

    session = ReplaySession(capture, ReplayConfig())
    gc.collect()
    old = gc.get_threshold()
    gc.set_threshold(10_000, *old[1:])  # as replay runs (cli/replay_output._rarer_collections)
    c0 = time.thread_time()
    items = sum(1 for _ in session)
    cpu = time.thread_time() - c0
    gc.set_threshold(*old)
    packets = session.stats.packets if hasattr(session.stats, "packets") else None
    return {"cpu_s": cpu, "items": items, "packets": packets}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("capture")
    parser.add_argument("--json", action="store_true", help="one run in this process, as JSON")
    parser.add_argument("--compare", nargs="+", metavar="TREE", help="source trees (each holding wsarecv_cli/)")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    capture = os.path.abspath(args.capture)
    if not args.compare:
        print(json.dumps(one_run(capture)))
        return
    trees = [os.path.abspath(tree) for tree in args.compare]
    runs: dict[str, list[dict]] = {tree: [] for tree in trees}
    print(f"load average before: {os.getloadavg()}", file=sys.stderr)
    for _ in range(args.runs):
        for tree in trees:  # round-robin: load drifts hit every tree alike
            out = subprocess.run([sys.executable, os.path.abspath(__file__), capture, "--json"], check=True,
                                 env=dict(os.environ, PYTHONPATH=tree), cwd=tree, capture_output=True, text=True)
            runs[tree].append(json.loads(out.stdout))
    print(f"load average after: {os.getloadavg()}", file=sys.stderr)
    first = statistics.median(run["cpu_s"] for run in runs[trees[0]])
    for tree in trees:
        cpus = [run["cpu_s"] for run in runs[tree]]
        median = statistics.median(cpus)
        print(json.dumps({"tree": tree, "median_cpu_s": round(median, 3), "ratio": round(median / first, 3),
                          "runs": [round(cpu, 3) for cpu in cpus], "items": runs[tree][0]["items"]}))


if __name__ == "__main__":
    main()
