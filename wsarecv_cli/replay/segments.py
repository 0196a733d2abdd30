"""Every segment a receiver was sent, as captured: the arrivals lane of the timeline picture.

The reassembly hands replay in-order bytes only; a retransmission or an out-of-order segment
leaves no event. The timeline wants the wire's view (when each segment arrived, how big, which
were retransmissions), so `SegmentTap` watches the decoded packets themselves. It is called for
every packet only when a timeline was asked for, and keeps 25 bytes a segment in arrays.
"""

from __future__ import annotations

import enum
from array import array
from dataclasses import dataclass, field
from typing import NamedTuple

from wsarecv_cli.net import Endpoint, IcmpNotice, Packet, TcpFlags, Transport

_SEQ_SPACE = 1 << 32
_HALF_SEQ = 1 << 31
MAX_HOLES = 64  # holes remembered per direction; a late segment beyond them is called a retransmission


class SegmentKind(enum.IntEnum):
    """What one captured segment was, for the receiver it was sent to."""

    DATA = 0
    RETRANSMISSION = 1  # every byte of it (or some: a partial repeat) was sent before
    OUT_OF_ORDER = 2  # it left a hole before it
    FIN = 3
    RST = 4
    DATAGRAM = 5


class Segment(NamedTuple):
    t_ns: int
    offset: int  # stream offset of the first payload byte (0 for datagrams)
    length: int
    kind: SegmentKind
    frame: int


@dataclass(slots=True)
class _Direction:
    base: int | None = None  # the sequence number of stream offset 0
    high: int = 0  # end of the highest stream offset seen
    t_ns: array = field(default_factory=lambda: array("q"))
    offset: array = field(default_factory=lambda: array("q"))
    length: array = field(default_factory=lambda: array("l"))
    kind: array = field(default_factory=lambda: array("b"))
    frame: array = field(default_factory=lambda: array("l"))
    holes: list[tuple[int, int]] = field(default_factory=list)  # [start, end) not seen yet, below `high`

    def add(self, t_ns: int, offset: int, length: int, kind: SegmentKind, frame: int) -> None:
        self.t_ns.append(t_ns)
        self.offset.append(offset)
        self.length.append(length)
        self.kind.append(kind)
        self.frame.append(frame)

    def fill(self, start: int, end: int) -> bool:
        """Whether [start, end) lies in a hole (a late segment, not a repeat); the hole shrinks."""
        for i, (h0, h1) in enumerate(self.holes):
            if h0 <= start and end <= h1:
                self.holes[i:i + 1] = [h for h in ((h0, start), (end, h1)) if h[0] < h[1]]
                return True
        return False

    def segments(self) -> list[Segment]:
        return [Segment(t, o, n, SegmentKind(k), f)
                for t, o, n, k, f in zip(self.t_ns, self.offset, self.length, self.kind, self.frame, strict=True)]


DirectionKey = tuple[bytes, int, bytes, int]  # receiver addr, port, sender addr, port


@dataclass(slots=True)
class SegmentTap:
    """Call with each decoded packet; `segments(receiver, peer)` gives what that receiver was sent."""

    _directions: dict[DirectionKey, _Direction] = field(default_factory=dict)

    def __call__(self, packet: Packet | IcmpNotice) -> None:
        if packet.__class__ is not Packet:
            return
        key = (packet.dst_addr, packet.dst_port, packet.src_addr, packet.src_port)
        direction = self._directions.get(key)
        if direction is None:
            direction = self._directions[key] = _Direction()
        if packet.transport is Transport.UDP:
            direction.add(packet.ts_ns, 0, len(packet.payload) + packet.missing, SegmentKind.DATAGRAM, packet.frame)
            return
        self._tcp(direction, packet)

    @staticmethod
    def _tcp(direction: _Direction, packet: Packet) -> None:
        flags = packet.flags
        if direction.base is None or flags & TcpFlags.SYN:
            direction.base = (packet.seq + 1) & 0xFFFFFFFF if flags & TcpFlags.SYN else packet.seq
        offset = (packet.seq - direction.base) % _SEQ_SPACE
        # Unwrap near the highest offset seen: a stream may pass 4 GiB.
        offset += ((direction.high - offset + _HALF_SEQ) // _SEQ_SPACE) * _SEQ_SPACE
        if flags & TcpFlags.SYN:
            offset = 0
        length = len(packet.payload) + packet.missing
        t, frame = packet.ts_ns, packet.frame
        if length:
            end = offset + length
            if offset < direction.high:
                kind = SegmentKind.DATA if direction.fill(offset, end) else SegmentKind.RETRANSMISSION
            elif offset > direction.high:
                kind = SegmentKind.OUT_OF_ORDER
                direction.holes.append((direction.high, offset))
                del direction.holes[:-MAX_HOLES]
            else:
                kind = SegmentKind.DATA
            direction.high = max(direction.high, end)
            direction.add(t, offset, length, kind, frame)
        if flags & TcpFlags.FIN:
            direction.add(t, offset + length, 0, SegmentKind.FIN, frame)
        if flags & TcpFlags.RST:
            direction.add(t, offset, 0, SegmentKind.RST, frame)

    def segments(self, receiver: str | None, peer: str | None) -> list[Segment]:
        """The segments sent to `receiver` ("ADDR:PORT") by `peer` (any sender when None)."""
        if receiver is None:
            return []
        wanted = Endpoint.parse(receiver)
        sender = Endpoint.parse(peer) if peer else None
        found: list[Segment] = []
        for (addr, port, src_addr, src_port), direction in self._directions.items():
            if (addr, port) != (wanted.addr, wanted.port):
                continue
            if sender is not None and (src_addr, src_port) != (sender.addr, sender.port):
                continue
            found += direction.segments()
        found.sort()
        return found
