"""read_packets: a capture as a stream of Packets, with IP reassembly and counters.

Theory of operation: `PacketStream` pulls *batches* of RawFrames from the reader and runs one loop
over each batch. The commonest frame — Ethernet, untagged, IPv4 with a 20-byte header, not a
fragment, TCP or UDP, not cut by the snaplen — is decoded right in that loop with two
`unpack_from` calls and one tuple; anything else goes to `decode.decode_frame` (same results,
more cases), whose Fragments go to the Defragmenter. Packets are handed out a batch at a time too,
so memory stays at one read buffer plus the bounded fragment store whatever the capture's size.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from wsarecv_cli.capture.decode import Fragment, decode_frame
from wsarecv_cli.capture.defrag import CaptureLimits, Defragmenter
from wsarecv_cli.capture.reader import CaptureInfo, CaptureSource, open_capture
from wsarecv_cli.capture.stats import DecodeStats
from wsarecv_cli.net import IcmpNotice, Packet, Transport

_new = tuple.__new__
# From the Ethernet type field (offset 12) through the TCP header: type, ver/ihl, total length,
# fragment field, protocol, src, dst, sport, dport, then TCP's seq ack doff flags win urg — one call.
_ETH_IP4_TCP = struct.Struct("!HBxH2xHxB2x4s4sHHIIBBH2xH").unpack_from
_TCP, _UDP = Transport.TCP, Transport.UDP


class PacketStream:
    """Iterator of Packet and context manager; `stats`, `warnings`, progress like CaptureSource."""

    def __init__(self, source: CaptureSource, limits: CaptureLimits, icmp: bool = False) -> None:
        self.source = source
        self.icmp = icmp  # also hand out IcmpNotices (replay's R46); others only count them
        self.stats = DecodeStats()
        self.warnings = source.warnings  # one list: reader damage and decode notes, in order
        self._defrag = Defragmenter(self.stats, limits, self.warnings)
        self._packets = self._run()

    @property
    def info(self) -> CaptureInfo:
        return self.source.info

    @property
    def bytes_read(self) -> int:
        return self.source.bytes_read

    @property
    def total_bytes(self) -> int | None:
        return self.source.total_bytes

    def __iter__(self) -> Iterator[Packet]:
        return self._packets

    def __next__(self) -> Packet:
        return next(self._packets)

    def batches(self) -> Iterator[list[Packet]]:
        """Packets a batch (one read buffer) at a time: fewer generator resumes for fast consumers."""
        return self._batches()

    def _run(self) -> Iterator[Packet]:
        for batch in self._batches():
            yield from batch

    def _batches(self) -> Iterator[list[Packet]]:
        stats = self.stats
        defrag_add = self._defrag.add
        frames = tcp = udp = 0
        for raw_batch in self.source.batches():
            out: list[Packet] = []
            append = out.append
            frames += len(raw_batch)
            for frame in raw_batch:
                index, ts, linktype, data, _ = frame
                if linktype == 1 and len(data) >= 54:
                    (et, vihl, total, frag, proto, src, dst, sport, dport,
                     seq, ack, doff, flags, win, urg) = _ETH_IP4_TCP(data, 12)
                    if et == 0x0800 and vihl == 0x45 and not frag & 0x3FFF and 34 <= total + 14 <= len(data):
                        if proto == 6:
                            hl = (doff >> 4) * 4
                            if 20 <= hl <= total - 20:
                                tcp += 1
                                append(_new(Packet, (index, ts, _TCP, src, sport, dst, dport,
                                                     data[34 + hl:14 + total], seq, ack, flags, urg, win, 0,
                                                     (index,))))
                                continue
                        elif proto == 17:
                            ulen = seq >> 16  # the UDP length field sits where TCP's seq starts
                            if 8 <= ulen <= total - 20:
                                udp += 1
                                append(_new(Packet, (index, ts, _UDP, src, sport, dst, dport,
                                                     data[42:34 + ulen], 0, 0, 0, 0, 0, 0, (index,))))
                                continue
                result = decode_frame(frame, stats)
                if result is None:
                    continue
                if result.__class__ is Fragment:
                    result = defrag_add(result)
                    if result is None:
                        continue
                if result.__class__ is IcmpNotice and not self.icmp:
                    continue
                append(result)
            stats.frames, stats.tcp, stats.udp = frames, stats.tcp + tcp, stats.udp + udp
            tcp = udp = 0
            if out:
                yield out
        self._defrag.flush()

    def close(self) -> None:
        self.source.close()

    def __enter__(self) -> PacketStream:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def read_packets(path: str, limits: CaptureLimits = CaptureLimits(),  # noqa: B008 - frozen
                 icmp: bool = False) -> PacketStream:
    """Open a capture ('-' = stdin) as Packets (and IcmpNotices with icmp=True); CaptureError if
    it cannot be read at all."""
    return PacketStream(open_capture(path), limits, icmp)
