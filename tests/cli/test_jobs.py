"""`--jobs N`: flows sharded over worker processes give what one process gives.

`follow --json`: the same document (flows in another order): same ids (Wireshark's numbering),
digests, times, warnings, exit codes. `flows`: the same bytes, table and JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import SAMPLES
from wsarecv_cli.cli.main import cli

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import generate  # noqa: E402


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """TCP and UDP, IPv4/IPv6/802.1Q, fragments, reordering, retransmissions, closes and resets."""
    path = tmp_path_factory.mktemp("jobs") / "mix.pcap"
    generate.generate(str(path), packets=4000, flows=150, seed=21, concurrent=20, quiet=True)
    return path


def _follow(path: Path, *args: str):
    result = CliRunner().invoke(cli, ["follow", str(path), "--json", *args])
    doc = json.loads(result.stdout) if result.exit_code in (0, 3) else None
    if doc is not None:
        doc["flows"].sort(key=lambda f: (f["transport"] != "tcp", int(f["id"].split(":")[1])))
    return result.exit_code, result.stderr, doc


CAPTURES = [pytest.param("generated", id="generated-mix")] + [
    pytest.param(p, id=p.name) for p in sorted(SAMPLES.glob("*.pcap*"))]


@pytest.mark.parametrize("capture", CAPTURES)
@pytest.mark.parametrize("args", [(), ("--strict",), ("--flow", "tcp:1", "--flow", "udp:0"), ("--flow", "tcp:999")],
                         ids=["all", "strict", "selected", "unmatched"])
def test_jobs_give_the_same_document(capture, args, generated, request) -> None:
    path = generated if capture == "generated" else capture
    one = _follow(path, *args)
    assert _follow(path, "--jobs", "2", *args) == one
    if capture == "generated" and not args:
        assert len(one[2]["flows"]) >= 150
        assert _follow(path, "--jobs", "3") == one


def test_jobs_need_json(generated) -> None:
    result = CliRunner().invoke(cli, ["follow", str(generated), "--jobs", "2"])
    assert result.exit_code == 2 and "--json" in result.stderr


def test_stdin_is_read_by_one_process(generated) -> None:
    result = CliRunner().invoke(cli, ["follow", "-", "--json", "--jobs", "2"], input=generated.read_bytes())
    assert result.exit_code == 0
    assert json.loads(result.stdout)["flows"]


def _flows(path: Path, *args: str):
    result = CliRunner().invoke(cli, ["flows", str(path), "--width", "200", *args])
    return result.exit_code, result.stderr, result.stdout


@pytest.mark.parametrize("capture", CAPTURES)
@pytest.mark.parametrize("args", [(), ("--json",), ("--strict",), ("--flow", "tcp:1", "--flow", "udp:0", "--json"),
                                  ("--flow", "tcp:999")],
                         ids=["table", "json", "strict", "selected", "unmatched"])
def test_flows_jobs_print_the_same(capture, args, generated) -> None:
    path = generated if capture == "generated" else capture
    one = _flows(path, *args)
    assert _flows(path, "--jobs", "2", *args) == one


def test_flows_jobs_with_spilled_summaries(generated, monkeypatch) -> None:
    """Each worker's summaries spill to its own file and the merge renumbers them."""
    from wsarecv_cli.reassembly.summaries import FlowSummaries

    one = _flows(generated, "--json")
    monkeypatch.setattr(FlowSummaries, "IN_MEMORY", 3)  # forked workers inherit the patch
    assert _flows(generated, "--json", "--jobs", "3") == one


@pytest.fixture(scope="module")
def syn_flows(tmp_path_factory) -> Path:
    from tests.robustness.corpus import write_pcap
    from tests.robustness.hostile import syn_flows_frames

    path = tmp_path_factory.mktemp("jobs-evict") / "syn-flows.pcap"
    write_pcap(path, syn_flows_frames(4000))
    return path


@pytest.mark.parametrize("max_flows", ["100", "1", "3999", "4000"], ids=["evicting", "below-jobs", "one-short",
                                                                        "just-fits"])
@pytest.mark.parametrize("jobs", ["2", "3"])
def test_jobs_match_one_process_when_flows_are_evicted(syn_flows, max_flows: str, jobs: str) -> None:
    """4,000 one-SYN flows through a table of --max-flows: evicted flows, counts and warnings are
    those of one process (shards cannot evict alike: the command then runs in one process)."""
    args = ("--max-flows", max_flows)
    for json_args in ((), ("--json",)):
        one = _flows(syn_flows, *json_args, *args)
        assert _flows(syn_flows, "--jobs", jobs, *json_args, *args) == one
    one = _follow(syn_flows, *args)
    assert _follow(syn_flows, "--jobs", jobs, *args) == one
    if max_flows == "100":
        assert "3900 flow(s) finished early" in one[1]


@pytest.fixture(scope="module")
def held_flows(tmp_path_factory) -> Path:
    from tests.robustness.hostile import HELD_PER_FLOW, held_many_flows_frames, write_dense_pcap

    path = tmp_path_factory.mktemp("jobs-held") / "held-many-flows.pcap"
    write_dense_pcap(path, held_many_flows_frames(30 * HELD_PER_FLOW, size=200))
    return path


@pytest.mark.parametrize("args", [("--max-ooo-total", "64k"), ("--max-ooo-total", "300k"), ("--max-ooo-total", "64M"),
                                  ("--max-flow-memory", "100k")],
                         ids=["budget-hit", "near", "fits", "flow-memory-evicts"])
def test_jobs_match_one_process_at_the_out_of_order_budget(held_flows, args: tuple[str, str]) -> None:
    """30 flows each holding 20 KB behind a hole: --max-ooo-total is one budget for the capture;
    shards get 1/N of it and fall back to one process when it refused them room (and when
    --max-flow-memory evicted, like --max-flows)."""
    one = _flows(held_flows, "--json", *args)
    assert _flows(held_flows, "--json", "--jobs", "2", *args) == one
    one_follow = _follow(held_flows, *args)
    assert _follow(held_flows, "--jobs", "2", *args) == one_follow
    if args[1] == "64k":
        assert "--max-ooo-total 65536" in one[1]
    if args[0] == "--max-flow-memory":
        assert "finished early at the live-flow limits" in one[1]
