"""Per-direction counters and limits (mutable on the hot path, copied into snapshots for readers)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from wsarecv_cli.net import Transport


class OverlapPolicy(enum.Enum):
    """Which copy of overlapping, not yet delivered bytes the receiving stack keeps.

    Suricata's target-based policies (Novak & Sturges, "Target-Based TCP Stream Reassembly", 2007;
    suricata src/stream-tcp-list.c DoHandleDataOverlap), reduced to the ones that differ here.
    Bytes already delivered to the application are never replaced, whatever the policy: a stack
    trims retransmissions below rcv.nxt.
    """

    FIRST = "first"  # the copy that arrived first wins (tshark's reassembly; Suricata "first"/"vista")
    LAST = "last"  # the latest copy wins
    WINDOWS = "windows"  # a new copy wins where it starts before the held one
    BSD = "bsd"  # same rule as windows (Suricata groups them)
    LINUX = "linux"  # starts before, or starts at the same byte and ends after the held one

    def new_wins(self, new_start: int, new_stop: int, old_start: int, old_stop: int) -> bool:
        if self is OverlapPolicy.FIRST:
            return False
        if self is OverlapPolicy.LAST or new_start < old_start:
            return True
        return self is OverlapPolicy.LINUX and new_start == old_start and new_stop > old_stop


class UrgentMode(enum.Enum):
    """Where the urgent pointer points (spec R39)."""

    BSD = "bsd"  # TCP_BSDURGENT (Windows default): the urgent byte is SEG.SEQ + UP - 1
    RFC1122 = "rfc1122"  # TCP_EXPEDITED_1122: the urgent byte is SEG.SEQ + UP


@dataclass(frozen=True, slots=True)
class ReassemblyLimits:
    """Bounds and policies of the reassembler.

    max_held_bytes: out-of-order bytes one direction may hold while waiting for a hole to fill
        (each held chunk counted with CHUNK_COST of bookkeeping); segments beyond it are dropped and
        reported as a LIMIT gap (never kept).
    max_held_total: the same, for every direction of the capture together (a MemoryBudget shared by
        the tracker's directions): many flows each under max_held_bytes must not add up without
        bound. 64 MiB: four directions at the per-direction limit; a capture reordered or lossy
        enough to need more is told so by a LIMIT gap and the warning.
    conflict_window: how many already-delivered bytes each direction remembers to compare
        retransmissions against (overlap conflicts older than that go uncounted). Every live
        direction holds this much (+4 KiB), the largest share of memory with many live flows:
        16 KiB (about 11 full segments) covers the usual spurious retransmission of the last few
        segments; at 64 KiB, 500 live flows held ~40 MB more on the 1M-packet benchmark.
    rst_window: how far (bytes) a RST's sequence number may lie from the expected one and still
        be obeyed; farther RSTs are counted as ignored.
    large_segment: payload size above which a segment is counted as TSO/GRO-sized when the flow
        shows no MSS option (an Ethernet MTU's worth); with a SYN's MSS the flow's own MSS is used.
    gap_wait_ns: a hole with data held behind it, in a direction whose receiver sent no ACK seen
        in the capture since that data arrived (a one-way capture, or the return path missing), is
        declared lost this long (capture time) after the first data behind it arrived; a
        retransmission that fills it before then is taken as usual. 1 s: RFC 6298's initial
        retransmission timeout, above Windows' 300 ms and Linux's 200 ms minimum RTO.
    overlap: which copy of overlapping held bytes wins (OverlapPolicy).
    duplicate_window_ns: a data segment identical to the direction's previous one (sequence,
        length, flags, bytes) within this time is the same frame captured twice (pktmon logs a
        packet at several components; a host captured on two interfaces: microseconds apart), not a
        retransmission: no TCP stack retransmits within 0.1 ms (minimum RTO 200 ms; a fast
        retransmit needs three duplicate ACKs back first). Kept that short for UDP, where an
        application may well send the same datagram twice in a row.
    urgent: urgent pointer convention (R39).
    max_flows: live flows kept at once (the flow-table bound; see FlowTracker). A live flow costs
        ~2.1 KB in `flows`, ~2.5 KB in `follow --json` and replay (tracemalloc, one SYN per flow),
        ~2.6-3 KB of RSS: 50,000 keeps every command under 200 MB on a SYN flood
        (bench/MEMORY.md); a capture with more flows open at once is told so (evictions, warning).
    max_live_bytes: the estimated memory of everything live (FLOW_COST a flow, the delivered-bytes
        windows, the out-of-order data, and what the command charges per flow: replay's receiving
        sockets): beyond it the flows idle longest are finished early, as at max_flows. The flow
        count alone does not bound memory: 50,000 flows each with data both ways hold up to 2 GB of
        windows, and replay ~13 KB more per flow.
    closed_linger_ns: how long (capture time) a closed or reset TCP flow keeps its table entry
        before it is finished and freed; a late retransmission or RST within it still belongs to
        the flow (Wireshark keeps it for good). 10 s covers retransmission timeouts several times over.
    udp_idle_ns: a UDP flow that sent nothing for this long (capture time) is retired and only its
        5-tuple and index kept; a later datagram continues the same flow (FlowTracker with
        retire_idle_udp, i.e. `wsarecv flows`), and the listing joins the parts, so it is the same
        whatever this is. 10 s, as udp_park_ns: with 120 s (conntrack's UDP stream timeout, the
        value before) every UDP conversation of a 50 s capture stayed live to its end, ~2 KB
        each, and `flows`' memory grew with the capture's length (bench/RESULTS.md, flat memory);
        a conversation back after a pause costs one more snapshot, spilled to disk (summaries.py).
    udp_park_ns: a UDP flow quiet for this long is parked (FlowTracker with park_idle_udp: follow
        and replay, whose flows are finished once): its live state made light until its next
        datagram, which changes no output (parking.py). 10 s: far beyond the duplicate window, and
        short enough that a long capture's finished UDP conversations do not pile up as live state
        (a parked flow is ~1.7 KB; a live one ~2.1 KB plus its last datagram each way, and in
        follow --json its digests' segments, which parking sends to the spool).
    """

    max_held_bytes: int = 16 * 1024 * 1024
    max_held_total: int = 64 * 1024 * 1024
    conflict_window: int = 16 * 1024
    rst_window: int = 16 * 1024 * 1024
    large_segment: int = 1460
    urgent: UrgentMode = UrgentMode.BSD
    gap_wait_ns: int = 1_000_000_000
    overlap: OverlapPolicy = OverlapPolicy.FIRST
    duplicate_window_ns: int = 100_000
    resegment: bool = False  # split super-segments back to the receiver's MSS (--resegment mss)
    max_flows: int = 50_000
    max_live_bytes: int = 128 * 1024 * 1024
    closed_linger_ns: int = 10_000_000_000
    udp_idle_ns: int = 10_000_000_000
    udp_park_ns: int = 10_000_000_000


# DirectionStats counters added up over every flow (RealityTotals; the capture-reality warnings).
TOTALLED = ("large_segments", "resegmented", "duplicates", "overlap_conflicts", "conflict_bytes",
            "overlap_replaced", "gaps", "missing_bytes", "retransmitted", "limit_bytes")


# DirectionStats' counters in their documented order (what as_dict and `flows --json` list):
# (name, default, comment). The first block is written for most packets and lives in slots; the
# rest are rare (anomalies) and live in a dict made on the first non-zero write: with 100k live
# flows, 16 always-zero slots per direction were ~25 MB.
_HOT = (
    ("packets", 0),
    ("payload_bytes", 0),  # payload on the wire, every copy (retransmissions included)
    ("stream_bytes", 0),  # TCP: unique bytes delivered in order (urgent bytes included)
    ("syn", False),
    ("fin", False),  # a FIN was seen
    ("rst", 0),  # RSTs obeyed
    ("midstream", False),  # data seen without this sender's SYN
    ("retransmitted", 0),  # segments repeating bytes already received
    ("out_of_order", 0),  # segments that arrived ahead of a hole
    ("gaps", 0),  # StreamGap events, any reason
    ("missing_bytes", 0),  # bytes in those gaps
    ("mss", 0),  # TCP: the MSS the receiver announced in its SYN (0: no SYN option seen)
)
_RARE = (
    "truncated",  # frames cut by the snaplen
    "fragments",  # packets rebuilt from more than one IP fragment
    "datagrams_empty",  # UDP: zero-length datagrams
    "rst_ignored",  # RSTs too far outside the window
    "duplicates",  # frames identical to the previous one within duplicate_window_ns: dropped
    "overlap_conflicts",  # segments whose overlap disagreed with the first copy
    "conflict_bytes",
    "overlap_replaced",  # conflicting held bytes replaced by a later copy (--overlap policy)
    "keepalives",
    "zero_window_probes",
    "urgent",  # urgent bytes taken out of band
    "limit_hits",  # segments (or parts) dropped at the out-of-order limits
    "limit_bytes",
    "evicted",  # 1 when the flow was finished early at max_flows (both directions)
    "large_segments",  # TCP: segments above the receiver's MSS (or an Ethernet MTU's worth)
    "resegmented",  # TCP: super-segments split back to the MSS (--resegment mss)
)
FIELDS = ("packets", "payload_bytes", "truncated", "fragments", "datagrams_empty", "stream_bytes", "syn", "fin",
          "rst", "rst_ignored", "midstream", "retransmitted", "duplicates", "out_of_order", "overlap_conflicts",
          "conflict_bytes", "overlap_replaced", "keepalives", "zero_window_probes", "urgent", "gaps",
          "missing_bytes", "limit_hits", "limit_bytes", "evicted", "large_segments", "mss", "resegmented")


def _rare(name: str) -> property:
    def get(self: DirectionStats) -> int:
        rare = self._rare
        return 0 if rare is None else rare.get(name, 0)

    def set_(self: DirectionStats, value: int) -> None:
        rare = self._rare
        if rare is None:
            if not value:
                return
            self._rare = rare = {}
        rare[name] = value

    return property(get, set_)


class DirectionStats:
    """What one sender did in one flow. TCP fills every field; UDP only packets, payload_bytes,
    truncated, fragments and datagrams_empty. Fields: FIELDS (hot ones in slots, rare ones in a
    dict made on first use; reading and writing them looks the same)."""

    __slots__ = (*(name for name, _ in _HOT), "_rare")

    def __init__(self, *values: int | bool, **named: int | bool) -> None:
        for name, default in _HOT:
            setattr(self, name, default)
        self._rare: dict[str, int] | None = None
        for name, value in (*zip(FIELDS, values), *named.items()):
            setattr(self, name, value)

    def add_totals(self, other: DirectionStats) -> None:
        """Add `other`'s TOTALLED counters to this one's."""
        for name in TOTALLED:
            value = getattr(other, name)
            if value:
                setattr(self, name, getattr(self, name) + value)

    def copy(self) -> DirectionStats:
        twin = DirectionStats.__new__(DirectionStats)
        for name, _ in _HOT:
            setattr(twin, name, getattr(self, name))
        twin._rare = None if self._rare is None else dict(self._rare)
        return twin

    def as_dict(self) -> dict[str, int | bool]:
        return {name: getattr(self, name) for name in FIELDS}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DirectionStats) and self.as_dict() == other.as_dict()

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return "DirectionStats(" + ", ".join(f"{k}={v!r}" for k, v in self.as_dict().items() if v) + ")"

    def __getstate__(self) -> tuple[tuple[int | bool, ...], dict[str, int] | None]:
        return tuple(getattr(self, name) for name, _ in _HOT), self._rare

    def __setstate__(self, state: tuple[tuple[int | bool, ...], dict[str, int] | None]) -> None:
        for (name, _), value in zip(_HOT, state[0]):
            setattr(self, name, value)
        self._rare = state[1]


for _name in _RARE:  # the rare counters read and write like the slotted ones
    setattr(DirectionStats, _name, _rare(_name))
del _name
assert sorted(FIELDS) == sorted([name for name, _ in _HOT] + list(_RARE)), "FIELDS lists every counter once"


@dataclass(slots=True)
class RealityTotals:
    """Counters added up over every finished flow (the TOTALLED fields of both directions) and the
    TCP flows without a SYN (roles inferred): what the capture-reality warnings count. Kept by
    FlowTracker (replay), or fed flow by flow from FlowInfo snapshots (flows, follow) and merged
    across `--jobs` workers."""

    stats: DirectionStats = field(default_factory=DirectionStats)
    inferred_roles: int = 0

    def add(self, a_to_b: DirectionStats, b_to_a: DirectionStats, inferred_roles: bool) -> None:
        self.stats.add_totals(a_to_b)
        self.stats.add_totals(b_to_a)
        self.inferred_roles += inferred_roles

    def add_flow(self, flow: Any) -> None:
        """A FlowInfo snapshot."""
        self.add(flow.a_to_b, flow.b_to_a, flow.transport is Transport.TCP and flow.initiator is None)

    def merge(self, other: RealityTotals) -> None:
        self.stats.add_totals(other.stats)
        self.inferred_roles += other.inferred_roles


def limit_warnings(limits: ReassemblyLimits, evicted_flows: int, limit_gaps: int, limit_bytes: int) -> list[str]:
    """The reassembly limits a capture hit, as warning lines (the fragment limit warns from read_packets)."""
    lines = []
    if evicted_flows:
        lines.append(f"{evicted_flows} flow(s) finished early at the live-flow limits (--max-flows {limits.max_flows}, "
                     f"--max-flow-memory {limits.max_live_bytes}); a later packet of one starts a new flow index")
    if limit_gaps:
        lines.append(f"{limit_gaps} time(s) out-of-order data was dropped at the limit, {limit_bytes} captured "
                     f"bytes (--max-ooo-bytes {limits.max_held_bytes} per direction, --max-ooo-total "
                     f"{limits.max_held_total} in all): reported as gaps")
    return lines
