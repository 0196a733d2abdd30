"""open_capture: a pcap or pcapng file (or stdin, or either gzip-compressed) as RawFrames.

Theory of operation: `open_capture` opens a ByteFeed (source.py), recognises the container by its
first four bytes and hands the feed to the pcap or pcapng parser, which yield *batches* (lists)
of RawFrame. The first batch is read at once, so header-level problems (not a capture, bad
version, corrupt section header, damage before the first frame) surface as CaptureError from
`open_capture` itself, and `info` already knows the first interfaces. Iterating a CaptureSource
flattens the batches; `read_packets` consumes `batches()` directly to avoid a generator resume
per frame. Damage later in the file ends iteration normally and leaves a line in `warnings`.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain

from wsarecv_cli.capture.pcap import PcapHeader, RecordSlot, is_pcap_magic, parse_pcap_header, pcap_batches
from wsarecv_cli.capture.pcapng import SHB, FrameSlot, Interface, PcapngParser
from wsarecv_cli.capture.source import ByteFeed, open_feed
from wsarecv_cli.errors import CaptureError
from wsarecv_cli.net import RawFrame


@dataclass(frozen=True, slots=True)
class CaptureInfo:
    """What the container says about itself (a snapshot; pcapng interfaces may grow while reading)."""

    container: str  # 'pcap' | 'pcapng'
    byte_order: str  # 'little' | 'big' | 'mixed' (pcapng sections of both orders)
    ts_resolution: str  # 'us' | 'ns' | ... ; several joined by '+' for pcapng ('ns+us')
    linktypes: tuple[int, ...]  # distinct link types in order of first appearance
    interfaces: tuple[Interface, ...]
    snaplen: int  # largest snaplen announced
    compressed: bool = False  # gzip
    version: str = ""
    sections: int = 1


class CaptureSource:
    """Iterator of RawFrame and context manager; see module docstring."""

    def __init__(self, feed: ByteFeed, compressed: bool, decode: bool = False) -> None:
        self._feed = feed
        self._compressed = compressed
        self.warnings: list[str] = []
        head = feed.buf[:4]
        if is_pcap_magic(head):
            hdr = parse_pcap_header(feed)
            self._pcap: PcapHeader | None = hdr
            self._ng = None
            # where capture/lean.py takes the record walk over (pcapng: per packet block)
            self.record_slot: RecordSlot | None = RecordSlot()
            self.frame_slot: FrameSlot | None = None
            self._batches = pcap_batches(feed, hdr, self.warnings, decode, self.record_slot)
        elif len(head) == 4 and struct.unpack("<I", head)[0] == SHB:
            self._pcap = None
            self.record_slot = None
            self._ng = PcapngParser(feed, self.warnings)
            self.frame_slot = self._ng.frame_slot
            self._batches = self._ng.batches(decode)
        else:
            raise CaptureError(f"{feed.name}: not a pcap or pcapng capture (starts with {head.hex(' ')})")
        first = next(self._batches, None)  # header-level damage raises here, inside open_capture
        # Times count from the capture's first frame, whatever it holds (ARP, ICMP...), as in
        # Wireshark; None for a capture without frames.
        self.first_ts_ns: int | None = first[0][1] if first else None
        self._all = chain([first] if first else [], self._batches)
        self._frames: Iterator[RawFrame] | None = None

    # -- progress ---------------------------------------------------------------------------
    @property
    def bytes_read(self) -> int:
        return self._feed.bytes_read

    @property
    def total_bytes(self) -> int | None:
        return self._feed.total_bytes

    @property
    def untimed_frames(self) -> int:
        """Frames without a timestamp (pcapng Simple Packet Blocks) read so far."""
        return self._ng.untimed if self._ng is not None else 0

    @property
    def pcap_header(self) -> PcapHeader | None:
        """The classic pcap global header (None for pcapng)."""
        return self._pcap

    @property
    def name(self) -> str:
        return self._feed.name

    @property
    def info(self) -> CaptureInfo:
        if self._pcap is not None:
            h = self._pcap
            iface = Interface(h.linktype, h.snaplen, h.ts_resolution)
            return CaptureInfo("pcap", h.byte_order, h.ts_resolution, (h.linktype,), (iface,), h.snaplen,
                               self._compressed, h.version, 1)
        ng = self._ng
        assert ng is not None
        ifaces = tuple(ng.interfaces)
        orders = set(ng.byte_orders)
        order = orders.pop() if len(orders) == 1 else "mixed"
        res = "+".join(dict.fromkeys(i.ts_resolution for i in ifaces)) or "us"
        lts = tuple(dict.fromkeys(i.linktype for i in ifaces))
        snap = max((i.snaplen for i in ifaces), default=0)
        return CaptureInfo("pcapng", order, res, lts, ifaces, snap, self._compressed, "1.0", ng.sections)

    # -- iteration --------------------------------------------------------------------------
    def batches(self) -> Iterator[list[RawFrame]]:
        """Lists of RawFrame as read (one per buffer refill); the fast way to consume a capture."""
        return self._all

    def __iter__(self) -> Iterator[RawFrame]:
        if self._frames is None:
            self._frames = chain.from_iterable(self._all)
        return self._frames

    def __next__(self) -> RawFrame:
        return next(iter(self))

    def close(self) -> None:
        self._feed.close()

    def __enter__(self) -> CaptureSource:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_capture(path: str, decode: bool = False) -> CaptureSource:
    """Open a capture ('-' = stdin); raises CaptureError('<path>: <reason>') if it cannot be read.
    decode=True: batches also hold Packets for the common Ethernet frames (`decode.fast_decode`);
    read_packets uses that."""
    feed = open_feed(path)
    try:
        if feed.compressed:
            feed.fill(0, 4)  # the first decompressed bytes
            if not feed.buf:
                why = feed.read_error or "nothing inside"
                raise CaptureError(f"{feed.name}: gzip-compressed, but no capture inside ({why})")
        if not feed.buf:
            raise CaptureError(f"{feed.name}: empty file, not a capture")
        if len(feed.buf) < 4:
            raise CaptureError(f"{feed.name}: only {len(feed.buf)} bytes, too short to be a capture")
        return CaptureSource(feed, feed.compressed, decode)
    except BaseException:
        feed.close()
        raise

