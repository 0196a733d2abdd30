"""Link types, VLAN/QinQ, IPv6 extension headers, truncation and malformed headers."""

from __future__ import annotations

import struct

import pytest

from tests.capture import builders as b
from wsarecv_cli.capture import DecodeStats, SkipReason, decode_frame
from wsarecv_cli.capture.fallback import reference_decode
from wsarecv_cli.net import RawFrame, Transport

TCP4 = b.ipv4(b.tcp_hdr(seq=7, ack=9, flags=0x38, win=99, urg=1) + b"payload")
UDP4 = b.ipv4(b.udp_hdr(payload_len=4) + b"ping", proto=17)
TCP6 = b.ipv6(b.tcp_hdr() + b"six")


def decode(linktype, data, wire=None, stats=None):
    stats = stats or DecodeStats()
    return decode_frame(RawFrame(1, 0, linktype, data, wire or len(data)), stats), stats


LINK_CASES = [
    pytest.param(1, b.ether(TCP4), id="ethernet"),
    pytest.param(1, b.ether(TCP4, tags=[(0x8100, 42)]), id="802.1q"),
    pytest.param(1, b.ether(TCP4, tags=[(0x88A8, 1), (0x8100, 42)]), id="qinq-802.1ad"),
    pytest.param(1, b.ether(TCP4, tags=[(0x9100, 1), (0x8100, 2), (0x8100, 3)]), id="triple-tag"),
    pytest.param(1, b.ether(TCP6, 0x86DD), id="ethernet-ipv6"),
    pytest.param(113, b"\x00\x00\x00\x01\x00\x06" + b"\x00" * 8 + b"\x08\x00" + TCP4, id="sll"),
    pytest.param(276, b"\x08\x00\x00\x00" + b"\x00" * 16 + TCP4, id="sll2"),
    pytest.param(276, b"\x86\xdd\x00\x00" + b"\x00" * 16 + TCP6, id="sll2-ipv6"),
    pytest.param(101, TCP4, id="raw-101-v4"),
    pytest.param(101, TCP6, id="raw-101-v6"),
    pytest.param(12, TCP4, id="raw-12"),
    pytest.param(14, TCP4, id="raw-14"),
    pytest.param(228, TCP4, id="ipv4-228"),
    pytest.param(229, TCP6, id="ipv6-229"),
    pytest.param(0, struct.pack("<I", 2) + TCP4, id="null-le-inet"),
    pytest.param(0, struct.pack(">I", 2) + TCP4, id="null-be-inet"),
    pytest.param(0, struct.pack("<I", 24) + TCP6, id="null-inet6-24"),
    pytest.param(0, struct.pack("<I", 28) + TCP6, id="null-inet6-28"),
    pytest.param(0, struct.pack("<I", 30) + TCP6, id="null-inet6-30"),
    pytest.param(108, struct.pack(">I", 2) + TCP4, id="loop-inet"),
    pytest.param(108, struct.pack(">I", 24) + TCP6, id="loop-inet6"),
]


@pytest.mark.parametrize("linktype,data", LINK_CASES)
def test_link_types_reach_tcp(linktype, data):
    pkt, stats = decode(linktype, data)
    assert pkt.transport is Transport.TCP
    assert pkt.payload in (b"payload", b"six")
    assert pkt.missing == 0 and pkt.frames == (1,)
    ref = reference_decode(linktype, data, 1)
    if not isinstance(ref, str):  # dpkt agrees wherever it decodes the frame at all
        assert ref == pkt


def test_tcp_fields():
    pkt, _ = decode(1, b.ether(TCP4 + b"\x00" * 6))  # Ethernet padding is not payload
    assert (pkt.src_addr, pkt.src_port, pkt.dst_addr, pkt.dst_port) == (b.SRC4, 1234, b.DST4, 80)
    assert (pkt.seq, pkt.ack, pkt.flags, pkt.window, pkt.urg, pkt.payload) == (7, 9, 0x38, 99, 1, b"payload")


def test_udp_and_ip_options():
    pkt, _ = decode(1, b.ether(b.ipv4(b.udp_hdr(payload_len=4) + b"ping", proto=17, ihl=7)))
    assert pkt.transport is Transport.UDP and pkt.payload == b"ping"


@pytest.mark.parametrize("ext", [
    pytest.param([0], id="hop-by-hop"), pytest.param([43], id="routing"), pytest.param([60], id="dst-opts"),
    pytest.param([51], id="ah"), pytest.param([0, 43, 60], id="chain"), pytest.param([44], id="atomic-fragment"),
])
def test_ipv6_extension_headers(ext):
    chain = b""
    kinds = ext + [17]
    for kind, nxt in zip(kinds, kinds[1:]):
        if kind == 51:
            chain += bytes([nxt, 2]) + b"\x00" * 14  # AH: (2 + 2) * 4 = 16 bytes
        elif kind == 44:
            chain += b.frag6(nxt, 0, False, 99)
        else:
            chain += b.ext_hdr(nxt, 2)
    pkt, _ = decode(1, b.ether(b.ipv6(b.udp_hdr(payload_len=3) + b"abc", nh=ext[0], ext=chain), 0x86DD))
    assert pkt.transport is Transport.UDP and pkt.payload == b"abc"


@pytest.mark.parametrize("cut,missing", [pytest.param(10, 0, id="exact"), pytest.param(4, 3, id="cut-3")])
def test_snaplen_truncation_sets_missing(cut, missing):
    frame = b.ether(b.ipv4(b.tcp_hdr() + b"0123456"))
    captured = frame[:len(frame) - (7 - cut) if cut < 7 else len(frame)]
    pkt, stats = decode(1, captured, wire=len(frame))
    assert pkt.payload == b"0123456"[:min(cut, 7)] and pkt.missing == missing
    assert stats.truncated == (1 if missing else 0)


def test_udp_truncated_missing_from_ip_length():
    frame = b.ether(b.ipv4(b.udp_hdr(payload_len=100) + bytes(100), proto=17))
    pkt, _ = decode(1, frame[:60], wire=len(frame))
    assert len(pkt.payload) == 60 - 42 and pkt.missing == 100 - 18


def test_udp_length_beyond_ip_is_bounded():
    pkt, stats = decode(1, b.ether(b.ipv4(b.udp_hdr(ulen=5000) + b"abcd", proto=17)))
    assert pkt.payload == b"abcd" and pkt.missing == 0 and stats.udp_length_clamped == 1


@pytest.mark.parametrize("linktype,data,reason", [
    pytest.param(1, b"\x00" * 8, SkipReason.LINK_TRUNCATED, id="eth-cut"),
    pytest.param(1, b.ether(b"\x00" * 28, 0x0806), SkipReason.NOT_IP, id="arp"),
    pytest.param(1, b.ether(TCP4)[:25], SkipReason.IP_TRUNCATED, id="ip-cut"),
    pytest.param(1, b.ether(b.ipv4(b.tcp_hdr(), ihl=5)[:0] + bytes([0x44]) + TCP4[1:]), SkipReason.IP_MALFORMED, id="ihl-4"),
    pytest.param(1, b.ether(b.ipv4(b"\x08\x00" + b"\x00" * 6, proto=1)), SkipReason.NOT_TCP_UDP, id="icmp"),
    pytest.param(1, b.ether(b.ipv4(b.tcp_hdr())[:30]), SkipReason.TRANSPORT_TRUNCATED, id="tcp-header-cut"),
    pytest.param(1, b.ether(b.ipv4(b.tcp_hdr()[:12] + b"\xf0" + b.tcp_hdr()[13:])), SkipReason.TCP_MALFORMED,
                 id="tcp-doff-beyond"),
    pytest.param(1, b.ether(b.ipv4(b.tcp_hdr()[:12] + b"\x30" + b.tcp_hdr()[13:])), SkipReason.TCP_MALFORMED,
                 id="tcp-doff-3"),
    pytest.param(1, b.ether(b.ipv4(b.udp_hdr(ulen=4), proto=17)), SkipReason.UDP_MALFORMED, id="udp-len-4"),
    pytest.param(1, b.ether(b.ipv6(b.tcp_hdr(), nh=0, ext=b"\x06\x05"), 0x86DD), SkipReason.IP_MALFORMED,
                 id="ipv6-ext-cut"),
    pytest.param(101, b"\x50" + TCP4[1:], SkipReason.NOT_IP, id="raw-version-5"),
])
def test_skip_reasons(linktype, data, reason):
    pkt, stats = decode(linktype, data)
    assert pkt is None and stats.skipped[reason] == 1


def test_unknown_linktype_is_named():
    stats = DecodeStats()
    for _ in range(3):
        decode(274, b"\x00" * 40, stats=stats)
    assert stats.skipped_linktypes[274] == 3
    assert "linktype 274 (unknown): 3 frames" in stats.skip_lines()
