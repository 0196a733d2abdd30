"""Smoke run of bench/lean.py (not timed): every variant runs and is reported against the floor."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import generate  # noqa: E402


def test_lean_bench_reports_every_variant(tmp_path: Path) -> None:
    capture = tmp_path / "small.pcap"
    generate.generate(str(capture), packets=1500, flows=30, seed=3, concurrent=6, quiet=True)
    p = subprocess.run([sys.executable, str(ROOT / "bench" / "lean.py"), str(capture), "--runs", "1", "--read"],
                       capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert p.returncode == 0, p.stderr[-2000:]
    rows = {line.split()[0]: line for line in p.stdout.splitlines() if "us/pkt" in line}
    assert set(rows) == {"floor", "general", "lean", "general-read", "lean-read"}
    assert "1.00x floor" in rows["floor"]


def test_lean_bench_bounds_and_before_tree(tmp_path: Path) -> None:
    """--bounds adds the lower bounds; --before-pass lean runs the lean pass on the --before tree
    (here this one), with a relative capture path (the children run in that tree)."""
    capture = tmp_path / "small.pcap"
    generate.generate(str(capture), packets=1500, flows=30, seed=3, concurrent=6, quiet=True)
    p = subprocess.run([sys.executable, str(ROOT / "bench" / "lean.py"), "small.pcap", "--runs", "1", "--bounds",
                        "--before", str(ROOT), "--before-pass", "lean"],
                       capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert p.returncode == 0, p.stderr[-2000:]
    rows = {line.split()[0]: line for line in p.stdout.splitlines() if "us/pkt" in line}
    assert set(rows) == {"floor", "general", "lean", "before", "bound-inline", "bound-call", "lean-minimal"}
    assert "small.pcap: 1500 frames" in p.stdout


def run_baseline(script: str, *args: str) -> list[int]:
    p = subprocess.run([sys.executable, str(ROOT / "bench" / "baselines" / script), *args],
                       capture_output=True, text=True, timeout=60, check=True)
    return [int(word) for word in p.stdout.split()]


def test_lean_floor_counts_what_the_floor_counts(tmp_path: Path) -> None:
    """The bound reads every record the floor reads, and inline and call build the same table:
    one entry per sender address/port to receiver address/port that the general reader sees."""
    from wsarecv_cli.capture import read_packets

    capture = tmp_path / "small.pcap"
    generate.generate(str(capture), packets=1500, flows=30, seed=3, concurrent=6, quiet=True)
    packets, _ = run_baseline("struct_loop.py", str(capture))
    inline = run_baseline("lean_floor.py", str(capture), "inline")
    assert inline == run_baseline("lean_floor.py", str(capture), "call")
    with read_packets(str(capture)) as stream:
        directions = {(p.src_addr, p.src_port, p.dst_addr, p.dst_port) for batch in stream.batches() for p in batch}
    assert inline == [packets, len(directions)]
