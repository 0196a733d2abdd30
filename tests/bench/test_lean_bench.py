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
