"""Flow numbering (Wireshark's tcp.stream / udp.stream), endpoints, closure, stats-only mode."""

from __future__ import annotations

from reasm_builders import CLIENT, ISN_C, ISN_S, SERVER, Capture, run

from wsarecv_cli.net import FlowId, Transport
from wsarecv_cli.reassembly import Datagram, FlowTracker, StreamData


def test_indexes_follow_first_packet_per_transport():
    c = Capture()
    c.udp(b"q", sender=CLIENT)
    c.handshake()
    c.udp(b"r")
    _, tracker = run(c.packets)
    assert [str(f.id) for f in tracker.flows] == ["tcp:0", "udp:0"]
    udp = tracker.flows[1]
    assert (udp.a, udp.b, udp.initiator) == (CLIENT, SERVER, None)


def test_initiator_is_syn_sender_even_when_first_packet_is_the_syn_ack():
    c = Capture()
    c.tcp(ISN_S, flags="SA", ack=ISN_C + 1)  # the capture missed the SYN
    c.tcp(ISN_C + 1, ack=ISN_S + 1, sender=CLIENT)
    _, tracker = run(c.packets)
    flow = tracker.flows[0]
    assert (flow.a, flow.b, flow.initiator) == (SERVER, CLIENT, CLIENT)


def test_new_syn_with_other_isn_starts_a_new_index():
    c = Capture()
    c.handshake()
    c.tcp(ISN_S + 1, b"one", flags="FPA")
    c.tcp(ISN_C + 1, flags="FA", ack=ISN_S + 5, sender=CLIENT)
    c.handshake(isn_c=90_000, isn_s=70_000)  # same 5-tuple, new connection
    c.tcp(70_001, b"two")
    events, tracker = run(c.packets)
    assert [str(f.id) for f in tracker.flows] == ["tcp:0", "tcp:1"]
    assert [f.closure for f in tracker.flows] == ["closed", "open"]
    assert [(str(e.offset), e.data) for e in events if isinstance(e, StreamData)] == [("0", b"one"), ("0", b"two")]


def test_retransmitted_syn_keeps_the_index():
    c = Capture()
    c.tcp(ISN_C, flags="S", sender=CLIENT)
    c.tcp(ISN_C, flags="S", sender=CLIENT)
    c.tcp(ISN_S, flags="SA", ack=ISN_C + 1)
    _, tracker = run(c.packets)
    assert len(tracker.flows) == 1


def test_udp_zero_length_and_truncated_datagrams_are_kept():
    c = Capture()
    c.udp(b"", sender=CLIENT)
    c.udp(b"abc", missing=5)
    events, tracker = run(c.packets)
    assert events == [Datagram(b"abc", SERVER, 2_000_000, (2,), 8)]
    stats = tracker.flows[0]
    assert (stats.a_to_b.datagrams_empty, stats.b_to_a.truncated, stats.b_to_a.payload_bytes) == (1, 1, 8)


def test_events_carry_flow_and_both_endpoints():
    c = Capture()
    c.handshake()
    c.tcp(ISN_S + 1, b"hi")
    tracker = FlowTracker()
    out = [fe for p in c.packets for fe in tracker.feed(p)]
    assert [(fe.flow, fe.sender, fe.receiver) for fe in out] == [(FlowId(Transport.TCP, 0), SERVER, CLIENT)]


def test_stats_only_mode_builds_no_events_but_counts_the_same():
    c = Capture()
    c.handshake()
    c.tcp(ISN_S + 4, b"def")
    c.tcp(ISN_S + 1, b"abc")
    quiet = FlowTracker(events=False)
    assert [e for p in c.packets for e in quiet.feed(p)] + quiet.finish() == []
    _, loud = run(c.packets)
    assert quiet.flows == loud.flows


def _closed_conversation() -> Capture:
    cap = Capture()
    cap.handshake()
    cap.tcp(ISN_S + 1, b"bye", flags="FA", ack=ISN_C + 1)
    cap.tcp(ISN_C + 1, flags="FA", ack=ISN_S + 5, sender=CLIENT)
    cap.tcp(ISN_S + 5, flags="A", ack=ISN_C + 2)
    return cap


def test_closed_flow_is_retired_after_the_linger_while_the_capture_goes_on():
    from dataclasses import replace

    from wsarecv_cli.reassembly import ReassemblyLimits

    retired: list[FlowId] = []
    tracker = FlowTracker(replace(ReassemblyLimits(), closed_linger_ns=5_000_000), on_retire=retired.append)
    cap = _closed_conversation()
    for _ in range(10):  # later traffic on another flow moves the capture clock on (1 ms a packet)
        cap.udp(b"tick")
    for p in cap.packets:
        tracker.feed(p)
    assert retired == [FlowId(Transport.TCP, 0)]  # before finish(): the linger passed
    assert tracker.flows[0].closure == "closed"


def test_a_late_segment_within_the_linger_stays_in_the_closed_flow():
    cap = _closed_conversation()
    cap.tcp(ISN_S + 1, b"bye", flags="FA", ack=ISN_C + 1)  # a retransmission right after the close
    _, tracker = run(cap.packets)
    assert [str(f.id) for f in tracker.flows] == ["tcp:0"]
    assert tracker.flows[0].direction(SERVER).retransmitted >= 1
