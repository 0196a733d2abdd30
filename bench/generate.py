#!/usr/bin/env python3
"""Deterministic benchmark capture generator (classic little-endian microsecond pcap, Ethernet).

    python bench/generate.py --packets 1000000 --flows 5000 --seed 1 --out bench/out/bench-1m.pcap

Writes a capture of ~N packets (the exact count is in the sidecar) made of interleaved flows:

* TCP (~80 % of flows): SYN / SYN-ACK / ACK, request/response exchanges with segment sizes up to
  the 1460-byte MSS and some TSO-sized segments (2..8 x MSS, ~0.7 %), delayed pure ACKs, ~2 % of data
  segments delivered out of order, ~2 % retransmitted (exact copies, suffix-only retransmissions
  and repacketised retransmissions spanning two segments), closed by FIN/ACK both ways, ~3 % by RST.
  Sequence numbers start at random ISNs, so some streams wrap around 2**32.
* UDP (~20 % of flows): DNS-like, media-like and QUIC-like datagram exchanges; ~1 % of IPv4
  datagrams are larger than 1472 bytes and sent as IPv4 fragments (back to back), a third of those
  out of order.
* ~10 % of flows are IPv6, ~10 % carry an 802.1Q tag; IPv4 header checksums are valid, TCP/UDP
  checksums are zero (not validated by wsarecv, tshark or tcpflow by default).

Everything derives from one seeded ``random.Random`` and a synthetic clock (no wall time), so the
same arguments give the same bytes. Memory stays constant in the packet count: packets are
streamed to the file, only the live flows (``--concurrent``) are held. Live flows are picked at
random for each packet, so ``--concurrent 100000`` keeps ~100k flows open at once.

Sidecar ``FILE.truth.json``: ``{"flows": [...], "meta": {...}}``; each flow has its 5-tuple
(``client``/``server`` as "addr:port" — the client sends the first packet), ``proto``, ``ip``
(4/6), ``vlan``, ``close`` ("fin"/"rst"/"none"), ``packets``, and per direction (``c2s``, ``s2c``)
the application byte count, the number of segments/datagrams and the sha256 of the application
data (TCP: the in-order byte stream; UDP: the datagram payloads concatenated in send order).
"""

from __future__ import annotations

import argparse
import hashlib
import ipaddress
import json
import os
import random
import struct
import sys
import time

MSS = 1460
UDP_MAX_UNFRAG = 1472          # 1500 - 20 (IPv4) - 8 (UDP)
FRAG_CHUNK = 1480              # IPv4 payload bytes per fragment (multiple of 8)
BLOCK_SIZE = 1 << 21           # shared payload source; each flow direction reads a window of it

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10

_PCAP_HDR = struct.Struct("<IHHiIII")
_REC = struct.Struct("<IIII")
_TCP = struct.Struct("!HHIIBBHHH")
_UDP = struct.Struct("!HHHH")
_IP4 = struct.Struct("!BBHHHBBH4s4s")
_IP6 = struct.Struct("!IHBB16s16s")
_VLAN = struct.Struct("!HH")

_WORDS = (b"GET POST HTTP/1.1 Host: example.com Content-Type: application/json Accept: */* "
          b"Connection: keep-alive User-Agent: wsarecv-bench {\"id\": 42, \"name\": \"value\", "
          b"\"items\": [1, 2, 3], \"ok\": true} lorem ipsum dolor sit amet consectetur adipiscing "
          b"elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua\r\n").split(b" ")


def make_block(rng: random.Random) -> bytes:
    """Payload source: half text-like (HTTP/JSON words), half random binary, plus a wrap tail."""
    text = bytearray()
    words = _WORDS
    while len(text) < BLOCK_SIZE // 2:
        text += b" ".join(rng.choice(words) for _ in range(64)) + b"\r\n"
    block = bytes(text[: BLOCK_SIZE // 2]) + rng.randbytes(BLOCK_SIZE // 2)
    return block + block[:65536 + 8]   # any window of <= 64 KiB starting inside BLOCK_SIZE is contiguous


def stream_sha(block: bytes, base: int, length: int) -> str:
    """sha256 of `length` bytes of the infinite periodic stream block[base:] (period BLOCK_SIZE)."""
    h = hashlib.sha256()
    pos = base
    left = length
    while left:
        n = min(left, BLOCK_SIZE - pos)
        h.update(block[pos:pos + n])
        left -= n
        pos = 0
    return h.hexdigest()


def ip4_sum_base(src: bytes, dst: bytes, proto: int) -> int:
    """One's-complement partial sum of the constant IPv4 header words (version/IHL, TTL/proto, addrs)."""
    s = 0x4500 + (64 << 8 | proto)
    for b in (src, dst):
        s += (b[0] << 8 | b[1]) + (b[2] << 8 | b[3])
    return s


class Flow:
    """One flow's constant headers plus its packet plan (compact tuples, emitted lazily)."""

    __slots__ = ("fid", "proto", "v6", "vlan", "eth", "src", "dst", "ports", "csbase", "isn",
                 "base", "plan", "pos", "ipid", "truth")


def plan_tcp(rng: random.Random, budget: int, flow: Flow) -> tuple[list, int, int, str, list]:
    """Packet plan of one TCP connection of about `budget` packets.

    Tuples: (dir, flags, seq_rel, ack_rel, length); seq_rel/ack_rel are relative to the ISN of the
    sending/acknowledged direction (SYN at 0, first data byte at 1). Returns the plan, the bytes
    sent client->server and server->client, the close kind and segment counts.
    """
    plan = [(0, SYN, 0, 0, 0), (1, SYN | ACK, 0, 1, 0), (0, ACK, 1, 1, 0)]
    close = "rst" if rng.random() < 0.03 else "fin"
    tail = 1 if close == "rst" else 4
    body_target = max(1, budget - 3 - tail)
    body: list = []
    off = [0, 0]          # bytes sent per direction
    segs = [0, 0]
    rand = rng.random
    randint = rng.randint
    ack_every = 1 if rand() < 0.4 else 2     # quick-ACK receivers vs delayed ACK every 2 segments
    while len(body) < body_target:
        # request: mostly small, sometimes an upload
        r = rand()
        if r < 0.9:
            req = randint(60, 900)
        elif r < 0.985:
            req = randint(900, 6000)
        else:
            req = randint(6000, 60000)
        # response: heavy-ish tail so that a 1M-packet capture is ~650 MB
        r = rand()
        if r < 0.65:
            resp = randint(40, 1400)
        elif r < 0.93:
            resp = randint(1400, 12000)
        else:
            resp = randint(12000, 64000)
        for d, total in ((0, req), (1, resp)):
            other = 1 - d
            unacked = 0
            left = total
            while left and len(body) < body_target:
                if rand() < 0.007:
                    n = min(left, MSS * randint(2, 8))      # TSO segment, captured before NIC split
                else:
                    n = min(left, MSS)
                left -= n
                flags = ACK | (PSH if left == 0 else 0)
                body.append((d, flags, 1 + off[d], 1 + off[other], n))
                off[d] += n
                segs[d] += 1
                unacked += 1
                if unacked >= ack_every and len(body) < body_target:
                    body.append((other, ACK, 1 + off[other], 1 + off[d], 0))
                    unacked = 0
            if unacked and len(body) < body_target:
                body.append((other, ACK, 1 + off[other], 1 + off[d], 0))
    # perturb: out-of-order swaps and retransmissions (inserted a few packets later)
    out: list = []
    i = 0
    n_body = len(body)
    pending: list = []     # (emit_at_index, tuple)
    while i < n_body:
        p = body[i]
        if p[4] and rand() < 0.02:
            # swap with the next data segment of the same direction within 4 packets
            for j in range(i + 1, min(i + 5, n_body)):
                q = body[j]
                if q[0] == p[0] and q[4]:
                    body[i], body[j] = q, p
                    p = q
                    break
        out.append(p)
        if p[4] and rand() < 0.02:
            r = rand()
            d, flags, seq, ack, n = p
            if r < 0.5 or n < 2:
                rt = p                                       # exact copy
            elif r < 0.75:
                k = randint(1, n - 1)                        # suffix only (partially acked)
                rt = (d, flags, seq + k, ack, n - k)
            else:
                rt = None                                    # repacketised: this + next segment
                for j in range(i + 1, min(i + 6, n_body)):
                    q = body[j]
                    if q[0] == d and q[4] and q[2] == seq + n:
                        rt = (d, flags | (q[1] & PSH), seq, ack, n + q[4])
                        break
                if rt is None:
                    rt = p
            pending.append((i + randint(1, 4), rt))
        if pending:
            keep = []
            for at, rt in pending:
                if at <= i:
                    out.append(rt)
                else:
                    keep.append((at, rt))
            pending = keep
        i += 1
    for _, rt in pending:
        out.append(rt)
    plan += out
    c, s = off
    if close == "fin":
        if rand() < 0.5:
            plan += [(0, FIN | ACK, 1 + c, 1 + s, 0), (1, ACK, 1 + s, 2 + c, 0),
                     (1, FIN | ACK, 1 + s, 2 + c, 0), (0, ACK, 2 + c, 2 + s, 0)]
        else:
            plan += [(1, FIN | ACK, 1 + s, 1 + c, 0), (0, ACK, 1 + c, 2 + s, 0),
                     (0, FIN | ACK, 1 + c, 2 + s, 0), (1, ACK, 2 + s, 2 + c, 0)]
    else:
        plan.append((1, RST | ACK, 1 + s, 1 + c, 0))
    return plan, c, s, close, segs


def plan_udp(rng: random.Random, budget: int, flow: Flow) -> tuple[list, int, int, list]:
    """Datagram plan: (dir, offset_in_dir_stream, length, frag_off, frag_len, more, index) tuples.

    frag_off is -1 for unfragmented datagrams; the fragments of one datagram are consecutive in
    the plan (sometimes reversed or shuffled) and share the IP id derived from the datagram index.
    """
    kind = rng.random()
    off = [0, 0]
    dgrams = [0, 0]
    plan: list = []
    rand = rng.random
    randint = rng.randint
    while len(plan) < budget:
        if kind < 0.4:        # DNS-like: query / answer
            pairs = ((0, randint(28, 120)), (1, randint(60, 480)))
        elif kind < 0.7:      # media-like: one direction, constant-ish packets
            pairs = ((0, randint(160, 1200)),)
        else:                 # QUIC-like bulk both ways
            pairs = ((1, randint(1200, 1350)), (1, randint(1200, 1350)), (0, randint(40, 80)))
        for d, n in pairs:
            if len(plan) >= budget:
                break
            if not flow.v6 and rand() < 0.01:
                n = randint(UDP_MAX_UNFRAG + 1, 8000)
                ip_payload = n + 8
                frags = []
                fo = 0
                while fo < ip_payload:
                    fl = min(FRAG_CHUNK, ip_payload - fo)
                    frags.append((d, off[d], n, fo, fl, fo + fl < ip_payload, dgrams[d]))
                    fo += fl
                if rand() < 0.33:
                    frags.reverse() if rand() < 0.5 else rng.shuffle(frags)
                plan += frags
            else:
                plan.append((d, off[d], n, -1, 0, False, dgrams[d]))
            off[d] += n
            dgrams[d] += 1
    return plan, off[0], off[1], dgrams


def generate(out: str, packets: int, flows: int, seed: int, concurrent: int,
             v6_share: float = 0.10, vlan_share: float = 0.10, udp_share: float = 0.20,
             quiet: bool = False) -> dict:
    rng = random.Random(seed)
    block = make_block(rng)
    flows = max(1, min(flows, packets))
    concurrent = max(1, min(concurrent, flows))
    # per-flow packet budgets: log-normal weights scaled to the packet count
    weights = [rng.lognormvariate(0.0, 1.0) for _ in range(flows)]
    scale = packets / sum(weights)
    budgets = [w * scale for w in weights]
    del weights

    truth_path = out + ".truth.json"
    t0 = time.perf_counter()
    f = open(out, "wb", buffering=1 << 20)
    tf = open(truth_path, "w", buffering=1 << 20)
    tf.write('{"flows": [\n')
    f.write(_PCAP_HDR.pack(0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))

    next_flow = 0
    n_written = 0
    bytes_written = 24
    first_truth = True
    clock = 1_700_000_000 * 1_000_000
    carry = 0.0           # fractional budget carried between flows so the total tracks --packets

    def start_flow() -> Flow:
        nonlocal next_flow, carry
        i = next_flow
        next_flow += 1
        fl = Flow()
        fl.fid = i
        b = budgets[i] + carry
        udp = rng.random() < udp_share
        fl.proto = 17 if udp else 6
        fl.v6 = rng.random() < v6_share
        fl.vlan = rng.randint(2, 4000) if rng.random() < vlan_share else 0
        n = i + 1
        if fl.v6:
            c = ipaddress.IPv6Address(0x20010DB8000000000000000000000000 | (n << 16) | 1).packed
            s = ipaddress.IPv6Address(0x20010DB8FFFF00000000000000000000 | rng.randrange(1, 1 << 16)).packed
        else:
            c = bytes((10, (n >> 16) & 255, (n >> 8) & 255, n & 255))
            s = bytes((192, 168, rng.randrange(256), rng.randrange(1, 255)))
        sport = rng.randrange(1024, 65536)
        if udp:
            dport = rng.choice((53, 443, 5004, 3478, 9999))
        else:
            dport = rng.choice((80, 443, 8080, 445, 3389, 5000))
        cmac = bytes((2, 0, (n >> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255))
        smac = b"\x02\xff\x00\x00\x00\x01"
        ethertype = 0x86DD if fl.v6 else 0x0800
        if fl.vlan:
            tag = struct.pack("!H", 0x8100) + _VLAN.pack(fl.vlan, ethertype)
        else:
            tag = struct.pack("!H", ethertype)
        fl.eth = (smac + cmac + tag, cmac + smac + tag)            # dst, src per direction
        fl.src = (c, s)
        fl.dst = (s, c)
        fl.ports = ((sport, dport), (dport, sport))
        fl.csbase = (ip4_sum_base(c, s, fl.proto), ip4_sum_base(s, c, fl.proto)) if not fl.v6 else None
        fl.isn = (rng.getrandbits(32), rng.getrandbits(32))
        fl.base = (rng.randrange(BLOCK_SIZE), rng.randrange(BLOCK_SIZE))
        fl.ipid = [rng.getrandbits(16), rng.getrandbits(16)]
        if udp:
            budget = max(1, round(b))
            fl.plan, c2s, s2c, counts = plan_udp(rng, budget, fl)
            close = "none"
        else:
            budget = max(8, round(b))
            fl.plan, c2s, s2c, close, counts = plan_tcp(rng, budget, fl)
        carry = b - len(fl.plan)
        fl.pos = 0
        addr = (lambda a, p: f"[{ipaddress.IPv6Address(a)}]:{p}") if fl.v6 else \
               (lambda a, p: f"{ipaddress.IPv4Address(a)}:{p}")
        fl.truth = {
            "id": i, "proto": "udp" if udp else "tcp", "ip": 6 if fl.v6 else 4,
            "vlan": fl.vlan or None, "client": addr(c, sport), "server": addr(s, dport),
            "close": close, "packets": len(fl.plan),
            "c2s": {"bytes": c2s, ("datagrams" if udp else "segments"): counts[0],
                    "sha256": stream_sha(block, fl.base[0], c2s)},
            "s2c": {"bytes": s2c, ("datagrams" if udp else "segments"): counts[1],
                    "sha256": stream_sha(block, fl.base[1], s2c)},
        }
        return fl

    active: list[Flow] = []
    while len(active) < concurrent and next_flow < flows:
        active.append(start_flow())

    rec = _REC.pack
    tcp_pack = _TCP.pack
    udp_pack = _UDP.pack
    ip4_pack = _IP4.pack
    ip6_pack = _IP6.pack
    randrange = rng.randrange
    buf: list[bytes] = []
    stats = {"tcp_packets": 0, "udp_packets": 0, "fragments": 0}
    n_tcp = n_udp = n_frag = 0
    live = max_live = 0       # flows whose first packet is written and last one is not yet

    k = -1
    while active:
        if k < 0:
            k = randrange(len(active))
        fl = active[k]
        p = fl.plan[fl.pos]
        fl.pos += 1
        if fl.pos == 1:
            live += 1
            if live > max_live:
                max_live = live
        d = p[0]
        if fl.proto == 6:
            _, flags, seq, ack, n = p
            stay = False
            isn = fl.isn
            sp, dp = fl.ports[d]
            l4 = tcp_pack(sp, dp, (isn[d] + seq) & 0xFFFFFFFF,
                          (isn[1 - d] + ack) & 0xFFFFFFFF if flags & ACK else 0,
                          0x50, flags, 65535, 0, 0)
            if n:
                start = (fl.base[d] + seq - 1) % BLOCK_SIZE
                payload = block[start:start + n]
            else:
                payload = b""
            frag = 0
            n_tcp += 1
        else:
            _, soff, n, fo, flen, more, idx = p
            stay = False
            start = (fl.base[d] + soff) % BLOCK_SIZE
            sp, dp = fl.ports[d]
            if fo < 0:
                l4 = udp_pack(sp, dp, n + 8, 0)
                payload = block[start:start + n]
                frag = 0
            else:
                whole = udp_pack(sp, dp, n + 8, 0) + block[start:start + n]
                l4 = b""
                payload = whole[fo:fo + flen]
                frag = (fo >> 3) | (0x2000 if more else 0)
                n_frag += 1
                if fl.pos < len(fl.plan) and fl.plan[fl.pos][3] >= 0 and fl.plan[fl.pos][6] == idx \
                        and fl.plan[fl.pos][0] == d:
                    stay = True          # fragments of one datagram leave back to back
            n_udp += 1
        ln = len(l4) + len(payload)
        if fl.v6:
            ip = ip6_pack(0x60000000, ln, fl.proto, 64, fl.src[d], fl.dst[d])
        else:
            if fl.proto == 6:
                ipid = fl.ipid[d] = (fl.ipid[d] + 1) & 0xFFFF
            else:
                ipid = (fl.ipid[d] + idx) & 0xFFFF
            tot = 20 + ln
            s = fl.csbase[d] + tot + ipid + frag
            s = (s & 0xFFFF) + (s >> 16)
            s = (s & 0xFFFF) + (s >> 16)
            ip = ip4_pack(0x45, 0, tot, ipid, frag, 64, fl.proto, ~s & 0xFFFF, fl.src[d], fl.dst[d])
        frame_len = 14 + (4 if fl.vlan else 0) + len(ip) + ln
        clock += 1 + (n_written * 7919) % 97
        buf.append(rec(clock // 1_000_000, clock % 1_000_000, frame_len, frame_len))
        buf.append(fl.eth[d])
        buf.append(ip)
        buf.append(l4)
        buf.append(payload)
        n_written += 1
        bytes_written += 16 + frame_len
        if fl.pos == len(fl.plan):
            live -= 1
            tf.write(("" if first_truth else ",\n") + json.dumps(fl.truth, separators=(",", ":")))
            first_truth = False
            if next_flow < flows:
                active[k] = start_flow()
            else:
                active[k] = active[-1]
                active.pop()
            k = -1
        elif not stay:
            k = -1               # next packet: a random live flow
        if len(buf) >= 5000:
            f.write(b"".join(buf))
            buf.clear()
    f.write(b"".join(buf))
    f.close()
    stats.update(tcp_packets=n_tcp, udp_packets=n_udp, fragments=n_frag)
    meta = {
        "generator": "bench/generate.py", "seed": seed, "packets_requested": packets,
        "packets": n_written, "flows": next_flow, "concurrent": concurrent,
        "max_live_flows": max_live,
        "bytes": bytes_written, **stats,
    }
    tf.write("\n],\n" + '"meta": ' + json.dumps(meta) + "}\n")
    tf.close()
    if not quiet:
        dt = time.perf_counter() - t0
        print(f"{out}: {n_written} packets, {next_flow} flows, {bytes_written / 1e6:.1f} MB "
              f"in {dt:.1f} s", file=sys.stderr)
    return meta


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--packets", type=int, default=1_000_000, help="approximate packet count")
    ap.add_argument("--flows", type=int, default=5000, help="number of flows (TCP connections + UDP flows)")
    ap.add_argument("--concurrent", type=int, default=500, help="flows live at once (default 500)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--v6-share", type=float, default=0.10)
    ap.add_argument("--vlan-share", type=float, default=0.10)
    ap.add_argument("--udp-share", type=float, default=0.20)
    ap.add_argument("--out", required=True, help="output .pcap (sidecar: OUT.truth.json)")
    ap.add_argument("-q", "--quiet", action="store_true")
    a = ap.parse_args(argv)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    generate(a.out, a.packets, a.flows, a.seed, a.concurrent, a.v6_share, a.vlan_share,
             a.udp_share, a.quiet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
