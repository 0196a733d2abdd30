"""Hypothesis: any chunking, any order, duplicates and overlaps, anywhere in sequence space."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from reasm_builders import CLIENT, SERVER, Capture, run, stream_of

from wsarecv_cli.reassembly import Datagram, GapReason, StreamGap
from wsarecv_cli.reassembly.seq import seq_diff, unwrap


@st.composite
def segmented(draw, min_size=1):
    data = draw(st.binary(min_size=min_size, max_size=400))
    cuts = sorted(set(draw(st.lists(st.integers(1, max(1, len(data) - 1)), max_size=12))))
    bounds = [0, *[c for c in cuts if 0 < c < len(data)], len(data)]
    segments = [(a, b) for a, b in zip(bounds, bounds[1:])]
    isn = draw(st.one_of(st.integers(0, 2**32 - 1), st.integers(2**32 - 500, 2**32 - 1)))
    return data, segments, isn


@settings(max_examples=300, deadline=None)
@given(segmented(), st.randoms(use_true_random=False), st.lists(st.tuples(st.integers(0, 399), st.integers(1, 60)),
                                                               max_size=6))
def test_any_order_with_duplicates_and_overlaps_reassembles_exactly(case, rnd, extra):
    data, segments, isn = case
    # Overlapping retransmissions of arbitrary (consistent) slices, plus full duplicates.
    pieces = list(segments) + [(a, min(a + n, len(data))) for a, n in extra if a < len(data)]
    pieces += rnd.sample(segments, k=min(2, len(segments)))
    rnd.shuffle(pieces)
    c = Capture()
    c.handshake(isn_s=isn)
    for a, b in pieces:
        c.tcp(isn + 1 + a, data[a:b])
    events, tracker = run(c.packets)
    assert stream_of(events) == (data, [])
    # Every byte delivered once, at the offset it had.
    offsets = [e.offset for e in events if hasattr(e, "data")]
    assert offsets == sorted(offsets)


@settings(max_examples=200, deadline=None)
@given(segmented(min_size=3), st.randoms(use_true_random=False), st.data())
def test_dropping_one_segment_gives_exactly_one_gap(case, rnd, draw):
    data, segments, isn = case
    if len(segments) < 3:
        return
    lost = draw.draw(st.integers(1, len(segments) - 2))  # an inner segment: later data proves it
    a, b = segments[lost]
    kept = [s for i, s in enumerate(segments) if i != lost]
    rnd.shuffle(kept)
    c = Capture()
    c.handshake(isn_s=isn)
    for x, y in kept:
        c.tcp(isn + 1 + x, data[x:y])
    events, _ = run(c.packets)
    got, gaps = stream_of(events)
    assert gaps == [(a, b - a)]
    assert got == data[:a] + data[b:]
    assert [e.reason for e in events if isinstance(e, StreamGap)] == [GapReason.NOT_CAPTURED]


@given(st.lists(st.binary(max_size=100), max_size=30))
def test_udp_never_merges_or_splits(datagrams):
    c = Capture()
    for i, d in enumerate(datagrams):
        c.udp(d, sender=CLIENT if i % 3 == 0 else SERVER)
    tracker_events, _ = run(c.packets, sender=CLIENT)
    server_events, _ = run(c.packets)
    got = {0: [e.data for e in tracker_events], 1: [e.data for e in server_events]}
    assert got[0] == [d for i, d in enumerate(datagrams) if i % 3 == 0]
    assert got[1] == [d for i, d in enumerate(datagrams) if i % 3 != 0]
    assert all(isinstance(e, Datagram) and e.wire_length == len(e.data) for e in tracker_events + server_events)


@given(st.integers(0, 2**32 - 1), st.integers(-(2**31), 2**31 - 1), st.integers(0, 2**40))
def test_unwrap_inverts_modular_offsets(base, delta, near):
    seq = (base + near + delta) & 0xFFFFFFFF
    assert unwrap(seq, base, near) == near + delta
    assert seq_diff(seq, (base + near) & 0xFFFFFFFF) == delta
