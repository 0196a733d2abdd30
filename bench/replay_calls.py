#!/usr/bin/env python3
"""Replay's cost per WSARecv call, split into model time and formatting time (bench/REPLAY.md).

    python bench/replay_calls.py bench/out/long-200k.pcap               # one run, in this checkout
    python bench/replay_calls.py CAPTURE --tree /tmp/base --json        # the same over another tree
    python bench/replay_calls.py CAPTURE --compare /tmp/base --runs 3   # old/new interleaved, medians
    python bench/replay_calls.py CAPTURE --compare /tmp/base /tmp/new  # two trees, this checkout not run

One run, in one process, over one tree's `wsarecv_cli`:

1. record: `replay --ndjson`'s session runs once with the drivers' inputs recorded (every
   `ReceiverDriver.arrive` / `finish` with its arguments, and each driver's constructor arguments)
   and every item it yields kept in a list.
2. model: fresh drivers (fresh model sockets, made at their first input as the session makes
   them) are fed the recorded inputs in the recorded order; the loop is timed. That is the
   model's time (driver and socket), without reading, decoding, reassembly and routing.
3. formatting: `cli.replay_output._print_records` (what `replay --ndjson` runs) consumes the
   recorded items, with findings (the default) and with `--no-findings`, writing to /dev/null;
   timed. That is pairing, summaries, the findings detectors, the NDJSON lines and their writes.

Per call = time / calls, where calls are the RecvResults (the summaries' `calls`). `--compare`
runs this script as a subprocess over each tree in turn, round-robin, `--runs` times, and prints
the medians and new/old ratios.
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
    import contextlib

    from wsarecv_cli.cli.replay_findings import ReplayFindings
    from wsarecv_cli.cli.replay_output import OutputOptions, _print_records
    from wsarecv_cli.model.socket import Socket
    from wsarecv_cli.model.types import RecvResult
    from wsarecv_cli.replay import driver as driver_module
    from wsarecv_cli.replay.session import ReceiverOutcome, ReplayConfig, ReplaySession

    Driver = driver_module.ReceiverDriver
    made: list[tuple] = []  # (socket config, args, kwargs) per driver, in creation order
    inputs: list[tuple] = []  # (driver index, "arrive" | "finish", args)
    index: dict[int, int] = {}
    orig_init, orig_arrive, orig_finish = Driver.__init__, Driver.arrive, Driver.finish

    def init(self, socket, *args, **kwargs):
        index[id(self)] = len(made)
        made.append((socket.config, args, kwargs))
        orig_init(self, socket, *args, **kwargs)

    def arrive(self, arrival, t_ns):
        inputs.append((index[id(self)], True, arrival, t_ns))
        return orig_arrive(self, arrival, t_ns)

    def finish(self, t_ns):
        inputs.append((index[id(self)], False, None, t_ns))
        return orig_finish(self, t_ns)

    Driver.__init__, Driver.arrive, Driver.finish = init, arrive, finish
    config = ReplayConfig()
    session = ReplaySession(capture, config)
    items = list(session)
    Driver.__init__, Driver.arrive, Driver.finish = orig_init, orig_arrive, orig_finish
    calls = sum(1 for item in items if item.__class__ is ReceiverOutcome and isinstance(item.outcome, RecvResult))

    # -- model: the recorded inputs through fresh drivers, each made (with its socket) when its
    # first input comes, as the session makes them -----------------------------------------------
    drivers: list = [None] * len(made)
    gc.collect()
    old = gc.get_threshold()
    gc.set_threshold(10_000, *old[1:])  # as replay runs (cli/replay_output._rarer_collections)
    outcomes = 0
    c0, t0 = time.thread_time(), time.perf_counter()
    for i, is_arrive, arrival, t in inputs:
        driver = drivers[i]
        if driver is None:
            cfg, args, kwargs = made[i]
            driver = drivers[i] = Driver(Socket(cfg), *args, **kwargs)
        outcomes += len(driver.arrive(arrival, t) if is_arrive else driver.finish(t))
    model_s, model_cpu_s = time.perf_counter() - t0, time.thread_time() - c0
    gc.set_threshold(*old)

    # -- formatting: the recorded items printed as replay --ndjson prints them --------------------
    class Recorded:
        """The finished session, replayed from its items."""

        def __init__(self) -> None:
            self.path, self.config = session.path, session.config
            self.first_ts_ns, self.stats = session.first_ts_ns, session.stats
            self.warnings, self.reality = session.warnings, session.reality

        def __iter__(self):
            return iter(items)

    formatting: dict[str, float] = {}
    for name, findings in (("format", True), ("format_nofind", False)):
        output = OutputOptions(ndjson=True, progress=False, findings=findings)
        recorded = Recorded()
        found = ReplayFindings.for_config(capture, config, findings)
        gc.collect()
        with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
            gc.set_threshold(10_000, *old[1:])
            c0, t0 = time.thread_time(), time.perf_counter()
            _print_records(recorded, output, found)
            formatting[name + "_s"], formatting[name + "_cpu_s"] = time.perf_counter() - t0, time.thread_time() - c0
            gc.set_threshold(*old)
    return {"calls": calls, "outcomes": outcomes, "items": len(items), "model_s": model_s, "model_cpu_s": model_cpu_s,
            **formatting}


TIMES = ("model_s", "format_s", "format_nofind_s", "model_cpu_s", "format_cpu_s", "format_nofind_cpu_s")


def per_call_us(run: dict) -> dict:
    """Seconds -> us per call; `_cpu` is the thread's CPU time (steadier than wall time on a
    loaded machine: time spent waiting for a core is not in it)."""
    calls = run["calls"] or 1
    return {key[:-2] + "_us": run[key] / calls * 1e6 for key in TIMES}


def compare(capture: str, trees: list[str], runs: int) -> dict:
    results: dict[str, list[dict]] = {tree: [] for tree in trees}
    for _ in range(runs):
        for tree in trees:  # round-robin: load drifts hit every tree alike
            env = dict(os.environ, PYTHONPATH=tree)
            out = subprocess.run([sys.executable, __file__, capture, "--json"], env=env, check=True,
                                 capture_output=True, text=True, cwd=tree).stdout
            results[tree].append(json.loads(out))
    table = {}
    for tree, rows in results.items():
        us = [per_call_us(row) for row in rows]
        table[tree] = {"calls": rows[0]["calls"],
                       **{key: statistics.median(u[key] for u in us) for key in us[0]},
                       "runs": [{k: round(v, 2) for k, v in u.items()} for u in us]}
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("capture")
    parser.add_argument("--json", action="store_true", help="print the one run as JSON")
    parser.add_argument("--compare", nargs="+", metavar="TREE",
                        help="source trees to compare (each holding wsarecv_cli/); with one, this checkout is "
                             "compared with it")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    capture = os.path.abspath(args.capture)
    if args.compare:
        here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        trees = [os.path.abspath(t) for t in args.compare]
        if len(trees) == 1:  # the one given against this checkout
            trees.append(here)
        print(f"load average before: {os.getloadavg()}", file=sys.stderr)
        table = compare(capture, trees, args.runs)
        print(f"load average after: {os.getloadavg()}", file=sys.stderr)
        print(json.dumps(table, indent=2))
        return
    run = one_run(capture)
    print(json.dumps(run) if args.json else json.dumps({**run, **per_call_us(run)}, indent=2))


if __name__ == "__main__":
    main()
