"""What a receiving TCP/IP stack queues for the application, per flow and direction.

These are the only things replay and follow see of a capture. Offsets are stream offsets from the
first byte of the direction's data (0 = the byte after the ISN, or the first byte seen when the
capture started mid-stream). Every event carries the capture time (integer ns) and the frame
numbers that produced it, so any table row can be traced back to Wireshark.

Events are NamedTuples (immutable like the frozen dataclasses elsewhere, but built with
`tuple.__new__` on the hot path: a frozen dataclass costs ~580 ns per instance, this ~100 ns, and
follow/replay make one or two per segment). `_typed_equality` makes equality and hashing include the
class, so a StreamFin never equals a StreamReset (or a bare tuple) with the same fields.
"""

from __future__ import annotations

import enum
from typing import NamedTuple

from wsarecv_cli.net import Endpoint, FlowId


def _typed_equality(cls):
    """Make an event NamedTuple equal only to the same class with the same fields (a plain
    NamedTuple equals any tuple with the same values, so a StreamFin would equal a StreamReset)."""

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__ and tuple.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not __eq__(self, other)

    def __hash__(self) -> int:
        return hash((cls.__name__, *self))

    cls.__eq__, cls.__ne__, cls.__hash__ = __eq__, __ne__, __hash__
    return cls


class GapReason(enum.Enum):
    """Why bytes of a stream are unknown."""

    NOT_CAPTURED = "not-captured"  # a segment never appeared in the capture (loss at the tap)
    SNAPLEN = "snaplen"  # the frame was captured, but cut short by the snaplen
    LIMIT = "limit"  # out-of-order data beyond the configured memory limit was dropped
    END_OF_CAPTURE = "end-of-capture"  # acknowledged by the peer, never seen before the end


class GapEvidence(enum.Enum):
    """What proved a hole lost, and so when it was declared (docs/CAPTURE_REALITY.md)."""

    ACK = "ack"  # the receiver acknowledged bytes beyond it: declared at that ACK's time
    GAP_WAIT = "gap-wait"  # no ACK from the receiver in the capture: declared --gap-wait after data behind it
    RST = "rst"  # a RST ended the connection with the hole still open
    END_OF_CAPTURE = "end-of-capture"  # nothing filled or acknowledged it before the capture (or flow) ended
    FRAME = "frame"  # the captured frame itself is cut short (snaplen)
    LIMIT = "limit"  # held data hit --max-ooo-bytes and was dropped


@_typed_equality
class StreamData(NamedTuple):
    """In-order bytes at `offset`, released once everything before them is known.

    ts_ns is the capture time of the segment that carried them (what follow shows); ready_ns is
    when the receiving stack could hand them to the application: the same time for in-order data,
    later for data held behind a hole (the time the hole was filled or declared lost). Replay
    delivers at ready_ns. Never before ts_ns; non-decreasing along a direction's stream.
    """

    offset: int
    data: bytes
    ts_ns: int
    frames: tuple[int, ...]
    push: bool = False
    ready_ns: int = -1  # -1: same as ts_ns (events built by hand in tests)

    @property
    def deliver_ns(self) -> int:
        return self.ts_ns if self.ready_ns < 0 else self.ready_ns

    def __repr__(self) -> str:
        return f"StreamData(@{self.offset}, {len(self.data)}B {self.data[:16].hex()}…, frames={self.frames})"


@_typed_equality
class StreamGap(NamedTuple):
    """`length` bytes at `offset` that the capture does not hold; the stream continues after them.

    ts_ns is when the hole was declared lost (see GapEvidence); the receiving application did get
    these bytes (the capture missed them, the receiver did not), so replay delivers them as bytes
    of unknown content at their stream position.
    """

    offset: int
    length: int
    ts_ns: int
    frames: tuple[int, ...]
    reason: GapReason = GapReason.NOT_CAPTURED
    evidence: GapEvidence = GapEvidence.END_OF_CAPTURE


@_typed_equality
class UrgentData(NamedTuple):
    """The one urgent (OOB) byte at stream `offset` (spec R39); it is NOT also in a StreamData."""

    offset: int
    byte: int
    ts_ns: int
    frames: tuple[int, ...]


@_typed_equality
class StreamFin(NamedTuple):
    """The sender's FIN, emitted only after every byte before `offset` was emitted."""

    offset: int
    ts_ns: int
    frames: tuple[int, ...]


@_typed_equality
class StreamReset(NamedTuple):
    """A RST accepted for this direction's receiver, at its capture time."""

    offset: int
    ts_ns: int
    frames: tuple[int, ...]


@_typed_equality
class Datagram(NamedTuple):
    """One UDP datagram (after IP reassembly), never merged or split.

    wire_length is the payload length on the wire; it exceeds len(data) when the snaplen cut it.
    """

    data: bytes
    source: Endpoint
    ts_ns: int
    frames: tuple[int, ...]
    wire_length: int


StreamEvent = StreamData | StreamGap | UrgentData | StreamFin | StreamReset | Datagram


@_typed_equality
class FlowEvent(NamedTuple):
    """A StreamEvent addressed to the receiving endpoint `receiver` of flow `flow`."""

    flow: FlowId
    sender: Endpoint
    receiver: Endpoint
    event: StreamEvent
