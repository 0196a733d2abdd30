"""Captures derived from one whose application receives are known, for the capture-reality tests.

Part of the sample generator (make_samples.py builds the frames the same way). `conversation()` is
a complete capture: a handshake with MSS options, three requests from the client and, for each,
a response of length-prefixed (u16 big-endian) messages from the server in MSS-sized segments,
the client acknowledging every second segment, a FIN/FIN close. What each application received
is what the replay of this complete capture shows. The derivations are what real captures do to
it:

  lose(frames, which)        the tap missed some frames (the receiver got them; its ACKs cover them)
  one_way(frames)            only one direction was captured (no ACK evidence)
  midstream(frames, n)       the capture started after the first n frames (no handshake)
  duplicated(frames)         every frame logged twice, 20 us apart (pktmon components, two interfaces)
  super_segments(frames, k)  the capture was taken on the server with TSO: every k consecutive
                             server data segments appear as one segment larger than the MSS

Frames are (microseconds from T0, bytes); `write_timed` writes them as a pcap. Run
`python samples/derive_captures.py OUTDIR` to look at them with wsarecv.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

import dpkt

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_samples import ACK, CLIENT, FIN, MAC_C, MAC_S, PSH, SERVER, SYN, T0, eth, ipv4  # noqa: E402

Timed = list[tuple[int, bytes]]

CPORT, SPORT = 51000, 8000  # 8000: not well known, not ephemeral: the server by the port rule too
CLIENT_MSS, SERVER_MSS = 1000, 1400
CISN, SISN = 0x7FFF_F000, 0xFFFF_F800  # the server's sequence numbers wrap past 2**32
STEP_US = 1000


def _tcp(sport: int, dport: int, seq: int, ack: int, flags: int, data: bytes = b"", mss: int = 0) -> dpkt.tcp.TCP:
    segment = dpkt.tcp.TCP(sport=sport, dport=dport, seq=seq & 0xFFFFFFFF, ack=ack & 0xFFFFFFFF, flags=flags,
                           win=65535, data=data)
    if mss:
        segment.opts = b"\x02\x04" + struct.pack("!H", mss)
        segment.off = 6
    return segment


def messages(request: int) -> bytes:
    """The server's answer to request `request`: length-prefixed messages of varied sizes."""
    out = b""
    for i, size in enumerate((30, 700, 5, 1800, 64, 2500)):
        body = bytes((request * 31 + i * 7 + j) % 251 for j in range(size + request))
        out += struct.pack("!H", len(body)) + body
    return out


def conversation() -> Timed:
    frames: Timed = []
    t = 0
    cseq, sseq = CISN, SISN

    def client(flags: int, data: bytes = b"", mss: int = 0) -> None:
        nonlocal t, cseq
        frames.append((t, eth(ipv4(CLIENT, SERVER, _tcp(CPORT, SPORT, cseq, sseq, flags, data, mss)))))
        cseq += len(data) + (1 if flags & (SYN | FIN) else 0)
        t += STEP_US

    def server(flags: int, data: bytes = b"", mss: int = 0) -> None:
        nonlocal t, sseq
        frames.append((t, eth(ipv4(SERVER, CLIENT, _tcp(SPORT, CPORT, sseq, cseq, flags, data, mss)),
                              src=MAC_S, dst=MAC_C)))
        sseq += len(data) + (1 if flags & (SYN | FIN) else 0)
        t += STEP_US

    client(SYN, mss=CLIENT_MSS)
    server(SYN | ACK, mss=SERVER_MSS)
    client(ACK)
    for request in range(3):
        client(ACK | PSH, b"GET /%d\n" % request)
        answer = messages(request)
        pieces = [answer[i:i + CLIENT_MSS] for i in range(0, len(answer), CLIENT_MSS)]
        for n, piece in enumerate(pieces):
            server(ACK | (PSH if n == len(pieces) - 1 else 0), piece)
            if n % 2 == 1 or n == len(pieces) - 1:
                client(ACK)
        t += 20 * STEP_US  # think time before the next request
    client(FIN | ACK)
    server(FIN | ACK)
    client(ACK)
    return frames


def _is_server_data(frame: bytes) -> bool:
    ip = dpkt.ethernet.Ethernet(frame).data
    return ip.src == SERVER and len(ip.data.data) > 0


def server_data_indexes(frames: Timed) -> list[int]:
    return [i for i, (_, frame) in enumerate(frames) if _is_server_data(frame)]


def lose(frames: Timed, which: list[int]) -> Timed:
    return [f for i, f in enumerate(frames) if i not in set(which)]


def one_way(frames: Timed) -> Timed:
    """Only the server's frames (a capture of one direction, as on an asymmetric route)."""
    return [f for f in frames if dpkt.ethernet.Ethernet(f[1]).data.src == SERVER]


def midstream(frames: Timed, first: int) -> Timed:
    return frames[first:]


def duplicated(frames: Timed, apart_us: int = 20) -> Timed:
    return [copy for t, frame in frames for copy in ((t, frame), (t + apart_us, frame))]


def super_segments(frames: Timed, k: int = 2) -> Timed:
    """Every run of up to k consecutive server data segments (nothing between them) merged into
    one segment at the time of the last: what a capture on a TSO sender shows."""
    out: Timed = []
    run: list[tuple[int, dpkt.ip.IP]] = []

    def flush() -> None:
        if not run:
            return
        t, first = run[-1][0], run[0][1]
        data = b"".join(bytes(ip.data.data) for _, ip in run)
        flags = run[-1][1].data.flags
        merged = _tcp(SPORT, CPORT, first.data.seq, run[-1][1].data.ack, flags, data)
        out.append((t, eth(ipv4(SERVER, CLIENT, merged), src=MAC_S, dst=MAC_C)))
        run.clear()

    for t, frame in frames:
        ip = dpkt.ethernet.Ethernet(frame).data
        if ip.src == SERVER and len(ip.data.data) > 0 and not ip.data.flags & (SYN | FIN):
            run.append((t, ip))
            if len(run) == k:
                flush()
            continue
        flush()
        out.append((t, frame))
    flush()
    return out


def write_timed(path: Path, frames: Timed) -> Path:
    with open(path, "wb") as f:
        w = dpkt.pcap.Writer(f, snaplen=65535, linktype=dpkt.pcap.DLT_EN10MB)
        for t, frame in frames:
            w.writepkt(frame, ts=T0 + t / 1e6)
    return path


DERIVED = {
    "complete": lambda f: f,
    "lost": lambda f: lose(f, server_data_indexes(f)[3:5]),
    "one_way_lost": lambda f: one_way(lose(f, server_data_indexes(f)[3:4])),
    "midstream": lambda f: midstream(f, 3),
    "duplicated": duplicated,
    "super_segments": super_segments,
}


if __name__ == "__main__":
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(".")
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, derive in DERIVED.items():
        path = write_timed(out_dir / f"reality_{name}.pcap", derive(conversation()))
        print(f"{path}: {path.stat().st_size} bytes")
