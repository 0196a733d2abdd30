#!/usr/bin/env python3
"""Baseline: dpkt full decode of every frame (Ethernet -> IP/IPv6 -> TCP/UDP objects).

Usage: python dpkt_decode.py FILE   -> prints "packets tcp udp payload_bytes"
"""
import sys

import dpkt


def main(path: str) -> None:
    n = tcp = udp = payload = 0
    TCP, UDP = dpkt.tcp.TCP, dpkt.udp.UDP
    with open(path, "rb") as f:
        for _ts, buf in dpkt.pcap.Reader(f):
            n += 1
            eth = dpkt.ethernet.Ethernet(buf)
            ip = eth.data
            l4 = getattr(ip, "data", None)
            if isinstance(l4, TCP):
                tcp += 1
                payload += len(l4.data)
            elif isinstance(l4, UDP):
                udp += 1
                payload += len(l4.data)
    print(n, tcp, udp, payload)


if __name__ == "__main__":
    main(sys.argv[1])
