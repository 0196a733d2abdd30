"""Every resource limit: its option, its default, and what hitting it looks like (a counter in
`flows`, a warning in `replay`, exit 3 under --strict) — never a crash or unbounded growth."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.capture.builders import udp_hdr
from tests.conftest import SAMPLES
from tests.robustness.cli_run import wsarecv
from tests.robustness.corpus import ACK, PSH, SYN, _fragment, many_flows_pcap, pcap_records, tcp
from wsarecv_cli.capture import CaptureLimits
from wsarecv_cli.cli.common import parse_size
from wsarecv_cli.net import Endpoint, Packet, Transport
from wsarecv_cli.reassembly import FlowTracker, ReassemblyLimits

COMMANDS = {"flows": ("flows", "--json"), "follow": ("follow", "--json"), "replay": ("replay", "--ndjson")}


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def ooo_capture(tmp_path_factory) -> Path:
    """One connection: a first segment, then a hole, then 40 KB that can only be held."""
    frames = [tcp(40000, 80, 1000, 0, SYN), tcp(40000, 80, 1001, 0, ACK | PSH, b"a" * 100)]
    frames += [tcp(40000, 80, 1101 + 1000 + i * 1000, 0, ACK | PSH, b"b" * 1000) for i in range(40)]
    path = tmp_path_factory.mktemp("limits") / "ooo.pcap"
    path.write_bytes(pcap_records(frames))
    return path


@pytest.fixture(scope="module")
def fragment_capture(tmp_path_factory) -> Path:
    """50 first fragments of 1 KB that never complete, and one whole datagram after them."""
    frames = [_fragment(i, 0, True, udp_hdr(1, 2, 2000) + b"f" * 992) for i in range(50)]
    frames.append(tcp(40000, 80, 1000, 0, SYN))
    path = tmp_path_factory.mktemp("limits") / "frag.pcap"
    path.write_bytes(pcap_records(frames))
    return path


@pytest.fixture(scope="module")
def flows_capture(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("limits") / "flows.pcap"
    path.write_bytes(many_flows_pcap(300))
    return path


# -- defaults and parsing ------------------------------------------------------------------------

def test_defaults_are_documented_values() -> None:
    assert ReassemblyLimits().max_flows == 50_000
    assert ReassemblyLimits().max_held_bytes == 16 << 20
    assert CaptureLimits().fragment_bytes == 64 << 20 and CaptureLimits().fragment_sets == 10_000
    for command in ("flows", "follow", "replay"):
        help_text = wsarecv(command, "--help").stdout
        for option in ("--max-flows", "--max-ooo-bytes", "--max-fragment-bytes"):
            assert option in help_text, (command, option)
    assert "--max-message-bytes" in wsarecv("replay", "--help").stdout


@pytest.mark.parametrize(("text", "size"), [("65536", 65536), ("64k", 65536), ("16M", 16 << 20), ("1GiB", 1 << 30),
                                             ("2mb", 2 << 20), ("1_000", 1000)])
def test_sizes_take_binary_units(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("args", [("--max-ooo-bytes", "3x"), ("--max-fragment-bytes", "0"), ("--max-flows", "0"),
                                  ("--max-flows", "many")])
def test_bad_limit_values_are_usage_errors(command: str, args: tuple[str, str]) -> None:
    run = wsarecv(*COMMANDS[command], str(SAMPLES / "tcp_rst.pcap"), *args)
    assert run.code == 2 and "Traceback" not in run.stderr
    assert args[0] in run.stderr


# -- out-of-order bytes ----------------------------------------------------------------------------

# The capture is one-way (no ACKs), so by default --gap-wait declares its hole a second after the
# data behind it arrived, long before 10k are held: these tests of the limit wait for evidence only.
NO_WAIT = ("--gap-wait", "none")


def test_one_way_hole_is_declared_by_gap_wait_before_any_limit(ooo_capture: Path) -> None:
    run = wsarecv("replay", "--ndjson", str(ooo_capture), "--max-ooo-bytes", "10k")
    gaps = [json.loads(line) for line in run.stdout.splitlines() if '"type":"gap"' in line]
    assert [(g["offset"], g["length"], g["reason"], g["evidence"]) for g in gaps] == \
        [(100, 1000, "not-captured", "gap-wait")]
    summary = next(json.loads(line) for line in run.stdout.splitlines() if '"summary"' in line)
    assert (summary["bytes"], summary["gap_bytes"]) == (100 + 1000 + 40 * 1000, 1000)


def test_ooo_limit_is_a_flows_counter(ooo_capture: Path) -> None:
    run = wsarecv("flows", "--json", str(ooo_capture), "--max-ooo-bytes", "10k", *NO_WAIT)
    assert run.code == 0
    anomalies = json.loads(run.stdout)["flows"][0]["a_to_b"]["anomalies"]
    assert anomalies["limit_hits"] >= 30 and anomalies["limit_bytes"] >= 30_000
    default = json.loads(wsarecv("flows", "--json", str(ooo_capture), *NO_WAIT).stdout)["flows"][0]["a_to_b"]["anomalies"]
    assert default["limit_hits"] == 0


@pytest.mark.parametrize("command", list(COMMANDS))
def test_ooo_limit_warns_and_fails_strict(command: str, ooo_capture: Path) -> None:
    run = wsarecv(*COMMANDS[command], str(ooo_capture), "--max-ooo-bytes", "10k", *NO_WAIT)
    assert run.code == 0 and "out-of-order" in _flat(run.stderr)
    assert wsarecv(*COMMANDS[command], str(ooo_capture), "--max-ooo-bytes", "10k", "--strict", *NO_WAIT).code == 3


def test_ooo_limit_in_replay_keeps_the_bytes_before_the_hole(ooo_capture: Path) -> None:
    run = wsarecv("replay", "--ndjson", str(ooo_capture), "--max-ooo-bytes", "10k", *NO_WAIT)
    summary = next(json.loads(line) for line in run.stdout.splitlines() if '"summary"' in line)
    assert summary["bytes"] >= 100 and summary["gaps"] >= 1


# -- fragments ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", list(COMMANDS))
def test_fragment_limit_drops_the_oldest_sets_with_a_warning(command: str, fragment_capture: Path) -> None:
    run = wsarecv(*COMMANDS[command], str(fragment_capture), "--max-fragment-bytes", "4k")
    assert run.code == 0
    assert "memory limit" in _flat(run.stderr)
    assert _flat(run.stderr).count("incomplete IP fragment set dropped") <= 5  # no warning flood
    assert wsarecv(*COMMANDS[command], str(fragment_capture), "--max-fragment-bytes", "4k", "--strict").code == 3


def test_fragment_limit_is_counted_in_flows_stats(fragment_capture: Path) -> None:
    doc = json.loads(wsarecv("flows", "--json", str(fragment_capture), "--max-fragment-bytes", "4k").stdout)
    assert any("memory limit" in line for line in doc["stats"]["skip_lines"])
    assert [f["id"] for f in doc["flows"]] == ["tcp:0"]


# -- live flows --------------------------------------------------------------------------------------

A, B = Endpoint.parse("10.0.0.1:1000"), Endpoint.parse("10.0.0.2:2000")


def _udp(i: int, sport: int) -> Packet:
    return Packet(i, i * 1000, Transport.UDP, A.addr, sport, B.addr, B.port, b"x", 0, 0, 0, 0, 0, 0, (i,))


def _tcp(i: int, sport: int, seq: int, flags: int, payload: bytes = b"") -> Packet:
    return Packet(i, i * 1000, Transport.TCP, A.addr, sport, B.addr, B.port, payload, seq, 0, flags, 0, 512, 0, (i,))


def test_flow_table_stays_at_the_limit_and_counts_evictions() -> None:
    tracker = FlowTracker(ReassemblyLimits(max_flows=10), events=False)
    for i in range(1000):
        tracker.feed(_udp(i, 1000 + i))
        assert tracker.live_flows() <= 10
    tracker.finish()
    flows = tracker.flows
    assert [str(f.id) for f in flows] == [f"udp:{i}" for i in range(1000)]  # every flow still listed
    assert tracker.evicted_flows == 990
    assert sum(f.a_to_b.evicted for f in flows) == 990


def test_eviction_picks_the_flow_idle_longest() -> None:
    tracker = FlowTracker(ReassemblyLimits(max_flows=3), events=False)
    for i, port in enumerate((1, 2, 3)):
        tracker.feed(_udp(i, port))
    tracker.feed(_udp(3, 1))  # port 1 is active again; port 2 is now idle longest
    tracker.feed(_udp(4, 4))  # a fourth flow: evicts port 2
    evicted = {f.a.port for f in tracker.flows if f.a_to_b.evicted}
    assert evicted == {2}


def test_closed_flows_are_evicted_first() -> None:
    tracker = FlowTracker(ReassemblyLimits(max_flows=2), events=False)
    tracker.feed(_tcp(0, 1, 100, SYN))
    tracker.feed(_tcp(1, 2, 100, 0x04))  # RST: flow 2 is closed
    tracker.feed(_tcp(2, 1, 101, ACK | PSH, b"x"))
    tracker.feed(_tcp(3, 3, 100, SYN))  # evicts the closed flow, not the older open one
    evicted = {f.a.port for f in tracker.flows if f.a_to_b.evicted}
    assert evicted == {2}


def test_evicted_flow_releases_held_data_as_gaps_and_a_returning_tuple_gets_a_new_index() -> None:
    tracker = FlowTracker(ReassemblyLimits(max_flows=1))
    tracker.feed(_tcp(0, 1, 100, ACK | PSH, b"a"))
    tracker.feed(_tcp(1, 1, 200, ACK | PSH, b"b"))  # held behind a hole
    events = tracker.feed(_udp(2, 9))  # evicts tcp:0: the hole becomes a gap, "b" is released
    kinds = [type(fe.event).__name__ for fe in events]
    assert "StreamGap" in kinds and "StreamData" in kinds
    tracker.feed(_tcp(3, 1, 201, ACK | PSH, b"c"))
    assert [str(f.id) for f in tracker.flows] == ["tcp:0", "tcp:1", "udp:0"]


def test_replay_keeps_no_state_for_finished_flows() -> None:
    tracker = FlowTracker(ReassemblyLimits(max_flows=5), events=False, summaries=False)
    for i in range(200):
        tracker.feed(_udp(i, 1000 + i))
        assert tracker.live_flows() <= 5
    assert len(tracker._flows) + len(tracker._recent) <= 5 + 1 and len(tracker._table) <= 2 * 5  # none kept per finished flow
    assert len(tracker.flows) <= 5 and tracker.flow_count() == 200 and tracker.evicted_flows == 195


@pytest.mark.parametrize("command", list(COMMANDS))
def test_flow_limit_warns_counts_and_fails_strict(command: str, flows_capture: Path) -> None:
    run = wsarecv(*COMMANDS[command], str(flows_capture), "--max-flows", "20")
    assert run.code == 0 and "live-flow limit" in _flat(run.stderr)
    assert wsarecv(*COMMANDS[command], str(flows_capture), "--max-flows", "20", "--strict").code == 3
    assert wsarecv(*COMMANDS[command], str(flows_capture), "--strict").code == 0  # default: nothing evicted


def test_flow_limit_is_an_anomaly_in_flows(flows_capture: Path) -> None:
    doc = json.loads(wsarecv("flows", "--json", str(flows_capture), "--max-flows", "20").stdout)
    assert len(doc["flows"]) == 300
    assert sum(f["a_to_b"]["anomalies"]["evicted"] for f in doc["flows"]) == 280
    table = wsarecv("flows", str(flows_capture), "--max-flows", "20", "--width", "200").stdout
    assert "evicted" in table


def test_replay_summaries_are_the_same_with_and_without_eviction(flows_capture: Path) -> None:
    """One datagram per flow: ending a flow early changes nothing a receiver gets."""
    def summaries(*extra: str) -> list:
        run = wsarecv("replay", "--ndjson", str(flows_capture), *extra)
        recs = [json.loads(line) for line in run.stdout.splitlines()]
        return sorted((r["flow"], r["receiver"], r["bytes"]) for r in recs if r["type"] == "summary")
    assert summaries("--max-flows", "20") == summaries()


# -- framing -----------------------------------------------------------------------------------------

def test_message_limit_ends_framing_with_a_summary_field() -> None:
    run = wsarecv("replay", "--ndjson", str(SAMPLES / "framed_messages.pcap"), "--framing", "len:u16be",
                  "--protocol", "reliable-msg", "--max-message-bytes", "4")
    assert run.code == 0
    framed = [json.loads(line) for line in run.stdout.splitlines() if '"framing"' in line]
    assert any("limit 4 B" in (r["framing"]["error"] or "") for r in framed)
