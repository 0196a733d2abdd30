"""Memory stays bounded whatever the sequence numbers say (tracemalloc peak, packets built lazily)."""

from __future__ import annotations

import tracemalloc

import pytest

from wsarecv_cli.net import Endpoint, Packet, Transport
from wsarecv_cli.reassembly import FlowTracker, GapReason, ReassemblyLimits, StreamGap

A = Endpoint.parse("10.0.0.1:1000")
B = Endpoint.parse("10.0.0.2:2000")
ISN = 0x7000_0000
ACK, PSH = 0x10, 0x08
LIMIT = 1 << 20  # 1 MiB held per direction in this test
PEAK_BOUND = 12 << 20  # stated bound: 12 MiB for 100k held/dropped segments of 100 bytes


def _packet(n: int, seq: int, payload: bytes) -> Packet:
    return Packet(n, n * 1000, Transport.TCP, A.addr, A.port, B.addr, B.port, payload, seq & 0xFFFFFFFF,
                  0, ACK | PSH, 0, 1000)


def _hostile():
    """A first byte, a segment 2**31 - 1 ahead, one exactly 2**31 ahead, then 100k segments in
    reverse order with a hole between each (nothing can ever be released)."""
    yield _packet(1, ISN, b"x")
    yield _packet(2, ISN + (1 << 31) - 1, b"far")
    yield _packet(3, ISN + (1 << 31) + 1, b"ambiguous")  # past the half space: read as the past
    for i in range(100_000):
        yield _packet(4 + i, ISN + 10 + (100_000 - i) * 101, bytes([i & 0xFF]) * 100)


@pytest.mark.slow
def test_sequence_jump_and_100k_out_of_order_segments_stay_bounded():
    tracker = FlowTracker(ReassemblyLimits(max_held_bytes=LIMIT))
    tracemalloc.start()
    try:
        for p in _hostile():
            tracker.feed(p)
        events = tracker.finish()
        gaps = [fe.event for fe in events if isinstance(fe.event, StreamGap)]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    print(f"peak {peak / 2**20:.1f} MiB")
    assert peak < PEAK_BOUND, f"peak {peak / 2**20:.1f} MiB"
    stats = tracker.flows[0].a_to_b
    assert stats.limit_hits > 80_000  # ~10k segments fit in 1 MiB; the rest were dropped
    assert stats.limit_bytes + stats.stream_bytes <= stats.payload_bytes
    assert stats.stream_bytes <= LIMIT + 16
    assert any(g.reason is GapReason.LIMIT for g in gaps)
    # The far segment is reported after a gap of about 2**31 bytes, never allocated.
    assert max(g.length for g in gaps) > (1 << 30)


def test_closed_flow_frees_its_buffers():
    tracker = FlowTracker()
    tracker.feed(_packet(1, ISN, b"a" * 1000))
    tracker.feed(_packet(2, ISN + 5000, b"b" * 1000))  # held behind a hole
    flow = next(iter(tracker._flows.values()))  # finish() drops the live state; keep a handle to look at it
    tracker.finish()
    direction = flow.dirs[0]
    assert direction.held_bytes == 0 and direction.pending() == []
    assert tracker.memory.held == 0  # everything given back to the capture-wide budget
