"""What the socket holds for the application: stream blocks, messages, OOB bytes, ICMP errors.

The stream queue is a list of blocks. Bytes appended to the last block coalesce (R9); a block is
*sealed* at a boundary no receive crosses: the urgent mark (R10a / R40) and an inline urgent byte
(R42, a block of its own). A capture gap is a `Gap` entry: bytes the receiver did get but whose
content the capture lacks. It is no boundary (the stack saw ordinary bytes there): a receive
reads across blocks and gaps alike until its buffers are full or it meets a sealed boundary (the
*run* at the head), and the bytes it took from a gap are reported as unknown, never invented.
`RxState` is the whole receive side; `take.py` reads it and `socket.py` mutates it.
"""

from __future__ import annotations

import enum
from collections import deque
from dataclasses import dataclass, field

from wsarecv_cli.model.types import IcmpKind


@dataclass(slots=True)
class Gap:
    """`length` stream bytes of unknown content (a capture gap). Kept as a count, never as bytes:
    a hostile capture can declare gigabytes missing; a receive materialises only what it takes."""

    length: int
    boundary: str = ""  # what ends this run of unknown bytes, once sealed (like Block.boundary)

    def __len__(self) -> int:
        return self.length


@dataclass(slots=True)
class Block:
    data: bytearray
    boundary: str = ""  # what ends this block, once sealed ("the urgent mark", ...)

    def __len__(self) -> int:
        return len(self.data)


class StreamQueue:
    def __init__(self) -> None:
        self.entries: deque[Block | Gap] = deque()
        self.sealed = False  # the next bytes start a new block

    def push(self, data: bytes) -> None:
        if not data:
            return
        if self.entries and isinstance(self.entries[-1], Block) and not self.sealed:
            self.entries[-1].data.extend(data)
        else:
            self.entries.append(Block(bytearray(data)))
        self.sealed = False

    def seal(self, boundary: str) -> None:
        if self.entries and not self.sealed:
            self.entries[-1].boundary = boundary
        self.sealed = True

    def push_block(self, data: bytes) -> None:
        """A block with boundaries on both sides (R42 inline urgent byte)."""
        self.seal("an inline urgent byte's block (R42)")
        self.push(data)
        self.seal("the end of the inline urgent byte's block (R42)")

    def push_gap(self, length: int) -> None:
        """Bytes of unknown content at their stream position: they coalesce with their neighbours
        like any bytes (no seal); a sealed boundary before them still holds."""
        entries = self.entries
        if entries and not self.sealed and entries[-1].__class__ is Gap:
            entries[-1].length += length
        else:
            entries.append(Gap(length))
        self.sealed = False

    @property
    def head(self) -> Block | Gap | None:
        return self.entries[0] if self.entries else None

    def run(self) -> tuple[list[Block | Gap], bool]:
        """The entries a receive may read in one go (the head up to the first sealed block) and
        whether that run is bounded: something follows it, so it cannot grow any more (R10)."""
        entries = self.entries
        if not entries:
            return [], self.sealed
        if len(entries) == 1 or entries[0].boundary:
            return [entries[0]], len(entries) > 1 or self.sealed
        run: list[Block | Gap] = []
        for entry in entries:
            run.append(entry)
            if entry.boundary:
                return run, len(run) < len(entries) or self.sealed
        return run, self.sealed

    def head_bounded(self) -> bool:
        """True when the head run cannot grow (a boundary or the end follows it) (R10)."""
        return self.run()[1]

    def consume(self, count: int) -> None:
        """Drop `count` bytes from the head run (blocks and gaps alike)."""
        entries = self.entries
        while count and entries:
            head = entries[0]
            if head.__class__ is Gap:
                k = min(count, head.length)
                head.length -= k
                empty = not head.length
            else:
                k = min(count, len(head.data))
                del head.data[:k]
                empty = not head.data
            count -= k
            if empty:
                entries.popleft()
        if not entries:
            self.sealed = False

    @property
    def queued_bytes(self) -> int:
        return sum(len(e) for e in self.entries)

    @property
    def unknown_bytes(self) -> int:
        return sum(e.length for e in self.entries if e.__class__ is Gap)

    def clear(self) -> int:
        lost = self.queued_bytes
        self.entries.clear()
        self.sealed = False
        return lost


@dataclass(slots=True)
class QueuedMessage:
    data: bytes
    wire_length: int  # >= len(data); larger when the capture cut the datagram
    source: str | None
    offset: int = 0  # bytes already returned with MSG_PARTIAL (R19)

    @property
    def remaining(self) -> int:
        return self.wire_length - self.offset

    @property
    def captured_rest(self) -> bytes:
        return self.data[self.offset:]


class End(enum.Enum):
    """How the connection ended, as far as this socket has seen."""

    FIN = "fin"  # R22
    DISCON = "discon"  # R27 (message-oriented provider with XP1_GRACEFUL_CLOSE)
    RESET = "reset"  # R23
    ABORTED = "aborted"  # R25: RST after FIN


@dataclass(slots=True)
class RxState:
    stream: StreamQueue = field(default_factory=StreamQueue)
    messages: deque[QueuedMessage] = field(default_factory=deque)
    # Lists, not deques: these rarely hold more than one entry, and an empty deque costs ~600
    # bytes — per receiver, and replay keeps one per receiving endpoint.
    oob: list[int] = field(default_factory=list)  # SO_OOBINLINE off: kept FIFO (Q6)
    icmp: list[IcmpKind] = field(default_factory=list)  # R46: one error per ICMP
    end: End | None = None
    unreported_lost: int = 0  # discarded by RST, reported by the next result that reports it (R24)
    push_seen: bool = False  # R14 hold mode: a PSH arrived since the last consumption

    @property
    def queued_bytes(self) -> int:
        return self.stream.queued_bytes + sum(len(m.captured_rest) for m in self.messages)

    @property
    def empty(self) -> bool:
        return not self.stream.entries and not self.messages and not self.oob and not self.icmp

    @property
    def idle(self) -> bool:
        """Nothing queued and no closure: no receive of any kind can complete now."""
        return (self.end is None and not self.stream.entries and not self.messages and not self.oob
                and not self.icmp)

    def discard(self) -> int:
        """Drop everything unread (R24); returns the bytes lost."""
        lost = self.stream.clear() + sum(len(m.captured_rest) for m in self.messages) + len(self.oob)
        self.messages.clear()
        self.oob.clear()
        return lost


def scatter(payload: bytes, buffers: tuple[int, ...]) -> tuple[bytes, ...]:
    """Fill WSABUF[0] completely, then WSABUF[1], ... (R8); zero-length WSABUFs get b"" (R4)."""
    if len(buffers) == 1:  # the common shape: one WSABUF
        length = buffers[0]
        return (payload if len(payload) <= length else payload[:max(length, 0)],)
    out, pos = [], 0
    for length in buffers:
        chunk = payload[pos:pos + max(length, 0)]
        out.append(chunk)
        pos += len(chunk)
    return tuple(out)


def fill_text(buffers: tuple[int, ...], data: tuple[bytes, ...]) -> str:
    """ "filled WSABUF[0] 4/4 then WSABUF[1] 5/5" (zero-length and untouched WSABUFs left out)."""
    if len(buffers) == 1 and len(data) == 1:  # the common shape: one WSABUF
        size = len(data[0])
        return f"filled WSABUF[0] {size}/{buffers[0]}" if size else "no WSABUF written"
    parts = [f"WSABUF[{i}] {len(chunk)}/{length}" for i, (length, chunk) in enumerate(zip(buffers, data))
             if chunk]
    if not parts:
        return "no WSABUF written"
    return "filled " + " then ".join(parts) + (" in order" if len(parts) > 1 else "")
