#!/usr/bin/env python3
"""The flow tracker's per-packet cost, this tree against another (bench/TRACKER.md).

    python bench/tracker.py CAPTURE [CAPTURE...] [--runs 5] [--before /tmp/before] [--variants a,b]

Variants, each run in a fresh subprocess, round-robin (all variants of run 1, then run 2, ...),
timing only their pass with `time.process_time()` (CPU time: the 2 cores are shared):
  floor           bench/baselines/struct_loop.py's loop over the record headers (nothing decoded);
  tracker         the capture decoded by the lean pass into a list first (not timed), then only
                  `FlowTracker.feed` over those packets and `finish` (the table `flows` builds:
                  events=False, idle UDP retired): the tracker alone;
  tracker-follow  the same packets through follow --json's JsonFollow (digests as event sinks; the
                  finished flows handed to a callback that does nothing): tracker + digests;
  flows-pass      bench/lean.py's `lean` pass: lean reading and the tracker, no output;
  flows --json, follow --json: the whole commands in-process, output to /dev/null;
  flows: `wsarecv flows` (the table, what run.py times against the floor);
  follow --json --jobs 2: the same, CPU time of the parent and its two workers together;
  tcpflow: `tcpflow -r FILE -o TMPDIR` (run.py's baseline for follow), its CPU time (a child).
With --before TREE every variant but the floor also runs on that source tree ("before: ...").
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
import lean  # noqa: E402  (its passes: floor, lean, the commands)


def _decoded(path: str) -> tuple[list, object]:
    """Every packet of `path` as the lean pass hands it to the tracker (Packets from the first read
    buffer, plain tuples after), and the stream (for its first time stamp)."""
    from wsarecv_cli.capture import read_packets
    from wsarecv_cli.capture.lean import lean_batches
    packets: list = []
    with read_packets(path) as stream:
        for batch in lean_batches(stream, packets.append):
            packets.extend(batch)  # the first buffer's Packets (the rest went to packets.append)
    return packets, stream


def tracker_pass(path: str) -> tuple[float, int]:
    from wsarecv_cli.reassembly import FlowTracker, ReassemblyLimits
    packets, _ = _decoded(path)
    tracker = FlowTracker(ReassemblyLimits(), events=False, retire_idle_udp=True)
    feed = tracker.feed
    t0 = time.process_time()
    for packet in packets:
        feed(packet)
    tracker.finish()
    return time.process_time() - t0, len(packets)


def tracker_follow_pass(path: str) -> tuple[float, int]:
    from wsarecv_cli.parallel.follow import JsonFollow
    from wsarecv_cli.reassembly import ReassemblyLimits
    packets, stream = _decoded(path)
    follower = JsonFollow(ReassemblyLimits(), lambda info, digests: None)
    t0 = time.process_time()
    follower.run(stream, packets)
    return time.process_time() - t0, len(packets)


def timed(fn):
    def run(path: str) -> tuple[float, int]:
        t0 = time.process_time()
        frames = fn(path)
        return time.process_time() - t0, frames
    return run


def timed_with_workers(fn):
    """CPU time of this process and of its finished children (the --jobs workers)."""
    def run(path: str) -> tuple[float, int]:
        import resource

        def cpu() -> float:
            kids = resource.getrusage(resource.RUSAGE_CHILDREN)
            return time.process_time() + kids.ru_utime + kids.ru_stime
        t0 = cpu()
        frames = fn(path)
        return cpu() - t0, frames
    return run


def flows_plain_command(path: str) -> int:
    return lean._command(["flows", "--quiet", path])


def tcpflow_command(path: str) -> int:
    """tcpflow writing every TCP stream to files (run.py's follow baseline), as a child process."""
    import shutil
    import tempfile
    with tempfile.TemporaryDirectory(prefix="tracker-tcpflow-") as out:
        subprocess.run([shutil.which("tcpflow") or "tcpflow", "-r", path, "-o", out], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return 0


def follow_jobs2_command(path: str) -> int:
    return lean._command(["follow", "--json", "--quiet", "--jobs", "2", path])


PASSES = {"floor": timed(lean.floor_pass), "tracker": tracker_pass, "tracker-follow": tracker_follow_pass,
          "flows-pass": timed(lean.lean_pass), "flows --json": timed(lean.flows_command),
          "follow --json": timed(lean.follow_command),
          "follow --json --jobs 2": timed_with_workers(follow_jobs2_command), "flows": timed(flows_plain_command),
          "tcpflow": timed_with_workers(tcpflow_command)}


def child(variant: str, path: str) -> None:
    import gc
    import importlib
    for module in ("wsarecv_cli.reassembly", "wsarecv_cli.capture.lean", "wsarecv_cli.cli.flows",
                   "wsarecv_cli.cli.follow", "wsarecv_cli.parallel.follow"):
        importlib.import_module(module)  # imports outside the timing
    gc.set_threshold(100_000, 50, 1000)  # as cli.main.main sets it for every command
    secs, frames = PASSES[variant](path)
    print(secs, frames)


def run_variant(variant: str, path: str, tree: Path) -> tuple[float, int]:
    return lean.run_child(__file__, variant.removeprefix("before: "), path, tree)


def main() -> None:
    if sys.argv[1:2] == ["--child"]:  # one timed pass (run_variant's child process)
        child(*sys.argv[2:4])
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("captures", nargs="+")
    ap.add_argument("--variants", default="floor,tracker,tracker-follow,flows-pass,flows --json,follow --json")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--before", type=Path, help="source tree to run the same variants from (e.g. main)")
    args = ap.parse_args()
    here = BENCH.parent
    mine = args.variants.split(",")
    variants: list[str] = []
    for v in mine:  # each variant next to its "before", so both see the same load
        variants.append(v)
        if args.before and v not in ("floor", "tcpflow"):
            variants.append("before: " + v)
    print(f"load average before: {os.getloadavg()[0]:.2f}; {os.cpu_count()} CPUs; median of {args.runs} runs")
    for path in map(os.path.abspath, args.captures):
        times: dict[str, list[float]] = {v: [] for v in variants}
        frames = 0
        for _ in range(args.runs):
            for v in variants:
                secs, count = run_variant(v, path, args.before if v.startswith("before") else here)
                times[v].append(secs)
                frames = max(frames, count)
        if not frames:  # only whole commands, which count nothing: the floor's record count
            frames = run_variant("floor", path, here)[1]
        floor = statistics.median(times["floor"]) if "floor" in times else None
        print(f"{Path(path).name}: {frames} frames")
        for v in variants:
            med = statistics.median(times[v])
            ratio = f"{med / floor:5.2f}x floor" if floor else ""
            print(f"  {v:26} {med * 1e6 / frames:6.2f} us/pkt  {ratio}"
                  f"  (runs: {', '.join(f'{t:.3f}' for t in times[v])} s)")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
