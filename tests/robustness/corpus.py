"""A bad-input corpus built in memory: every way a capture can be broken or hostile, with the outcome
DESIGN.md promises for it.

Each `Entry` is the bytes of one file and what `flows`, `follow --json` and `replay --ndjson` must do
with it: `error` (exit 1, one line on stderr containing `message`) or `partial` (exit 0, the flows in
`flows` are reported, and `message`, when given, appears in a warning on stderr). Damage after a
valid prefix keeps the prefix: PREFIX holds one TCP connection (tcp:0, 10.0.0.1:40000 ->
10.0.0.2:80, "GET /" one way and "OK" back, closed with FINs) and one UDP datagram (udp:0).

Bulk generators (`fragment_flood`, `many_flows`, `hostile_mix`) build records with one
struct.pack each and join them once, so 1M packets take about a second.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

from tests.capture.builders import block, epb, ether, idb, ipv4, pcap, shb, tcp_hdr, udp_hdr

C, S = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
SYN, FIN, RST, PSH, ACK = 0x02, 0x01, 0x04, 0x08, 0x10


def tcp(sport, dport, seq, ack, flags, payload=b"", src=C, dst=S, doff=None) -> bytes:
    hdr = tcp_hdr(sport, dport, seq, ack, flags)
    if doff is not None:
        hdr = hdr[:12] + bytes([doff << 4]) + hdr[13:]
    return ether(ipv4(hdr + payload, proto=6, src=src, dst=dst))


def udp(sport, dport, payload, src=C, dst=S, ulen=None, total=None) -> bytes:
    return ether(ipv4(udp_hdr(sport, dport, len(payload), ulen) + payload, proto=17, src=src, dst=dst, total=total))


def _prefix_frames() -> list[bytes]:
    return [
        tcp(40000, 80, 1000, 0, SYN),
        tcp(80, 40000, 5000, 1001, SYN | ACK, src=S, dst=C),
        tcp(40000, 80, 1001, 5001, ACK),
        tcp(40000, 80, 1001, 5001, ACK | PSH, b"GET /"),
        tcp(80, 40000, 5001, 1006, ACK | PSH, b"OK", src=S, dst=C),
        tcp(40000, 80, 1006, 5003, ACK | FIN),
        tcp(80, 40000, 5003, 1007, ACK | FIN, src=S, dst=C),
        tcp(40000, 80, 1007, 5004, ACK),
        udp(5353, 53, b"query"),
    ]


PREFIX = _prefix_frames()
PREFIX_FLOWS = ("tcp:0", "udp:0")
PREFIX_BYTES = {"GET /": "10.0.0.1:40000", "OK": "10.0.0.2:80"}


@dataclass(frozen=True)
class Entry:
    name: str
    data: bytes
    outcome: str  # 'error' | 'partial'
    message: str = ""  # in the error line, or in a warning (partial)
    flows: tuple[str, ...] = PREFIX_FLOWS  # flow ids `flows` must list (partial)
    strict: bool = False  # --strict must exit 3 (findings: damage, truncation, gaps, limits)
    args: tuple[str, ...] = ()  # extra options for every command
    note: str = ""


def pcap_records(frames: list[bytes], linktype: int = 1, snaplen: int = 65535) -> bytes:
    return pcap(frames, linktype=linktype, snaplen=snaplen)


def _record(frame: bytes, caplen: int | None = None, i: int = 0) -> bytes:
    return struct.pack("<IIII", 1000 + i, 0, len(frame) if caplen is None else caplen, len(frame)) + frame


def _ng(blocks: list[bytes]) -> bytes:
    return shb() + idb() + b"".join(blocks)


def _ng_prefix() -> list[bytes]:
    return [epb(units=i, data=f) for i, f in enumerate(PREFIX)]


def _fragment(ident: int, offset8: int, more: bool, data: bytes, proto: int = 17, src=C, dst=S) -> bytes:
    frag = (0x2000 if more else 0) | offset8
    return ether(ipv4(data, proto=proto, ident=ident, frag=frag, src=src, dst=dst))


def entries() -> list[Entry]:
    p = pcap_records(PREFIX)
    hdr_only = pcap_records([])
    flood = [_fragment(i, 0, True, udp_hdr(1, 2, 64) + b"x" * 64) for i in range(2000)]
    udp_frag_payload = udp_hdr(7000, 53, 24) + b"A" * 24
    overlap = [
        _fragment(99, 0, True, udp_frag_payload[:16]),
        _fragment(99, 0, True, udp_hdr(6666, 6666, 24) + b"B" * 8),  # rewrites the UDP header: ignored
        _fragment(99, 2, False, udp_frag_payload[16:]),
    ]
    seq_jump = [
        tcp(41000, 81, 10, 0, ACK | PSH, b"before"),
        tcp(41000, 81, (16 + (1 << 31) - 100) & 0xFFFFFFFF, 0, ACK | PSH, b"just under 2**31 ahead"),
        tcp(41000, 81, (16 + (1 << 31) + 100) & 0xFFFFFFFF, 0, ACK | PSH, b"just over: read as the past"),
        tcp(41000, 81, 16, 0, ACK | PSH, b"after"),
    ]
    rst_storm = [tcp(42000, 82, 10, 0, ACK | PSH, b"data")] + [
        tcp(82, 42000, (i * 7919 * 65537) & 0xFFFFFFFF, 0, RST, src=S, dst=C) for i in range(3000)]
    return [
        Entry("empty", b"", "error", "empty file"),
        Entry("three-bytes", b"\xd4\xc3\xb2", "error", "too short"),
        Entry("wrong-magic", b"GIF89a" + b"\x00" * 100, "error", "not a pcap or pcapng"),
        Entry("pcap-header-cut", hdr_only[:20], "error", "global header cut short"),
        Entry("pcap-header-only", hdr_only, "partial", flows=()),
        Entry("pcapng-section-only", shb(), "partial", flows=()),
        Entry("pcap-bad-version", hdr_only[:4] + struct.pack("<HH", 3, 0) + hdr_only[8:], "error", "version 3.0"),
        Entry("huge-snaplen", pcap_records(PREFIX, snaplen=0xFFFFFFFF), "partial"),
        Entry("record-beyond-eof", p + _record(PREFIX[3], caplen=1000)[:60], "partial", "file cut short",
              strict=True),
        Entry("record-length-absurd", p + struct.pack("<IIII", 1, 0, 0xFFFFFF00, 60) + b"x" * 64, "partial",
              "beyond the", strict=True),
        Entry("first-record-absurd", hdr_only + struct.pack("<IIII", 1, 0, 0x7FFFFFFF, 60) + b"x" * 64,
              "error", "damaged before the first frame"),
        Entry("caplen-over-snaplen", pcap_records(PREFIX, snaplen=40), "partial",
              note="accepted as Wireshark does: the snaplen is advice, the record length is checked against 256 KiB"),
        Entry("snaplen-truncated", pcap_records(PREFIX + [udp(6000, 53, b"x" * 100)[:60]]), "partial",
              flows=("tcp:0", "udp:0", "udp:1"), strict=True,
              note="a frame cut to 60 bytes while IP says 142: the rest counted missing"),
        Entry("pcapng-bad-block-length", _ng(_ng_prefix() + [struct.pack("<II", 6, 13) + b"\x00" * 20]),
              "partial", "block length 13 is invalid", strict=True),
        Entry("pcapng-trailer-mismatch", _ng(_ng_prefix() + [epb(data=PREFIX[0])[:-4] + struct.pack("<I", 4)]),
              "partial", "differs from its trailing copy", strict=True),
        Entry("pcapng-huge-block", _ng(_ng_prefix() + [struct.pack("<II", 6, 0xFFFFFFF0) + b"\x00" * 40]),
              "partial", "invalid", strict=True),
        Entry("pcapng-unknown-blocks", _ng([block("<", 0x0BADF00D, b"junk" * 5), *_ng_prefix(),
                                             block("<", 0x7777, b"")]), "partial"),
        Entry("pcapng-no-such-interface", _ng(_ng_prefix() + [epb(iface=5, data=PREFIX[0])]), "partial",
              "names interface 5", strict=True),
        Entry("pcapng-epb-before-idb", shb() + epb(data=PREFIX[0]) + idb() + b"".join(_ng_prefix()), "partial",
              "names interface 0", strict=True),
        Entry("pcapng-caplen-beyond-block", _ng(_ng_prefix() + [block("<", 6, struct.pack("<IIIII", 0, 0, 0, 5000, 60)
                                                                        + PREFIX[0])]),
              "partial", "beyond its block", strict=True),
        Entry("unknown-linktype", pcap_records(PREFIX, linktype=4242), "partial", flows=()),
        Entry("zero-length-frames", pcap_records([b""] * 5 + PREFIX + [b""] * 5), "partial"),
        Entry("ipv4-ihl-below-5", pcap_records(PREFIX + [ether(b"\x43" + ipv4(b"")[1:])]), "partial"),
        Entry("ip-total-below-header", pcap_records(PREFIX + [ether(ipv4(b"", total=12))]), "partial"),
        Entry("tcp-offset-beyond-frame", pcap_records(PREFIX + [tcp(1, 2, 0, 0, ACK, b"zz", doff=15)]), "partial"),
        Entry("tcp-offset-below-5", pcap_records(PREFIX + [tcp(1, 2, 0, 0, ACK, b"zz", doff=2)]), "partial"),
        Entry("udp-length-beyond-ip", pcap_records(PREFIX + [udp(9, 10, b"abc", ulen=4000)]), "partial",
              flows=("tcp:0", "udp:0", "udp:1")),
        Entry("udp-length-below-8", pcap_records(PREFIX + [udp(9, 10, b"abc", ulen=3)]), "partial"),
        Entry("fragment-flood", pcap_records(PREFIX + flood), "partial", "incomplete IP fragment set dropped",
              strict=True),
        Entry("overlapping-fragments", pcap_records(PREFIX + overlap), "partial", flows=("tcp:0", "udp:0", "udp:1")),
        Entry("tcp-seq-jump-2-31", pcap_records(PREFIX + seq_jump), "partial", flows=("tcp:0", "tcp:1", "udp:0"),
              strict=True),
        Entry("rst-storm", pcap_records(PREFIX + rst_storm), "partial", flows=("tcp:0", "tcp:1", "udp:0")),
        Entry("many-flows-limit", many_flows_pcap(2000), "partial", "live-flow limit",
              flows=("udp:0", "udp:1999"), strict=True, args=("--max-flows", "100")),
    ]


# -- bulk generators ---------------------------------------------------------------------------

_PCAP_HDR = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
_REC = struct.Struct("<IIII")
_ETH = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00"
_IP_UDP = struct.Struct("!BBHHHBBH4s4sHHHH")
_IP_TCP = struct.Struct("!BBHHHBBH4s4sHHIIBBHHH")


def _udp_frame(src: bytes, dst: bytes, sport: int, dport: int, payload: bytes, ident: int = 0, frag: int = 0) -> bytes:
    total = 28 + len(payload)
    return _ETH + _IP_UDP.pack(0x45, 0, total, ident, frag, 64, 17, 0, src, dst, sport, dport, 8 + len(payload),
                               0) + payload


def _tcp_frame(src: bytes, dst: bytes, sport: int, dport: int, seq: int, flags: int, payload: bytes) -> bytes:
    total = 40 + len(payload)
    return _ETH + _IP_TCP.pack(0x45, 0, total, 0, 0, 64, 6, 0, src, dst, sport, dport, seq & 0xFFFFFFFF, 0, 0x50,
                               flags, 512, 0, 0) + payload


def _pcap_of(frames: Iterator[bytes]) -> bytes:
    parts = [_PCAP_HDR]
    append = parts.append
    for i, frame in enumerate(frames):
        append(_REC.pack(i // 1000, (i % 1000) * 1000, len(frame), len(frame)))
        append(frame)
    return b"".join(parts)


def many_flows_frames(n: int) -> Iterator[bytes]:
    """n one-datagram UDP flows, each its own 5-tuple (addresses and ports vary)."""
    for i in range(n):
        src = struct.pack("!I", 0x0A000000 | (i >> 16))
        yield _udp_frame(src, S, 1024 + (i & 0xFFFF) % 60000, 53, b"q")


def many_flows_pcap(n: int) -> bytes:
    return _pcap_of(many_flows_frames(n))


def hostile_frames(n: int) -> Iterator[bytes]:
    """n packets mixing what a hostile capture throws at once, in rotation:
    a TCP connection whose sequence numbers jump by 2**31 and then run backwards (held out of order),
    IP fragment sets that never complete, a new TCP flow (SYN) per packet slot, and RSTs at random
    sequence numbers."""
    for i in range(n):
        kind = i % 4
        if kind == 0:  # one connection, every segment lands far ahead or behind: held, then dropped
            k = i >> 2
            seq = 1000 + (1 << 31) * (k & 1) + (n - k) * 200
            yield _tcp_frame(C, S, 50000, 443, seq, ACK | PSH, b"s" * 100)
        elif kind == 1:  # a first fragment of a set that never completes
            yield _udp_frame(C, S, 7, 7, b"f" * 64, ident=i & 0xFFFF, frag=0x2000)
        elif kind == 2:  # a new flow per packet
            k = i >> 2
            yield _tcp_frame(struct.pack("!I", 0x0B000000 | k), S, 1024 + k % 60000, 80, k, SYN, b"")
        else:  # RST storm on the first connection
            yield _tcp_frame(S, C, 443, 50000, (i * 2654435761) & 0xFFFFFFFF, RST, b"")


def hostile_pcap(n: int) -> bytes:
    return _pcap_of(hostile_frames(n))


def write_pcap(path, frames: Iterator[bytes], chunk: int = 20_000) -> int:
    """Stream frames into a pcap file (constant memory); returns the file size."""
    size = 0
    with open(path, "wb") as f:
        f.write(_PCAP_HDR)
        size += len(_PCAP_HDR)
        parts: list[bytes] = []
        for i, frame in enumerate(frames):
            parts.append(_REC.pack(i // 1000, (i % 1000) * 1000, len(frame), len(frame)))
            parts.append(frame)
            if len(parts) >= 2 * chunk:
                size += f.write(b"".join(parts))
                parts = []
        size += f.write(b"".join(parts))
    return size


def prefix_plus(damage: bytes) -> bytes:
    return pcap_records(PREFIX) + damage


def record_offsets(data: bytes) -> list[int]:
    """Byte offsets where each record of a little-endian microsecond pcap ends (for truncation tests)."""
    pos, ends = 24, []
    while pos + 16 <= len(data):
        caplen = struct.unpack_from("<I", data, pos + 8)[0]
        pos += 16 + caplen
        if pos > len(data):
            break
        ends.append(pos)
    return ends
