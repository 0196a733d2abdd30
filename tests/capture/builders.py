"""Frame and container builders for the capture tests (struct only, so every byte is visible)."""

from __future__ import annotations

import gzip
import struct

SRC4, DST4 = bytes([192, 0, 2, 1]), bytes([198, 51, 100, 2])
SRC6 = bytes.fromhex("20010db8000000000000000000000001")
DST6 = bytes.fromhex("20010db8000000000000000000000002")
MACS = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01"


def tcp_hdr(sport=1234, dport=80, seq=100, ack=200, flags=0x18, win=512, urg=0, options=b"") -> bytes:
    doff = (20 + len(options)) // 4
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, doff << 4, flags, win, 0, urg) + options


def udp_hdr(sport=5000, dport=53, payload_len=0, ulen=None) -> bytes:
    return struct.pack("!HHHH", sport, dport, 8 + payload_len if ulen is None else ulen, 0)


def ipv4(payload: bytes, proto=6, ident=7, frag=0, total=None, ihl=5, src=SRC4, dst=DST4) -> bytes:
    opts = b"\x01" * ((ihl - 5) * 4)
    length = 20 + len(opts) + len(payload) if total is None else total
    return struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, length, ident, frag, 64, proto, 0, src, dst) + opts + payload


def ipv6(payload: bytes, nh=6, ext: bytes = b"", plen=None, src=SRC6, dst=DST6) -> bytes:
    length = len(ext) + len(payload) if plen is None else plen
    return struct.pack("!IHBB16s16s", 0x60000000, length, nh, 64, src, dst) + ext + payload


def ext_hdr(nh: int, size8: int = 1) -> bytes:
    """A hop-by-hop / routing / dst-opts header of size8*8 bytes followed by header `nh`."""
    return bytes([nh, size8 - 1]) + b"\x00" * (size8 * 8 - 2)


def frag6(nh: int, offset: int, more: bool, ident: int) -> bytes:
    return struct.pack("!BBHI", nh, 0, offset | int(more), ident)


def ether(l3: bytes, ethertype=0x0800, tags=()) -> bytes:
    head = MACS
    for tpid, vid in tags:
        head += struct.pack("!HH", tpid, vid)
    return head + struct.pack("!H", ethertype) + l3


def pcap(frames, linktype=1, endian="<", nano=False, snaplen=65535, wire=None, version=(2, 4), modified=False) -> bytes:
    magic = 0xA1B2CD34 if modified else (0xA1B23C4D if nano else 0xA1B2C3D4)
    out = struct.pack(endian + "IHHiIII", magic, version[0], version[1], 0, 0, snaplen, linktype)
    for i, frame in enumerate(frames):
        wl = len(frame) if wire is None else wire[i]
        out += struct.pack(endian + "IIII", 1000 + i, 5 + i, len(frame), wl)
        if modified:
            out += b"\x00" * 8
        out += frame
    return out


def block(e: str, btype: int, body: bytes) -> bytes:
    body += b"\x00" * (-len(body) % 4)
    n = len(body) + 12
    return struct.pack(e + "II", btype, n) + body + struct.pack(e + "I", n)


def option(e: str, code: int, value: bytes) -> bytes:
    return struct.pack(e + "HH", code, len(value)) + value + b"\x00" * (-len(value) % 4)


def shb(e="<", major=1, minor=0) -> bytes:
    return block(e, 0x0A0D0D0A, struct.pack(e + "IHHq", 0x1A2B3C4D, major, minor, -1))


def idb(e="<", linktype=1, snaplen=65535, tsresol: int | None = None, tsoffset: int | None = None) -> bytes:
    opts = b""
    if tsresol is not None:
        opts += option(e, 9, bytes([tsresol]))
    if tsoffset is not None:
        opts += option(e, 14, struct.pack(e + "q", tsoffset))
    if opts:
        opts += struct.pack(e + "HH", 0, 0)
    return block(e, 1, struct.pack(e + "HHI", linktype, 0, snaplen) + opts)


def epb(e="<", iface=0, units=0, data=b"", wire=None) -> bytes:
    return block(e, 6, struct.pack(e + "IIIII", iface, units >> 32, units & 0xFFFFFFFF, len(data),
                                   len(data) if wire is None else wire) + data)


def spb(e="<", data=b"") -> bytes:
    return block(e, 3, struct.pack(e + "I", len(data)) + data)


def obsolete_pb(e="<", iface=0, units=0, data=b"") -> bytes:
    return block(e, 2, struct.pack(e + "HHIIII", iface, 0, units >> 32, units & 0xFFFFFFFF, len(data), len(data)) + data)


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def tcp_frame(payload=b"hello", **kw) -> bytes:
    return ether(ipv4(tcp_hdr(**kw) + payload))
