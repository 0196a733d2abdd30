"""The delivered-bytes window of a TCP direction: the last `conflict_window` bytes handed on, kept
to compare retransmitted bytes with (tcp.py: a disagreement is an overlap conflict; the first
copy wins, as on Windows).

The window is the delivered chunks themselves, oldest first, not a copy of their bytes: a bytearray
grown by `+=` and trimmed at its head (as before) reallocated ~20 KB per direction over and over,
which fragmented the heap, and peak RSS grew with the capture's length (follow --json,
bench-many-1m: 60.4 -> 56.2 MiB; its first 200k packets 54.5 -> 51.8). Small segments share a
bytearray chunk (SMALL_CHUNK), so a window holds a few dozen chunks whatever the segment sizes (a
flood of one-byte segments would otherwise be ~40 bytes of object per byte of window). What the
window holds is counted in the run's MemoryBudget.
"""

from __future__ import annotations

from wsarecv_cli.reassembly.held import MemoryBudget

# The window may exceed `conflict_window` by this much before it is cut back, so the cut runs every
# few segments rather than on each one.
TAIL_SLACK = 4096
# Delivered segments shorter than this share a bytearray chunk (up to this long) instead of each
# being kept as its own bytes object.
SMALL_CHUNK = 512


class DeliveredWindow:
    """The last bytes delivered, ending at the direction's `nxt` (passed in as `end`)."""

    __slots__ = ("chunks", "length", "_held", "_window", "_budget")

    def __init__(self, window: int, budget: MemoryBudget) -> None:
        self.chunks: list[bytes | bytearray] = []
        self.length = 0  # how many of the chunks' last bytes are the window (counted in the budget)
        self._held = 0  # the chunks' length: at most one chunk more than `length` once cut back
        self._window = window
        self._budget = budget

    def append(self, data: bytes) -> None:
        """Delivered bytes in; past the window + TAIL_SLACK, cut back to the window and the chunks
        wholly before it let go."""
        chunks = self.chunks
        n = len(data)
        if n >= SMALL_CHUNK:
            chunks.append(data)
        elif chunks and chunks[-1].__class__ is bytearray and len(chunks[-1]) < SMALL_CHUNK:
            chunks[-1] += data
        else:
            chunks.append(bytearray(data))
        budget = self._budget
        budget.live += n
        size = self.length + n
        held = self._held + n
        window = self._window
        if size > window + TAIL_SLACK:
            budget.live -= size - window
            size = window
            drop = 0
            while drop < len(chunks) - 1 and held - len(chunks[drop]) >= size:
                held -= len(chunks[drop])
                drop += 1
            del chunks[:drop]
        self.length = size
        self._held = held

    def get(self, a: int, b: int, end: int) -> bytes:
        """The bytes at stream offsets [a, b) of a window ending at offset `end`, inside it: only
        the chunks that hold them are copied, walking back from the newest (retransmissions are of
        recent data)."""
        pieces = []
        for chunk in reversed(self.chunks):
            start = end - len(chunk)
            if start < b:
                pieces.append(chunk[max(a - start, 0):min(b, end) - start])
                if start <= a:
                    break
            end = start
        return b"".join(reversed(pieces))

    def tail(self, end: int) -> bytes:
        """The whole window (what retransmitted bytes are compared with)."""
        return self.get(end - self.length, end, end) if self.length else b""

    def drop(self) -> None:
        """Forget it (a gap, a FIN, the end): nothing to compare with; its bytes leave the budget."""
        self._budget.live -= self.length
        self.chunks = []
        self.length = self._held = 0
