"""Idle UDP flows are retired (FlowTracker(retire_idle_udp=True), `wsarecv flows`) but keep their
index: a later datagram continues the same udp:N, and the listing is the same as without retiring."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reasm_builders import DNS_SERVER as SERVER
from reasm_builders import SECOND
from reasm_builders import UDP_CLIENTS as CLIENTS
from reasm_builders import datagram_at as datagram
from wsarecv_cli.net import Packet
from wsarecv_cli.reassembly import FlowTracker, ReassemblyLimits
from wsarecv_cli.reassembly.summaries import FlowSummaries

IDLE = ReassemblyLimits(udp_idle_ns=10 * SECOND)


def listing(packets: list[Packet], limits: ReassemblyLimits, retire: bool) -> tuple[list, FlowTracker]:
    tracker = FlowTracker(limits, events=False, retire_idle_udp=retire)
    for packet in packets:
        tracker.feed(packet)
    tracker.finish()
    return list(tracker.iter_flows()), tracker


def test_a_flow_back_from_idle_keeps_its_index_and_orientation() -> None:
    client, other = CLIENTS[0], CLIENTS[1]
    packets = [
        datagram(1, 0, client, SERVER, b"query"),
        datagram(2, 1, SERVER, client, b"answer!"),
        datagram(3, 100, other, SERVER),  # long after: udp:0 is retired by now
        datagram(4, 101, SERVER, client, b"late"),  # udp:0 again, from its b side
    ]
    tracker = FlowTracker(IDLE, events=False, retire_idle_udp=True)
    live = []
    for packet in packets:
        tracker.feed(packet)
        live.append(tracker.live_flows())
    tracker.finish()
    flows = list(tracker.iter_flows())
    assert live == [1, 1, 1, 2]  # udp:0 left the live table at frame 3 and came back at frame 4
    assert [str(f.id) for f in flows] == ["udp:0", "udp:1"]
    first = flows[0]
    assert (first.a, first.b, first.first_ts, first.last_ts) == (client, SERVER, 0, 101 * SECOND)
    assert (first.a_to_b.packets, first.a_to_b.payload_bytes) == (1, 5)
    assert (first.b_to_a.packets, first.b_to_a.payload_bytes) == (2, 11)
    assert tracker.flow_count() == 2


@pytest.mark.parametrize("retire, live_at_end", [(False, 3), (True, 1)], ids=["kept", "retired"])
def test_idle_flows_leave_the_live_table(retire: bool, live_at_end: int) -> None:
    packets = [datagram(n + 1, n * 60, client, SERVER) for n, client in enumerate(CLIENTS)]
    tracker = FlowTracker(IDLE, events=False, retire_idle_udp=retire)
    for packet in packets:
        tracker.feed(packet)
    assert tracker.live_flows() == live_at_end


def test_follow_and_replay_trackers_never_retire_idle_flows() -> None:
    """Without summaries (follow, replay, play: on_retire means finished for good) it stays off."""
    tracker = FlowTracker(IDLE, summaries=False, retire_idle_udp=True)
    for n, client in enumerate(CLIENTS):
        tracker.feed(datagram(n + 1, n * 60, client, SERVER))
    assert tracker.live_flows() == 3


events = st.lists(st.tuples(st.integers(0, 2), st.booleans(), st.integers(0, 30), st.binary(max_size=3)),
                  min_size=1, max_size=40)


@settings(max_examples=150, deadline=None)
@given(events=events, in_memory=st.sampled_from([2, 3, 4096]))
def test_the_listing_does_not_depend_on_retiring(events, in_memory: int) -> None:
    """Whatever the gaps, the flows listed with idle retirement equal those without (spilled
    summaries included: runs hand back the parts of one flow in any order)."""
    packets, ts = [], 0.0
    for frame, (who, from_client, gap_s, data) in enumerate(events, 1):
        ts += gap_s
        client = CLIENTS[who]
        sender, receiver = (client, SERVER) if from_client else (SERVER, client)
        packets.append(datagram(frame, ts, sender, receiver, data))
    original = FlowSummaries.IN_MEMORY
    FlowSummaries.IN_MEMORY = in_memory
    try:
        kept, _ = listing(packets, IDLE, retire=False)
        retired, _ = listing(packets, IDLE, retire=True)
        short, _ = listing(packets, replace(IDLE, udp_idle_ns=1), retire=True)
    finally:
        FlowSummaries.IN_MEMORY = original
    assert retired == kept
    assert short == kept
