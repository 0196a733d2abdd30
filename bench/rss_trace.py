"""Resident memory along one run of a command: where peak RSS is reached, and whether it still grows.

    python bench/rss_trace.py --every 100000 -- follow bench/out/bench-many-1m.pcap --json

Runs `wsarecv ARGS...` in this process (output to /dev/null) and prints the RSS (/proc/self/statm)
every `--every` packets fed to the flow tracker, then at the end. bench/run.py's flat-memory
table compares the peaks of two captures; this shows the curve inside one: a curve that levels
off once the capture reaches its steady state (flows lingering after close, UDP flows parked)
does not grow with the capture's length, whatever the 200k-packet run's peak was.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=100_000, help="packets between samples")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="-- then the wsarecv arguments")
    opts = parser.parse_args()
    args = opts.args[1:] if opts.args[:1] == ["--"] else opts.args

    from wsarecv_cli.reassembly.flows import FlowTracker

    samples: list[tuple[int, float]] = []
    feed = FlowTracker.feed
    count = 0

    def counting_feed(self, packet):  # bound per tracker by the commands: patched on the class
        nonlocal count
        count += 1
        if count % opts.every == 0:
            samples.append((count, rss_mb()))
        return feed(self, packet)

    FlowTracker.feed = counting_feed
    from wsarecv_cli.cli.main import cli
    gc.set_threshold(100_000, 50, 1000)  # as wsarecv's main() sets it
    with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull), \
            contextlib.redirect_stderr(devnull), contextlib.suppress(SystemExit):
        cli(args, standalone_mode=False)
    samples.append((count, rss_mb()))
    print(" ".join(args))
    print("  ".join(f"{n // 1000}k: {mb:.1f}" for n, mb in samples[:-1]) + f"  end: {samples[-1][1]:.1f} MB")


if __name__ == "__main__":
    sys.exit(main())
