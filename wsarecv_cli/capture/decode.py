"""RawFrame -> Packet (or a Fragment for defrag.py, or None counted in DecodeStats).

Theory of operation: `decode_frame` finds the network-layer offset for the frame's link type
(`l3_offset`), then decodes IPv4 or IPv6 (walking extension headers) and TCP or UDP with
`struct.unpack_from` at computed offsets; no intermediate objects are built. Lengths come from the
IP header, never from the frame length, so Ethernet padding is dropped and a snaplen-cut frame
reports `missing` = payload bytes the IP header promised but the capture lacks. An IP fragment
comes back as a `Fragment` record for the reassembler; `transport_packet` then decodes the
reassembled payload with the same TCP/UDP code.

The container walkers (pcap.py, pcapng.py) call `fast_decode` on every Ethernet record straight
from their read buffer, before any frame bytes are copied: the commonest frames (IPv4 without
options or fragmentation, optionally 802.1Q-tagged, or IPv6 without extension headers; TCP or UDP;
complete, not cut by the snaplen) become Packets with one `unpack_from` and one slice. Anything
else stays a RawFrame for `decode_frame`, which gives the same result for the common frames too
(tests/capture/test_corpus.py checks both against dpkt on every frame of the corpus). Encapsulations we do
not parse ourselves (PPPoE, MPLS, LLC/SNAP, PPP) go through dpkt (fallback.py) to find the IP
header, after which our own IP code takes over again.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

from wsarecv_cli.capture.stats import DecodeStats, SkipReason
from wsarecv_cli.net import IcmpNotice, Packet, RawFrame, Transport

_new = tuple.__new__


def syn_mss(data: bytes, start: int, stop: int) -> int:
    """The MSS option (kind 2, length 4) among the TCP options data[start:stop]; 0 when absent.
    Only SYN segments carry it, so only they pay for this walk."""
    pos = start
    while pos < stop:
        kind = data[pos]
        if kind == 0:  # end of options
            return 0
        if kind == 1:  # no-op
            pos += 1
            continue
        if pos + 1 >= stop:
            return 0
        length = data[pos + 1]
        if length < 2:
            return 0
        if kind == 2 and length == 4 and pos + 4 <= stop:
            return (data[pos + 2] << 8) | data[pos + 3]
        pos += length
    return 0

_TCP, _UDP = Transport.TCP, Transport.UDP
_u16 = struct.Struct("!H").unpack_from
_u32le = struct.Struct("<I").unpack_from
_IPV4 = struct.Struct("!BxHHHxB2x4s4s").unpack_from  # vihl, total, ident, frag, proto, src, dst
_IPV6 = struct.Struct("!4xHBx16s16s").unpack_from  # payload len, next header, src, dst
_TCPH = struct.Struct("!HHIIBBH2xH").unpack_from
_UDPH = struct.Struct("!HHH").unpack_from
_FRAG6 = struct.Struct("!BxHI").unpack_from
# From the Ethernet type field (frame offset 12) through the TCP header, one call per frame:
#   IPv4:        type, ver/ihl, total length, fragment field, protocol, src, dst, then TCP's
#                sport dport seq ack doff flags win urg;
#   802.1Q+IPv4: the tag's TPID, the inner type, then the same;
#   IPv6:        type, ver/class, payload length, next header, src, dst, then TCP's fields.
# A UDP header fits in the same fields: its length sits in the top half of `seq`.
_ETH_IP4 = struct.Struct("!HBxH2xHxB2x4s4sHHIIBBH2xH").unpack_from
_ETH_VLAN_IP4 = struct.Struct("!H2xHBxH2xHxB2x4s4sHHIIBBH2xH").unpack_from
_ETH_IP6 = struct.Struct("!HB3xHBx16s16sHHIIBBH2xH").unpack_from
VLAN_TPIDS = (0x8100, 0x88A8, 0x9100)
ETH_IPV4, ETH_IPV6 = 0x0800, 0x86DD
AF_INET6 = (10, 24, 28, 30)  # Linux, BSD, FreeBSD, macOS
IPV6_EXT = (0, 43, 60)  # hop-by-hop, routing, destination options: (len + 1) * 8 bytes
IPV6_AH, IPV6_FRAG = 51, 44


class Fragment(NamedTuple):
    """One IP fragment's share of a datagram, for defrag.py."""

    key: tuple
    offset: int
    length: int  # bytes the IP header says this fragment carries
    more: bool
    data: bytes  # what was captured of them (shorter when the snaplen cut the frame)
    proto: int
    src: bytes
    dst: bytes
    frame: int
    ts_ns: int


def fast_decode(buf: bytes, start: int, end: int, index: int, ts: int) -> Packet | None:
    """The Ethernet frame buf[start:end] as a Packet if it is one of the common cases (module
    docstring), else None: then build a RawFrame for `decode_frame`. Never counts anything."""
    n = end - start
    if n < 54:
        return None
    (et, vihl, total, frag, proto, src, dst, sport, dport,
     seq, ack, doff, flags, win, urg) = _ETH_IP4(buf, start + 12)
    if et == ETH_IPV6:
        if n < 74:
            return None
        (_, vtc, plen, proto, src, dst, sport, dport,
         seq, ack, doff, flags, win, urg) = _ETH_IP6(buf, start + 12)
        pos = start + 54
        stop = pos + plen
        if vtc >> 4 != 6 or not plen or stop > end:
            return None
    else:
        off = start + 14
        if et != ETH_IPV4:
            if et != 0x8100 or n < 58:
                return None
            (_, et, vihl, total, frag, proto, src, dst, sport, dport,
             seq, ack, doff, flags, win, urg) = _ETH_VLAN_IP4(buf, start + 12)
            if et != ETH_IPV4:
                return None
            off += 4
        if vihl != 0x45 or frag & 0x3FFF or total < 20 or off + total > end:
            return None
        pos = off + 20
        stop = off + total
    if proto == 6:
        hl = (doff >> 4) * 4
        if 20 <= hl <= stop - pos:
            mss = syn_mss(buf, pos + 20, pos + hl) if flags & 2 and hl > 20 else 0
            return _new(Packet, (index, ts, _TCP, src, sport, dst, dport, buf[pos + hl:stop], seq, ack, flags,
                                 urg, win, 0, (index,), mss))
    elif proto == 17:
        ulen = seq >> 16
        if 8 <= ulen <= stop - pos:
            return _new(Packet, (index, ts, _UDP, src, sport, dst, dport, buf[pos + 8:pos + ulen], 0, 0, 0, 0,
                                 0, 0, (index,), 0))
    return None


def l3_offset(linktype: int, data: bytes) -> tuple[int, int] | SkipReason:
    """(IP version 4|6, offset of the IP header) for a frame, or why there is none."""
    n = len(data)
    if linktype == 1:
        if n < 14:
            return SkipReason.LINK_TRUNCATED
        et, off = _u16(data, 12)[0], 14
        while et in VLAN_TPIDS:  # 802.1Q / 802.1ad, stacked
            if n < off + 4:
                return SkipReason.LINK_TRUNCATED
            et, off = _u16(data, off + 2)[0], off + 4
        return _by_ethertype(et, off, data)
    if linktype == 113:
        return SkipReason.LINK_TRUNCATED if n < 16 else _by_ethertype(_u16(data, 14)[0], 16, data)
    if linktype == 276:
        return SkipReason.LINK_TRUNCATED if n < 20 else _by_ethertype(_u16(data, 0)[0], 20, data)
    if linktype in (101, 12, 14, 228, 229):
        return _by_version(data, 0)
    if linktype in (0, 108):
        if n < 4:
            return SkipReason.LINK_TRUNCATED
        af = _u32le(data, 0)[0]
        if linktype == 108 or af > 0xFFFF:  # LOOP is big-endian; NULL is the writer's order
            af = int.from_bytes(data[:4], "big")
        if af == 2:
            return (4, 4)
        return (6, 4) if af in AF_INET6 else SkipReason.NOT_IP
    # dpkt is imported on first use, not by every command (~30 ms of start-up)
    from wsarecv_cli.capture import fallback

    found = fallback.find_ip(linktype, data)
    return found if found is not None else SkipReason.LINKTYPE


def _by_ethertype(et: int, off: int, data: bytes) -> tuple[int, int] | SkipReason:
    if et == ETH_IPV4:
        return (4, off)
    if et == ETH_IPV6:
        return (6, off)
    # dpkt is imported on first use, not by every command (~30 ms of start-up)
    from wsarecv_cli.capture import fallback

    found = fallback.find_ip_in_ethernet_payload(et, data, off)
    return found if found is not None else SkipReason.NOT_IP


def _by_version(data: bytes, off: int) -> tuple[int, int] | SkipReason:
    if len(data) <= off:
        return SkipReason.IP_TRUNCATED
    version = data[off] >> 4
    return (version, off) if version in (4, 6) else SkipReason.NOT_IP


def decode_frame(frame: RawFrame, stats: DecodeStats) -> Packet | Fragment | None:
    """Decode one frame; None (counted in stats) when it holds no TCP/UDP we can use."""
    index, ts, linktype, data, _ = frame
    where = l3_offset(linktype, data)
    if where.__class__ is SkipReason:
        stats.skip(where)
        if where is SkipReason.LINKTYPE:
            stats.skipped_linktypes[linktype] += 1
        return None
    version, off = where
    result = (decode_ipv4 if version == 4 else decode_ipv6)(data, off, index, ts, stats)
    if result.__class__ is SkipReason:
        stats.skip(result)
        return None
    return result


def decode_ipv4(data: bytes, off: int, index: int, ts: int, stats: DecodeStats):
    if len(data) < off + 20:
        return SkipReason.IP_TRUNCATED
    vihl, total, ident, frag, proto, src, dst = _IPV4(data, off)
    hl = (vihl & 15) * 4
    if vihl >> 4 != 4 or hl < 20:
        return SkipReason.IP_MALFORMED
    if len(data) < off + hl:
        return SkipReason.IP_TRUNCATED
    if total == 0:  # TSO on the capturing host: the real length is the frame's
        total = len(data) - off
    if total < hl:
        return SkipReason.IP_MALFORMED
    end = off + total
    if frag & 0x3FFF:
        stats.fragments += 1
        return _new(Fragment, ((4, src, dst, ident, proto), (frag & 0x1FFF) * 8, total - hl, bool(frag & 0x2000),
                               data[off + hl:end], proto, src, dst, index, ts))
    return transport_packet(proto, data, off + hl, end, src, dst, index, ts, stats)


def walk_ipv6_ext(data: bytes, pos: int, nh: int, end: int) -> tuple[int, int] | SkipReason:
    """Skip hop-by-hop/routing/dst-opts/AH headers: (next header, offset after them)."""
    while nh in IPV6_EXT or nh == IPV6_AH:
        if pos + 8 > min(end, len(data)):
            return SkipReason.IP_TRUNCATED if pos + 8 > len(data) else SkipReason.IP_MALFORMED
        length = (data[pos + 1] + 2) * 4 if nh == IPV6_AH else (data[pos + 1] + 1) * 8
        nh, pos = data[pos], pos + length
    if pos > end:
        return SkipReason.IP_MALFORMED
    return nh, pos


def decode_ipv6(data: bytes, off: int, index: int, ts: int, stats: DecodeStats):
    if len(data) < off + 40:
        return SkipReason.IP_TRUNCATED
    plen, nh, src, dst = _IPV6(data, off)
    if data[off] >> 4 != 6:
        return SkipReason.IP_MALFORMED
    # Payload length 0 means a jumbogram (or TSO): take what the frame holds.
    end = off + 40 + plen if plen else len(data)
    walked = walk_ipv6_ext(data, off + 40, nh, end)
    if walked.__class__ is SkipReason:
        return walked
    nh, pos = walked
    if nh == IPV6_FRAG:
        if pos + 8 > len(data) or pos + 8 > end:
            return SkipReason.IP_TRUNCATED if pos + 8 > len(data) else SkipReason.IP_MALFORMED
        inner, offmf, ident = _FRAG6(data, pos)
        pos += 8
        if offmf & 0xFFF9:  # a real fragment (not an "atomic" one with offset 0 and M=0)
            stats.fragments += 1
            return _new(Fragment, ((6, src, dst, ident), offmf & 0xFFF8, end - pos, bool(offmf & 1),
                                   data[pos:end], inner, src, dst, index, ts))
        walked = walk_ipv6_ext(data, pos, inner, end)
        if walked.__class__ is SkipReason:
            return walked
        nh, pos = walked
    return transport_packet(nh, data, pos, end, src, dst, index, ts, stats)


def transport_packet(proto: int, data: bytes, pos: int, end: int, src: bytes, dst: bytes,
                     index: int, ts: int, stats: DecodeStats, frames: tuple[int, ...] = ()):
    """TCP/UDP at data[pos:end] (end from the IP header; data may stop earlier) -> Packet."""
    have = min(end, len(data))
    if proto == 6:
        if pos + 20 > have:
            return SkipReason.TRANSPORT_TRUNCATED if end >= pos + 20 else SkipReason.TCP_MALFORMED
        sport, dport, seq, ack, doff, flags, win, urg = _TCPH(data, pos)
        hl = (doff >> 4) * 4
        if hl < 20 or pos + hl > end:
            return SkipReason.TCP_MALFORMED
        if pos + hl > have:
            return SkipReason.TRANSPORT_TRUNCATED
        missing = end - have
        if missing:
            stats.truncated += 1
        stats.tcp += 1
        mss = syn_mss(data, pos + 20, pos + hl) if flags & 2 and hl > 20 else 0
        return _new(Packet, (index, ts, _TCP, src, sport, dst, dport, data[pos + hl:have], seq, ack,
                             flags, urg, win, missing, frames or (index,), mss))
    if proto == 17:
        if pos + 8 > have:
            return SkipReason.TRANSPORT_TRUNCATED if end >= pos + 8 else SkipReason.UDP_MALFORMED
        sport, dport, ulen = _UDPH(data, pos)
        if ulen < 8:
            if ulen != 0:  # 0: a jumbogram over IPv6 (RFC 2675) — use the IP length
                return SkipReason.UDP_MALFORMED
            ulen = end - pos
        if ulen > end - pos:
            stats.udp_length_clamped += 1  # tshark keeps the UDP length; a real stack drops it
            ulen = end - pos
        dend = pos + ulen
        payload = data[pos + 8:min(dend, have)]
        missing = ulen - 8 - len(payload)
        if missing:
            stats.truncated += 1
        stats.udp += 1
        return _new(Packet, (index, ts, _UDP, src, sport, dst, dport, payload, 0, 0, 0, 0, 0, missing,
                             frames or (index,), 0))
    if proto in (1, 58):
        notice = icmp_notice(proto, data[pos:have], index, ts)
        if notice is not None:
            stats.icmp_notices += 1
            return notice
    return SkipReason.NOT_TCP_UDP


# (ICMP protocol, type, code or None for any) -> the kinds spec R46 gives a meaning to.
_ICMP_KINDS = {(1, 3, 3): "port-unreachable", (1, 11, None): "time-exceeded",
               (58, 1, 4): "port-unreachable", (58, 3, None): "time-exceeded"}


def icmp_notice(proto: int, icmp: bytes, index: int, ts: int) -> IcmpNotice | None:
    """An ICMP error quoting a UDP/TCP header -> IcmpNotice; None for anything else."""
    if len(icmp) < 8:
        return None
    kind = _ICMP_KINDS.get((proto, icmp[0], icmp[1])) or _ICMP_KINDS.get((proto, icmp[0], None))
    if kind is None:
        return None
    quoted = icmp[8:]
    if proto == 1:
        if len(quoted) < 20 or quoted[0] >> 4 != 4:
            return None
        hl, inner, src, dst = (quoted[0] & 15) * 4, quoted[9], quoted[12:16], quoted[16:20]
    else:
        if len(quoted) < 40 or quoted[0] >> 4 != 6:
            return None
        hl, inner, src, dst = 40, quoted[6], quoted[8:24], quoted[24:40]
    if inner not in (6, 17) or len(quoted) < hl + 4:
        return None
    sport, dport = struct.unpack_from("!HH", quoted, hl)
    return _new(IcmpNotice, (index, ts, kind, Transport(inner), src, sport, dst, dport))
