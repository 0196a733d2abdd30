#!/usr/bin/env python3
"""Where the time goes: cProfile of wsarecv commands run in-process over a capture.

    python bench/profile.py                                   # follow --json and flows on bench/out/bench-100k.pcap
    python bench/profile.py --capture bench/out/bench-1m.pcap --commands follow,flows,replay --top 25
    python bench/profile.py --save bench/out/prof            # also write PREFIX-<command>.prof for snakeviz etc.

Each command runs through the click group exactly as the console script does (stdout sent to
/dev/null), under cProfile; the top functions are printed by cumulative and by own (total) time.
cProfile roughly doubles the run time of call-heavy Python code, so use the ratios, not the
absolute seconds; the per-function shares are what RESULTS.md's "where time goes" quotes.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named like the stdlib `profile` module that cProfile imports: keep bench/ off the
# front of sys.path while importing it, then put it at the end (for `import run`).
BENCH = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]

import argparse  # noqa: E402
import contextlib  # noqa: E402
import cProfile  # noqa: E402
import io
import os
import pstats  # noqa: E402
import time  # noqa: E402

sys.path.append(str(BENCH))

COMMANDS = {
    "flows": ["flows", "{FILE}"],
    "follow": ["follow", "{FILE}", "--json"],
    "replay": ["replay", "{FILE}", "--ndjson"],
}


def run_cli(args: list[str]) -> int:
    from wsarecv_cli.cli.main import cli
    try:
        cli.main(args=args, prog_name="wsarecv", standalone_mode=False)
    except SystemExit as e:             # click may still exit for --help and the like
        return int(e.code or 0)
    return 0


def shorten(path: str) -> str:
    for marker in ("wsarecv_cli/", "site-packages/", "lib/python3"):
        i = path.find(marker)
        if i >= 0:
            return path[i:]
    return path


def top(stats: pstats.Stats, key: str, n: int) -> list[str]:
    stats.sort_stats(key)
    total = stats.total_tt or 1e-9
    lines = [f"{'ncalls':>10} {'tottime':>8} {'%tot':>5} {'cumtime':>8} {'%cum':>5}  function"]
    for func in stats.fcn_list[:n]:
        cc, nc, tt, ct, _ = stats.stats[func]
        file, line, name = func
        where = f"{shorten(file)}:{line}({name})" if line else name
        calls = f"{nc}/{cc}" if nc != cc else str(nc)
        lines.append(f"{calls:>10} {tt:8.3f} {tt / total * 100:5.1f} {ct:8.3f} {ct / total * 100:5.1f}  {where}")
    return lines


def profile(command: str, capture: str, n: int, save: str | None) -> list[str]:
    args = [a.replace("{FILE}", capture) for a in COMMANDS[command]]
    prof = cProfile.Profile()
    sink = open(os.devnull, "w")
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(sink):
        code = prof.runcall(run_cli, args)
    wall = time.perf_counter() - t0
    sink.close()
    if save:
        prof.dump_stats(f"{save}-{command}.prof")
    stats = pstats.Stats(prof, stream=io.StringIO())
    out = [f"## wsarecv {' '.join(args)}  (exit {code}, {wall:.2f} s under cProfile, "
           f"{stats.total_tt:.2f} s profiled)", "", "by cumulative time:"]
    out += top(stats, "cumulative", n)
    out += ["", "by own (total) time:"]
    out += top(stats, "tottime", n)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--capture", default=str(BENCH / "out" / "bench-100k.pcap"))
    ap.add_argument("--commands", default="follow,flows", help="comma-separated: flows,follow,replay")
    ap.add_argument("--top", type=int, default=20)
    ap.add_argument("--save", help="prefix for .prof files")
    a = ap.parse_args(argv)
    if not os.path.exists(a.capture):
        import run
        key = next((k for k, v in run.CAPTURES.items() if v["file"] == os.path.basename(a.capture)), None)
        if key is None:
            sys.exit(f"{a.capture}: not found")
        run.ensure_capture(key)
    for cmd in [c.strip() for c in a.commands.split(",") if c.strip()]:
        if cmd not in COMMANDS:
            sys.exit(f"unknown command {cmd!r} (flows, follow, replay)")
        print("\n".join(profile(cmd, a.capture, a.top, a.save)))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
