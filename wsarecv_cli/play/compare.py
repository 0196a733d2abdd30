"""What the real app sent back vs what the captured app sent: equal, or where they first differ.

TCP is compared as one byte stream (the app's segmentation is its own business: the kernel and
the app's writes decide it, not the capture); UDP datagram by datagram, since a datagram's
boundary and size are what the peer sees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

EXCERPT = 16  # bytes shown on each side of the first difference


@dataclass(frozen=True, slots=True)
class ReplyCheck:
    """The outcome of the comparison; `where` is a byte offset (TCP) or datagram index (UDP)."""

    expected_bytes: int
    got_bytes: int
    expected_units: int  # captured segments / datagrams
    got_units: int  # recv calls / datagrams
    match: bool | None  # None: the capture lacks some of the app's bytes, no verdict
    where: int | None = None  # first difference
    expected_excerpt: bytes = b""  # from `where` (TCP) or the datagram (UDP)
    got_excerpt: bytes = b""
    datagrams: bool = False

    def describe(self) -> str:
        """One line saying what differs (empty when they match)."""
        if self.match is None:
            return "the capture lacks some of the application's bytes: no comparison"
        if self.match:
            return ""
        if self.datagrams:
            if self.where is None:
                return f"{self.got_units} datagrams received, the capture has {self.expected_units}"
            return (f"datagram {self.where + 1} differs: expected {len(self.expected_excerpt)} bytes "
                    f"{_show(self.expected_excerpt)}, got {len(self.got_excerpt)} bytes {_show(self.got_excerpt)}")
        if self.where == min(self.expected_bytes, self.got_bytes):
            shorter = "fewer" if self.got_bytes < self.expected_bytes else "more"
            return (f"{shorter} bytes than captured: got {self.got_bytes}, expected {self.expected_bytes} "
                    f"(equal up to byte {self.where})")
        return (f"first difference at byte {self.where}: expected {_show(self.expected_excerpt)}, "
                f"got {_show(self.got_excerpt)}")


def _show(data: bytes) -> str:
    return data[:EXCERPT].hex(" ") + ("…" if len(data) > EXCERPT else "") if data else "(nothing)"


def compare_stream(expected: bytes, got: bytes, expected_units: int, got_units: int,
                   complete: bool = True) -> ReplyCheck:
    """TCP: the byte streams, whatever their segmentation."""
    counts = (len(expected), len(got), expected_units, got_units)
    if not complete:
        return ReplyCheck(*counts, match=None)
    if expected == got:
        return ReplyCheck(*counts, match=True)
    where = next((i for i, (e, g) in enumerate(zip(expected, got, strict=False)) if e != g), min(len(expected),
                                                                                                len(got)))
    return ReplyCheck(*counts, match=False, where=where, expected_excerpt=expected[where:where + EXCERPT + 1],
                      got_excerpt=got[where:where + EXCERPT + 1])


def compare_datagrams(expected: Sequence[bytes], got: Sequence[bytes]) -> ReplyCheck:
    """UDP: datagram by datagram, sizes included."""
    counts = (sum(map(len, expected)), sum(map(len, got)), len(expected), len(got))
    for i, (e, g) in enumerate(zip(expected, got, strict=False)):
        if e != g:
            return ReplyCheck(*counts, match=False, where=i, expected_excerpt=e, got_excerpt=g, datagrams=True)
    return ReplyCheck(*counts, match=len(expected) == len(got), datagrams=True)
