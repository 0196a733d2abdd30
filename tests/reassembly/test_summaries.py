"""FlowSummaries: finished-flow snapshots in bounded memory, handed back in stream order."""

from __future__ import annotations

import random

import pytest

from wsarecv_cli.capture import read_packets
from wsarecv_cli.net import Endpoint, FlowId, Transport
from wsarecv_cli.reassembly import DirectionStats, FlowInfo, FlowTracker
from wsarecv_cli.reassembly.summaries import FlowSummaries, stream_order


def _info(transport: Transport, index: int) -> FlowInfo:
    a = Endpoint(bytes([10, 0, index >> 8 & 255, index & 255]), 1000 + index % 50000)
    b = Endpoint(bytes([10, 1, 0, 1]), 80)
    stats = DirectionStats(packets=index, payload_bytes=3 * index, retransmitted=index % 3)
    return FlowInfo(FlowId(transport, index), a, b, a, index, index + 5, stats, DirectionStats(), "closed")


@pytest.mark.parametrize("in_memory", [1, 3, 64, 10_000], ids=lambda n: f"in_memory={n}")
def test_sorted_in_stream_order_whatever_the_spilling(in_memory: int) -> None:
    infos = [_info(t, i) for t in Transport for i in range(150)]
    shuffled = infos[:]
    random.Random(4).shuffle(shuffled)
    store = FlowSummaries(in_memory)
    live = shuffled[:7]  # the live flows' snapshots, merged in at the end
    for info in shuffled[7:]:
        store.add(info)
    assert len(store) == len(infos) - 7
    assert (store.spilled_runs > 0) == (in_memory < len(infos) - 7)
    expected = sorted(infos, key=stream_order)
    assert list(store.sorted(live)) == expected
    assert list(store.sorted(live)) == expected  # a second pass reads the same
    store.close()


def test_tracker_lists_the_same_flows_when_spilling(monkeypatch, tmp_path) -> None:
    """On a generated capture (TCP and UDP, closed and reset flows, port reuse), a tracker whose
    finished flows spill every 2 lists exactly what an unspilling one does."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    import generate

    path = tmp_path / "g.pcap"
    generate.generate(str(path), packets=3000, flows=120, seed=3, concurrent=10, quiet=True)

    def run() -> list[FlowInfo]:
        tracker = FlowTracker(events=False)
        with read_packets(str(path)) as packets:
            for packet in packets:
                tracker.feed(packet)
        tracker.finish()
        return tracker.flows

    plain = run()
    monkeypatch.setattr(FlowSummaries, "IN_MEMORY", 2)
    assert run() == plain
    assert len(plain) >= 120


def test_no_temporary_directory_keeps_everything_in_memory(monkeypatch) -> None:
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(13, "read-only file system")

    monkeypatch.setattr(tempfile, "TemporaryFile", refuse)
    store = FlowSummaries(2)
    infos = [_info(Transport.UDP, i) for i in range(9, -1, -1)]
    for info in infos:
        store.add(info)
    assert store.spilled_runs == 0
    assert list(store.sorted()) == sorted(infos, key=stream_order)
