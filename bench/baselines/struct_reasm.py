#!/usr/bin/env python3
"""Reference: minimal TCP reassembly of all streams, headers decoded with struct.unpack_from.

Ethernet (+802.1Q) -> IPv4/IPv6 (no extension headers, IPv4 fragments ignored) -> TCP; per
direction in-order delivery with an out-of-order buffer, overlaps trimmed, output hashed (sha256)
instead of written. Not a product: no UDP, no defragmentation, no sequence wrap subtleties beyond
mod 2**32 — it is the "how fast can Python go" floor for `follow`.

Usage: python struct_reasm.py FILE   -> prints "streams bytes"
"""
import hashlib
import struct
import sys

REC = struct.Struct("<IIII")
H = struct.Struct("!H")
TCPH = struct.Struct("!HHIIB")
M = 0xFFFFFFFF


def frames(path: str):
    """Frames of a little-endian classic pcap, read in 1 MiB chunks."""
    rec = REC.unpack_from
    with open(path, "rb") as f:
        f.read(24)
        buf = b""
        pos = 0
        while True:
            chunk = f.read(1 << 20)
            if not chunk:
                return
            buf = buf[pos:] + chunk
            pos = 0
            end = len(buf)
            while pos + 16 <= end:
                caplen = rec(buf, pos)[2]
                if pos + 16 + caplen > end:
                    break
                yield buf[pos + 16:pos + 16 + caplen]
                pos += 16 + caplen


def main(path: str) -> None:
    h16 = H.unpack_from
    tcph = TCPH.unpack_from
    dirs: dict = {}     # key -> [next_seq or None, pending{seq: data}, sha, nbytes]
    for frame in frames(path):
        (et,) = h16(frame, 12)
        off = 14
        if et == 0x8100:
            (et,) = h16(frame, 16)
            off = 18
        if et == 0x0800:
            if frame[off + 9] != 6 or h16(frame, off + 6)[0] & 0x3FFF:
                continue
            ihl = (frame[off] & 15) * 4
            (tot,) = h16(frame, off + 2)
            addrs = frame[off + 12:off + 20]
            t = off + ihl
            ip_end = off + tot
        elif et == 0x86DD:
            if frame[off + 6] != 6:
                continue
            (plen,) = h16(frame, off + 4)
            addrs = frame[off + 8:off + 40]
            t = off + 40
            ip_end = t + plen
        else:
            continue
        sport, dport, seq, _ack, doff = tcph(frame, t)
        flags = frame[t + 13]
        payload = frame[t + (doff >> 4) * 4:ip_end]
        key = (addrs, sport, dport)
        st = dirs.get(key)
        if st is None:
            st = dirs[key] = [None, {}, hashlib.sha256(), 0]
        if flags & 2:                       # SYN
            st[0] = (seq + 1) & M
            continue
        if not payload:
            continue
        if st[0] is None:
            st[0] = seq                     # mid-stream start
        pend = st[1]
        pend[seq] = payload if len(payload) >= len(pend.get(seq, b"")) else pend[seq]
        nxt = st[0]
        while pend:
            progressed = False
            for s in list(pend):
                d = (nxt - s) & M
                seg = pend[s]
                if d < 0x80000000:          # starts at or before nxt
                    del pend[s]
                    if d < len(seg):
                        piece = seg[d:]
                        st[2].update(piece)
                        st[3] += len(piece)
                        nxt = (nxt + len(piece)) & M
                    progressed = True
            if not progressed:
                break
        st[0] = nxt
    total = sum(st[3] for st in dirs.values())
    print(len(dirs), total)


if __name__ == "__main__":
    main(sys.argv[1])
