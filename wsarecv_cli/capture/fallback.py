"""dpkt at the boundary: the fallback for rare encapsulations and the reference decoder for tests.

Theory of operation: our own struct code (decode.py) handles the link types and IP/TCP/UDP that
real captures carry. For rarer wrappings — PPPoE, MPLS, 802.3 LLC/SNAP inside Ethernet, PPP link
types — dpkt peels the outer layers, and we only ask it *where the IP header starts*; decoding
continues in decode.py so every Packet is built one way. dpkt's exceptions never escape.

`reference_decode` is an independent, pure-dpkt decoder used by the differential tests to check
the hot path field by field. It is deliberately simple (no defragmentation: fragments are
reported as such) and is not used on the hot path.
"""

from __future__ import annotations

from struct import error as struct_error  # dpkt raises bare struct.error on short input

import dpkt

from wsarecv_cli.net import Packet, Transport

_ENCAPS = {0x8864, 0x8847, 0x8848}  # PPPoE session, MPLS unicast/multicast
_PPP_LINKTYPES = {9: dpkt.ppp.PPP, 50: dpkt.ppp.PPP, 51: dpkt.pppoe.PPPoE}


def _locate(data: bytes, layer) -> tuple[int, int] | None:
    """Offset of an IP/IP6 object's bytes inside data (dpkt keeps no offsets, so search)."""
    if isinstance(layer, dpkt.ip.IP):
        version = 4
    elif isinstance(layer, dpkt.ip6.IP6):
        version = 6
    else:
        return None
    head = bytes(layer)[:20]
    off = data.find(head)
    return (version, off) if off >= 0 else None


def _ip_inside(layer, depth: int = 6):
    while depth and layer is not None and not isinstance(layer, (dpkt.ip.IP, dpkt.ip6.IP6, bytes)):
        layer = getattr(layer, "data", None)
        depth -= 1
    return layer


def find_ip_in_ethernet_payload(ethertype: int, data: bytes, off: int) -> tuple[int, int] | None:
    """(version, offset) of IP behind PPPoE/MPLS/LLC in an Ethernet frame, or None."""
    if ethertype not in _ENCAPS and ethertype > 1500:
        return None
    try:
        eth = dpkt.ethernet.Ethernet(data)
    except (dpkt.Error, ValueError, IndexError, KeyError, TypeError, AttributeError):
        return None
    return _locate(data, _ip_inside(eth.data))


def find_ip(linktype: int, data: bytes) -> tuple[int, int] | None:
    """(version, offset) of IP for link types decode.py does not parse itself (PPP)."""
    cls = _PPP_LINKTYPES.get(linktype)
    if cls is None:
        return None
    try:
        return _locate(data, _ip_inside(cls(data)))
    except (dpkt.Error, ValueError, IndexError, KeyError, TypeError, AttributeError):
        return None


# ---------------------------------------------------------------------------------------------
# Reference decoder (tests only)

def _link(linktype: int, data: bytes):
    if linktype == 1:
        return dpkt.ethernet.Ethernet(data)
    if linktype == 113:
        return dpkt.sll.SLL(data)
    if linktype == 276:
        return dpkt.sll2.SLL2(data)
    if linktype in (0, 108):
        return dpkt.loopback.Loopback(data)
    if linktype in (101, 12, 14, 228, 229):
        return dpkt.ip.IP(data) if data and data[0] >> 4 == 4 else dpkt.ip6.IP6(data)
    return None


def reference_decode(linktype: int, data: bytes, index: int = 0, ts_ns: int = 0) -> Packet | str:
    """A pure-dpkt decode to a Packet, or a short string saying why there is none."""
    try:
        ip = _ip_inside(_link(linktype, data))
    except (dpkt.Error, ValueError, IndexError, KeyError, TypeError, AttributeError, struct_error) as exc:
        return f"dpkt: {type(exc).__name__}"
    if not isinstance(ip, (dpkt.ip.IP, dpkt.ip6.IP6)):
        return "not ip"
    if isinstance(ip, dpkt.ip.IP):
        if ip.mf or ip.offset:
            return "fragment"
        total = ip.len or len(bytes(ip))
        l4_len = total - ip.hl * 4
    else:
        if getattr(ip, "extension_hdrs", {}).get(44) is not None and (ip.extension_hdrs[44].frag_off or ip.extension_hdrs[44].m_flag):
            return "fragment"
        l4_len = None  # computed below from the payload length
    l4 = ip.data
    if isinstance(l4, dpkt.tcp.TCP):
        payload = bytes(l4.data)
        if l4_len is None:
            l4_len = ip.plen - _ext_len(ip)
        missing = l4_len - l4.off * 4 - len(payload)
        mss = 0
        if l4.flags & dpkt.tcp.TH_SYN:
            for kind, value in dpkt.tcp.parse_opts(l4.opts):
                if kind == dpkt.tcp.TCP_OPT_MSS and len(value) == 2:
                    mss = int.from_bytes(value, "big")
                    break
        return Packet(index, ts_ns, Transport.TCP, ip.src, l4.sport, ip.dst, l4.dport, payload, l4.seq, l4.ack,
                      l4.flags, l4.urp, l4.win, missing, (index,), mss)
    if isinstance(l4, dpkt.udp.UDP):
        if l4_len is None:
            l4_len = ip.plen - _ext_len(ip)
        ulen = min(l4.ulen, l4_len)
        payload = bytes(l4.data)[:ulen - 8]
        return Packet(index, ts_ns, Transport.UDP, ip.src, l4.sport, ip.dst, l4.dport, payload, 0, 0, 0, 0, 0,
                      ulen - 8 - len(payload), (index,))
    return "not tcp/udp"


def _ext_len(ip6) -> int:
    return sum(len(bytes(h)) for h in getattr(ip6, "extension_hdrs", {}).values() if h is not None)

