"""Write the sample captures of samples/ (deterministic: fixed timestamps, ISNs and addresses).

Run `python samples/make_samples.py [OUTDIR]`; re-running produces byte-identical files.
`python samples/make_samples.py --bench N OUT.pcap` writes a throwaway capture of about N frames
(many TCP flows plus some UDP) for speed measurements. See samples/README.md for what each
sample shows.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

import dpkt

T0 = 1_700_000_000  # 2023-11-14 22:13:20 UTC, in seconds
MAC_C, MAC_S = b"\x02\x00\x00\x00\x00\x01", b"\x02\x00\x00\x00\x00\x02"
CLIENT, SERVER = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
CLIENT6 = bytes.fromhex("20010db8000000000000000000000001")
SERVER6 = bytes.fromhex("20010db8000000000000000000000002")
SYN, ACK, FIN, RST, PSH, URG = 0x02, 0x10, 0x01, 0x04, 0x08, 0x20


def eth(payload, src=MAC_C, dst=MAC_S, ethertype=0x0800, vlan: int | None = None) -> bytes:
    tag = struct.pack("!HH", 0x8100, vlan) if vlan is not None else b""
    return dst + src + tag + struct.pack("!H", ethertype) + bytes(payload)


def ipv4(src, dst, l4, ident=1, proto=None) -> dpkt.ip.IP:
    p = proto if proto is not None else (dpkt.ip.IP_PROTO_TCP if isinstance(l4, dpkt.tcp.TCP) else dpkt.ip.IP_PROTO_UDP)
    ip = dpkt.ip.IP(src=src, dst=dst, p=p, id=ident, ttl=64, data=l4)
    ip.len = 20 + len(bytes(l4))
    return ip


def tcp(sport, dport, seq, ack, flags, data=b"", urp=0, win=65535) -> dpkt.tcp.TCP:
    return dpkt.tcp.TCP(sport=sport, dport=dport, seq=seq & 0xFFFFFFFF, ack=ack & 0xFFFFFFFF, flags=flags,
                        win=win, urp=urp, data=data)


def udp(sport, dport, data) -> dpkt.udp.UDP:
    return dpkt.udp.UDP(sport=sport, dport=dport, ulen=8 + len(data), data=data)


class Conv:
    """A TCP conversation between CLIENT:cport and SERVER:sport that tracks sequence numbers."""

    def __init__(self, out: list, cport=51000, sport=80, cisn=1000, sisn=5000, src=CLIENT, dst=SERVER):
        self.out, self.cport, self.sport = out, cport, sport
        self.cseq, self.sseq = cisn, sisn
        self.src, self.dst = src, dst

    def c(self, flags, data=b"", urp=0, seq=None, win=65535):
        s = self.cseq if seq is None else seq
        self.out.append(eth(ipv4(self.src, self.dst, tcp(self.cport, self.sport, s, self.sseq, flags, data, urp,
                                                         win))))
        if seq is None:
            self.cseq += len(data) + (1 if flags & (SYN | FIN) else 0)

    def s(self, flags, data=b"", seq=None):
        s = self.sseq if seq is None else seq
        self.out.append(eth(ipv4(self.dst, self.src, tcp(self.sport, self.cport, s, self.cseq, flags, data)),
                            src=MAC_S, dst=MAC_C))
        if seq is None:
            self.sseq += len(data) + (1 if flags & (SYN | FIN) else 0)

    def handshake(self):
        self.c(SYN)
        self.s(SYN | ACK)
        self.c(ACK)

    def server_closes(self):
        """The client acknowledges, the server closes first, the client follows (FIN/FIN)."""
        self.c(ACK)
        self.s(FIN | ACK)
        self.c(FIN | ACK)
        self.s(ACK)


def write_pcap(path: Path, frames: list[bytes], step_us: int = 1000) -> None:
    with open(path, "wb") as f:
        w = dpkt.pcap.Writer(f, snaplen=65535, linktype=dpkt.pcap.DLT_EN10MB)
        for i, frame in enumerate(frames):
            w.writepkt(frame, ts=T0 + i * step_us / 1e6)


def fragments(src, dst, l4: bytes, ident: int, mtu_payload: int = 1480) -> list[bytes]:
    """IPv4 fragments (Ethernet frames) of a UDP datagram; l4 includes the UDP header."""
    out = []
    for off in range(0, len(l4), mtu_payload):
        chunk = l4[off:off + mtu_payload]
        more = 0x2000 if off + mtu_payload < len(l4) else 0
        out.append(eth(ipv4_raw(src, dst, 17, ident, more | (off // 8), chunk)))
    return out


def ipv4_raw(src: bytes, dst: bytes, proto: int, ident: int, frag: int, payload: bytes) -> bytes:
    """An IPv4 header (with checksum) + payload, for fragments dpkt's builder cannot express."""
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag, 64, proto, 0, src, dst)
    total = sum(struct.unpack("!10H", hdr))
    total = (total & 0xFFFF) + (total >> 16)
    total = (total & 0xFFFF) + (total >> 16)
    return hdr[:10] + struct.pack("!H", ~total & 0xFFFF) + hdr[12:] + payload


def udp_bytes(sport, dport, data) -> bytes:
    return bytes(udp(sport, dport, data))


# -- the samples -------------------------------------------------------------------------------

def http_small_segments() -> list[bytes]:
    out: list[bytes] = []
    c = Conv(out)
    c.handshake()
    c.c(PSH | ACK, b"GET /index.html HTTP/1.1\r\nHost: example\r\n\r\n")
    c.s(ACK)
    body = b"<html>" + b"".join(b"<p>line %02d</p>" % i for i in range(20)) + b"</html>"
    response = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    for i in range(0, len(response), 37):  # many small segments, as a chatty server writes them
        c.s(ACK | (PSH if i + 37 >= len(response) else 0), response[i:i + 37])
    c.server_closes()
    return out


def udp_fragments_sample() -> list[bytes]:
    resp = udp_bytes(53, 40000, bytes(range(256)) * 12)  # 3072 + 8 bytes: three fragments
    frags = fragments(SERVER, CLIENT, resp, ident=0x4242)
    frames = [eth(ipv4(CLIENT, SERVER, udp(40000, 53, b"Q" * 40)))]
    frames += [frags[2], frags[0], frags[1]]  # delivered out of order
    frames = [f if i == 0 else _swap_macs(f) for i, f in enumerate(frames)]
    return frames


def _swap_macs(frame: bytes) -> bytes:
    return frame[6:12] + frame[0:6] + frame[12:]


def tcp_rst() -> list[bytes]:
    out: list[bytes] = []
    c = Conv(out, cport=51001, sport=7000, cisn=0xFFFFF000, sisn=20000)
    c.handshake()
    c.c(PSH | ACK, b"hello")
    c.s(PSH | ACK, b"data the client never reads: " + b"x" * 100)
    c.s(PSH | ACK, b"more unread data")
    c.s(RST | ACK)
    return out


def framed_messages() -> list[bytes]:
    out: list[bytes] = []
    c = Conv(out, cport=51002, sport=9000, cisn=3000, sisn=9000)
    c.handshake()
    msgs = [b"alpha", b"bravo-charlie", b"d", b"echo" * 10, b"foxtrot", b"golf" * 30, b"hotel", b"india!"]
    stream = b"".join(struct.pack("!H", len(m)) + m for m in msgs)
    cuts = [3, 9, 40, 44, 45, 120, 121, 200, len(stream)]  # boundaries unrelated to message ends
    prev = 0
    for cut in cuts:
        if cut > prev:
            c.s(PSH | ACK, stream[prev:cut])
            prev = cut
    c.server_closes()
    return out


def tcp_urgent() -> list[bytes]:
    out: list[bytes] = []
    c = Conv(out, cport=51003, sport=23, cisn=100, sisn=700)
    c.handshake()
    c.c(PSH | ACK, b"normal data ")
    # BSD urgent pointer: points one past the urgent byte ('!'), i.e. urp = 5 for data[4].
    c.c(PSH | ACK | URG, b"more!", urp=5)
    c.c(PSH | ACK, b" after")
    c.s(ACK)
    c.c(FIN | ACK)
    c.s(FIN | ACK)
    c.c(ACK)
    return out


def tcp_zero_window() -> list[bytes]:
    """The client's application stops reading: it advertises a zero window for 4 ms (frames 6-10),
    the server probes with the next byte, then the window opens and the rest is sent."""
    out: list[bytes] = []
    c = Conv(out, cport=51004, sport=8080, cisn=4000, sisn=40000)
    c.handshake()
    body = bytes(65 + i % 26 for i in range(2500))
    c.s(PSH | ACK, body[:1000])
    c.s(PSH | ACK, body[1000:2000])
    c.c(ACK, win=0)
    c.s(ACK, body[2000:2001], seq=c.sseq)  # zero-window probe: the next byte, not yet taken
    c.c(ACK, win=0)
    c.s(ACK, body[2000:2001], seq=c.sseq)
    c.c(ACK, win=8192)
    c.s(PSH | ACK, body[2000:])
    c.server_closes()
    return out


def tcp_lost_segment() -> list[bytes]:
    """The second of three server segments never reached the capture; the client acknowledges it."""
    out: list[bytes] = []
    c = Conv(out, cport=51005, sport=8081, cisn=5000, sisn=50000)
    c.handshake()
    c.s(PSH | ACK, b"first segment; ")
    c.sseq += len(b"second, not captured; ")  # sent, received, acknowledged: but not in the capture
    c.s(PSH | ACK, b"third segment.")
    c.server_closes()
    return out


def udp_big_datagrams() -> list[bytes]:
    frames = []
    for ident, size in ((0x100, 100), (0x101, 3000), (0x102, 9000)):
        payload = bytes((i * 7 + size) & 0xFF for i in range(size))
        frames += [_swap_macs(f) for f in fragments(SERVER, CLIENT, udp_bytes(5000, 41000, payload), ident)]
    return frames


def ipv6_vlan_retrans(path: Path) -> None:
    """pcapng, interface 0 Ethernet+802.1Q IPv6 TCP, interface 1 Linux SLL (IPv4 UDP)."""
    frames: list[bytes] = []
    c = Conv(frames, cport=52000, sport=443, cisn=111, sisn=999)

    def tcp6(sport, dport, seq, ack, flags, data=b"", to_server=True):
        seg = tcp(sport, dport, seq, ack, flags, data)
        ip6 = dpkt.ip6.IP6(src=CLIENT6 if to_server else SERVER6, dst=SERVER6 if to_server else CLIENT6,
                           nxt=6, hlim=64, data=seg, plen=len(bytes(seg)))
        return eth(ip6, *(() if to_server else (MAC_S, MAC_C)), ethertype=0x86DD, vlan=42)

    del c
    seq_c, seq_s = 111, 999
    rows = [tcp6(52000, 443, seq_c, 0, SYN), tcp6(443, 52000, seq_s, seq_c + 1, SYN | ACK, to_server=False),
            tcp6(52000, 443, seq_c + 1, seq_s + 1, ACK)]
    d1, d2, d3 = b"first-", b"second-", b"third"
    s0 = seq_s + 1
    rows.append(tcp6(443, 52000, s0, seq_c + 1, ACK | PSH, d1, to_server=False))
    rows.append(tcp6(443, 52000, s0 + len(d1) + len(d2), seq_c + 1, ACK | PSH, d3, to_server=False))  # ahead
    rows.append(tcp6(443, 52000, s0 + len(d1), seq_c + 1, ACK | PSH, d2, to_server=False))  # out of order
    rows.append(tcp6(443, 52000, s0, seq_c + 1, ACK | PSH, d1, to_server=False))  # retransmission
    rows.append(tcp6(52000, 443, seq_c + 1, s0 + len(d1 + d2 + d3), ACK))
    sll = struct.pack("!HHH8sH", 0, 1, 6, MAC_S + b"\0\0", 0x0800)
    sll_frames = [sll + bytes(ipv4(CLIENT, SERVER, udp(5353, 5353, b"sll-datagram-%d" % i))) for i in range(2)]
    with open(path, "wb") as f:
        w = dpkt.pcapng.Writer(f, snaplen=65535, linktype=dpkt.pcap.DLT_EN10MB)
        # dpkt's Writer knows one interface; append a second IDB (Linux SLL) by hand.
        idb = dpkt.pcapng.InterfaceDescriptionBlockLE(linktype=113, snaplen=65535)
        f.write(bytes(idb))
        for i, frame in enumerate(rows):
            w.writepkt(frame, ts=T0 + i / 1000)
        for i, frame in enumerate(sll_frames):
            epb = dpkt.pcapng.EnhancedPacketBlockLE(iface_id=1, pkt_data=frame, pkt_len=len(frame),
                                                    caplen=len(frame))
            ts_us = (T0 + 1) * 1_000_000 + i * 1000
            epb.ts_high, epb.ts_low = ts_us >> 32, ts_us & 0xFFFFFFFF
            f.write(bytes(epb))


SAMPLES = {
    "http_small_segments.pcap": http_small_segments,
    "udp_fragments.pcap": udp_fragments_sample,
    "tcp_rst.pcap": tcp_rst,
    "framed_messages.pcap": framed_messages,
    "tcp_urgent.pcap": tcp_urgent,
    "udp_big_datagrams.pcap": udp_big_datagrams,
    "tcp_zero_window.pcap": tcp_zero_window,
    "tcp_lost_segment.pcap": tcp_lost_segment,
}


def make_all(outdir: Path) -> list[Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in SAMPLES.items():
        write_pcap(outdir / name, build())
        written.append(outdir / name)
    ipv6_vlan_retrans(outdir / "ipv6_vlan_retrans.pcapng")
    written.append(outdir / "ipv6_vlan_retrans.pcapng")
    return written


def make_bench(n: int, path: Path) -> None:
    """About n frames: 64 interleaved TCP flows with 512-byte segments plus a UDP frame in 10."""
    with open(path, "wb") as f:
        w = dpkt.pcap.Writer(f, snaplen=65535)
        seqs = [1000] * 64
        payload = bytes(range(256)) * 2
        for i in range(n):
            flow = i % 64
            if i % 10 == 9:
                frame = eth(ipv4(CLIENT, SERVER, udp(30000 + flow, 53, payload[:100])))
            else:
                frame = eth(ipv4(SERVER, CLIENT, tcp(80, 40000 + flow, seqs[flow], 1, ACK | PSH, payload)))
                seqs[flow] += len(payload)
            w.writepkt(frame, ts=T0 + i / 1e5)


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--bench":
        make_bench(int(sys.argv[2]), Path(sys.argv[3]))
    else:
        target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
        for p in make_all(target):
            print(f"{p.name}: {p.stat().st_size} bytes")
