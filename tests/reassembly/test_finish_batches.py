"""The end-of-capture flush streams: `finish_batches` hands events out flow by flow in bounded
batches (the same events, in the same order, as `finish`)."""

from __future__ import annotations

from wsarecv_cli.net import Endpoint, Packet, Transport
from wsarecv_cli.reassembly import FlowTracker

SERVER = Endpoint.parse("10.0.0.2:80")
SYN, ACK, PSH = 0x02, 0x10, 0x08


def _held_in_many_flows(flows: int) -> list[Packet]:
    """Each flow: a SYN, then one byte behind a 5-byte hole, held until the end of the capture."""
    packets = []
    for k in range(flows):
        client = Endpoint(bytes([10, 1, k >> 8, k & 0xFF]), 40000)
        for seq, flags, payload in ((1000, SYN, b""), (1000 + 1 + 5, ACK | PSH, b"y")):
            packets.append(Packet(len(packets), len(packets) * 1000, Transport.TCP, client.addr, client.port,
                                  SERVER.addr, SERVER.port, payload, seq, 0, flags, 0, 1000))
    return packets


def _tracker(packets: list[Packet]) -> FlowTracker:
    tracker = FlowTracker()
    for p in packets:
        assert tracker.feed(p) == []  # everything is held
    return tracker


def test_finish_batches_are_bounded_and_give_what_finish_gives() -> None:
    packets = _held_in_many_flows(1000)
    batches = list(_tracker(packets).finish_batches(batch_events=100))
    everything = _tracker(packets).finish()
    assert [e for batch in batches for e in batch] == everything
    assert len(everything) >= 2000  # a gap and the held byte per flow
    assert len(batches) >= 20
    assert all(len(batch) < 100 + 3 for batch in batches)  # at most one flow's events beyond the mark
