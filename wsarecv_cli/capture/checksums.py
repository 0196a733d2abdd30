"""TCP/UDP checksum verification (`--checksums verify`): offload artefact or real corruption.

Theory of operation: a capture taken on the sending host shows its outgoing frames *before* the
network card computed their checksums (checksum offload): the field holds 0 or just the
pseudo-header's partial sum, which the NIC completes on the wire. Those frames are fine and the
receiver got them. Any other wrong checksum means the bytes the receiver got were damaged, and its
stack dropped the segment: under `verify` we drop it too, so the replay sees what the application
saw. Wireshark leaves checksum validation off by default, and so do we (`ignore`): verifying costs
a pass over every payload byte.

Only whole, unfragmented datagrams are judged; a frame cut by the snaplen, a fragment, or a
non-IP frame is UNKNOWN and kept.
"""

from __future__ import annotations

import enum
import sys
from array import array

from wsarecv_cli.capture.decode import IPV6_FRAG, l3_offset, walk_ipv6_ext
from wsarecv_cli.capture.stats import SkipReason


class ChecksumVerdict(enum.Enum):
    OK = "ok"
    OFFLOAD = "offload"  # zero / partial checksum of an offloading sender: valid on the wire
    BAD = "bad"  # corrupted: the receiving stack dropped it
    UNKNOWN = "unknown"  # not judged (fragment, snaplen cut, not TCP/UDP over IP)


_SWAP = sys.byteorder == "little"


def ones_complement_sum(data: bytes) -> int:
    """RFC 1071 sum of 16-bit big-endian words, folded to 16 bits (not complemented)."""
    if len(data) & 1:
        data += b"\0"
    words = array("H", data)
    if _SWAP:
        words.byteswap()
    total = sum(words)
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def verdict(linktype: int, data: bytes, wire_len: int) -> ChecksumVerdict:
    """Judge the TCP or UDP checksum of one captured frame."""
    if len(data) < wire_len:
        return ChecksumVerdict.UNKNOWN
    where = l3_offset(linktype, data)
    if where.__class__ is SkipReason:
        return ChecksumVerdict.UNKNOWN
    version, off = where
    if version == 4:
        if len(data) < off + 20:
            return ChecksumVerdict.UNKNOWN
        hl = (data[off] & 15) * 4
        total = int.from_bytes(data[off + 2:off + 4], "big")
        frag = int.from_bytes(data[off + 6:off + 8], "big")
        proto = data[off + 9]
        if frag & 0x3FFF or total < hl or off + total > len(data) or hl < 20:
            return ChecksumVerdict.UNKNOWN
        start, end = off + hl, off + total
        pseudo = data[off + 12:off + 20] + bytes((0, proto)) + (end - start).to_bytes(2, "big")
    elif version == 6:
        if len(data) < off + 40:
            return ChecksumVerdict.UNKNOWN
        plen = int.from_bytes(data[off + 4:off + 6], "big")
        end = off + 40 + plen
        if not plen or end > len(data):
            return ChecksumVerdict.UNKNOWN
        walked = walk_ipv6_ext(data, off + 40, data[off + 6], end)
        if walked.__class__ is SkipReason or walked[0] == IPV6_FRAG:
            return ChecksumVerdict.UNKNOWN
        proto, start = walked
        pseudo = data[off + 8:off + 40] + (end - start).to_bytes(4, "big") + bytes((0, 0, 0, proto))
    else:
        return ChecksumVerdict.UNKNOWN
    if proto == 6:
        field_at = start + 16
    elif proto == 17:
        field_at = start + 6
    else:
        return ChecksumVerdict.UNKNOWN
    if field_at + 2 > end:
        return ChecksumVerdict.UNKNOWN
    field = int.from_bytes(data[field_at:field_at + 2], "big")
    if proto == 17 and version == 4 and field == 0:
        return ChecksumVerdict.OK  # IPv4 UDP without a checksum (RFC 768)
    partial = ones_complement_sum(pseudo)
    if ones_complement_sum(pseudo + data[start:end]) == 0xFFFF:
        return ChecksumVerdict.OK
    if field in (0, partial, ~partial & 0xFFFF):
        return ChecksumVerdict.OFFLOAD
    return ChecksumVerdict.BAD
