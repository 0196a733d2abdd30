#!/usr/bin/env python3
"""Lower bound of a `flows` pass in pure Python: the struct record loop, plus decoding each frame
(Ethernet, one 802.1Q tag, IPv4 or IPv6, TCP or UDP) and a minimal flow table keyed by the raw
address/port bytes sliced from the frame (packets, bytes, and one sequence-number comparison per
TCP segment: in order or not). No flow ids, no directions, no events, no limits: far less than
`wsarecv flows` does, so no real tracker gets below it (bench/LEAN.md, round 3).

Usage: python lean_floor.py FILE [inline|call]   -> prints "packets flows"
  inline: the flow work written out in the loop (no Python call per packet);
  call:   the same work in one function call per packet (the reader/tracker boundary).

The record loop is struct_loop.py's, written out again on purpose (a shared helper would put a
call or a generator into one of the two loops being compared), and the flow work stands twice,
in `flow` and inline: that difference is what `call` against `inline` measures.
"""
import struct
import sys

REC = struct.Struct("<IIII")
# From the Ethertype (frame offset 12) through the TCP flags: Ethertype, ver/ihl, total length,
# fragment field, protocol, src+dst+ports (the raw key), seq.
ETH_IP4 = struct.Struct("!HBxH2xHxB2x12sI")
IP6 = struct.Struct("!B3xHB37xI")  # ver, payload length, next header, seq (after the 36-byte key)


def main(path: str, mode: str = "inline") -> None:
    unpack_from = REC.unpack_from
    eth_ip4 = ETH_IP4.unpack_from
    ip6 = IP6.unpack_from
    table: dict[bytes, list[int]] = {}
    get = table.get

    def flow(key: bytes, seq: int, n: int) -> None:
        entry = get(key)
        if entry is None:
            table[key] = entry = [0, 0, seq]
        entry[0] += 1
        entry[1] += n
        if seq == entry[2]:
            entry[2] = (seq + n) & 0xFFFFFFFF

    call = mode == "call"
    packets = 0
    with open(path, "rb") as f:
        hdr = f.read(24)
        if hdr[:4] not in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
            sys.exit("lean_floor: only little-endian classic pcap")
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
                sec, frac, caplen, _ = unpack_from(buf, pos)
                start = pos + 16
                if start + caplen > end:
                    break
                pos = start + caplen
                packets += 1
                ts = sec * 1_000_000_000 + frac * 1000  # noqa: F841 (what every pass computes)
                if caplen < 54:
                    continue
                et, vihl, total, frag, proto, key, seq = eth_ip4(buf, start + 12)
                if et == 0x8100:  # one VLAN tag: the same from 4 bytes on
                    start += 4
                    if caplen < 58:
                        continue
                    et, vihl, total, frag, proto, key, seq = eth_ip4(buf, start + 12)
                if et == 0x0800:
                    if vihl != 0x45 or frag & 0x3FFF:
                        continue
                    if proto == 6:
                        n = total - 20 - (buf[start + 46] >> 4) * 4
                    elif proto == 17:
                        n, seq = total - 28, 0
                    else:
                        continue
                elif et == 0x86DD and pos - start >= 74:
                    _, plen, proto, seq = ip6(buf, start + 14)
                    key = buf[start + 22:start + 58]
                    if proto == 6:
                        n = plen - (buf[start + 66] >> 4) * 4
                    elif proto == 17:
                        n, seq = plen - 8, 0
                    else:
                        continue
                else:
                    continue
                if call:
                    flow(key, seq, n)
                    continue
                entry = get(key)
                if entry is None:
                    table[key] = entry = [0, 0, seq]
                entry[0] += 1
                entry[1] += n
                if seq == entry[2]:
                    entry[2] = (seq + n) & 0xFFFFFFFF
    print(packets, len(table))


if __name__ == "__main__":
    main(*sys.argv[1:])
