"""The lean pass: capture records decoded straight from the read buffer into a consumer.

Theory of operation: the general path builds a RawFrame or a `Packet` (16 fields) per frame,
hands them out in lists through `PacketStream`, and the flow tracker unpacks the Packet again;
for `wsarecv flows` that plumbing cost more than the flow work. `lean_batches` instead installs a
record taker in the pcap walker (`pcap.RecordSlot`) from the second read buffer on: one loop walks
the classic pcap records, decodes the common frames itself and passes their fields straight to
`feed` (`FlowTracker.feed`) as a plain tuple of a Packet's fields, without building the Packet
(tuple.__new__ on a NamedTuple class) or the lists and generators around it. The common frames are those `decode.fast_decode` takes, on the common link types:
  * Ethernet (one 802.1Q tag at most), Linux SLL and SLL2, raw IP;
  * IPv4 without options or fragmentation, IPv6 without extension headers;
  * TCP or UDP, complete (not cut by the snaplen), lengths consistent.
Every other frame (fragments, options, other link types, ICMP, truncation, malformed headers)
becomes the RawFrame the general path would have made and goes through `PacketStream.general`
(decode_frame, IP reassembly) at its place in the capture, so the order of packets, frame
numbers, times and DecodeStats are the general path's (tests/capture/test_lean.py compares the
two on every capture and on generated frames). The first read buffer, read when the capture was
opened, comes out of `lean_batches` as Packets for the consumer to feed itself.

pcapng (several interfaces and link types, Simple Packet Blocks) is taken a packet block at a
time: its walker calls `frame_takers`' functions from its block loop (`pcapng.FrameSlot`) rather
than this module walking the blocks, so the block rules stay in one place.

Not taken (the general path throughout): checksum verification, consumers that want ICMP notices.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator

from wsarecv_cli.capture.decode import ETH_IPV4, ETH_IPV6, syn_mss
from wsarecv_cli.capture.stream import PacketStream
from wsarecv_cli.net import Packet, RawFrame, Transport

_TCP, _UDP = Transport.TCP, Transport.UDP
_new = tuple.__new__
# From the IP header through a TCP header (a UDP header fits in the same fields: its length is
# the top half of `seq`). IPv4: ver/ihl, total length, fragment field, protocol, src, dst;
# IPv6: ver/class, payload length, next header, src, dst; then sport dport seq ack doff flags win urg.
_IP4 = struct.Struct("!BxH2xHxB2x4s4sHHIIBBH2xH").unpack_from
_IP6 = struct.Struct("!B3xHBx16s16sHHIIBBH2xH").unpack_from
# Ethernet from the type field (offset 12), as decode.fast_decode reads it: one call per frame.
_ETH_IP4 = struct.Struct("!HBxH2xHxB2x4s4sHHIIBBH2xH").unpack_from
_u16 = struct.Struct("!H").unpack_from

Feed = Callable[[tuple], object]  # FlowTracker.feed: a Packet, or a plain tuple of its 16 fields
# A link type's decoder: (buf, start, end, frame number, time, feed) -> 6 or 17 when it fed a
# TCP or UDP packet, 0 when the frame must go the general way.
Decoder = Callable[[bytes, int, int, int, int, Feed], int]


def _transport(buf: bytes, pos: int, stop: int, index: int, ts: int, feed: Feed, proto: int, src: bytes,
               dst: bytes, sport: int, dport: int, seq: int, ack: int, doff: int, flags: int, win: int,
               urg: int) -> int:
    """The TCP or UDP header already unpacked at buf[pos:], its IP datagram ending at `stop`."""
    if proto == 6:
        hl = (doff >> 4) * 4
        if 20 <= hl <= stop - pos:
            mss = syn_mss(buf, pos + 20, pos + hl) if flags & 2 and hl > 20 else 0
            feed((index, ts, _TCP, src, sport, dst, dport, buf[pos + hl:stop], seq, ack, flags, urg, win, 0,
                  (index,), mss))
            return 6
    elif proto == 17:
        ulen = seq >> 16
        if 8 <= ulen <= stop - pos:
            feed((index, ts, _UDP, src, sport, dst, dport, buf[pos + 8:pos + ulen], 0, 0, 0, 0, 0, 0, (index,), 0))
            return 17
    return 0


def _ip(buf: bytes, off: int, end: int, index: int, ts: int, feed: Feed) -> int:
    """An IP packet (either version) at buf[off:end]."""
    if end - off < 40:
        return 0
    version = buf[off] >> 4
    if version == 4:
        vihl, total, frag, proto, src, dst, sport, dport, seq, ack, doff, flags, win, urg = _IP4(buf, off)
        if vihl != 0x45 or frag & 0x3FFF or total < 20 or off + total > end:
            return 0
        return _transport(buf, off + 20, off + total, index, ts, feed, proto, src, dst, sport, dport, seq, ack,
                          doff, flags, win, urg)
    if version == 6 and end - off >= 60:
        _, plen, proto, src, dst, sport, dport, seq, ack, doff, flags, win, urg = _IP6(buf, off)
        if not plen or off + 40 + plen > end:
            return 0
        return _transport(buf, off + 40, off + 40 + plen, index, ts, feed, proto, src, dst, sport, dport, seq,
                          ack, doff, flags, win, urg)
    return 0


def _ethernet(buf: bytes, start: int, end: int, index: int, ts: int, feed: Feed) -> int:
    """Ethernet; TCP/UDP over untagged IPv4, most of any capture, decoded with one unpack and no
    call but the feed."""
    if end - start < 54:
        return 0
    (et, vihl, total, frag, proto, src, dst, sport, dport,
     seq, ack, doff, flags, win, urg) = _ETH_IP4(buf, start + 12)
    if et == ETH_IPV4:
        if vihl != 0x45 or frag & 0x3FFF or total < 20 or start + 14 + total > end:
            return 0
        if proto == 6:
            hl = (doff >> 4) * 4
            if 20 <= hl <= total - 20:
                mss = syn_mss(buf, start + 54, start + 34 + hl) if flags & 2 and hl > 20 else 0
                feed((index, ts, _TCP, src, sport, dst, dport, buf[start + 34 + hl:start + 14 + total], seq, ack,
                      flags, urg, win, 0, (index,), mss))
                return 6
        elif proto == 17 and 8 <= seq >> 16 <= total - 20:  # seq's top half: the UDP length
            feed((index, ts, _UDP, src, sport, dst, dport, buf[start + 42:start + 34 + (seq >> 16)], 0, 0, 0, 0, 0,
                  0, (index,), 0))
            return 17
        return 0
    if et == ETH_IPV6:
        return _ip(buf, start + 14, end, index, ts, feed)
    if et == 0x8100 and end - start >= 18 and _u16(buf, start + 16)[0] in (ETH_IPV4, ETH_IPV6):
        return _ip(buf, start + 18, end, index, ts, feed)
    return 0


def _by_ethertype(at: int, off: int) -> Decoder:
    """Link types whose header ends at `off` with an Ethertype at `at` (SLL, SLL2)."""

    def decode(buf: bytes, start: int, end: int, index: int, ts: int, feed: Feed) -> int:
        if end - start < off or _u16(buf, start + at)[0] not in (ETH_IPV4, ETH_IPV6):
            return 0
        return _ip(buf, start + off, end, index, ts, feed)

    return decode


def _raw(buf: bytes, start: int, end: int, index: int, ts: int, feed: Feed) -> int:
    return _ip(buf, start, end, index, ts, feed)


# Link types decoded here (decode.l3_offset's common ones); the rest go the general way.
DECODERS: dict[int, Decoder] = {1: _ethernet, 113: _by_ethertype(14, 16), 276: _by_ethertype(0, 20),
                                **dict.fromkeys((101, 12, 14, 228, 229), _raw)}


def lean_batches(stream: PacketStream, feed: Feed) -> Iterator[list[Packet]]:
    """Packets of `stream` that the caller must feed itself (the first read buffer's; all of them
    when the capture does not suit the lean pass), while every later packet goes to
    `feed` (a plain tuple of a Packet's fields) as it is read. One list per read buffer (empty ones too: progress bars)."""
    install = _installer(stream, feed)
    for batch in stream.batches():
        yield batch
        if install is not None:
            install()
            install = None


def _installer(stream: PacketStream, feed: Feed) -> Callable[[], None] | None:
    """What puts the takers into the reader's slot, or None when the lean pass does not apply."""
    if stream.icmp or stream.verifies_checksums:
        return None
    record_slot, frame_slot = stream.source.record_slot, stream.source.frame_slot
    if record_slot is not None:
        take = record_taker(stream, feed)
        if take is None:
            return None

        def install_record_taker() -> None:
            record_slot.take = take

        return install_record_taker
    if frame_slot is not None:
        take_block, take_frame = frame_takers(stream, feed)

        def install_frame_takers() -> None:
            frame_slot.take_frame = take_frame
            frame_slot.take = take_block

        return install_frame_takers
    return None


def _general_feed(stream: PacketStream, feed: Feed) -> Callable[[RawFrame], None]:
    """A frame the lean pass does not decode: the general path's packet (if any) to `feed`."""
    general = stream.general

    def general_feed(frame: RawFrame) -> None:
        packet = general(frame)
        if packet is not None:
            feed(packet)

    return general_feed


def frame_takers(stream: PacketStream, feed: Feed) -> tuple[Callable[..., None], Callable[[RawFrame], None]]:
    """pcapng's `FrameSlot.take` (one Enhanced Packet Block's frame, decoded into `feed` when its
    link type and contents are common ones) and `take_frame` (any other packet block's frame)."""
    stats = stream.stats
    general_feed = _general_feed(stream, feed)
    decoders = DECODERS

    def take_frame(frame: RawFrame) -> None:
        stats.frames += 1
        general_feed(frame)

    def take(buf: bytes, start: int, end: int, index: int, ts: int, linktype: int, wire_len: int) -> None:
        decode = decoders.get(linktype)
        proto = 0 if decode is None else decode(buf, start, end, index, ts, feed)
        stats.frames += 1
        if proto == 6:
            stats.tcp += 1
        elif proto:
            stats.udp += 1
        else:
            general_feed(_new(RawFrame, (index, ts, linktype, buf[start:end], wire_len)))

    return take, take_frame


def record_taker(stream: PacketStream, feed: Feed) -> Callable[[bytes, int, int, int], tuple[int, int]] | None:
    """Classic pcap's `RecordSlot.take`: a buffer's records decoded into `feed` (module
    docstring), or None when the capture's link type is not one the lean pass decodes."""
    hdr = stream.source.pcap_header
    assert hdr is not None
    decode = DECODERS.get(hdr.linktype)
    if decode is None:
        return None
    unpack = struct.Struct(hdr.endian + "IIII").unpack_from
    frac_ns, rec_hdr, linktype, limit = hdr.frac_ns, hdr.rec_hdr, hdr.linktype, hdr.record_limit
    stats, general_feed = stream.stats, _general_feed(stream, feed)

    def take(buf: bytes, pos: int, end: int, index: int) -> tuple[int, int]:
        first = index
        tcp = udp = 0
        # pcap.pcap_batches' record loop, stopping where it stops
        while pos + rec_hdr <= end:
            sec, frac, caplen, wire_len = unpack(buf, pos)
            start = pos + rec_hdr
            pos = start + caplen
            if pos > end or caplen > limit:
                pos = start - rec_hdr
                break
            index += 1
            ts = sec * 1_000_000_000 + frac * frac_ns
            proto = decode(buf, start, pos, index, ts, feed)
            if proto == 6:
                tcp += 1
            elif proto:
                udp += 1
            else:
                general_feed(_new(RawFrame, (index, ts, linktype, buf[start:pos], wire_len)))
        stats.frames += index - first
        stats.tcp += tcp
        stats.udp += udp
        return pos, index

    return take
