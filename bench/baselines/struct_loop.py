#!/usr/bin/env python3
"""Floor: pure-Python loop over classic pcap record headers only (struct), no frame decoding.

Usage: python struct_loop.py FILE   -> prints "packets bytes"
"""
import struct
import sys

REC = struct.Struct("<IIII")


def main(path: str) -> None:
    unpack_from = REC.unpack_from
    packets = 0
    nbytes = 0
    with open(path, "rb") as f:
        hdr = f.read(24)
        if hdr[:4] not in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
            sys.exit("struct_loop: only little-endian classic pcap")
        buf = b""
        pos = 0
        while True:
            chunk = f.read(1 << 20)
            if not chunk:
                break
            buf = buf[pos:] + chunk
            pos = 0
            end = len(buf)
            while pos + 16 <= end:
                _, _, caplen, _ = unpack_from(buf, pos)
                if pos + 16 + caplen > end:
                    break
                pos += 16 + caplen
                packets += 1
                nbytes += caplen
    print(packets, nbytes)


if __name__ == "__main__":
    main(sys.argv[1])
