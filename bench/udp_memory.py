"""Peak RSS against capture length at a fixed number of open UDP conversations (issue 17).

    python bench/udp_memory.py [--sizes 50000,100000,200000,400000] [--concurrent 50] [--life 40] [--runs 3]

Each capture holds `--concurrent` UDP conversations at any time, each one a client port talking
to a DNS-like server, one 200-byte datagram per second, alternating directions, for `--life`
datagrams; then that slot's conversation ends for good and a new client port takes its place.
So the number of conversations *open* at once is fixed while their total grows with the
capture, and the capture spans packets / concurrent seconds (400k packets at 50: 8,000 s).
The same shape with TCP connections (SYN, data, FIN both ways) is measured for contrast: closed
TCP flows are retired, UDP flows never are. For each size and command the median peak RSS (the
kernel's ru_maxrss, as /usr/bin/time -v) of `--runs` fresh processes, round-robin over sizes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import struct
import subprocess
import tempfile

T0 = 1_700_000_000
SERVER = bytes([192, 168, 0, 1])
ETH = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
SYN, FIN, PSH_ACK, ACK = 0x02, 0x01, 0x18, 0x10


def _ip_checksum(header: bytes) -> int:
    total = sum(struct.unpack("!10H", header))
    total = (total & 0xFFFF) + (total >> 16)
    return ~((total & 0xFFFF) + (total >> 16)) & 0xFFFF


def _ipv4(src: bytes, dst: bytes, proto: int, l4: bytes) -> bytes:
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0, 64, proto, 0, src, dst)
    return header[:10] + struct.pack("!H", _ip_checksum(header)) + header[12:] + l4


def _frame(src: bytes, sport: int, dst: bytes, dport: int, payload: bytes, tcp: tuple[int, int, int] | None) -> bytes:
    if tcp is None:
        l4, proto = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload, 17
    else:
        seq, ack, flags = tcp
        l4 = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
        proto = 6
    return ETH + _ipv4(src, dst, proto, l4)


def write_capture(path: str, packets: int, concurrent: int, life: int, tcp: bool) -> int:
    """The capture described in the module docstring; returns the number of conversations."""
    payload = bytes(range(200))
    conversations = 0
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        slots: list[list[int]] = []  # per slot: [client port index, datagrams sent, client seq, server seq]
        for i in range(packets):
            k = i % concurrent
            if k == len(slots):
                slots.append([conversations, 0, 1000, 5000])
                conversations += 1
            slot = slots[k]
            if slot[1] == life:
                slot[:] = [conversations, 0, 1000, 5000]
                conversations += 1
            n, step = slot[0], slot[1]
            client = bytes([10, 1, (n >> 8) & 0xFF, n & 0xFF])
            cport = 10000 + n % 50000
            from_client = step % 2 == 0
            if not tcp:
                data, flags = payload, None
            elif step == 0:
                data, flags = b"", (slot[2], 0, SYN)
                slot[2] += 1
            elif step == 1:
                data, flags = b"", (slot[3], slot[2], SYN | ACK)
                slot[3] += 1
            elif step >= life - 2:  # FIN from each side, the other's data acknowledged
                seq, ack = (slot[2], slot[3]) if from_client else (slot[3], slot[2])
                data, flags = b"", (seq, ack, FIN | ACK)
                slot[2 if from_client else 3] += 1
            else:
                seq, ack = (slot[2], slot[3]) if from_client else (slot[3], slot[2])
                data, flags = payload, (seq, ack, PSH_ACK)
                slot[2 if from_client else 3] += len(payload)
            frame = (_frame(client, cport, SERVER, 53, data, flags) if from_client
                     else _frame(SERVER, 53, client, cport, data, flags))
            ts_us = i * 1_000_000 // concurrent  # each conversation: one packet per second
            out.write(struct.pack("<IIII", T0 + ts_us // 1_000_000, ts_us % 1_000_000, len(frame), len(frame)))
            out.write(frame)
            slot[1] += 1
    return conversations


def peak_rss_mib(argv: list[str]) -> float:
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0, 3):
        raise SystemExit(f"{' '.join(argv)} failed")
    return usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50000,100000,200000,400000")
    parser.add_argument("--concurrent", type=int, default=50)
    parser.add_argument("--life", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--wsarecv", default=shutil.which("wsarecv") or "wsarecv")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    commands = {"flows": ["flows"], "follow --json": ["follow", "--json"], "replay --ndjson": ["replay", "--ndjson"]}
    with tempfile.TemporaryDirectory(prefix="wsarecv-udpmem-") as tmp:
        captures, flows = {}, {}
        for transport in ("udp", "tcp"):
            for size in sizes:
                path = os.path.join(tmp, f"{transport}-{size}.pcap")
                flows[transport, size] = write_capture(path, size, args.concurrent, args.life, transport == "tcp")
                captures[transport, size] = path
        samples: dict[tuple, list[float]] = {}
        for _ in range(args.runs):
            for (transport, size), path in captures.items():
                for name, extra in commands.items():
                    rss = peak_rss_mib([args.wsarecv, *extra, path])
                    samples.setdefault((transport, size, name), []).append(rss)
    print(f"{args.concurrent} conversations open at once, {args.life} packets each, one packet/s per conversation; "
          f"median peak RSS MiB of {args.runs} runs")
    print(f"{'transport':<9} {'packets':>8} {'capture s':>9} {'flows':>6} " +
          " ".join(f"{name:>14}" for name in commands))
    for (transport, size) in captures:
        cells = " ".join(f"{statistics.median(samples[transport, size, name]):>14.1f}" for name in commands)
        print(f"{transport:<9} {size:>8} {size // args.concurrent:>9} {flows[transport, size]:>6} {cells}")


if __name__ == "__main__":
    main()
