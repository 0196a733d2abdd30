"""One scenario per case, named for the situation; each checks the events of the server's direction."""

from __future__ import annotations

import pytest
from reasm_builders import CLIENT, ISN_C, ISN_S, SERVER, Capture, run, stream_of

from wsarecv_cli.reassembly.held import CHUNK_COST
from wsarecv_cli.reassembly import (
    GapEvidence,
    GapReason,
    ReassemblyLimits,
    StreamData,
    StreamFin,
    StreamGap,
    StreamReset,
    UrgentData,
    UrgentMode,
)

S1 = ISN_S + 1  # first data byte of the server


def _wraparound(c: Capture) -> None:
    isn = 0xFFFFFFFF - 5  # data crosses 2**32 after 5 bytes
    c.handshake(isn_s=isn)
    c.tcp(isn + 1, b"hello ")
    c.tcp(isn + 7, b"world")


def _wraparound_out_of_order(c: Capture) -> None:
    isn = 0xFFFFFFFF - 5
    c.handshake(isn_s=isn)
    c.tcp(isn + 7, b"world")
    c.tcp(isn + 1, b"hello ")


def _midstream(c: Capture) -> None:
    c.tcp(777_000, b"mid", flags="PA")
    c.tcp(777_003, b"stream")


def _syn_with_data(c: Capture) -> None:
    c.tcp(ISN_C, flags="S", sender=CLIENT)
    c.tcp(ISN_S, b"early", flags="SA", ack=ISN_C + 1)
    c.tcp(S1 + 5, b" bird")


def _out_of_order(c: Capture) -> None:
    c.handshake()
    c.tcp(S1 + 6, b"cd")
    c.tcp(S1 + 3, b"xyz")
    c.tcp(S1, b"abc")


def _retransmission_partial_overlap(c: Capture) -> None:
    c.handshake()
    c.tcp(S1, b"abcd")
    c.tcp(S1 + 2, b"cdefgh")  # 2 old bytes, 4 new
    c.tcp(S1, b"abcdefgh")  # all old


def _conflict_first_wins_delivered(c: Capture) -> None:
    c.handshake()
    c.tcp(S1, b"GOOD")
    c.tcp(S1, b"EVIL!")  # overlap disagrees: the first copy stays, the new byte is taken


def _conflict_first_wins_held(c: Capture) -> None:
    c.handshake()
    c.tcp(S1 + 4, b"GOOD")
    c.tcp(S1 + 4, b"EVIL")
    c.tcp(S1, b"abcd")


def _keepalive_garbage_byte(c: Capture) -> None:
    c.handshake()
    c.tcp(S1, b"data")
    c.tcp(S1 + 3, b"\x00")  # keep-alive: 1 garbage byte at snd.nxt - 1
    c.tcp(S1 + 4, b"more")


def _zero_window_probe(c: Capture) -> None:
    c.handshake()
    c.tcp(S1, b"fill")
    c.tcp(ISN_C + 1, ack=S1 + 4, window=0, sender=CLIENT)
    c.tcp(S1 + 4, b"X")  # probe: not data yet
    c.tcp(ISN_C + 1, ack=S1 + 4, window=4000, sender=CLIENT)
    c.tcp(S1 + 4, b"Xtra")


def _urgent_bsd(c: Capture) -> None:
    c.handshake()
    c.tcp(S1, b"abc!def", flags="PAU", urg=4)  # BSD: byte SEG.SEQ + UP - 1 = '!'


def _urgent_1122(c: Capture) -> None:
    c.handshake()
    c.tcp(S1, b"abc!def", flags="PAU", urg=3)  # RFC 1122: byte SEG.SEQ + UP = '!'


def _fin_after_hole_filled(c: Capture) -> None:
    c.handshake()
    c.tcp(S1 + 3, b"def", flags="FA")
    c.tcp(S1, b"abc")


def _rst_in_window(c: Capture) -> None:
    c.handshake()
    c.tcp(S1, b"abc")
    c.tcp(S1 + 3, flags="R")


def _rst_out_of_window(c: Capture) -> None:
    c.handshake()
    c.tcp(S1, b"abc")
    c.tcp(S1 + 3 + (1 << 30), flags="R")  # far away: counted, not obeyed
    c.tcp(S1 + 3, b"def")


def _snaplen_gap(c: Capture) -> None:
    c.handshake()
    c.tcp(S1, b"head", missing=6)  # 10 bytes on the wire, 4 captured
    c.tcp(S1 + 10, b"tail")


def _lost_segment_acked(c: Capture) -> None:
    c.handshake()
    c.tcp(S1, b"abc")
    c.tcp(S1 + 17, b"after")  # 14 bytes never captured
    c.tcp(ISN_C + 1, ack=S1 + 22, sender=CLIENT)  # the receiver had them: a gap now


def _lost_tail_acked_at_end(c: Capture) -> None:
    c.handshake()
    c.tcp(S1, b"abc")
    # Acked 7 sequence numbers we never saw. Without a FIN in the capture the last one may be an
    # uncaptured FIN rather than data, so 6 bytes are reported missing.
    c.tcp(ISN_C + 1, ack=S1 + 10, sender=CLIENT)


def _late_segment_after_ack(c: Capture) -> None:
    # Reordered capture (GRO, two interfaces): the ACK covering the hole is seen before the data.
    c.handshake()
    c.tcp(S1, b"abc")
    c.tcp(S1 + 6, b"ghi")
    c.tcp(ISN_C + 1, ack=S1 + 9, sender=CLIENT)  # the receiver had all of it
    c.tcp(S1 + 3, b"def")  # late, not lost


def _late_segment_after_ack_beyond_held(c: Capture) -> None:
    # The bench case: the late segment shows up a few packets after an ACK past held data, with
    # more data and ACKs of both directions in between.
    c.handshake()
    c.tcp(S1, b"abc", flags="PA", ack=ISN_C + 1)
    c.tcp(ISN_C + 1, ack=S1 + 3, sender=CLIENT)
    c.tcp(S1 + 6, b"ghi", flags="PA", ack=ISN_C + 1)
    c.tcp(ISN_C + 1, b"req", flags="PA", ack=S1 + 9, sender=CLIENT)
    c.tcp(S1 + 9, b"jkl", ack=ISN_C + 4)
    c.tcp(ISN_C + 4, ack=S1 + 12, sender=CLIENT)
    c.tcp(S1 + 3, b"def", ack=ISN_C + 1)


def _late_segment_filling_two_acked_holes(c: Capture) -> None:
    c.handshake()
    c.tcp(S1, b"ab")
    c.tcp(S1 + 4, b"ef")
    c.tcp(S1 + 8, b"ij")
    c.tcp(ISN_C + 1, ack=S1 + 10, sender=CLIENT)
    c.tcp(S1 + 6, b"gh")
    c.tcp(S1 + 2, b"cd")


def _limit_exceeded(c: Capture) -> None:
    c.handshake()
    c.tcp(S1 + 10, b"0123456789")  # held: 10 bytes (the limit)
    c.tcp(S1 + 20, b"ABCDEFGHIJ")  # beyond the limit: dropped, LIMIT gap
    c.tcp(S1, b"abcdefghij")


CASES = [
    pytest.param(_wraparound, {}, b"hello world", [], id="wraparound-in-order"),
    pytest.param(_wraparound_out_of_order, {}, b"hello world", [], id="wraparound-out-of-order"),
    pytest.param(_midstream, {"midstream": True}, b"midstream", [], id="midstream-no-syn"),
    pytest.param(_syn_with_data, {"syn": True}, b"early bird", [], id="syn-with-data"),
    pytest.param(_out_of_order, {"out_of_order": 2}, b"abcxyzcd", [], id="out-of-order-released-in-order"),
    pytest.param(_retransmission_partial_overlap, {"retransmitted": 2}, b"abcdefgh", [], id="retransmission-trimmed"),
    pytest.param(_conflict_first_wins_delivered, {"overlap_conflicts": 1, "conflict_bytes": 4}, b"GOOD!", [],
                 id="conflict-first-wins-delivered"),
    pytest.param(_conflict_first_wins_held, {"overlap_conflicts": 1}, b"abcdGOOD", [],
                 id="conflict-first-wins-held"),
    pytest.param(_keepalive_garbage_byte, {"keepalives": 1, "retransmitted": 0}, b"datamore", [],
                 id="keepalive-not-data"),
    pytest.param(_zero_window_probe, {"zero_window_probes": 1}, b"fillXtra", [], id="zero-window-probe-not-data"),
    pytest.param(_fin_after_hole_filled, {"fin": True}, b"abcdef", [], id="fin-waits-for-data"),
    pytest.param(_rst_in_window, {"rst": 1}, b"abc", [], id="rst-in-window"),
    pytest.param(_rst_out_of_window, {"rst": 0, "rst_ignored": 1}, b"abcdef", [], id="rst-out-of-window-ignored"),
    pytest.param(_snaplen_gap, {"truncated": 1, "gaps": 1, "missing_bytes": 6}, b"headtail", [(4, 6)],
                 id="snaplen-gap"),
    pytest.param(_lost_segment_acked, {"gaps": 1}, b"abcafter", [(3, 14)], id="lost-segment-acked"),
    pytest.param(_lost_tail_acked_at_end, {"gaps": 1}, b"abc", [(3, 6)], id="acked-beyond-capture"),
    pytest.param(_late_segment_after_ack, {"gaps": 0, "missing_bytes": 0}, b"abcdefghi", [],
                 id="late-segment-after-ack-is-not-lost"),
    pytest.param(_late_segment_after_ack_beyond_held, {"gaps": 0}, b"abcdefghijkl", [],
                 id="late-segment-after-ack-beyond-held-data"),
    pytest.param(_late_segment_filling_two_acked_holes, {"gaps": 0}, b"abcdefghij", [],
                 id="late-segments-fill-two-acked-holes"),
]


@pytest.mark.parametrize(("build", "counters", "data", "gaps"), CASES)
def test_direction(build, counters, data, gaps):
    c = Capture()
    build(c)
    events, tracker = run(c.packets)
    assert stream_of(events) == (data, gaps)
    stats = tracker.flows[0].direction(SERVER)
    for name, value in counters.items():
        assert getattr(stats, name) == value, name


def test_urgent_bsd_byte_is_out_of_band():
    c = Capture()
    _urgent_bsd(c)
    events, _ = run(c.packets)
    assert [e for e in events if not isinstance(e, StreamFin)] == [
        StreamData(0, b"abc", 4_000_000, (4,), ready_ns=4_000_000),
        UrgentData(3, ord("!"), 4_000_000, (4,)),
        StreamData(4, b"def", 4_000_000, (4,), push=True, ready_ns=4_000_000),
    ]


def test_urgent_rfc1122_points_at_the_byte():
    c = Capture()
    _urgent_1122(c)
    events, _ = run(c.packets, ReassemblyLimits(urgent=UrgentMode.RFC1122))
    assert [e for e in events if isinstance(e, UrgentData)] == [UrgentData(3, ord("!"), 4_000_000, (4,))]
    assert b"".join(e.data for e in events if isinstance(e, StreamData)) == b"abcdef"


def test_urgent_pointer_into_a_later_segment():
    c = Capture()
    c.handshake()
    c.tcp(S1, b"abc", flags="PAU", urg=5)  # the urgent byte (offset 4) comes in the next segment
    c.tcp(S1 + 3, b"de")
    events, _ = run(c.packets)
    assert [e for e in events if isinstance(e, UrgentData)] == [UrgentData(4, ord("e"), 5_000_000, (5,))]


def test_fin_is_emitted_after_the_last_byte():
    c = Capture()
    _fin_after_hole_filled(c)
    events, _ = run(c.packets)
    # "def" (frame 4) arrived before the hole was filled: it keeps its own capture time and is
    # ready for the application when frame 5 filled the hole.
    assert events == [
        StreamData(0, b"abc", 5_000_000, (5,), ready_ns=5_000_000),
        StreamData(3, b"def", 4_000_000, (4,), ready_ns=5_000_000),
        StreamFin(6, 5_000_000, (5,)),
    ]


def test_rst_is_emitted_at_its_time():
    c = Capture()
    _rst_in_window(c)
    events, tracker = run(c.packets)
    assert events[-1] == StreamReset(3, 5_000_000, (5,))
    assert tracker.flows[0].closure == "reset"


def test_lost_segment_becomes_a_gap_when_acknowledged():
    c = Capture()
    _lost_segment_acked(c)
    events, _ = run(c.packets)
    # Declared at the ACK's time (frame 6), with the ACK as evidence; the data behind the hole keeps
    # its own time (frame 5) and is ready at the declaration.
    assert events[1:] == [
        StreamGap(3, 14, 6_000_000, (6,), GapReason.NOT_CAPTURED, GapEvidence.ACK),
        StreamData(17, b"after", 5_000_000, (5,), ready_ns=6_000_000),
    ]


def test_acked_beyond_capture_is_an_end_of_capture_gap():
    c = Capture()
    _lost_tail_acked_at_end(c)
    events, _ = run(c.packets)
    assert events[-1].reason is GapReason.END_OF_CAPTURE


def test_limit_exceeded_drops_and_reports():
    c = Capture()
    _limit_exceeded(c)
    # room for one 10-byte chunk and its bookkeeping (CHUNK_COST), not for a second one
    events, tracker = run(c.packets, ReassemblyLimits(max_held_bytes=10 + CHUNK_COST))
    assert stream_of(events) == (b"abcdefghij0123456789", [(20, 10)])
    assert [e.reason for e in events if isinstance(e, StreamGap)] == [GapReason.LIMIT]
    stats = tracker.flows[0].direction(SERVER)
    assert (stats.limit_hits, stats.limit_bytes) == (1, 10)


def test_the_limit_counts_each_held_chunk_s_bookkeeping_not_only_its_bytes():
    c = Capture()
    c.handshake()
    for i in range(100, 0, -1):  # one-byte segments behind a hole, arriving backwards
        c.tcp(S1 + 10 + 2 * i, b"x")
    _, tracker = run(c.packets, ReassemblyLimits(max_held_bytes=10 * (1 + CHUNK_COST), gap_wait_ns=None))
    stats = tracker.flows[0].direction(SERVER)
    assert (stats.limit_hits, stats.limit_bytes) == (90, 90)  # 100 bytes of payload, 10 chunks held


def test_snaplen_gap_reason():
    c = Capture()
    _snaplen_gap(c)
    events, _ = run(c.packets)
    assert [e.reason for e in events if isinstance(e, StreamGap)] == [GapReason.SNAPLEN]


def test_exact_duplicate_frame_is_collapsed_not_a_retransmission():
    c = Capture()
    c.handshake()
    c.tcp(S1, b"abc")
    c.tcp(S1, b"abc")  # 1 ms later (the builder's clock): the same frame logged twice
    events, tracker = run(c.packets, ReassemblyLimits(duplicate_window_ns=1_000_000))
    stats = tracker.flows[0].direction(SERVER)
    assert (stats.duplicates, stats.retransmitted) == (1, 0)
    assert [e.data for e in events if isinstance(e, StreamData)] == [b"abc"]


def test_identical_segment_later_than_the_window_is_a_retransmission():
    c = Capture()
    c.handshake()
    c.tcp(S1, b"abc")
    c.tcp(S1, b"abc")
    events, tracker = run(c.packets)  # 1 ms apart: longer than the default 0.1 ms
    stats = tracker.flows[0].direction(SERVER)
    assert (stats.duplicates, stats.retransmitted) == (0, 1)


def test_fragments_and_large_segments_counted():
    c = Capture()
    c.handshake()
    c.tcp(S1, b"x" * 3000, frames=(4, 5, 6))
    events, tracker = run(c.packets)
    stats = tracker.flows[0].direction(SERVER)
    assert (stats.fragments, stats.large_segments, stats.stream_bytes) == (1, 1, 3000)
    assert events[0].frames == (4, 5, 6)


def _feed(packets, limits=None):
    """Events of the server's direction released while the capture is read, then by finish()."""
    from wsarecv_cli.reassembly import FlowTracker

    tracker = FlowTracker(limits)
    during = [fe.event for p in packets for fe in tracker.feed(p) if fe.sender == SERVER]
    at_end = [fe.event for fe in tracker.finish() if fe.sender == SERVER]
    return during, at_end


def _hole_acked_then_traffic(c: Capture, packets: int) -> None:
    c.handshake()
    c.tcp(S1, b"abc")
    c.tcp(S1 + 6, b"ghi")
    c.tcp(ISN_C + 1, ack=S1 + 9, sender=CLIENT)  # frame 6
    for k in range(packets):  # unrelated client traffic the server acknowledges
        c.tcp(ISN_C + 1 + k, b"x", sender=CLIENT, ack=S1 + 9)


def test_acked_hole_waits_for_reordered_data_then_is_lost():
    """An ACK-covered hole is declared lost (with the ACK as evidence) once ACK_REORDER_PACKETS
    more packets passed without the data, while the capture is still being read."""
    from wsarecv_cli.reassembly.holes import ACK_REORDER_PACKETS

    c = Capture()
    _hole_acked_then_traffic(c, ACK_REORDER_PACKETS - 1)
    during, _ = _feed(c.packets)
    assert not [e for e in during if isinstance(e, StreamGap)]  # still waiting

    c = Capture()
    _hole_acked_then_traffic(c, ACK_REORDER_PACKETS)
    c.tcp(S1 + 3, b"DEF")  # too late: the hole was given up
    during, at_end = _feed(c.packets)
    assert stream_of(during) == (b"abcghi", [(3, 3)])
    gap = next(e for e in during if isinstance(e, StreamGap))
    assert (gap.frames, gap.reason) == ((6,), GapReason.NOT_CAPTURED)
    assert not [e for e in at_end if isinstance(e, (StreamGap, StreamData))]


def test_acked_hole_filled_late_within_the_allowance():
    from wsarecv_cli.reassembly.holes import ACK_REORDER_PACKETS

    c = Capture()
    _hole_acked_then_traffic(c, ACK_REORDER_PACKETS - 1)
    c.tcp(S1 + 3, b"def")
    during, at_end = _feed(c.packets)
    assert stream_of(during) == (b"abcdefghi", [])
    assert not [e for e in at_end if isinstance(e, StreamGap)]


def test_acked_hole_is_settled_at_the_memory_limit_instead_of_dropping():
    """Held data reaching max_held_bytes ends the wait for an ACK-covered hole: nothing dropped."""
    c = Capture()
    c.handshake()
    c.tcp(S1, b"abc")
    c.tcp(S1 + 6, b"0123456789")  # held: 10 bytes, the limit
    c.tcp(ISN_C + 1, ack=S1 + 16, sender=CLIENT)  # frame 6 covers the hole [3, 6)
    c.tcp(S1 + 16, b"ABCDEFGHIJ")  # would exceed the limit
    during, _ = _feed(c.packets, ReassemblyLimits(max_held_bytes=10 + CHUNK_COST))
    assert stream_of(during) == (b"abc0123456789ABCDEFGHIJ", [(3, 3)])
    assert [(e.reason, e.frames) for e in during if isinstance(e, StreamGap)] == \
        [(GapReason.NOT_CAPTURED, (6,))]
