#!/usr/bin/env python3
"""Peak memory (RSS) of flows, follow --json and replay --ndjson on the hostile patterns.

    python bench/memory.py                     # 200k segments/flows per pattern, default limits
    python bench/memory.py --size 400000 --code /path/to/other/checkout   # compare another version

The patterns are tests/robustness/hostile.py's generators (held-behind-hole: one-byte segments
behind a 10-byte hole never filled; seq-jump: one flow whose sequence numbers jump by ~2**31;
syn-flows: one-SYN flows), packets one microsecond apart (a hole stays open within --gap-wait).
Each command runs in a fresh process at default limits with its output
to /dev/null; a measuring process reads RUSAGE_CHILDREN (a child exec'd from this script would
inherit its high-water mark). Not a timed test: the seconds are wall time on a shared machine.
Results are recorded in bench/MEMORY.md.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.robustness.hostile import PATTERNS, write_dense_pcap  # noqa: E402

COMMANDS = {"flows": ["flows"], "follow --json": ["follow", "--json"], "replay --ndjson": ["replay", "--ndjson"]}

_MEASURE = r"""
import resource, subprocess, sys, time
start = time.monotonic()
proc = subprocess.run([sys.executable, "-m", "wsarecv_cli", *sys.argv[1:]], stdout=subprocess.DEVNULL,
                      stderr=subprocess.PIPE, text=True)
took = time.monotonic() - start
assert proc.returncode in (0, 3) and "Traceback" not in proc.stderr, proc.stderr[-500:]
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, took)
"""


def measure(code: Path, args: list[str]) -> tuple[float, float]:
    """(peak RSS in MB, seconds) of `wsarecv ARGS` run from the checkout `code`."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    out = subprocess.run([sys.executable, "-c", _MEASURE, *args], capture_output=True, text=True, env=env,
                         cwd="/", check=True)
    kib, seconds = out.stdout.split()
    return int(kib) / 1024, float(seconds)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=200_000, help="segments (or flows) per pattern")
    ap.add_argument("--out", default=str(ROOT / "bench" / "out"), help="where the captures are written")
    ap.add_argument("--code", default=str(ROOT), help="the checkout whose wsarecv_cli is measured")
    ap.add_argument("--patterns", nargs="*", default=list(PATTERNS), choices=list(PATTERNS))
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    print(f"| pattern ({args.size:,}) | capture | " + " | ".join(COMMANDS) + " |")
    print("|---|---|" + "---|" * len(COMMANDS))
    for name in args.patterns:
        capture = out / f"hostile-{name}-{args.size}.pcap"
        if not capture.exists():
            write_dense_pcap(capture, PATTERNS[name](args.size))
        cells = []
        for command in COMMANDS.values():
            mb, seconds = measure(Path(args.code), [*command, str(capture)])
            cells.append(f"{mb:.0f} MB, {seconds:.0f} s")
            print(f"  {name} {' '.join(command)}: {mb:.0f} MB {seconds:.1f} s", file=sys.stderr, flush=True)
        size_mb = capture.stat().st_size / 1e6
        print(f"| {name} | {size_mb:.0f} MB | " + " | ".join(cells) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
