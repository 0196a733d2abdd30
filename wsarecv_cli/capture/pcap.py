"""Classic libpcap files: global header, then (record header, data) pairs.

Theory of operation: `parse_pcap_header` validates the 24-byte global header (byte order and
timestamp unit from the magic; version 2.x only) and raises CaptureError for anything that is
not a usable pcap. `pcap_batches` then walks the records of the ByteFeed's buffer with one
`unpack_from` per record and yields lists of RawFrame, one list per buffer refill, so callers pay
a generator resume per ~1 MiB instead of per frame. With `decode=True` on an Ethernet capture,
each record is first offered to `decode.fast_decode` straight from the read buffer, and the
common frames come out as Packets without their frame bytes ever being copied.

Damage after the header never raises: the frames read so far are kept, a warning naming the frame
number and byte offset is appended, and iteration ends (tshark stops at the same place). Before
the first frame it is a CaptureError, because nothing useful could be shown.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from wsarecv_cli.capture.decode import fast_decode
from wsarecv_cli.capture.source import ByteFeed
from wsarecv_cli.errors import CaptureError
from wsarecv_cli.net import Packet, RawFrame

# Wireshark refuses records above this (WTAP_MAX_PACKET_SIZE_STANDARD); so do we, unless the
# header's snaplen announced bigger ones.
MAX_RECORD = 262144
MAX_SNAPLEN_ALLOWANCE = 16 << 20

# magic as read little-endian -> (struct byte order, ns per fraction unit, record header size, label)
_MAGICS = {
    0xA1B2C3D4: ("<", 1000, 16, "us"),
    0xD4C3B2A1: (">", 1000, 16, "us"),
    0xA1B23C4D: ("<", 1, 16, "ns"),
    0x4D3CB2A1: (">", 1, 16, "ns"),
    0xA1B2CD34: ("<", 1000, 24, "us"),  # Alexey Kuznetsov's modified pcap: 8 extra header bytes
    0x34CDB2A1: (">", 1000, 24, "us"),
}
_new = tuple.__new__


@dataclass(frozen=True, slots=True)
class PcapHeader:
    endian: str
    frac_ns: int
    rec_hdr: int
    ts_resolution: str
    version: str
    snaplen: int
    linktype: int

    @property
    def byte_order(self) -> str:
        return "little" if self.endian == "<" else "big"

    @property
    def record_limit(self) -> int:
        return max(MAX_RECORD, min(self.snaplen, MAX_SNAPLEN_ALLOWANCE))


def is_pcap_magic(head: bytes) -> bool:
    return len(head) >= 4 and struct.unpack_from("<I", head)[0] in _MAGICS


def parse_pcap_header(feed: ByteFeed) -> PcapHeader:
    feed.fill(0, 24)
    buf = feed.buf
    if len(buf) < 24:
        raise CaptureError(f"{feed.name}: pcap global header cut short ({len(buf)} of 24 bytes)")
    endian, frac_ns, rec_hdr, res = _MAGICS[struct.unpack_from("<I", buf)[0]]
    major, minor, _zone, _sigfigs, snaplen, network = struct.unpack_from(endian + "HHiIII", buf, 4)
    if major != 2:
        raise CaptureError(f"{feed.name}: pcap version {major}.{minor} is not supported (only 2.x)")
    # The top bits of the link-type field carry FCS information, not the link type.
    return PcapHeader(endian, frac_ns, rec_hdr, res, f"{major}.{minor}", snaplen, network & 0x03FFFFFF)


class RecordSlot:
    """Where a consumer takes over the record walk (capture/lean.py): once `take` is set, each
    read buffer's whole records go to `take(buf, pos, end, index) -> (pos, index)` instead of
    becoming RawFrames (that buffer's batch is then empty). It must stop where the loop below
    does (record beyond the buffer, or longer than `record_limit`), so damage is reported here."""

    __slots__ = ("take",)

    def __init__(self) -> None:
        self.take: Callable[[bytes, int, int, int], tuple[int, int]] | None = None


def pcap_batches(feed: ByteFeed, hdr: PcapHeader, warnings: list[str], decode: bool = False,
                 slot: RecordSlot | None = None) -> Iterator[list[RawFrame | Packet]]:
    """Yield lists of RawFrame (and Packet, with decode=True) until EOF or damage (then one
    warning and a normal end); with a `slot` whose `take` is set, an empty list per buffer."""
    unpack = struct.Struct(hdr.endian + "IIII").unpack_from
    frac_ns, rec_hdr, linktype, limit = hdr.frac_ns, hdr.rec_hdr, hdr.linktype, hdr.record_limit
    fast = fast_decode if decode and linktype == 1 else None
    pos = 24
    index = 0
    while True:
        buf = feed.buf
        end = len(buf)
        batch: list[RawFrame] = []
        append = batch.append
        if slot is not None and slot.take is not None:
            pos, index = slot.take(buf, pos, end, index)
            yield batch
        else:
            # The hot loop: every record fully inside the buffer, no function calls but unpack/append.
            while pos + rec_hdr <= end:
                sec, frac, caplen, wire_len = unpack(buf, pos)
                nxt = pos + rec_hdr + caplen
                if nxt > end or caplen > limit:
                    break
                index += 1
                ts = sec * 1_000_000_000 + frac * frac_ns
                if fast is None or (packet := fast(buf, pos + rec_hdr, nxt, index, ts)) is None:
                    append(_new(RawFrame, (index, ts, linktype, buf[pos + rec_hdr:nxt], wire_len)))
                else:
                    append(packet)
                pos = nxt
            if batch:
                yield batch
        if pos + rec_hdr <= end:
            caplen = unpack(buf, pos)[2]
            if caplen > limit:
                _damage(feed, warnings, index, pos,
                        f"record length {caplen} is beyond the {limit}-byte maximum")
                return
            need = rec_hdr + caplen
        else:
            need = rec_hdr
        if feed.eof and end - pos == 0:
            return
        pos = feed.fill(pos, need)
        if len(feed.buf) < need:
            if not feed.buf and feed.read_error is None:
                return  # clean end exactly at a record boundary
            _damage(feed, warnings, index, 0, "file cut short" + _why(feed))
            return


def _why(feed: ByteFeed) -> str:
    return f" ({feed.read_error})" if feed.read_error else ""


def _damage(feed: ByteFeed, warnings: list[str], good: int, pos: int, reason: str) -> None:
    """Record damage after `good` frames: a warning, or a CaptureError when nothing was read."""
    where = f"frame {good + 1} at byte {feed.base + pos}"
    if good == 0:
        raise CaptureError(f"{feed.name}: damaged before the first frame: {reason} ({where})")
    warnings.append(f"{reason} in {where}: {good} frames read before the damage")
