"""Hostile traffic patterns, generated (constant memory: frames are yielded; `write_pcap` streams
them to a file). Each is one way a capture makes a reassembler hold or do much for little input;
the memory benchmark (bench/memory.py) and the tests use them at the sizes the issue names.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from tests.robustness.corpus import ACK, C, PSH, SYN, S, _tcp_frame

HOLE = 10  # bytes never sent at the start of held_behind_hole's stream


def held_behind_hole_frames(n: int) -> Iterator[bytes]:
    """One connection: n one-byte segments that all sit behind a 10-byte hole never filled, so
    every one is held out of order until the end of the capture (200k: a 14 MB capture holding
    200 KB of payload, in 200k chunks)."""
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
