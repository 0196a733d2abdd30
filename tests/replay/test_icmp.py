"""ICMP errors in a capture reach the sender of the quoted datagram as R46 errors."""

from __future__ import annotations

import socket
import struct
from pathlib import Path

import dpkt
import pytest

from tests.conftest import SHARED_CAPTURES, reference_for
from wsarecv_cli.capture.decode import icmp_notice
from wsarecv_cli.net import Transport
from wsarecv_cli.replay.session import ReceiverOutcome, ReplayConfig, ReplaySession

C, S = socket.inet_aton("10.0.0.1"), socket.inet_aton("10.0.0.2")


def _udp_ip(src: bytes, dst: bytes, sport: int, dport: int, data: bytes) -> dpkt.ip.IP:
    udp = dpkt.udp.UDP(sport=sport, dport=dport, data=data)
    udp.ulen = len(udp)
    ip = dpkt.ip.IP(src=src, dst=dst, p=dpkt.ip.IP_PROTO_UDP, data=udp, ttl=64)
    ip.len = len(ip)
    return ip


def _icmp_ip(kind_type: int, code: int, quoted: dpkt.ip.IP) -> dpkt.ip.IP:
    body = bytes(quoted)[:28]  # the quoted IP header and the first 8 bytes (the UDP header)
    icmp = dpkt.icmp.ICMP(type=kind_type, code=code, data=b"\x00\x00\x00\x00" + body)
    ip = dpkt.ip.IP(src=S, dst=C, p=dpkt.ip.IP_PROTO_ICMP, data=icmp, ttl=64)
    ip.len = len(ip)
    return ip


def _write(path: Path, ips: list[dpkt.ip.IP]) -> Path:
    with path.open("wb") as handle:
        writer = dpkt.pcap.Writer(handle)
        for i, ip in enumerate(ips):
            eth = dpkt.ethernet.Ethernet(src=b"\x00" * 6, dst=b"\x00" * 6, type=dpkt.ethernet.ETH_TYPE_IP, data=ip)
            writer.writepkt(bytes(eth), ts=1_700_000_000 + i / 1000)
    return path


@pytest.mark.parametrize(
    "icmp_type, code, kind",
    [(3, 3, "port-unreachable"), (11, 0, "time-exceeded"), (3, 1, None), (8, 0, None)],
    ids=["port-unreachable", "time-exceeded", "host-unreachable-ignored", "echo-ignored"],
)
def test_icmpv4_errors_quoting_udp_become_notices(icmp_type: int, code: int, kind: str | None) -> None:
    icmp = bytes(_icmp_ip(icmp_type, code, _udp_ip(C, S, 5000, 53, b"query")).data)
    notice = icmp_notice(1, icmp, 7, 123)
    if kind is None:
        assert notice is None
    else:
        assert notice.kind == kind and notice.transport is Transport.UDP
        assert (notice.src_addr, notice.src_port, notice.dst_addr, notice.dst_port) == (C, 5000, S, 53)


def test_icmpv6_port_unreachable_quoting_udp() -> None:
    src, dst = socket.inet_pton(socket.AF_INET6, "2001:db8::1"), socket.inet_pton(socket.AF_INET6, "2001:db8::2")
    quoted = struct.pack("!IHBB16s16s", 6 << 28, 13, 17, 64, src, dst) + struct.pack("!HHHH", 4000, 53, 13, 0)
    notice = icmp_notice(58, bytes([1, 4, 0, 0, 0, 0, 0, 0]) + quoted, 1, 0)
    assert notice.kind == "port-unreachable" and (notice.src_port, notice.dst_port) == (4000, 53)


def test_port_unreachable_fails_the_senders_next_receive_and_the_socket_stays_open(tmp_path: Path) -> None:
    query = _udp_ip(C, S, 5000, 53, b"query")
    capture = _write(tmp_path / "icmp.pcap", [query, _udp_ip(S, C, 53, 5000, b"answer"),
                                              _icmp_ip(3, 3, _udp_ip(C, S, 5000, 53, b"again")),
                                              _udp_ip(S, C, 53, 5000, b"late answer")])
    outcomes = [item.outcome for item in ReplaySession(str(capture), ReplayConfig())
                if isinstance(item, ReceiverOutcome) and str(item.key.receiver) == "10.0.0.1:5000"]
    errors = [o.error.name if o.error else None for o in outcomes if o.bytes or o.error]
    assert errors == [None, "WSAECONNRESET", None]  # answer, the ICMP error (R46), the late answer
    assert "R46" in next(o for o in outcomes if o.error).rules


def test_corpus_afs_every_icmp_error_reaches_its_sender() -> None:
    capture = SHARED_CAPTURES / "tcpdump_afs_udp_fragments.pcap"
    if not capture.exists():
        pytest.skip(f"public capture corpus not found at {SHARED_CAPTURES}")
    resets = sum(1 for item in ReplaySession(str(capture), ReplayConfig())
                 if isinstance(item, ReceiverOutcome) and item.outcome.error is not None
                 and item.outcome.error.name in ("WSAECONNRESET", "WSAENETRESET"))
    assert resets == reference_for(capture)["features"]["icmp_errors_quoting_tcp_or_udp"]
