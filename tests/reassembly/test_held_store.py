"""The held-data store: SortedKeys against a plain sorted list (hypothesis, small blocks so they
split and empty often), HeldChunks' coverage, and the capture-wide out-of-order budget."""

from __future__ import annotations

import bisect

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wsarecv_cli.reassembly import sortedkeys
from wsarecv_cli.reassembly.flows import FlowTracker
from wsarecv_cli.reassembly.held import CHUNK_COST, HeldChunks, MemoryBudget
from wsarecv_cli.reassembly.stats import ReassemblyLimits
from tests.robustness.hostile import HELD_PER_FLOW, held_many_flows_frames, write_dense_pcap
from wsarecv_cli.capture import read_packets

OPS = st.lists(st.tuples(st.sampled_from(["add", "pop", "floor", "from"]), st.integers(-50, 50)), max_size=300)


@settings(max_examples=200, deadline=None)
@given(OPS)
def test_sorted_keys_behave_as_a_sorted_list(ops) -> None:
    old = sortedkeys.BLOCK
    sortedkeys.BLOCK = 2  # blocks of at most 4: every operation crosses block edges
    try:
        keys, model = sortedkeys.SortedKeys(), []
        for op, value in ops:
            if op == "add" and value not in model:
                keys.add(value)
                bisect.insort(model, value)
            elif op == "pop" and model:
                assert keys.pop_first() == model.pop(0)
            elif op == "floor":
                i = bisect.bisect_right(model, value)
                assert keys.floor(value) == (model[i - 1] if i else None)
            elif op == "from":
                assert list(keys.from_key(value)) == [k for k in model if k >= value]
            assert list(keys) == model and len(keys) == len(model)
            if model:
                assert keys.first() == model[0]
    finally:
        sortedkeys.BLOCK = old


@pytest.mark.parametrize("order", ["ascending", "descending", "interleaved"])
def test_held_chunks_missing_and_cost(order: str) -> None:
    budget = MemoryBudget(1 << 30)
    store = HeldChunks(budget)
    starts = list(range(0, 100, 10))  # chunks [k, k+5): holes [k+5, k+10)
    if order == "descending":
        starts.reverse()
    elif order == "interleaved":
        starts = starts[::2] + starts[1::2]
    for start in starts:
        store.put(start, start + 5, b"x" * 5, 0, (1,))
    assert store.missing(0, 100) == [range(k + 5, k + 10) for k in range(0, 100, 10)]
    assert store.missing(2, 13) == [range(5, 10)]
    assert store.cost == budget.held == 10 * (5 + CHUNK_COST)
    assert [store.pop_first()[0] for _ in range(3)] == [0, 10, 20]
    assert budget.held == 7 * (5 + CHUNK_COST)
    store.discard()
    assert budget.held == 0 and len(store) == 0


def test_overlap_policy_replaces_in_place() -> None:
    from wsarecv_cli.reassembly.stats import OverlapPolicy

    store = HeldChunks(MemoryBudget(1 << 20))
    store.put(10, 20, b"abcdefghij", 5, (7,))
    seen = []
    hit, replaced = store.overlap(5, b"XXXXXXXX", OverlapPolicy.LAST, lambda old, new: seen.append((old, new)))
    assert hit and replaced == 1 and seen == [(b"abc", b"XXX")]
    assert store.get(10) == (20, b"XXXdefghij", 5, (7,))
    hit, replaced = store.overlap(25, b"zz", OverlapPolicy.LAST, lambda old, new: None)
    assert not hit and replaced == 0


def test_the_budget_bounds_many_flows_each_under_their_own_limit(tmp_path) -> None:
    """held_many_flows: every direction holds 100 KB (far under --max-ooo-bytes); with a budget
    of 1 MiB in all the sum stays under it, the rest is dropped as LIMIT gaps, and everything is
    given back at the end."""
    path = tmp_path / "held.pcap"
    n = 40 * HELD_PER_FLOW
    write_dense_pcap(path, held_many_flows_frames(n, size=100))
    limits = ReassemblyLimits(max_held_total=1 << 20)
    tracker = FlowTracker(limits, events=False)
    peak = 0
    with read_packets(str(path)) as packets:
        for p in packets:
            tracker.feed(p)
            peak = max(peak, tracker.memory.held)
    assert peak <= limits.max_held_total
    assert tracker.memory.refused > 0
    tracker.finish()
    assert tracker.memory.held == 0
    hits = sum(f.a_to_b.limit_hits for f in tracker.flows)
    held_whole = FlowTracker(events=False)  # the default budget (64 MiB) holds all 400 KB + costs
    with read_packets(str(path)) as packets:
        for p in packets:
            held_whole.feed(p)
    assert held_whole.memory.refused == 0 and hits == tracker.memory.refused


def test_urgent_marks_behind_a_hole_are_bounded() -> None:
    """Every segment behind a never-filled hole carries URG with its own pointer: the pending
    marks stop at _MAX_URGENT (each one more is a limit hit), instead of a list growing and
    searched per segment."""
    from wsarecv_cli.net import Packet, Transport
    from wsarecv_cli.reassembly.tcp import _MAX_URGENT, ACK, SYN, URG

    def packet(frame: int, seq: int, flags: int, payload: bytes, urg: int = 0) -> Packet:
        return Packet(frame, frame * 1000, Transport.TCP, b"\x0a\x00\x00\x01", 40000, b"\x0a\x00\x00\x02", 80,
                      payload, seq, 0, flags, urg, 512, 0, (frame,), 0)

    tracker = FlowTracker(events=False)
    tracker.feed(packet(1, 100, SYN, b""))
    n = _MAX_URGENT + 50
    for k in range(n):
        tracker.feed(packet(2 + k, 111 + k, ACK | URG, b"u", urg=5))
    (direction, _), = [f.dirs for f in tracker._flows.values()]
    assert len(direction._urgent) == _MAX_URGENT
    assert tracker.info(next(iter(tracker._flows))).a_to_b.limit_hits == n - _MAX_URGENT


def _captures() -> list:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    found = sorted((root / "samples").glob("*.pcap*"))
    shared = root.parent / "shared" / "captures"
    if shared.is_dir():
        found += sorted(p for p in shared.iterdir() if p.suffix in (".pcap", ".pcapng", ".cap", ".gz"))
    return found


@pytest.mark.parametrize("path", _captures(), ids=lambda p: p.name)
def test_live_memory_accounting_balances_to_zero(path) -> None:
    """Everything charged to the budget (flows, delivered-bytes windows, held chunks) is given
    back when the flows finish, whatever path ended them (FIN, RST, gaps, end of capture): a leak
    here would make --max-flow-memory evict more and more over a long capture."""
    from wsarecv_cli.errors import WsarecvError

    tracker = FlowTracker(events=False)
    try:
        with read_packets(str(path)) as packets:
            for p in packets:
                tracker.feed(p)
    except WsarecvError:
        pytest.skip("not a capture this reader takes")
    assert tracker.memory.live >= 0
    tracker.finish()
    assert (tracker.memory.live, tracker.memory.held) == (0, 0)


def test_flow_memory_limit_evicts_flows_whose_windows_fill_it() -> None:
    """Twenty flows each delivering 12 KB keep 12 KB of delivered bytes each (to compare
    retransmissions with): with --max-flow-memory at 100 KB the table stays under it by evicting."""
    from wsarecv_cli.net import Packet, Transport
    from wsarecv_cli.reassembly.tcp import ACK, PSH

    limits = ReassemblyLimits(max_live_bytes=100_000)
    tracker = FlowTracker(limits, events=False)
    frame = 0
    for flow in range(20):
        for k in range(12):
            frame += 1
            tracker.feed(Packet(frame, frame * 1000, Transport.TCP, bytes([10, 0, 0, flow + 1]), 40000,
                                b"\x0a\x00\x00\xfe", 80, b"d" * 1000, 1000 + k * 1000, 0, ACK | PSH, 0, 512, 0,
                                (frame,), 0))
            assert tracker.memory.live <= limits.max_live_bytes + 1000 + 3000  # one packet's worth over
    assert tracker.evicted_flows > 0
    tracker.finish()
    assert tracker.memory.live == 0
