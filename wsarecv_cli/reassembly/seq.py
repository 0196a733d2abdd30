"""32-bit TCP sequence arithmetic (RFC 1982 serial numbers) and unwrapping to 64-bit offsets.

TCP numbers bytes modulo 2**32. The reassembler never compares raw sequence numbers: it turns each
one into a stream offset (an unbounded int) relative to the direction's base, choosing the
representative nearest to a reference offset. A number more than 2**31 away in either direction is
ambiguous; it is read as the past (negative delta), which is what RFC 1982 leaves undefined and
what makes a hostile 2**31 jump harmless.
"""

from __future__ import annotations

SEQ_MOD = 1 << 32
SEQ_MASK = SEQ_MOD - 1
HALF = 1 << 31


def seq_add(seq: int, n: int) -> int:
    """seq + n modulo 2**32."""
    return (seq + n) & SEQ_MASK


def seq_diff(a: int, b: int) -> int:
    """Signed distance a - b in serial arithmetic, in [-2**31, 2**31)."""
    return ((a - b + HALF) & SEQ_MASK) - HALF


def seq_lt(a: int, b: int) -> bool:
    return seq_diff(a, b) < 0


def seq_le(a: int, b: int) -> bool:
    return seq_diff(a, b) <= 0


def seq_gt(a: int, b: int) -> bool:
    return seq_diff(a, b) > 0


def unwrap(seq: int, base: int, near: int) -> int:
    """Stream offset of `seq` given the direction's base sequence number and a nearby offset.

    `base` is the sequence number of offset 0; `near` is an offset known to be close (the next
    expected byte). The result is the offset congruent to seq - base modulo 2**32 that lies within
    2**31 of `near`.
    """
    return near + ((seq - base - near + HALF) & SEQ_MASK) - HALF
