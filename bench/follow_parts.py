#!/usr/bin/env python3
"""Where `follow --json`'s own time goes: the command with one part taken out (bench/FOLLOW.md).

    python bench/follow_parts.py CAPTURE [CAPTURE...] [--runs 5]

Variants, each a fresh process timing the command's CPU time (output to /dev/null), round-robin:
  full       follow --json as it is;
  no-sha     the digests' sha256 a no-op (what hashing the payload costs);
  no-text    segments written as nothing (what writing them costs);
  no-add     every digest ignores its events (the flows and their events as before, no digest work);
  flows      flows --json (the read + tracker pass with no events made).
Ablations, not valid outputs: the differences are what each part costs.
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

VARIANTS = ("full", "no-sha", "no-text", "no-add", "flows")


class _NoSha:
    def update(self, data: bytes) -> None:
        pass

    def hexdigest(self) -> str:
        return ""


def _take_out(variant: str) -> None:
    """Patch the part `variant` takes out (in this child process only)."""
    import types

    from wsarecv_cli.parallel import follow as parallel_follow
    from wsarecv_cli.render import follow as render_follow
    from wsarecv_cli.render import follow_spool
    if variant == "no-sha":
        render_follow.hashlib = types.SimpleNamespace(sha256=_NoSha)
    elif variant == "no-text":
        follow_spool.segments_text = lambda *block: ""
    elif variant == "no-add":
        sink = parallel_follow.JsonFollow._sink

        def ignoring_sink(self, *args):
            return None if sink(self, *args) is None else (lambda event: None)

        parallel_follow.JsonFollow._sink = ignoring_sink


def child(variant: str, path: str) -> None:
    import gc

    from wsarecv_cli.cli.main import cli
    _take_out(variant)
    args = ["flows" if variant == "flows" else "follow", "--json", "--quiet", path]
    gc.set_threshold(100_000, 50, 1000)  # as cli.main.main sets it for every command
    t0 = time.process_time()
    with open(os.devnull, "w") as null, contextlib.redirect_stdout(null), contextlib.redirect_stderr(null):
        with contextlib.suppress(SystemExit):
            cli.main(args=args, prog_name="wsarecv", standalone_mode=False)
    print(time.process_time() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("captures", nargs="*")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--child", nargs=2, metavar=("VARIANT", "FILE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    print(f"load average before: {os.getloadavg()[0]:.2f}; {os.cpu_count()} CPUs; median of {args.runs} runs")
    for path in args.captures:
        from lean import floor_pass  # the capture's frame count, as lean.py counts it
        frames = floor_pass(path)
        times: dict[str, list[float]] = {v: [] for v in VARIANTS}
        for _ in range(args.runs):
            for v in VARIANTS:
                out = subprocess.run([sys.executable, __file__, "--child", v, path], check=True,
                                     capture_output=True, text=True).stdout
                times[v].append(float(out))
        med = {v: statistics.median(t) * 1e6 / frames for v, t in times.items()}
        print(f"{Path(path).name}: {frames} frames")
        for v in VARIANTS:
            print(f"  {v:8} {med[v]:5.2f} us/pkt  (full - this: {med['full'] - med[v]:5.2f})")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
