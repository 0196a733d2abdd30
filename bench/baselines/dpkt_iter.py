#!/usr/bin/env python3
"""Baseline: dpkt.pcap.Reader iteration only (no decoding). Usage: python dpkt_iter.py FILE"""
import sys

import dpkt


def main(path: str) -> None:
    n = 0
    with open(path, "rb") as f:
        for _ts, _buf in dpkt.pcap.Reader(f):
            n += 1
    print(n)


if __name__ == "__main__":
    main(sys.argv[1])
