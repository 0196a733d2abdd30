"""follow --json's per-direction digest: compact storage, same document."""

from __future__ import annotations

import hashlib

from wsarecv_cli.net import Endpoint
from wsarecv_cli.reassembly import Datagram, GapReason, StreamData, StreamFin, StreamGap, UrgentData
from wsarecv_cli.render.follow import DirectionDigest

A = Endpoint(bytes([10, 0, 0, 1]), 1000)
B = Endpoint(bytes([10, 0, 0, 2]), 80)
ORIGIN = 1_700_000_000_000_000_000


def test_stream_segments_gaps_urgent_and_fin_as_written() -> None:
    d = DirectionDigest(A, B, ORIGIN)
    d.add(StreamData(0, b"abc", ORIGIN + 1_500_000_000, (4,)))
    d.add(UrgentData(3, 0x21, ORIGIN + 2_000_000_000, (5,)))
    d.add(StreamGap(4, 10, ORIGIN + 2_000_000_001, (6,), GapReason.SNAPLEN))
    d.add(StreamData(14, b"de", ORIGIN + 3_000_000_007, (7, 8, 9)))
    d.add(StreamFin(16, ORIGIN + 4_000_000_000, (10,)))
    doc = d.as_dict()
    assert doc["bytes"] == 6
    assert doc["sha256"] == hashlib.sha256(b"abc!de").hexdigest()
    assert doc["gaps"] == [[4, 10]] and doc["gap_reasons"] == ["snaplen"]
    assert doc["urgent"] == [[3, 0x21]]
    assert doc["segments"] == [
        {"offset": 0, "length": 3, "t": 1.5, "frames": [4]},
        {"offset": 14, "length": 2, "t": 3.000000007, "frames": [7, 8, 9]},
    ]
    assert doc["fin"] is True and doc["reset"] is False


def test_datagram_offsets_count_bytes_so_far() -> None:
    d = DirectionDigest(A, B, ORIGIN)
    d.add(Datagram(b"12345", A, ORIGIN, (1,), 5))
    d.add(Datagram(b"", A, ORIGIN + 1, (2,), 0))
    d.add(Datagram(b"xy", A, ORIGIN + 2, (3, 4), 9))
    assert [(s["offset"], s["length"], s["frames"]) for s in d.segments()] == [
        (0, 5, [1]), (5, 0, [2]), (5, 2, [3, 4])]


def test_clock_beyond_int64_nanoseconds() -> None:
    """Some real pcapng files carry timestamps past 2**63 ns; the digest must not overflow."""
    huge = 1 << 70
    d = DirectionDigest(A, B, 0)
    d.add(StreamData(0, b"x", huge, (1,)))
    assert d.segments()[0]["t"] == round(huge / 1e9, 9)
