"""Hypothesis properties of capture-gap bytes in the model (issue #13 b): they are real bytes of
unknown content at their stream position — read across like any bytes, counted, never invented —
and a burst is the same stream however it is cut."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from wsarecv_cli.model import CaptureGap, RecvCall, Socket, SocketConfig, StreamBytes
from wsarecv_cli.model.types import Burst, Event

piece = st.one_of(st.binary(min_size=1, max_size=9).map(StreamBytes), st.integers(1, 9).map(CaptureGap))
layouts = st.lists(st.integers(0, 7), min_size=1, max_size=3).filter(lambda b: sum(b) > 0)


def _expected(pieces) -> tuple[bytes, list[bool]]:
    """The stream as zeros for gap bytes, and which of its bytes are unknown."""
    data, unknown = b"", []
    for p in pieces:
        chunk = p.data if isinstance(p, StreamBytes) else bytes(p.length)
        data += chunk
        unknown += [isinstance(p, CaptureGap)] * len(chunk)
    return data, unknown


def _read_all(sock: Socket, buffers: tuple[int, ...]) -> tuple[bytes, list[bool], list[int]]:
    data, unknown, sizes = b"", [], []
    t = 10
    while sock.queued_bytes:
        result = sock.recv(RecvCall(buffers), t)
        t += 1
        got = b"".join(result.data)
        assert result.event is Event.DATA and result.bytes == len(got) and result.gap == sum(
            b - a for a, b in result.unknown)
        marks = [False] * len(got)
        for a, b in result.unknown:
            marks[a:b] = [True] * (b - a)
        data, unknown, sizes = data + got, unknown + marks, sizes + [len(got)]
    return data, unknown, sizes


@settings(max_examples=200, deadline=None)
@given(pieces=st.lists(piece, min_size=1, max_size=8), buffers=layouts)
def test_gap_bytes_are_read_in_place_counted_and_marked(pieces, buffers):
    sock = Socket(SocketConfig())
    for p in pieces:
        sock.deliver(p, 1)
    data, unknown, sizes = _read_all(sock, tuple(buffers))
    assert (data, unknown) == _expected(pieces)
    # no boundary at a gap: every call but the last fills its buffers (R8/R9)
    assert all(size == sum(buffers) for size in sizes[:-1])


@settings(max_examples=200, deadline=None)
@given(pieces=st.lists(piece, min_size=1, max_size=8), buffers=layouts)
def test_a_burst_reads_like_the_same_pieces_queued_one_by_one(pieces, buffers):
    one_by_one, burst = Socket(SocketConfig()), Socket(SocketConfig())
    for p in pieces:
        one_by_one.deliver(p, 1)
    burst.deliver(Burst(tuple(pieces)), 1)
    assert _read_all(one_by_one, tuple(buffers)) == _read_all(burst, tuple(buffers))


@settings(max_examples=100, deadline=None)
@given(pieces=st.lists(piece, min_size=1, max_size=8), buffers=layouts)
def test_a_waiting_receive_takes_the_whole_burst_as_far_as_it_fits(pieces, buffers):
    sock = Socket(SocketConfig())
    waiting = sock.recv(RecvCall(tuple(buffers)), 0)
    assert waiting.event is Event.PENDING
    (done,) = sock.deliver(Burst(tuple(pieces)), 1)
    total = len(_expected(pieces)[0])
    assert done.bytes == min(total, sum(buffers))
