#!/usr/bin/env python3
"""Old against new: whole `wsarecv replay` / `simulate` outputs of two source trees, compared.

    git archive f291a0e | tar -x -C /tmp/replay-base
    git archive HEAD | tar -x -C /tmp/replay-new
    python bench/out/... # (captures: samples/, ../shared/captures, one generated capture)
    python bench/replay_identity.py /tmp/replay-base /tmp/replay-new --generated bench/out/gen-20k.pcap

Every capture of samples/ and ../shared/captures (and `--generated` ones) is replayed with each
option set below (modes, schedules, WSABUF arrays, framing, providers, flags, --show-data
--explain, findings off, UDP options, WinCE, --json and the tables), and every scenario of
samples/scenarios runs through `simulate --ndjson` and through `replay --schedule script:`.
Each command runs once per tree (`python -m wsarecv_cli`, the tree first on PYTHONPATH, in the
tree's directory); stdout, stderr and the exit code are compared (stdout by SHA-256: some are
hundreds of MB). Prints one line per difference and the totals; exits 1 if any differ. Used for
bench/REPLAY.md's identity checks (round 1: 879 outputs; round 2 re-runs it against f291a0e).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "captures"

OPTION_SETS: dict[str, list[str]] = {
    "ndjson": ["--ndjson"],
    "no-findings": ["--ndjson", "--no-findings"],
    "iocp-2": ["--ndjson", "--mode", "iocp", "--outstanding", "2"],
    "routine": ["--ndjson", "--mode", "overlapped-routine"],
    "event-wince": ["--ndjson", "--mode", "overlapped-event", "--platform", "wince"],
    "nonblocking-interval": ["--ndjson", "--mode", "nonblocking", "--schedule", "interval:10ms"],
    "drain": ["--ndjson", "--schedule", "drain"],
    "bytewise": ["--ndjson", "--schedule", "bytewise"],
    "random": ["--ndjson", "--schedule", "random:7", "--buffers", "5,0,9"],
    "wsabufs": ["--ndjson", "--buffers", "3,0,700"],
    "framing": ["--ndjson", "--framing", "len:u16be", "--buffers", "64"],
    "reliable-msg": ["--ndjson", "--protocol", "reliable-msg", "--framing", "line", "--buffers", "100"],
    "partial-msg": ["--ndjson", "--protocol", "partial-msg", "--buffers", "100"],
    "peek": ["--ndjson", "--flags", "MSG_PEEK"],
    "oobinline-keep": ["--ndjson", "--oobinline", "--keep-on-reset"],
    "connected-peer": ["--ndjson", "--connected-peer", "10.0.0.1:1", "--buffers", "512"],
    "show-explain": ["--ndjson", "--show-data", "--explain"],
    "json": ["--json"],
    "tables": ["--width", "160", "--color", "never", "--max-calls", "50"],
}
BIG = 500_000  # bytes: the bytewise schedule is left out above this (GBs of output)


def commands(generated: list[Path]) -> list[tuple[str, list[str]]]:
    captures = sorted(p for p in (ROOT / "samples").iterdir() if p.suffix in (".pcap", ".pcapng"))
    if SHARED.is_dir():
        captures += sorted(p for p in SHARED.iterdir() if p.suffix in (".pcap", ".pcapng"))
    captures += generated
    out = []
    for capture in captures:
        for name, options in OPTION_SETS.items():
            if name == "bytewise" and capture.stat().st_size > BIG:
                continue
            out.append((f"{capture.name} {name}", ["replay", str(capture), "--no-progress", *options]))
    target = ROOT / "samples" / "http_small_segments.pcap"
    for scenario in sorted((ROOT / "samples" / "scenarios").glob("*.toml")):
        out.append((f"simulate {scenario.name}", ["simulate", str(scenario), "--ndjson"]))
        out.append((f"script {scenario.name}", ["replay", str(target), "--no-progress", "--ndjson",
                                                "--schedule", f"script:{scenario}"]))
    return out


def run(tree: str, args: list[str]) -> tuple[str, str, int]:
    env = dict(os.environ, PYTHONPATH=tree, COLUMNS="160")
    with tempfile.TemporaryFile() as out:
        proc = subprocess.run([sys.executable, "-m", "wsarecv_cli", *args], stdout=out, stderr=subprocess.PIPE,
                              env=env, cwd=tree)
        out.seek(0)
        digest = hashlib.sha256()
        for chunk in iter(lambda: out.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest(), proc.stderr.decode("utf-8", "replace"), proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--generated", nargs="*", default=[], type=Path)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    trees = [os.path.abspath(args.old), os.path.abspath(args.new)]
    for tree in trees:  # the tree really is the one imported
        where = subprocess.run([sys.executable, "-c", "import wsarecv_cli; print(wsarecv_cli.__file__)"],
                               env=dict(os.environ, PYTHONPATH=tree), cwd=tree, capture_output=True, text=True)
        assert where.stdout.startswith(tree), (tree, where.stdout)
    todo = commands(args.generated)

    def compare(job: tuple[str, list[str]]) -> tuple[str, bool, str]:
        name, argv = job
        old, new = run(trees[0], argv), run(trees[1], argv)
        return name, old == new, "" if old == new else f"exit {old[2]}/{new[2]}, stderr same: {old[1] == new[1]}"

    differ = 0
    with ThreadPoolExecutor(args.workers) as pool:
        for name, same, why in pool.map(compare, todo):
            if not same:
                differ += 1
                print(f"DIFFERS: {name}: {why}", flush=True)
    print(f"{len(todo) - differ} of {len(todo)} compared outputs identical")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
