"""Capture-reality checks: what a real capture did to the streams, and what it means for a replay.

A capture is not the receiver's view: the tap drops packets (capture gaps), starts mid-connection
(no SYN: roles inferred), logs one packet twice (pktmon, several interfaces), shows the sending
host's segments before segmentation offload split them (TSO/GSO super-segments) and before the
NIC filled in their checksums (checksum offload). Each check counts what it saw over the whole
capture and says in one line what the replay does about it. `flows`, `follow` and `replay` print
them as warnings; NDJSON carries them as `warning` records with a stable `code`.
docs/CAPTURE_REALITY.md explains every rule and option.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from wsarecv_cli.reassembly.stats import OverlapPolicy, RealityTotals, ReassemblyLimits


class RealityCode(enum.Enum):
    CAPTURE_GAPS = "capture-gaps"
    INFERRED_ROLES = "inferred-roles"
    DUPLICATE_FRAMES = "duplicate-frames"
    SUPER_SEGMENTS = "super-segments"
    CHECKSUM_OFFLOAD = "checksum-offload"
    CHECKSUM_BAD = "checksum-bad"
    OVERLAP_CONFLICTS = "overlap-conflicts"


@dataclass(frozen=True, slots=True)
class RealityWarning:
    code: RealityCode
    count: int
    text: str

    def record(self) -> dict[str, Any]:
        return {"type": "warning", "code": self.code.value, "count": self.count, "text": self.text}


def reality_warnings(totals: RealityTotals, decode: Any, limits: ReassemblyLimits) -> list[RealityWarning]:
    """The checks that fired, each with its count and what the replay does about it."""
    st = totals.stats
    out: list[RealityWarning] = []

    def add(code: RealityCode, count: int, text: str) -> None:
        if count:
            out.append(RealityWarning(code, count, text))

    add(RealityCode.CAPTURE_GAPS, st.gaps,
        f"{st.gaps} capture gap(s), {st.missing_bytes:,} B the capture lacks: declared at the ACK that covers "
        "them, or --gap-wait after the data behind them (one-way captures); replay hands their bytes to the "
        "calls as unknown bytes at their stream position, and data behind a gap at its own time")
    add(RealityCode.INFERRED_ROLES, totals.inferred_roles,
        f"{totals.inferred_roles} TCP flow(s) without a SYN in the capture (started mid-connection): "
        "client and server inferred from the ports (well-known < non-ephemeral < ephemeral)")
    add(RealityCode.DUPLICATE_FRAMES, st.duplicates,
        f"{st.duplicates} duplicate frame(s) (the same segment twice within "
        f"{limits.duplicate_window_ns / 1e6:g} ms: pktmon logging one packet at several components, or a host "
        "captured on two interfaces): dropped before reassembly, not counted as retransmissions")
    if st.large_segments:
        split = (f"; {st.resegmented} split back to the MSS (--resegment mss)" if st.resegmented else
                 "; on a capture taken on the sender, --resegment mss replays them as the receiver got them")
        add(RealityCode.SUPER_SEGMENTS, st.large_segments,
            f"{st.large_segments} TCP segment(s) larger than the receiver's MSS (or an Ethernet MTU's worth "
            "without a SYN): TSO/GSO on the capturing sender (the receiver got MSS-sized segments) or GRO "
            f"on the capturing receiver (the application got them merged, as replayed){split}")
    add(RealityCode.CHECKSUM_OFFLOAD, getattr(decode, "checksum_offload", 0),
        f"{getattr(decode, 'checksum_offload', 0)} frame(s) with a zero or partial TCP/UDP checksum: checksum "
        "offload on the capturing host (the NIC completes it on the wire); not corruption, kept")
    add(RealityCode.CHECKSUM_BAD, getattr(decode, "checksum_bad", 0),
        f"{getattr(decode, 'checksum_bad', 0)} frame(s) with a wrong TCP/UDP checksum dropped, as the receiving "
        "stack drops them (--checksums verify); when every frame of a host is wrong, the capture was "
        "rewritten (addresses anonymised): use --checksums ignore")
    if st.overlap_conflicts:
        kept = ("the first copy kept (--overlap first, as tshark)" if limits.overlap is OverlapPolicy.FIRST else
                f"--overlap {limits.overlap.value}: {st.overlap_replaced} held copies replaced by later ones")
        add(RealityCode.OVERLAP_CONFLICTS, st.overlap_conflicts,
            f"{st.overlap_conflicts} overlapping segment(s) disagreed with bytes already held or delivered "
            f"({st.conflict_bytes:,} B differ): {kept}; delivered bytes are never replaced")
    return out
