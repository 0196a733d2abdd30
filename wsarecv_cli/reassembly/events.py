"""What a receiving TCP/IP stack queues for the application, per flow and direction.

These are the only things replay and follow see of a capture. Offsets are stream offsets from the
first byte of the direction's data (0 = the byte after the ISN, or the first byte seen when the
capture started mid-stream). Every event carries the capture time (integer ns) and the frame
numbers that produced it, so any table row can be traced back to Wireshark.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from wsarecv_cli.net import Endpoint, FlowId


class GapReason(enum.Enum):
    """Why bytes of a stream are unknown."""

    NOT_CAPTURED = "not-captured"  # a segment never appeared in the capture (loss at the tap)
    SNAPLEN = "snaplen"  # the frame was captured, but cut short by the snaplen
    LIMIT = "limit"  # out-of-order data beyond the configured memory limit was dropped
    END_OF_CAPTURE = "end-of-capture"  # acknowledged by the peer, never seen before the end


@dataclass(frozen=True, slots=True)
class StreamData:
    """In-order bytes at `offset`, released once everything before them is known."""

    offset: int
    data: bytes
    ts_ns: int
    frames: tuple[int, ...]
    push: bool = False

    def __repr__(self) -> str:
        return f"StreamData(@{self.offset}, {len(self.data)}B {self.data[:16].hex()}…, frames={self.frames})"


@dataclass(frozen=True, slots=True)
class StreamGap:
    """`length` bytes at `offset` that the capture does not hold; the stream continues after them."""

    offset: int
    length: int
    ts_ns: int
    frames: tuple[int, ...]
    reason: GapReason = GapReason.NOT_CAPTURED


@dataclass(frozen=True, slots=True)
class UrgentData:
    """The one urgent (OOB) byte at stream `offset` (spec R39); it is NOT also in a StreamData."""

    offset: int
    byte: int
    ts_ns: int
    frames: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class StreamFin:
    """The sender's FIN, emitted only after every byte before `offset` was emitted."""

    offset: int
    ts_ns: int
    frames: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class StreamReset:
    """A RST accepted for this direction's receiver, at its capture time."""

    offset: int
    ts_ns: int
    frames: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Datagram:
    """One UDP datagram (after IP reassembly), never merged or split.

    wire_length is the payload length on the wire; it exceeds len(data) when the snaplen cut it.
    """

    data: bytes
    source: Endpoint
    ts_ns: int
    frames: tuple[int, ...]
    wire_length: int


StreamEvent = StreamData | StreamGap | UrgentData | StreamFin | StreamReset | Datagram


@dataclass(frozen=True, slots=True)
class FlowEvent:
    """A StreamEvent addressed to the receiving endpoint `receiver` of flow `flow`."""

    flow: FlowId
    sender: Endpoint
    receiver: Endpoint
    event: StreamEvent
