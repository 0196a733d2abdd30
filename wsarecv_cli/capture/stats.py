"""Counters of what decoding did with each frame, and a frozen snapshot for summaries.

Theory of operation: the decoder never raises on a bad frame; it returns None and counts the
frame under one `SkipReason` (or, for an unknown link type, under that link type's number), so
the CLI can print "skipped: 3 not IP (ARP, ...), linktype 274 (unknown): 3 frames". `DecodeStats`
is mutable (plain int attributes: cheap to bump on the hot path); `snapshot()` freezes it.
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass, field

from wsarecv_cli.capture.linktypes import describe_linktype


class SkipReason(enum.Enum):
    """Why a frame produced no Packet (value: the text shown to users)."""

    LINKTYPE = "link type not decoded"
    LINK_TRUNCATED = "cut inside the link-layer header"
    NOT_IP = "not IP (ARP, LLDP, ...)"
    IP_TRUNCATED = "cut inside the IP header"
    IP_MALFORMED = "malformed IP header"
    NOT_TCP_UDP = "IP but not TCP/UDP (ICMP, ...)"
    TRANSPORT_TRUNCATED = "cut inside the TCP/UDP header"
    TCP_MALFORMED = "malformed TCP header"
    UDP_MALFORMED = "malformed UDP header"
    FRAGMENT_MALFORMED = "malformed IP fragment"


@dataclass(frozen=True, slots=True)
class DecodeSummary:
    """A frozen copy of DecodeStats."""

    frames: int
    tcp: int
    udp: int
    truncated: int
    skipped: dict[SkipReason, int]
    skipped_linktypes: dict[int, int]
    udp_length_clamped: int
    fragments: int
    reassembled: int
    fragment_duplicates: int
    fragment_overlaps: int
    fragments_incomplete: int
    fragment_sets_evicted: int
    icmp_notices: int = 0
    lines: tuple[str, ...] = field(default=())

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())


class DecodeStats:
    """Mutable counters, bumped by decode/defrag/stream; see module docstring."""

    def __init__(self) -> None:
        self.frames = 0
        self.tcp = 0
        self.udp = 0
        self.truncated = 0  # packets delivered with missing > 0 (snaplen)
        self.skipped: Counter[SkipReason] = Counter()
        self.skipped_linktypes: Counter[int] = Counter()
        self.udp_length_clamped = 0  # UDP length field larger than the IP payload: bounded by IP
        self.fragments = 0
        self.reassembled = 0
        self.fragment_duplicates = 0
        self.fragment_overlaps = 0
        self.fragments_incomplete = 0  # sets dropped incomplete (timeout or end of capture)
        self.fragment_sets_evicted = 0  # sets dropped because the memory limits were reached
        self.icmp_notices = 0
        self.checksum_offload = 0  # --checksums verify: zero/partial checksums of an offloading sender
        self.checksum_bad = 0  # --checksums verify: wrong checksums, frames dropped

    def skip(self, reason: SkipReason) -> None:
        self.skipped[reason] += 1

    def skip_lines(self) -> list[str]:
        """One human line per non-zero skip counter, e.g. 'linktype 274 (unknown): 3 frames'."""
        lines = [f"{describe_linktype(lt)}: {n} frames" for lt, n in sorted(self.skipped_linktypes.items())]
        lines += [f"{reason.value}: {n} frames" for reason, n in self.skipped.items()
                  if n and reason is not SkipReason.LINKTYPE]
        if self.udp_length_clamped:
            lines.append(f"UDP length beyond the IP payload (bounded by IP): {self.udp_length_clamped} datagrams")
        if self.fragments_incomplete:
            lines.append(f"incomplete IP fragment sets dropped: {self.fragments_incomplete}")
        if self.fragment_sets_evicted:
            lines.append(f"IP fragment sets dropped at the memory limit: {self.fragment_sets_evicted}")
        return lines

    def snapshot(self) -> DecodeSummary:
        return DecodeSummary(
            self.frames, self.tcp, self.udp, self.truncated, dict(self.skipped), dict(self.skipped_linktypes),
            self.udp_length_clamped, self.fragments, self.reassembled, self.fragment_duplicates,
            self.fragment_overlaps, self.fragments_incomplete, self.fragment_sets_evicted, self.icmp_notices,
            tuple(self.skip_lines()))

    def __repr__(self) -> str:
        return f"DecodeStats(frames={self.frames}, tcp={self.tcp}, udp={self.udp}, skipped={dict(self.skipped)})"
