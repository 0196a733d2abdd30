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


PATTERNS = {
    "held-behind-hole": held_behind_hole_frames,
    "seq-jump": seq_jump_frames,
    "syn-flows": syn_flows_frames,
}
