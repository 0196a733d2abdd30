"""The delivered-bytes window each TCP direction keeps to compare retransmissions with
(reassembly/delivered.py, `conflict_window`): the last bytes delivered, whatever the segment sizes,
in a bounded number of chunks, and retransmitted bytes compared with exactly the bytes delivered
at their offsets."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from wsarecv_cli.net import Endpoint, Packet, Transport
from wsarecv_cli.reassembly import FlowTracker, ReassemblyLimits
from wsarecv_cli.reassembly.delivered import SMALL_CHUNK, TAIL_SLACK

A = Endpoint.parse("10.0.0.1:1000")
B = Endpoint.parse("10.0.0.2:2000")
ISN = 0xFFFF_F000  # the stream wraps 2**32 early on
ACK, PSH = 0x10, 0x08


def segment(n: int, offset: int, payload: bytes) -> Packet:
    return Packet(n, n * 1000, Transport.TCP, A.addr, A.port, B.addr, B.port, payload, (ISN + 1 + offset) & 0xFFFFFFFF,
                  0, ACK | PSH, 0, 1000)


def delivered(sizes: list[int], window: int) -> tuple[FlowTracker, bytes]:
    """A tracker fed one direction's segments of `sizes` in order (after a SYN); the bytes sent."""
    tracker = FlowTracker(ReassemblyLimits(conflict_window=window))
    tracker.feed(Packet(0, 0, Transport.TCP, A.addr, A.port, B.addr, B.port, b"", ISN, 0, 0x02, 0, 1000))
    sent = bytearray()
    for n, size in enumerate(sizes, 1):
        payload = bytes((len(sent) + i) * 7 & 0xFF for i in range(size))
        tracker.feed(segment(n, len(sent), payload))
        sent += payload
    return tracker, bytes(sent)


def direction(tracker: FlowTracker):
    return next(iter(tracker._flows.values())).dirs[0]


@settings(max_examples=150, deadline=None)
@given(sizes=st.lists(st.one_of(st.integers(2, 40), st.integers(400, 600), st.integers(1000, 3000)),
                      min_size=1, max_size=120),
       window=st.sampled_from([64, 1000, 4096, 16 * 1024]))
def test_the_window_is_the_last_bytes_delivered(sizes: list[int], window: int) -> None:
    tracker, sent = delivered(sizes, window)
    d = direction(tracker)
    tail = d.delivered_tail()
    assert tail == sent[len(sent) - len(tail):]
    assert len(tail) == len(sent) if len(sent) <= window + TAIL_SLACK else window <= len(tail) <= window + TAIL_SLACK
    for a in range(len(sent) - len(tail), len(sent), max(1, len(tail) // 7)):  # any range inside it
        for b in (a + 1, min(len(sent), a + 700), len(sent)):
            assert d._tail.get(a, b, d.nxt) == sent[a:b], (a, b)


def test_one_byte_segments_keep_few_chunks() -> None:
    """20,000 one-byte segments: the window's chunks stay a few dozen (each small segment is not an
    object of its own), and the window holds the right bytes."""
    tracker, sent = delivered([1] * 20_000, 16 * 1024)
    d = direction(tracker)
    assert len(d._tail.chunks) <= (16 * 1024 + TAIL_SLACK) // SMALL_CHUNK + 2
    tail = d.delivered_tail()
    assert tail == sent[-len(tail):] and len(tail) >= 16 * 1024


def test_a_retransmission_that_differs_is_a_conflict_across_chunks() -> None:
    """A retransmission spanning two delivered segments, one byte changed in the second: one
    overlap conflict; the same bytes again: none."""
    tracker, sent = delivered([1000, 1000, 1000], 16 * 1024)
    same = segment(10, 500, sent[500:1700])
    tracker.feed(same)
    changed = bytearray(sent[500:1700])
    changed[900] ^= 0xFF
    tracker.feed(segment(11, 500, bytes(changed)))
    stats = direction(tracker).stats
    assert (stats.retransmitted, stats.overlap_conflicts) == (2, 1)
