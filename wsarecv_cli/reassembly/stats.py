"""Per-direction counters and limits (mutable on the hot path, copied into snapshots for readers)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields


class UrgentMode(enum.Enum):
    """Where the urgent pointer points (spec R39)."""

    BSD = "bsd"  # TCP_BSDURGENT (Windows default): the urgent byte is SEG.SEQ + UP - 1
    RFC1122 = "rfc1122"  # TCP_EXPEDITED_1122: the urgent byte is SEG.SEQ + UP


@dataclass(frozen=True, slots=True)
class ReassemblyLimits:
    """Bounds and policies of the reassembler.

    max_held_bytes: out-of-order bytes one direction may hold while waiting for a hole to fill;
        segments beyond it are dropped and reported as a LIMIT gap (never kept).
    conflict_window: how many already-delivered bytes each direction remembers to compare
        retransmissions against (overlap conflicts older than that go uncounted). Every live
        direction holds this much (+4 KiB), the largest share of memory with many live flows:
        16 KiB (about 11 full segments) covers the usual spurious retransmission of the last few
        segments; at 64 KiB, 500 live flows held ~40 MB more on the 1M-packet benchmark.
    rst_window: how far (bytes) a RST's sequence number may lie from the expected one and still
        be obeyed; farther RSTs are counted as ignored.
    large_segment: payload size above which a segment is counted as TSO/GRO-sized.
    urgent: urgent pointer convention (R39).
    max_flows: live flows kept at once (the flow-table bound; see FlowTracker).
    closed_linger_ns: how long (capture time) a closed or reset TCP flow keeps its table entry
        before it is finished and freed; a late retransmission or RST within it still belongs to
        the flow (Wireshark keeps it for good). 10 s covers retransmission timeouts several times over.
    """

    max_held_bytes: int = 16 * 1024 * 1024
    conflict_window: int = 16 * 1024
    rst_window: int = 16 * 1024 * 1024
    large_segment: int = 1460
    urgent: UrgentMode = UrgentMode.BSD
    max_flows: int = 100_000
    closed_linger_ns: int = 10_000_000_000


@dataclass(slots=True)
class DirectionStats:
    """What one sender did in one flow. TCP fills every field; UDP only the first block."""

    packets: int = 0
    payload_bytes: int = 0  # payload on the wire, every copy (retransmissions included)
    truncated: int = 0  # frames cut by the snaplen
    fragments: int = 0  # packets rebuilt from more than one IP fragment
    datagrams_empty: int = 0  # UDP: zero-length datagrams
    stream_bytes: int = 0  # TCP: unique bytes delivered in order (urgent bytes included)
    syn: bool = False
    fin: bool = False  # a FIN was seen
    rst: int = 0  # RSTs obeyed
    rst_ignored: int = 0  # RSTs too far outside the window
    midstream: bool = False  # data seen without this sender's SYN
    retransmitted: int = 0  # segments repeating bytes already received
    duplicates: int = 0  # frames identical to the previous one (seq, length, flags, bytes)
    out_of_order: int = 0  # segments that arrived ahead of a hole
    overlap_conflicts: int = 0  # segments whose overlap disagreed with the first copy
    conflict_bytes: int = 0
    keepalives: int = 0
    zero_window_probes: int = 0
    urgent: int = 0  # urgent bytes taken out of band
    gaps: int = 0  # StreamGap events, any reason
    missing_bytes: int = 0  # bytes in those gaps
    limit_hits: int = 0  # segments (or parts) dropped at max_held_bytes
    limit_bytes: int = 0
    evicted: int = 0  # 1 when the flow was finished early at max_flows (both directions)
    large_segments: int = 0

    def copy(self) -> DirectionStats:
        return DirectionStats(*(getattr(self, f.name) for f in fields(self)))

    def as_dict(self) -> dict[str, int | bool]:
        return {f.name: getattr(self, f.name) for f in fields(self)}
