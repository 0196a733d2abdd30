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


def test_flows_finished_at_the_end_are_forgotten_batch_by_batch() -> None:
    """A sink consumer (follow --json) finishing 3,000 live flows: each is still known to `info`
    when its on_retire comes, and the tracker holds at most a batch's worth of finished flows —
    before, every flow finished at the end stayed in memory until the process ended."""
    known_at_retire, most_held = [], [0]

    def retired(flow) -> None:
        known_at_retire.append(tracker.info(flow).id == flow)
        most_held[0] = max(most_held[0], len(tracker._recent))

    tracker = FlowTracker(on_retire=retired, sinks=lambda flow, sender, receiver: lambda event: None)
    for p in _held_in_many_flows(3000):
        tracker.feed(p)
    for _ in tracker.finish_batches(batch_events=100):
        pass
    assert len(known_at_retire) == 3000 and all(known_at_retire)
    assert most_held[0] <= 100 + 1
    assert len(tracker._recent) <= 100


def test_finish_keeps_every_finished_flow_known_for_its_list() -> None:
    """`finish` hands back one list: every flow in it stays known until the next feed."""
    tracker = _tracker(_held_in_many_flows(300))
    events = tracker.finish()
    assert {tracker.endpoints(e.flow)[1] for e in events} == {SERVER}
