#!/usr/bin/env python3
"""The lean pass against the general one and the struct record-loop floor (bench/LEAN.md).

    python bench/lean.py CAPTURE [CAPTURE...] [--runs 5] [--before /work/main]

For each capture, variants run round-robin, each in a fresh subprocess that times only its pass
(no start-up, no output), so load from other processes spreads over all of them:
  floor     bench/baselines/struct_loop.py's loop (record headers only);
  general   read_packets -> FlowTracker.feed, what `wsarecv flows` did before the lean pass;
  lean      capture.lean.lean_batches -> FlowTracker.feed, tuples (what `wsarecv flows` does now);
  general-read, lean-read (with --read): the same readers feeding nothing (what reading costs);
  bound-inline, bound-call (with --bounds): bench/baselines/lean_floor.py, the lowest a flows pass
            costs in pure Python (decoding + a minimal raw-key flow table; inline, or one call a packet);
  lean-minimal (with --bounds): today's lean reader feeding the same minimal table;
  before    `general` (or with --before-pass lean, `lean`) run on the source tree given by --before
            (e.g. main), when given;
  with --commands: `wsarecv flows --json` and `follow --json` whole (output to /dev/null), here
  and, with --before, on that tree ("before: flows --json").
Each child sets the collector thresholds `wsarecv` sets (cli/main.py). Every pass builds the flow table of `flows` (events=False, retire_idle_udp) and finishes it;
listing and printing the flows is not timed. Prints us/packet medians and ratios to the floor.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def to_pcapng(src: str, dst: str) -> None:
    """A classic little-endian microsecond pcap rewritten as pcapng (one interface, one EPB per
    record), to time the lean pass on pcapng; the floor still reads `src`."""
    import struct
    with open(src, "rb") as f, open(dst, "wb") as out:
        head = f.read(24)
        linktype = struct.unpack_from("<I", head, 20)[0]
        out.write(struct.pack("<IIIHHqI", 0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0, -1, 28))
        out.write(struct.pack("<IIHHII", 1, 20, linktype, 0, 65535, 20))
        while rec := f.read(16):
            sec, usec, caplen, wire = struct.unpack("<IIII", rec)
            data = f.read(caplen)
            data += b"\0" * (-caplen % 4)
            units = sec * 1_000_000 + usec
            blen = 32 + len(data)
            out.write(struct.pack("<IIIIIII", 6, blen, 0, units >> 32, units & 0xFFFFFFFF, caplen, wire))
            out.write(data + struct.pack("<I", blen))


def floor_pass(path: str) -> int:
    sys.path.insert(0, str(BENCH / "baselines"))
    import io

    import struct_loop
    with contextlib.redirect_stdout(io.StringIO()) as out:
        struct_loop.main(path)
    return int(out.getvalue().split()[0])


def _bound(path: str, mode: str) -> int:
    sys.path.insert(0, str(BENCH / "baselines"))
    import io

    import lean_floor
    with contextlib.redirect_stdout(io.StringIO()) as out:
        lean_floor.main(path, mode)
    return int(out.getvalue().split()[0])


def bound_inline_pass(path: str) -> int:
    """bench/baselines/lean_floor.py: record loop + decoding + a minimal raw-key flow table, inline."""
    return _bound(path, "inline")


def bound_call_pass(path: str) -> int:
    """The same with the flow work in one call per packet."""
    return _bound(path, "call")


def lean_minimal_pass(path: str) -> int:
    """Today's lean reader into a minimal flow table instead of the tracker: a dict keyed by the
    packet's addresses and ports, packets and bytes counted, one sequence-number comparison (the
    work bound-call does per packet, behind the reader `wsarecv flows` has)."""
    from wsarecv_cli.capture import read_packets
    from wsarecv_cli.capture.lean import lean_batches
    table: dict[tuple, list[int]] = {}
    get = table.get

    def feed(p: tuple) -> None:
        key = p[3:7]
        entry = get(key)
        if entry is None:
            table[key] = entry = [0, 0, p[8]]
        n = len(p[7])
        entry[0] += 1
        entry[1] += n
        if p[8] == entry[2]:
            entry[2] = (p[8] + n) & 0xFFFFFFFF

    with read_packets(path) as stream:
        for batch in lean_batches(stream, feed):
            for packet in batch:
                feed(packet)
        return stream.stats.frames


def general_pass(path: str) -> int:
    from wsarecv_cli.capture import read_packets
    from wsarecv_cli.reassembly import FlowTracker, ReassemblyLimits
    tracker = FlowTracker(ReassemblyLimits(), events=False, retire_idle_udp=True)
    with read_packets(path) as stream:
        feed = tracker.feed
        for batch in stream.batches():
            for packet in batch:
                feed(packet)
        tracker.finish()
        return stream.stats.frames


def lean_pass(path: str) -> int:
    from wsarecv_cli.capture import read_packets
    from wsarecv_cli.capture.lean import lean_batches
    from wsarecv_cli.reassembly import FlowTracker, ReassemblyLimits
    tracker = FlowTracker(ReassemblyLimits(), events=False, retire_idle_udp=True)
    with read_packets(path) as stream:
        feed = tracker.feed
        for batch in lean_batches(stream, tracker.feed):
            for packet in batch:
                feed(packet)
        tracker.finish()
        return stream.stats.frames


def lean_read_pass(path: str) -> int:
    """The lean reader alone: every packet decoded and handed to a feed that does nothing."""
    from wsarecv_cli.capture import read_packets
    from wsarecv_cli.capture.lean import lean_batches

    def ignore(packet) -> None:
        pass

    with read_packets(path) as stream:
        for _ in lean_batches(stream, ignore):
            pass
        return stream.stats.frames


def general_read_pass(path: str) -> int:
    """PacketStream alone: every Packet built and handed out, none fed anywhere."""
    from wsarecv_cli.capture import read_packets
    with read_packets(path) as stream:
        for _ in stream.batches():
            pass
        return stream.stats.frames


def _command(args: list[str]) -> int:
    """A whole wsarecv command in this process (output to /dev/null); no frame count."""
    from wsarecv_cli.cli.main import cli
    with open(os.devnull, "w") as null, contextlib.redirect_stdout(null), contextlib.redirect_stderr(null):
        try:
            cli.main(args=args, prog_name="wsarecv", standalone_mode=False)
        except SystemExit:
            pass
    return 0


def flows_command(path: str) -> int:
    return _command(["flows", "--json", "--quiet", path])


def follow_command(path: str) -> int:
    return _command(["follow", "--json", "--quiet", path])


PASSES = {"floor": floor_pass, "general": general_pass, "lean": lean_pass, "general-read": general_read_pass,
          "lean-read": lean_read_pass, "bound-inline": bound_inline_pass, "bound-call": bound_call_pass,
          "lean-minimal": lean_minimal_pass, "flows --json": flows_command, "follow --json": follow_command}


def child(variant: str, path: str) -> None:
    """Run one pass in this process and print 'seconds frames'."""
    import gc
    import importlib
    for module in ("wsarecv_cli.reassembly", "wsarecv_cli.capture.lean", "wsarecv_cli.cli.flows",
                   "wsarecv_cli.cli.follow"):
        with contextlib.suppress(ImportError):  # an older tree may lack one
            importlib.import_module(module)  # imports outside the timing
    gc.set_threshold(100_000, 50, 1000)  # as cli.main.main sets it for every command
    fn = PASSES[variant]
    t0 = time.process_time()  # CPU time: steadier than wall time while other processes share the 2 cores
    frames = fn(path)
    print(time.process_time() - t0, frames)


def run_child(script: str, name: str, path: str, tree: Path) -> tuple[float, int]:
    """`script --child name path` in a fresh process importing wsarecv from `tree`: the (seconds,
    frames) it prints."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    out = subprocess.run([sys.executable, script, "--child", name, path],
                         check=True, capture_output=True, text=True, env=env, cwd=tree).stdout.split()
    return float(out[0]), int(out[1])


BEFORE_PASS = "general"  # what the variant `before` runs on the --before tree (--before-pass)


def run_variant(variant: str, path: str, tree: Path) -> tuple[float, int]:
    return run_child(__file__, BEFORE_PASS if variant == "before" else variant.removeprefix("before: "), path, tree)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("captures", nargs="*")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--read", action="store_true", help="also time the readers alone")
    ap.add_argument("--bounds", action="store_true",
                    help="also time the lower bounds of a flows pass (baselines/lean_floor.py, inline and call)")
    ap.add_argument("--commands", action="store_true", help="also time flows --json and follow --json whole")
    ap.add_argument("--pcapng", action="store_true",
                    help="time the passes on a pcapng copy of each capture (written beside it); the floor reads the pcap")
    ap.add_argument("--before", type=Path, help="source tree to run the general pass from (e.g. /work/main)")
    ap.add_argument("--before-pass", choices=["general", "lean"], default="general",
                    help="the pass `before` runs on the --before tree (lean: a tree that has the lean pass)")
    ap.add_argument("--child", nargs=2, metavar=("VARIANT", "FILE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    here = BENCH.parent
    global BEFORE_PASS
    BEFORE_PASS = args.before_pass
    variants = ["floor", "general", "lean"] + (["general-read", "lean-read"] if args.read else []) \
        + (["before"] if args.before else []) + (["bound-inline", "bound-call", "lean-minimal"] if args.bounds else [])
    if args.commands:
        variants += ["flows --json", "follow --json"]
        variants += ["before: flows --json", "before: follow --json"] if args.before else []
    print(f"load average before: {os.getloadavg()[0]:.2f}; {os.cpu_count()} CPUs; median of {args.runs} runs")
    for path in map(os.path.abspath, args.captures):  # the children run in their tree's directory
        times: dict[str, list[float]] = {v: [] for v in variants}
        frames = 0
        read = path
        if args.pcapng:
            read = path + ".pcapng"
            to_pcapng(path, read)
        for _ in range(args.runs):  # round-robin: each run of each variant in turn
            for v in variants:
                secs, count = run_variant(v, path if v == "floor" else read,
                                          args.before if v.startswith("before") else here)
                times[v].append(secs)
                frames = max(frames, count)  # the commands report none
        floor = statistics.median(times["floor"])
        print(f"{Path(read).name}: {frames} frames")
        for v in variants:
            med = statistics.median(times[v])
            print(f"  {v:22} {med * 1e6 / frames:6.2f} us/pkt  {med / floor:5.2f}x floor"
                  f"  (runs: {', '.join(f'{t:.3f}' for t in times[v])} s)")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
