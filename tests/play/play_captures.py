"""Captures for the play tests, built from tests/capture/builders.py frames with chosen timestamps.

Client 192.0.2.1:40000, server 198.51.100.2:8000 (builders' addresses). A Conversation tracks both
sequence numbers, so a test writes what each side sent, in order, like a transcript.
"""

from __future__ import annotations

import struct
from pathlib import Path

from tests.capture.builders import DST4, SRC4, ether, ipv4, tcp_hdr, udp_hdr

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
CPORT, SPORT = 40000, 8000
T0 = 1_700_000_000


def write_pcap(path: Path, frames: list[tuple[float, bytes]]) -> Path:
    """Classic µs pcap, Ethernet; frames as (seconds from T0, frame bytes)."""
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
    for t, frame in frames:
        us = round(t * 1e6)
        out += struct.pack("<IIII", T0 + us // 1_000_000, us % 1_000_000, len(frame), len(frame)) + frame
    path.write_bytes(out)
    return path


class Conversation:
    """A TCP conversation; each call adds one segment `step` seconds after the previous one."""

    def __init__(self, step: float = 0.001) -> None:
        self.frames: list[tuple[float, bytes]] = []
        self.seq = {"c": 1000, "s": 5000}
        self.t, self.step = 0.0, step

    def _segment(self, side: str, flags: int, data: bytes) -> None:
        other = "s" if side == "c" else "c"
        sport, dport = (CPORT, SPORT) if side == "c" else (SPORT, CPORT)
        src, dst = (SRC4, DST4) if side == "c" else (DST4, SRC4)
        hdr = tcp_hdr(sport=sport, dport=dport, seq=self.seq[side], ack=self.seq[other], flags=flags)
        self.frames.append((self.t, ether(ipv4(hdr + data, src=src, dst=dst))))
        self.t += self.step
        self.seq[side] += len(data) + (1 if flags & (SYN | FIN) else 0)

    def handshake(self) -> Conversation:
        self._segment("c", SYN, b"")
        self._segment("s", SYN | ACK, b"")
        self._segment("c", ACK, b"")
        return self

    def client(self, data: bytes = b"", flags: int = PSH | ACK) -> Conversation:
        self._segment("c", flags, data)
        return self

    def server(self, data: bytes = b"", flags: int = PSH | ACK) -> Conversation:
        self._segment("s", flags, data)
        return self

    def write(self, path: Path) -> Path:
        return write_pcap(path, self.frames)


def udp_exchange(path: Path, datagrams: list[tuple[str, bytes]], step: float = 0.001) -> Path:
    """UDP datagrams between client :40000 and server :8000, ("c" | "s", payload) in order."""
    frames = []
    for i, (side, data) in enumerate(datagrams):
        sport, dport, src, dst = (CPORT, SPORT, SRC4, DST4) if side == "c" else (SPORT, CPORT, DST4, SRC4)
        frames.append((i * step, ether(ipv4(udp_hdr(sport, dport, len(data)) + data, proto=17, src=src, dst=dst))))
    return write_pcap(path, frames)
