"""pcapng files: sections of blocks, each section with its own byte order and interfaces.

Theory of operation: `PcapngParser` walks blocks in the ByteFeed's buffer. A Section Header Block
(SHB) sets the byte order (its byte-order magic), checks the version (1.x) and resets the
interface table; Interface Description Blocks (IDB) append an `Interface` whose if_tsresol and
if_tsoffset options become an exact integer conversion `units * mul // div + offset_ns`.
Enhanced (EPB), Simple (SPB) and obsolete Packet Blocks (PB) become RawFrames; every other block
is skipped by its length. The common case, an EPB, is handled inline in the loop.

Damage: a block whose length is not a multiple of 4, too small, beyond 16 MiB or whose trailing
length differs cannot be resynchronised, so reading stops with a warning; a packet block that is
internally inconsistent (captured length beyond the block, unknown interface) is skipped by its
(valid) block length and counted in one warning. Damage before the first frame is a CaptureError.
"""

from __future__ import annotations

import struct
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from wsarecv_cli.capture.decode import fast_decode
from wsarecv_cli.capture.linktypes import linktype_name
from wsarecv_cli.capture.source import ByteFeed
from wsarecv_cli.errors import CaptureError
from wsarecv_cli.net import Packet, RawFrame

SHB, IDB, PB, SPB, EPB = 0x0A0D0D0A, 1, 2, 3, 6
# Custom blocks: Wireshark lists them as records, so they take a frame number (but yield nothing)
# to keep our frame numbers equal to Wireshark's.
CUSTOM_BLOCKS = (0x00000BAD, 0x40000BAD)
BOM = 0x1A2B3C4D
MAX_BLOCK = 16 << 20  # Wireshark's own ceiling for a block; anything longer is a broken length
OPT_TSRESOL, OPT_TSOFFSET, OPT_NAME = 9, 14, 2
_new = tuple.__new__


@dataclass(frozen=True, slots=True)
class Interface:
    """One pcapng interface (or the single implicit interface of a classic pcap)."""

    linktype: int
    snaplen: int
    ts_resolution: str = "us"  # 'us', 'ns', '10^-N' or '2^-N'
    ts_offset_s: int = 0
    name: str = ""
    section: int = 0

    @property
    def linktype_name(self) -> str:
        return linktype_name(self.linktype)


class FrameSlot:
    """Where a consumer takes the packet blocks over (capture/lean.py): once `take` is set, each
    Enhanced Packet Block's frame goes to `take(buf, start, end, index, ts, linktype, wire_len)`
    and each Simple/obsolete Packet Block's RawFrame to `take_frame(frame)`, in block order,
    instead of into the batch (the batches are then empty, one per buffer)."""

    __slots__ = ("take", "take_frame")

    def __init__(self) -> None:
        self.take: Callable[[bytes, int, int, int, int, int, int], None] | None = None
        self.take_frame: Callable[[RawFrame], None] | None = None


class _Damage(Exception):
    """Internal: a block is broken in a way that stops reading."""


def _tsresol(code: int) -> tuple[str, int, int]:
    """if_tsresol byte -> (label, mul, div) so that ns = units * mul // div, exactly."""
    exp = code & 0x7F
    if code & 0x80:
        return f"2^-{exp}", 1_000_000_000, 1 << exp
    label = {6: "us", 9: "ns", 3: "ms", 0: "s"}.get(exp, f"10^-{exp}")
    if exp <= 9:
        return label, 10 ** (9 - exp), 1
    return label, 1, 10 ** (exp - 9)


def _options(buf: bytes, start: int, end: int, e: str) -> Iterator[tuple[int, bytes]]:
    """(code, value) pairs of an options area; _Damage if one runs past the block."""
    pos = start
    while pos + 4 <= end:
        code, length = struct.unpack_from(e + "HH", buf, pos)
        if code == 0:
            return
        if pos + 4 + length > end:
            raise _Damage(f"option {code} of length {length} runs past the end of its block")
        yield code, buf[pos + 4:pos + 4 + length]
        pos += 4 + ((length + 3) & ~3)


class PcapngParser:
    """Block walker; `batches()` yields lists of RawFrame."""

    def __init__(self, feed: ByteFeed, warnings: list[str]) -> None:
        self.feed = feed
        self.warnings = warnings
        self.interfaces: list[Interface] = []  # every interface of every section, in file order
        self.byte_orders: list[str] = []
        self.sections = 0
        self._iface: list[tuple] = []  # current section: (linktype, mul, div, off_ns, snaplen)
        self._e = "<"
        self._skipped: Counter[str] = Counter()
        self._first_skip: dict[str, str] = {}
        self.index = 0
        self.untimed = 0  # Simple Packet Blocks: frames without a timestamp
        self._last_ts = 0
        self.frame_slot = FrameSlot()
        feed.fill(0, 28)
        if len(feed.buf) < 28:
            raise CaptureError(f"{feed.name}: pcapng section header cut short ({len(feed.buf)} bytes)")
        try:
            self._start = self._section(feed.buf, 0, len(feed.buf), first=True)
        except _Damage as exc:
            raise CaptureError(f"{feed.name}: corrupt pcapng section header: {exc}") from None

    # -- blocks -----------------------------------------------------------------------------
    def _section(self, buf: bytes, pos: int, end: int, first: bool = False) -> int:
        """Parse an SHB at pos (block available up to end); returns its total length."""
        bom = struct.unpack_from("<I", buf, pos + 8)[0]
        if bom == BOM:
            e = "<"
        elif bom == 0x4D3C2B1A:
            e = ">"
        else:
            raise _Damage(f"bad byte-order magic {bom:#010x}")
        blen, _, major, minor = struct.unpack_from(e + "IIHH", buf, pos + 4)
        if major != 1:
            if first:
                raise CaptureError(f"{self.feed.name}: pcapng version {major}.{minor} is not supported (only 1.x)")
            raise _Damage(f"section header with unsupported version {major}.{minor}")
        if blen < 28 or blen % 4 or blen > MAX_BLOCK:
            raise _Damage(f"section header length {blen} is invalid")
        if first:
            self.feed.fill(pos, blen)
            buf, pos = self.feed.buf, 0
            if len(buf) < blen:
                raise _Damage(f"section header of {blen} bytes cut short at {len(buf)}")
        for _ in _options(buf, pos + 24, pos + blen - 4, e):
            pass
        self._e = e
        self._iface = []
        self.sections += 1
        self.byte_orders.append("little" if e == "<" else "big")
        return blen

    def _interface(self, buf: bytes, pos: int, blen: int) -> None:
        e = self._e
        linktype, _, snaplen = struct.unpack_from(e + "HHI", buf, pos + 8)
        label, mul, div, off, name = "us", 1000, 1, 0, ""
        for code, value in _options(buf, pos + 16, pos + blen - 4, e):
            if code == OPT_TSRESOL and value:
                label, mul, div = _tsresol(value[0])
            elif code == OPT_TSOFFSET and len(value) == 8:
                off = struct.unpack_from(e + "q", value)[0]
            elif code == OPT_NAME:
                name = value.decode("utf-8", "replace")
        self.interfaces.append(Interface(linktype, snaplen, label, off, name, self.sections - 1))
        self._iface.append((linktype, mul, div, off * 1_000_000_000, snaplen))

    def _skip(self, reason: str, where: str) -> None:
        self._skipped[reason] += 1
        self._first_skip.setdefault(reason, where)

    def _other_packet(self, btype: int, buf: bytes, pos: int, blen: int, previous_ts: int) -> RawFrame | None:
        """SPB and PB (rare): decoded out of the hot loop.

        A Simple Packet Block has no timestamp (pcapng spec): it gets `previous_ts`, the time of
        the frame before it, so times never jump to 1970; `untimed` counts them (the flows
        summary line says how many frames had no time)."""
        e, ifaces = self._e, self._iface
        if btype == SPB:
            if not ifaces:
                raise _Damage("simple packet block before any interface")
            linktype, _, _, _, snaplen = ifaces[0]
            wire_len = struct.unpack_from(e + "I", buf, pos + 8)[0]
            caplen = min(wire_len, blen - 16, snaplen or wire_len)
            self.untimed += 1
            return _new(RawFrame, (self.index + 1, previous_ts, linktype, buf[pos + 12:pos + 12 + caplen], wire_len))
        iface, _drops, hi, lo, caplen, wire_len = struct.unpack_from(e + "HHIIII", buf, pos + 8)
        if iface >= len(ifaces) or 28 + caplen + 4 > blen:
            return None
        linktype, mul, div, off, _ = ifaces[iface]
        ts = ((hi << 32 | lo) * mul) // div + off
        return _new(RawFrame, (self.index + 1, ts, linktype, buf[pos + 28:pos + 28 + caplen], wire_len))

    # -- the loop ---------------------------------------------------------------------------
    def batches(self, decode: bool = False) -> Iterator[list[RawFrame | Packet]]:
        """Lists of RawFrame, one per buffer; with decode=True common Ethernet frames come as
        Packets (`decode.fast_decode`, straight from the buffer)."""
        feed = self.feed
        fast = fast_decode if decode else None
        pos = self._start
        try:
            while True:
                buf = feed.buf
                end = len(buf)
                e = self._e
                hdr = struct.Struct(e + "IIIIIII").unpack_from
                trailer = struct.Struct(e + "I").unpack_from
                head2 = struct.Struct(e + "II").unpack_from
                ifaces = self._iface
                take = self.frame_slot.take
                batch: list[RawFrame] = []
                append = batch.append
                index = self.index
                stop = False
                damage = ""
                need = 12
                while pos + 12 <= end:
                    h = hdr(buf, pos) if pos + 28 <= end else head2(buf, pos) + (0,) * 5
                    btype, blen = h[0], h[1]
                    if btype == SHB:
                        blen = struct.unpack_from(">I" if buf[pos + 8] == 0x1A else "<I", buf, pos + 4)[0]
                    if blen < 12 or blen % 4 or blen > MAX_BLOCK:
                        damage = f"block length {blen} is invalid"
                        break
                    if pos + blen > end:
                        need = blen
                        break
                    if trailer(buf, pos + blen - 4)[0] != blen and btype != SHB:
                        damage = f"block total length {blen} differs from its trailing copy"
                        break
                    if btype == EPB:
                        _, _, iface, hi, lo, caplen, wire_len = h
                        if iface < len(ifaces) and 32 + caplen <= blen:
                            linktype, mul, div, off, _ = ifaces[iface]
                            index += 1
                            ts = ((hi << 32 | lo) * mul) // div + off
                            if take is not None:
                                take(buf, pos + 28, pos + 28 + caplen, index, ts, linktype, wire_len)
                                self._last_ts = ts  # the time a Simple Packet Block after it gets
                            elif linktype != 1 or fast is None or \
                                    (packet := fast(buf, pos + 28, pos + 28 + caplen, index, ts)) is None:
                                append(_new(RawFrame, (index, ts, linktype, buf[pos + 28:pos + 28 + caplen],
                                                       wire_len)))
                            else:
                                append(packet)
                        else:
                            why = (f"names interface {iface} of {len(ifaces)}" if iface >= len(ifaces)
                                   else f"captured length {caplen} beyond its block")
                            self._skip(f"packet block {why}", f"byte {feed.base + pos}")
                    elif btype == SHB:
                        try:
                            self._section(buf, pos, end)
                        except _Damage as exc:
                            damage = str(exc)
                            break
                        pos += blen
                        stop = True  # byte order may have changed: rebuild the unpackers
                        break
                    elif btype == IDB:
                        self._interface(buf, pos, blen)
                    elif btype in CUSTOM_BLOCKS:
                        index += 1
                    elif btype in (SPB, PB):
                        self.index = index
                        frame = self._other_packet(btype, buf, pos, blen, batch[-1][1] if batch else self._last_ts)
                        if frame is None:
                            self._skip("packet block inconsistent with its interface", f"byte {feed.base + pos}")
                        else:
                            index += 1
                            if take is None:
                                append(frame)
                            else:
                                self.frame_slot.take_frame(frame)
                                self._last_ts = frame[1]
                    pos += blen
                self.index = index
                if batch:
                    self._last_ts = batch[-1][1]
                    yield batch
                elif take is not None:
                    yield batch  # for progress bars
                if damage:
                    raise _Damage(damage)
                if stop:
                    continue
                if feed.eof and pos == end:
                    break
                pos = feed.fill(pos, need)
                if len(feed.buf) < need:
                    if not feed.buf and feed.read_error is None:
                        break
                    raise _Damage("file cut short" + (f" ({feed.read_error})" if feed.read_error else ""))
        except _Damage as exc:
            self._damage(str(exc), pos)
        self._report_skips()

    def _damage(self, reason: str, pos: int) -> None:
        where = f"block at byte {self.feed.base + pos}, after frame {self.index}"
        if self.index == 0:
            raise CaptureError(f"{self.feed.name}: damaged before the first frame: {reason} ({where})")
        self.warnings.append(f"{reason} ({where}): {self.index} frames read before the damage")

    def _report_skips(self) -> None:
        for reason, count in self._skipped.items():
            self.warnings.append(f"skipped {count} damaged block(s): {reason} (first at {self._first_skip[reason]})")
