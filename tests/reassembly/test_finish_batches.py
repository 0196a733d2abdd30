"""The end-of-capture flush streams: `finish_batches` hands events out flow by flow in bounded
batches (the same events, in the same order, as `finish`), and replay turns them into items a
slice at a time instead of every call outcome at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.robustness.cli_run import wsarecv
from tests.robustness.hostile import held_behind_hole_frames, write_dense_pcap
from wsarecv_cli.model.types import Protocol
from wsarecv_cli.net import Endpoint, Packet, Transport
from wsarecv_cli.reassembly import FlowTracker
from wsarecv_cli.replay import session as session_module
from wsarecv_cli.replay.session import ReplayConfig, ReplaySession

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


@pytest.fixture(scope="module")
def hole_capture(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("finish") / "held-behind-hole.pcap"
    write_dense_pcap(path, held_behind_hole_frames(3000))  # 3 ms: the hole stays open to the end
    return path


def test_replay_hands_out_the_flush_a_slice_at_a_time(hole_capture: Path, monkeypatch) -> None:
    """3,000 one-byte segments held behind a hole are released at the end. A message-oriented
    receiver takes them one by one (a byte-stream receiver gets them as one burst): their ~6,000
    items come out in slices, not in one batch."""
    monkeypatch.setattr(session_module, "FINISH_SLICE", 256)
    config = ReplayConfig(protocol=Protocol.RELIABLE_MSG)
    sizes = [len(batch) for batch in ReplaySession(str(hole_capture), config)._batches()]
    assert sum(sizes) > 6000
    assert max(sizes) <= 2 * 256 + 8  # two items an event, and the receiver's start and gap


@pytest.mark.parametrize("protocol", ["tcp", "reliable-msg"])
def test_replay_output_does_not_depend_on_the_slice(hole_capture: Path, monkeypatch, protocol: str) -> None:
    whole = wsarecv("replay", str(hole_capture), "--ndjson", "--protocol", protocol)
    monkeypatch.setattr(session_module, "FINISH_SLICE", 7)
    sliced = wsarecv("replay", str(hole_capture), "--ndjson", "--protocol", protocol)
    assert whole.code == 0 and (sliced.stdout, sliced.stderr) == (whole.stdout, whole.stderr)
    assert whole.stdout.count("\n") >= 7  # flow, gap, finding, calls, summary
