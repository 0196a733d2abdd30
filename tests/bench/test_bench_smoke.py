"""Smoke run of the benchmark harness (bench/): not a timed test, just "it still works".

Generates a ~2k-packet capture, checks the generator is deterministic and its truth sidecar
agrees with an independent dpkt reassembly, then runs bench/run.py once over it with the
baselines that need no extra tools plus whichever wsarecv commands exist.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402
import truthcheck  # noqa: E402

ARGS = dict(packets=2000, flows=40, seed=7, concurrent=8, quiet=True)


@pytest.fixture(scope="module")
def capture(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bench") / "smoke.pcap"
    generate.generate(str(path), **ARGS)
    return path


def test_generator_is_deterministic(capture: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.pcap"
    generate.generate(str(again), **ARGS)
    assert again.read_bytes() == capture.read_bytes()
    assert Path(str(again) + ".truth.json").read_text() == Path(str(capture) + ".truth.json").read_text()
    other = tmp_path / "other.pcap"
    generate.generate(str(other), **{**ARGS, "seed": 8})
    assert other.read_bytes() != capture.read_bytes()


def test_truth_matches_dpkt(capture: Path) -> None:
    truth = truthcheck.load_truth(str(capture))
    assert 1900 <= truth["meta"]["packets"] <= 2100
    flows = truth["flows"]
    tcp = max((f for f in flows if f["proto"] == "tcp"), key=lambda f: f["packets"])
    udp = max((f for f in flows if f["proto"] == "udp"), key=lambda f: f["packets"])
    assert tcp["c2s"]["bytes"] and tcp["s2c"]["bytes"]
    assert truthcheck.check_dpkt(str(capture), [tcp["id"], udp["id"]]) == []


def test_runner_smoke(capture: Path, tmp_path: Path) -> None:
    out_json = tmp_path / "results.json"
    p = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--capture", str(capture), "--quick", "--runs", "1",
         "--only", "cat,struct_loop,dpkt_iter,dpkt_decode,struct_reasm,wsarecv*", "--json", str(out_json)],
        capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert p.returncode == 0, p.stderr[-2000:]
    assert "| tool | what | median wall s |" in p.stdout
    assert "### Targets (issue 7)" in p.stdout
    rows = {r["name"]: r for r in json.loads(out_json.read_text())["rows"]}
    assert rows["struct_loop"]["runs"] and rows["cat"]["runs"]


def test_generated_capture_hot_path_equals_dpkt(capture: Path) -> None:
    """The generator's mix (802.1Q, IPv6, IPv4 fragments, TCP and UDP) through the readers' fast
    decode, decode_frame and dpkt: the same packet for every frame (tests/capture/test_corpus.py)."""
    from tests.capture.test_corpus import _differential

    assert _differential(capture) >= 1900
