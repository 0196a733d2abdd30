"""A small pcap written with dpkt for the flows/follow CLI tests: one TCP connection with a lost
segment the receiver acknowledged (a 14-byte gap), and one DNS-like UDP exchange."""

from __future__ import annotations

import socket
from pathlib import Path

import dpkt

C, S = socket.inet_aton("10.0.0.1"), socket.inet_aton("10.0.0.2")
BODY = b"HTTP/1.0 200 OK\r\n\r\n" + b"x" * 14 + b"tail"


def _tcp(src, dst, sport, dport, seq, ack, flags, data=b""):
    tcp = dpkt.tcp.TCP(sport=sport, dport=dport, seq=seq, ack=ack, flags=flags, win=8192, data=data)
    ip = dpkt.ip.IP(src=src, dst=dst, p=dpkt.ip.IP_PROTO_TCP, data=tcp, ttl=64)
    ip.len = len(ip)
    return dpkt.ethernet.Ethernet(src=b"\x00" * 6, dst=b"\x00" * 6, data=ip, type=dpkt.ethernet.ETH_TYPE_IP)


def _udp(src, dst, sport, dport, data):
    udp = dpkt.udp.UDP(sport=sport, dport=dport, data=data)
    udp.ulen = len(udp)
    ip = dpkt.ip.IP(src=src, dst=dst, p=dpkt.ip.IP_PROTO_UDP, data=udp, ttl=64)
    ip.len = len(ip)
    return dpkt.ethernet.Ethernet(src=b"\x00" * 6, dst=b"\x00" * 6, data=ip, type=dpkt.ethernet.ETH_TYPE_IP)


def write_sample(path: Path) -> Path:
    A, SYN, FIN, PSH = dpkt.tcp.TH_ACK, dpkt.tcp.TH_SYN, dpkt.tcp.TH_FIN, dpkt.tcp.TH_PUSH
    frames = [
        _tcp(C, S, 51000, 80, 100, 0, SYN),
        _tcp(S, C, 80, 51000, 500, 101, SYN | A),
        _tcp(C, S, 51000, 80, 101, 501, A),
        _tcp(C, S, 51000, 80, 101, 501, A | PSH, b"GET / HTTP/1.0\r\n\r\n"),
        _tcp(S, C, 80, 51000, 501, 119, A | PSH, BODY[:19]),
        # BODY[19:33] (14 bytes) never captured
        _tcp(S, C, 80, 51000, 534, 119, A | PSH | FIN, BODY[33:]),
        _tcp(C, S, 51000, 80, 119, 539, A | FIN),
        _udp(C, S, 5353, 53, b"query"),
        _udp(S, C, 53, 5353, b"answer!"),
    ]
    with path.open("wb") as f:
        writer = dpkt.pcap.Writer(f)
        for i, frame in enumerate(frames):
            writer.writepkt(bytes(frame), ts=1_700_000_000 + i / 100)
    return path
