"""Hand-built Packets and a transcript helper for reassembly tests."""

from __future__ import annotations

from wsarecv_cli.net import Endpoint, Packet, TcpFlags, Transport
from wsarecv_cli.reassembly import FlowTracker, ReassemblyLimits
from wsarecv_cli.reassembly.events import StreamData, StreamGap, UrgentData

CLIENT = Endpoint.parse("10.0.0.1:51000")
SERVER = Endpoint.parse("10.0.0.2:80")
ISN_C = 1000
ISN_S = 5000

# Idle-UDP tests (retiring, parking): a DNS-like server, three clients, datagrams at times in seconds.
SECOND = 1_000_000_000
DNS_SERVER = Endpoint.parse("10.0.0.2:53")
UDP_CLIENTS = [Endpoint.parse(f"10.0.0.1:{port}") for port in (5000, 5001, 5002)]


def datagram_at(frame: int, ts_s: float, sender: Endpoint, receiver: Endpoint, data: bytes = b"x") -> Packet:
    return Packet(frame, int(ts_s * SECOND), Transport.UDP, sender.addr, sender.port, receiver.addr, receiver.port,
                  data)

_FLAG_LETTERS = {"S": TcpFlags.SYN, "A": TcpFlags.ACK, "F": TcpFlags.FIN, "R": TcpFlags.RST,
                 "P": TcpFlags.PSH, "U": TcpFlags.URG}


def flags_of(text: str) -> int:
    value = 0
    for letter in text:
        value |= _FLAG_LETTERS[letter]
    return int(value)


class Capture:
    """Builds a conversation frame by frame: frame numbers and timestamps count up by themselves."""

    def __init__(self) -> None:
        self.packets: list[Packet] = []

    def tcp(self, seq: int, data: bytes = b"", flags: str = "A", *, ack: int = 0, sender: Endpoint = SERVER,
            urg: int = 0, window: int = 1000, missing: int = 0, frames: tuple[int, ...] = ()) -> Packet:
        receiver = CLIENT if sender == SERVER else SERVER
        n = len(self.packets) + 1
        p = Packet(n, n * 1_000_000, Transport.TCP, sender.addr, sender.port, receiver.addr, receiver.port,
                   data, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, flags_of(flags), urg, window, missing, frames)
        self.packets.append(p)
        return p

    def udp(self, data: bytes, *, sender: Endpoint = SERVER, missing: int = 0) -> Packet:
        receiver = CLIENT if sender == SERVER else SERVER
        n = len(self.packets) + 1
        p = Packet(n, n * 1_000_000, Transport.UDP, sender.addr, sender.port, receiver.addr, receiver.port,
                   data, missing=missing)
        self.packets.append(p)
        return p

    def handshake(self, isn_c: int = ISN_C, isn_s: int = ISN_S) -> None:
        self.tcp(isn_c, flags="S", sender=CLIENT)
        self.tcp(isn_s, flags="SA", ack=isn_c + 1)
        self.tcp(isn_c + 1, flags="A", ack=isn_s + 1, sender=CLIENT)


def run(packets: list[Packet], limits: ReassemblyLimits | None = None, *, sender: Endpoint = SERVER):
    """Feed everything, finish, return (events of `sender`'s direction, the tracker)."""
    tracker = FlowTracker(limits)
    events = []
    for p in packets:
        events.extend(tracker.feed(p))
    events.extend(tracker.finish())
    return [fe.event for fe in events if fe.sender == sender], tracker


def stream_of(events) -> tuple[bytes, list[tuple[int, int]]]:
    """Data bytes (urgent bytes put back in place) and the gaps as (offset, length)."""
    data = bytearray()
    gaps = []
    for e in events:
        if isinstance(e, StreamData):
            data += e.data
        elif isinstance(e, UrgentData):
            data.append(e.byte)
        elif isinstance(e, StreamGap):
            gaps.append((e.offset, e.length))
    return bytes(data), gaps
