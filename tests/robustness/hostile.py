"""Hostile traffic patterns, generated (constant memory: frames are yielded; `write_pcap` streams
them to a file). Each is one way a capture makes a reassembler hold or do much for little input;
the memory benchmark (bench/memory.py) and the tests use them at the sizes the issue names.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from tests.robustness.corpus import _PCAP_HDR, _REC, ACK, C, PSH, SYN, S, _tcp_frame

HOLE = 10  # bytes never sent at the start of held_behind_hole's stream


def write_dense_pcap(path, frames: Iterator[bytes], step_us: int = 1, chunk: int = 20_000) -> int:
    """Stream frames into a pcap file one microsecond apart (200k packets in 0.2 s of capture
    time: a hole stays open for the whole capture, within --gap-wait); returns the file size."""
    size = 0
    with open(path, "wb") as f:
        size += f.write(_PCAP_HDR)
        parts: list[bytes] = []
        for i, frame in enumerate(frames):
            t = i * step_us
            parts += (_REC.pack(t // 1_000_000, t % 1_000_000, len(frame), len(frame)), frame)
            if len(parts) >= 2 * chunk:
                size += f.write(b"".join(parts))
                parts = []
        size += f.write(b"".join(parts))
    return size


def held_behind_hole_frames(n: int) -> Iterator[bytes]:
    """One connection: n one-byte segments that all sit behind a 10-byte hole never filled, so
    every one is held out of order until the end of the capture (200k: a 11 MB capture holding
    200 KB of payload, in 200k chunks) — when written by write_dense_pcap, within --gap-wait."""
    isn = 1000
    yield _tcp_frame(C, S, 40000, 80, isn, SYN, b"")
    for k in range(n):
        yield _tcp_frame(C, S, 40000, 80, isn + 1 + HOLE + k, ACK | PSH, b"x")


def seq_jump_frames(n: int) -> Iterator[bytes]:
    """One connection whose sequence numbers jump by about 2**31 at every segment (alternately
    ahead and behind, drifting), so no segment is ever in order: each is held or dropped."""
    isn = 5000
    yield _tcp_frame(C, S, 40001, 443, isn, SYN, b"")
    for k in range(n):
        seq = isn + 1 + (1 << 31) * (k & 1) + 1000 + k * 37
        yield _tcp_frame(C, S, 40001, 443, seq, ACK | PSH, b"j" * 16)


def syn_flows_frames(n: int) -> Iterator[bytes]:
    """n tiny flows: one SYN each, every one its own 5-tuple (source address and port vary; the
    ports scattered like ephemeral ports, so port-sharded workers get uneven shares)."""
    for k in range(n):
        src = struct.pack("!I", 0x0C000000 | k)
        port = 1024 + (k * k * 31 + k * 17 + (k >> 3)) % 60000
        yield _tcp_frame(src, S, port, 80, k, SYN, b"")


HELD_PER_FLOW = 100  # segments each flow of held_many_flows holds


def held_many_flows_frames(n: int, size: int = 1000) -> Iterator[bytes]:
    """n segments of `size` bytes over n / HELD_PER_FLOW connections, every one behind a hole of
    its flow that is never filled, the flows' segments interleaved: each direction holds 100 KB
    (far under --max-ooo-bytes), all of them together n * size (200k: 200 MB) unless something
    bounds the sum (--max-ooo-total)."""
    flows = max(1, n // HELD_PER_FLOW)
    isn = 7000

    def client(f: int) -> bytes:
        return struct.pack("!I", 0x0D000000 | f)

    for f in range(flows):
        yield _tcp_frame(client(f), S, 20000 + f % 40000, 80, isn, SYN, b"")
    payload = b"h" * size
    for k in range(n):
        f, slot = k % flows, k // flows
        yield _tcp_frame(client(f), S, 20000 + f % 40000, 80, isn + 1 + HOLE + slot * size, ACK | PSH, payload)


def syn_synack_flows_frames(n: int) -> Iterator[bytes]:
    """n / 2 flows of a SYN and its SYN-ACK: both directions of every flow have state (a SYN
    flood answered, or a port scan seen from the scanned host)."""
    for k in range(n // 2):
        src = struct.pack("!I", 0x0E000000 | k)
        port = 1024 + (k * 7919) % 60000
        yield _tcp_frame(src, S, port, 443, k, SYN, b"")
        yield _tcp_frame(S, src, 443, port, 10 * k, SYN | ACK, b"")


def data_flows_frames(n: int) -> Iterator[bytes]:
    """n / 2 flows picked up mid-stream, one small segment each way: every flow has a receiving
    application on both sides (replay: a model socket and its driver per endpoint, kept while the
    flow is live)."""
    for k in range(n // 2):
        src = struct.pack("!I", 0x0F000000 | k)
        port = 1024 + (k * 104729) % 60000
        yield _tcp_frame(src, S, port, 8080, 1000 + k, ACK | PSH, b"GET /%d\r\n" % k)
        yield _tcp_frame(S, src, 8080, port, 5000 + k, ACK | PSH, b"200 OK\r\n")


PATTERNS = {
    "held-behind-hole": held_behind_hole_frames,
    "seq-jump": seq_jump_frames,
    "syn-flows": syn_flows_frames,
    "syn-synack-flows": syn_synack_flows_frames,
    "held-many-flows": held_many_flows_frames,
    "data-flows": data_flows_frames,
}
