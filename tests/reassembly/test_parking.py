"""Idle UDP flows parked (FlowTracker(park_idle_udp=True): follow, replay, play): they leave the
live table and cost less (replay's receivers are pickled meanwhile), a later datagram wakes the
same flow, and nothing any command writes changes — checked event by event on made-up timelines
and output by output on every sample and corpus capture with parking after 1 ms (nearly every UDP
flow parks between datagrams), replay under several modes and schedules."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from reasm_builders import DNS_SERVER as SERVER
from reasm_builders import SECOND
from reasm_builders import UDP_CLIENTS as CLIENTS
from reasm_builders import datagram_at as datagram

from tests.conftest import SAMPLES, corpus_params
from wsarecv_cli.cli.main import cli
from wsarecv_cli.net import Endpoint, FlowId, Packet, Transport
from wsarecv_cli.reassembly import FlowTracker, ReassemblyLimits
from wsarecv_cli.reassembly.flow import FLOW_COST
from wsarecv_cli.reassembly.parking import PARKED_COST

PARK = ReassemblyLimits(udp_park_ns=10 * SECOND)


def tcp_syn(frame: int, ts_s: float, sender: Endpoint, receiver: Endpoint) -> Packet:
    return Packet(frame, int(ts_s * SECOND), Transport.TCP, sender.addr, sender.port, receiver.addr, receiver.port,
                  b"", seq=100, flags=0x02)


def test_a_quiet_flow_parks_and_the_next_datagram_wakes_it() -> None:
    client, other = CLIENTS[0], CLIENTS[1]
    tracker = FlowTracker(PARK, summaries=False, park_idle_udp=True)
    live, memory = [], []
    for packet in [datagram(1, 0, client, SERVER, b"query"), datagram(2, 1, SERVER, client, b"answer!"),
                   datagram(3, 30, other, SERVER), datagram(4, 31, SERVER, client, b"late")]:
        tracker.feed(packet)
        live.append(tracker.live_flows())
        memory.append(tracker.memory.live)
    assert live == [1, 1, 1, 2]  # udp:0 parked at frame 3, woken at frame 4
    assert memory[2] == FLOW_COST + PARKED_COST  # udp:1 live, udp:0 parked (no windows: UDP)
    assert memory[3] == 2 * FLOW_COST
    first = tracker.info(FlowId(Transport.UDP, 0))
    assert (first.a, first.b, first.last_ts) == (client, SERVER, 31 * SECOND)  # the same flow, a/b as first seen
    assert (first.a_to_b.packets, first.b_to_a.packets, first.b_to_a.payload_bytes) == (1, 2, 11)
    assert tracker.flow_count() == 2
    tracker.finish()
    assert tracker.memory.live == 0


def test_parked_flows_answer_lookups_and_are_finished_at_the_end() -> None:
    """An ICMP error quoting a parked flow still finds it; the end of the capture finishes it."""
    tracker = FlowTracker(PARK, summaries=False, park_idle_udp=True, on_retire=(retired := []).append)
    tracker.feed(datagram(1, 0, CLIENTS[0], SERVER))
    tracker.feed(datagram(2, 60, CLIENTS[1], SERVER))
    assert tracker.live_flows() == 1
    assert tracker.lookup(Transport.UDP, SERVER.addr, SERVER.port, CLIENTS[0].addr, CLIENTS[0].port) == \
        FlowId(Transport.UDP, 0)
    assert tracker.endpoints(FlowId(Transport.UDP, 0))[:2] == (CLIENTS[0], SERVER)
    assert retired == []  # parking is not finishing
    tracker.finish()
    assert retired == [FlowId(Transport.UDP, 0), FlowId(Transport.UDP, 1)]  # creation order


def test_tcp_flows_and_trackers_without_parking_stay_live() -> None:
    for park, live_at_end in ((False, 4), (True, 2)):
        tracker = FlowTracker(PARK, summaries=False, park_idle_udp=park)
        tracker.feed(tcp_syn(1, 0, CLIENTS[2], SERVER))
        for n, client in enumerate(CLIENTS):
            tracker.feed(datagram(n + 2, n * 60, client, SERVER))
        assert tracker.live_flows() == live_at_end, park  # parked: udp:0 and udp:1, never the TCP flow


def test_parked_flows_count_against_max_flows_and_are_evicted_first() -> None:
    """Four flows at max_flows 3: the flow parked longest is finished (evicted) to make room, not
    the live TCP flow, and a datagram of it later starts a new index (as after any eviction)."""
    limits = replace(PARK, max_flows=3)
    tracker = FlowTracker(limits, summaries=False, park_idle_udp=True, on_retire=(retired := []).append)
    tracker.feed(tcp_syn(1, 0, CLIENTS[2], SERVER))
    tracker.feed(datagram(2, 0, CLIENTS[0], SERVER))
    tracker.feed(datagram(3, 20, CLIENTS[1], SERVER))  # udp:0 parks
    tracker.feed(datagram(4, 40, Endpoint.parse("10.0.0.9:7"), SERVER))  # udp:1 parks; a third flow: evict
    assert retired == [FlowId(Transport.UDP, 0)]
    assert tracker.info(FlowId(Transport.UDP, 0)).a_to_b.evicted
    tracker.feed(datagram(5, 41, CLIENTS[0], SERVER))
    assert tracker.lookup(Transport.UDP, CLIENTS[0].addr, CLIENTS[0].port, SERVER.addr, SERVER.port) == \
        FlowId(Transport.UDP, 3)


def run_events(packets: list[Packet], park_ns: int) -> tuple[list, list, list]:
    """Every event, every finished flow's snapshot (in order) and the memory after each packet."""
    events, infos = [], []

    def retired(flow: FlowId) -> None:  # a finished flow's snapshot, read when it is finished
        infos.append(tracker.info(flow))

    tracker = FlowTracker(replace(PARK, udp_park_ns=park_ns), summaries=False, park_idle_udp=True,
                          on_retire=retired)
    for packet in packets:
        events += tracker.feed(packet)
    for batch in tracker.finish_batches():
        events += batch
    assert tracker.memory.live == 0
    return events, infos, tracker.flows


timelines = st.lists(st.tuples(st.integers(0, 2), st.booleans(), st.integers(0, 30), st.binary(max_size=3)),
                     min_size=1, max_size=40)


@settings(max_examples=150, deadline=None)
@given(timeline=timelines, park_s=st.sampled_from([0.000001, 1, 5]))
def test_parking_changes_no_event_and_no_counter(timeline, park_s: float) -> None:
    packets, ts = [], 0.0
    for frame, (who, from_client, gap_s, data) in enumerate(timeline, 1):
        ts += gap_s
        sender, receiver = (CLIENTS[who], SERVER) if from_client else (SERVER, CLIENTS[who])
        packets.append(datagram(frame, ts, sender, receiver, data))
    assert run_events(packets, int(park_s * SECOND)) == run_events(packets, 0)


# ------------------------------------------------------------------ every command, every capture

COMMANDS = [
    pytest.param(["follow", "--json"], id="follow-json"),
    pytest.param(["follow", "--color", "never"], id="follow"),
    pytest.param(["replay", "--ndjson"], id="replay"),
    pytest.param(["replay", "--ndjson", "--no-findings", "--explain"], id="replay-no-findings-explain"),
    pytest.param(["replay", "--json"], id="replay-json"),
    pytest.param(["replay", "--color", "never", "--width", "200"], id="replay-tables"),
    pytest.param(["replay", "--ndjson", "--mode", "overlapped-event", "--schedule", "drain"], id="replay-overlapped"),
    pytest.param(["replay", "--ndjson", "--mode", "nonblocking", "--schedule", "interval:5ms", "--buffers", "3,700",
                  "--show-data"], id="replay-nonblocking"),
    pytest.param(["replay", "--ndjson", "--mode", "overlapped-routine", "--outstanding", "2", "--schedule", "random:7",
                  "--platform", "wince"], id="replay-routine-wince"),
]
CAPTURES = [pytest.param(p, id=p.name) for p in sorted(SAMPLES.glob("*.pcap*"))] + corpus_params()


TRACKER_INIT = FlowTracker.__init__  # taken once: a second patch must not wrap the first


def output_with_parking(monkeypatch: pytest.MonkeyPatch, path: Path, args: list[str], park_ns: int) -> tuple:
    def parking_at(self, limits=None, **kwargs) -> None:
        TRACKER_INIT(self, replace(limits or ReassemblyLimits(), udp_park_ns=park_ns), **kwargs)

    monkeypatch.setattr(FlowTracker, "__init__", parking_at)
    result = CliRunner().invoke(cli, [*args[:1], str(path), *args[1:]])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("args", COMMANDS)
@pytest.mark.parametrize("path", CAPTURES)
def test_parking_changes_no_output(monkeypatch: pytest.MonkeyPatch, path: Path, args: list[str]) -> None:
    never = output_with_parking(monkeypatch, path, args, 0)
    assert output_with_parking(monkeypatch, path, args, 1_000_000) == never


def test_parked_flows_are_evicted_when_memory_runs_out() -> None:
    """Over --max-flow-memory with one live flow and many parked ones, the parked ones go first."""
    limits = replace(PARK, max_live_bytes=4 * PARKED_COST)
    tracker = FlowTracker(limits, summaries=False, park_idle_udp=True, on_retire=(retired := []).append)
    for n in range(6):  # at the sixth, five parked flows (the fifth parked by that datagram's sweep) are over
        tracker.feed(datagram(n + 1, n * 20, Endpoint.parse(f"10.0.0.1:{6000 + n}"), SERVER))
    assert tracker.live_flows() == 1  # each earlier one parked 10-15 s after its datagram
    assert retired == [FlowId(Transport.UDP, 0)]  # the longest parked, not the live one
    assert tracker.info(FlowId(Transport.UDP, 0)).a_to_b.evicted


class _Sink:
    """A consumer's event sink (follow's digests are callables like this): it must come back from
    parking as the very same object, with what it gathered."""

    def __init__(self) -> None:
        self.events: list = []

    def __call__(self, event) -> None:
        self.events.append(event)


def sinks_per_direction(made: dict) -> object:
    def sinks(flow_id: FlowId, sender: Endpoint, receiver: Endpoint) -> _Sink:
        return made.setdefault((flow_id, sender), _Sink())
    return sinks


def test_a_woken_flow_keeps_its_sinks_and_counters() -> None:
    """Woken, a parked flow's counters are as they were and its events go to the same sinks."""
    made: dict = {}
    tracker = FlowTracker(PARK, summaries=False, park_idle_udp=True, sinks=sinks_per_direction(made))
    tracker.feed(datagram(1, 0, CLIENTS[0], SERVER, b"query"))
    tracker.feed(datagram(2, 1, SERVER, CLIENTS[0], b"answer!"))
    sink_objects = dict(made)
    before = tracker.info(FlowId(Transport.UDP, 0))
    tracker.feed(datagram(3, 30, CLIENTS[1], SERVER))  # udp:0 parks
    assert tracker.live_flows() == 1  # udp:0 parked
    assert tracker.info(FlowId(Transport.UDP, 0)) == before
    tracker.feed(datagram(4, 31, CLIENTS[0], SERVER, b"again"))  # wakes it
    after = tracker.info(FlowId(Transport.UDP, 0))
    assert (after.a_to_b.packets, after.a_to_b.payload_bytes, after.b_to_a.packets) == (2, 10, 1)
    assert all(made[key] is sink for key, sink in sink_objects.items())  # no sink made again on waking
    first = made[(FlowId(Transport.UDP, 0), CLIENTS[0])]
    assert [event.data for event in first.events] == [b"query", b"again"]  # the same sink before and after
