"""The common-segment fast path (TcpDirection.common_segment, taken by FlowTracker.feed) against the
general path (`ack` then `segment`), in lockstep: after every packet the same events and the same
value of every field of every TCP direction, and at the end the same flows (DirectionStats,
closure, initiator) and totals. On generated conversations that mix in-order data and pure ACKs
with everything that must leave the fast path (reordering, retransmission, overlap with
conflicting bytes, holes and their late data, duplicates, keep-alives and probes, ACKs and FINs
ahead of the data, SYN/FIN/RST/URG, zero windows, snaplen cuts, large segments, port reuse,
sequence numbers near 2**32), on directed scenarios (one per reason to decline: random scripts
reach some only rarely), and on every sample and corpus capture (`flows --json`, `follow --json`;
`replay --ndjson` for the samples).

The general path is forced by making `common_segment` decline every segment.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from unittest import mock

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from reasm_builders import CLIENT, SERVER, flags_of

from tests.conftest import SAMPLES, corpus_params
from wsarecv_cli.cli.main import cli
from wsarecv_cli.net import Packet, Transport
from wsarecv_cli.reassembly import FlowTracker, ReassemblyLimits
from wsarecv_cli.reassembly.tcp import TcpDirection

SAMPLE_CAPTURES = [pytest.param(p, id=p.name) for p in sorted(SAMPLES.glob("*.pcap*"))]


@contextlib.contextmanager
def general_path_only():
    """Every segment through `ack` + `segment`, as before the fast path."""
    with mock.patch.object(TcpDirection, "common_segment", lambda *args: False):
        yield


@contextlib.contextmanager
def counting_fast_path(taken: list[int]):
    """The fast path as it is, counting the segments it took (the test must exercise it)."""
    real = TcpDirection.common_segment

    def counted(*args):
        took = real(*args)
        taken[0] += took
        return took

    with mock.patch.object(TcpDirection, "common_segment", counted):
        yield


def replay(packets: list[Packet], limits: ReassemblyLimits, window_events: bool) -> tuple:
    """Everything a tracker tells about the packets: events, flows, totals, memory accounting."""
    tracker = FlowTracker(limits, window_events=window_events)
    events = []
    for p in packets:
        events.extend(tracker.feed(tuple(p)))  # a plain tuple, as the lean pass feeds
    live = tracker.memory.live
    events.extend(tracker.finish())
    return (events, tracker.flows, tracker.reality.stats, tracker.reality.inferred_roles, live,
            tracker.memory.live, tracker.memory.refused)


_OPAQUE = {"limits", "_emit", "_budget", "stats", "_store", "_dropped", "_tail"}  # _tail: by value below


def direction_state(d: TcpDirection) -> dict:
    """Every field of a direction, the containers by value."""
    state = {name: getattr(d, name) for name in TcpDirection.__slots__ if name not in _OPAQUE}
    state.update(stats=d.stats.as_dict(), held=d.pending(), held_bytes=d.held_bytes, tail=d.delivered_tail(),
                 dropped=None if d._dropped is None else list(d._dropped))
    return state


def tracker_state(tracker: FlowTracker) -> list:
    return [(flow.id, flow.last_ts, flow.initiator, [direction_state(d) for d in flow.dirs])
            for flow in tracker._flows.values() if flow.id.transport is Transport.TCP]


def lockstep(packets: list[Packet], limits: ReassemblyLimits, window_events: bool) -> None:
    """Both paths side by side: after every packet the same events and the same state of every
    direction (counters, offsets, ACK bookkeeping, held data), so a difference shows where it starts."""
    fast = FlowTracker(limits, window_events=window_events)
    general = FlowTracker(limits, window_events=window_events)
    for p in packets:
        got = fast.feed(tuple(p))  # a plain tuple, as the lean pass feeds
        with general_path_only():
            want = general.feed(tuple(p))
        assert (p, got) == (p, want)
        assert (p, tracker_state(fast)) == (p, tracker_state(general))
        assert fast.memory.live == general.memory.live
    assert fast.finish() == general.finish()
    assert fast.flows == general.flows
    assert (fast.reality, fast.memory.refused) == (general.reality, general.memory.refused)


# One step of a conversation: (sender is the server, kind, length, a shift, flags, time step in us).
KINDS = ("next", "next", "next", "next", "ack", "ack", "ack", "hole", "retransmit", "conflict", "same",
         "keepalive", "probe", "syn", "fin", "rst", "urgent", "window0", "cut", "old-ack", "far", "ack-ahead",
         "fin-ahead", "fill", "fill")
steps = st.lists(st.tuples(st.booleans(), st.sampled_from(KINDS), st.integers(0, 40), st.integers(-3, 60),
                           st.sampled_from(["A", "AP", "A", "AP", "", "AF", "AR", "AU", "S", "SA", "APF"]),
                           st.sampled_from([0, 0, 1, 50, 200, 5000, 2_000_000])),
                 min_size=1, max_size=70)
limits = st.builds(ReassemblyLimits, max_held_bytes=st.sampled_from([16 * 1024 * 1024, 450, 900]),
                   large_segment=st.sampled_from([1460, 30]), gap_wait_ns=st.sampled_from([1_000_000_000, 3000]),
                   resegment=st.booleans(), conflict_window=st.sampled_from([16 * 1024, 16]))
isns = st.one_of(st.integers(0, 2**32 - 1), st.integers(2**32 - 80, 2**32 - 1))


def conversation(script, isn_c: int, isn_s: int, handshake: bool) -> list[Packet]:
    """Packets for `script`: each side sends from a cursor into its own byte stream, and ACKs near
    the other side's cursor, so most steps are in-order data or pure ACKs, as in real captures."""
    isn = {CLIENT: isn_c, SERVER: isn_s}
    sent = {CLIENT: 0, SERVER: 0}  # the next offset each side sends in order
    window = {CLIENT: 1000, SERVER: 1000}
    holes: dict = {CLIENT: [], SERVER: []}  # (start, stop) each side skipped, for "fill"
    packets: list[Packet] = []
    ts = 1_000_000

    def emit(sender, off, data, flags, *, ack_off=None, urg=0, missing=0, seq_shift=0, frames=()):
        receiver = CLIENT if sender == SERVER else SERVER
        ack = isn[receiver] + 1 + (sent[receiver] if ack_off is None else ack_off)
        n = len(packets) + 1
        packets.append(Packet(n, ts, Transport.TCP, sender.addr, sender.port, receiver.addr, receiver.port, data,
                              (isn[sender] + 1 + off + seq_shift) & 0xFFFFFFFF, ack & 0xFFFFFFFF, flags, urg,
                              window[sender], missing, frames))

    def body(sender, off, n, alter=False):
        data = bytes((off + i + (sender.port & 0xFF)) & 0xFF for i in range(n))
        return bytes(b ^ 0x5A for b in data) if alter else data

    if handshake:
        emit(CLIENT, -1, b"", flags_of("S"), ack_off=-1)
        emit(SERVER, -1, b"", flags_of("SA"))
        emit(CLIENT, 0, b"", flags_of("A"))
    for server, kind, n, shift, flag_text, step_us in script:
        ts += step_us * 1000
        s = SERVER if server else CLIENT
        flags = flags_of(flag_text)
        cur = sent[s]
        if kind == "next":
            emit(s, cur, body(s, cur, n), flags)
            sent[s] = cur + n
        elif kind == "ack":
            emit(s, cur, b"", flags_of("A"), ack_off=max(0, sent[CLIENT if server else SERVER] - (shift % 4)))
        elif kind == "old-ack":
            emit(s, cur, b"", flags, ack_off=sent[CLIENT if server else SERVER] - shift)
        elif kind == "ack-ahead":  # the receiver had bytes the capture missed (or will show late)
            emit(s, cur, b"", flags_of("A"), ack_off=sent[CLIENT if server else SERVER] + 1 + abs(shift))
        elif kind == "fin-ahead":  # a FIN beyond bytes not seen yet: the in-order data that follows completes it
            emit(s, cur + 1 + abs(shift) % 8, b"", flags_of("AF"))
        elif kind == "hole":  # data ahead of a hole the sender skipped
            gap = 1 + abs(shift)
            holes[s].append((cur, cur + gap))
            emit(s, cur + gap, body(s, cur + gap, max(n, 1)), flags)
            sent[s] = cur + gap + max(n, 1)
        elif kind == "fill" and holes[s]:  # the late data of a hole (all of it, or its first n bytes)
            start, stop = holes[s].pop(shift % len(holes[s]))
            emit(s, start, body(s, start, stop - start if n > 20 else min(n + 1, stop - start)), flags)
        elif kind == "retransmit":  # an earlier slice again, perhaps overlapping the next bytes
            at = max(0, cur - abs(shift))
            emit(s, at, body(s, at, n), flags)
            sent[s] = max(cur, at + n)
        elif kind == "conflict":  # an earlier slice with other bytes
            at = max(0, cur - abs(shift))
            emit(s, at, body(s, at, max(n, 1), alter=True), flags)
        elif kind == "same" and packets:  # the previous frame again (a capture artefact or a retransmission)
            packets.append(packets[-1]._replace(frame=len(packets) + 1, ts_ns=ts))
        elif kind == "keepalive":
            emit(s, cur - 1, body(s, cur - 1, n % 2), flags_of("A"))
        elif kind == "probe":
            emit(s, cur, body(s, cur, 1), flags_of("A"))
        elif kind == "syn":  # a new ISN on the same 5-tuple (port reuse), or the same one again
            if shift > 30:
                isn[s] = (isn[s] + shift * 7919) & 0xFFFFFFFF
                sent[s] = 0
            emit(s, -1, b"", flags_of("S") | (flags & flags_of("A")))
        elif kind == "fin":
            emit(s, cur, body(s, cur, n), flags | flags_of("AF"))
            sent[s] = cur + n + 1
        elif kind == "rst":
            emit(s, cur + (shift if shift > 50 else 0), b"", flags_of("R") | (flags & flags_of("A")))
        elif kind == "urgent":
            emit(s, cur, body(s, cur, max(n, 1)), flags | flags_of("AU"), urg=shift % (max(n, 1) + 2))
            sent[s] = cur + max(n, 1)
        elif kind == "window0":
            window[s] = 0 if window[s] else 1000
            emit(s, cur, b"", flags_of("A"))
        elif kind == "cut":  # a segment the snaplen cut short
            emit(s, cur, body(s, cur, n // 2), flags, missing=n - n // 2 + 1)
            sent[s] = cur + n + 1
        elif kind == "far":  # a sequence number half the space away (unwrapping), or several frames
            emit(s, cur, body(s, cur, n), flags, seq_shift=(1 << 31) if shift > 40 else 0,
                 frames=(len(packets) + 1, len(packets)) if shift < 0 else ())
            if shift <= 40:
                sent[s] = cur + n
    return packets


@settings(max_examples=1500, deadline=None)
@given(steps, isns, isns, st.booleans(), limits, st.booleans())
def test_fast_path_changes_nothing(script, isn_c, isn_s, handshake, limit, window_events) -> None:
    lockstep(conversation(script, isn_c, isn_s, handshake), limit, window_events)


def plain(server: bool, kind: str = "next", n: int = 20, shift: int = 0, flags: str = "AP", us: int = 100) -> tuple:
    return (server, kind, n, shift, flags, us)


# Where the fast path must decline, each set up on purpose (random scripts reach some only rarely).
# Server data, then a hole the client's ACK covers: an ACK proof is pending on the server's direction.
_PROVEN_HOLE = [plain(True), plain(True, "hole", 10, 9), plain(False, "ack")]
SCENARIOS = {
    "plain stream both ways": [plain(i % 2 == 0, "next" if i % 3 else "ack") for i in range(40)],
    "zero-window probe": [plain(True), plain(False, "window0"), plain(True, "probe"), plain(True, "probe"),
                          plain(False, "window0"), plain(True)],
    "keep-alives": [plain(True), plain(True, "keepalive", 0), plain(True, "keepalive", 1), plain(True)],
    "FIN ahead of data": [plain(True), plain(True, "fin-ahead", shift=5), plain(True, n=3), plain(True, n=3),
                          plain(False, "ack")],
    "ACK ahead of the data, then a hole": [plain(True), plain(False, "ack-ahead", shift=30), plain(True, "hole"),
                                           plain(False, "ack"), *[plain(True, n=5) for _ in range(40)]],
    "proof pending after the hole filled (receiver's ACK)": [*_PROVEN_HOLE, plain(True, "fill", 30),
                                                             plain(False, "ack")],
    "proof pending after the hole filled (sender's data)": [*_PROVEN_HOLE, plain(True, "fill", 30),
                                                            *[plain(True, n=5) for _ in range(40)]],
    "proof due after 32 packets": [*_PROVEN_HOLE, *[plain(i % 2 == 0, n=5) for i in range(70)]],
    "same frame twice": [plain(True), plain(True), plain(True, "same", us=0), plain(True, "same", us=500)],
    "urgent byte ahead": [plain(True), plain(True, "hole"), plain(True, "urgent", 5, 3), plain(True, "fill", 30),
                          plain(True)],
    "urgent byte in the next segment": [plain(True), plain(True, "urgent", 5, 6), plain(True), plain(True)],
    "hole filled in pieces": [plain(True), plain(True, "hole", 10, 12), plain(True, "fill", 3),
                              plain(True, "fill", 3), plain(True, "fill", 30), plain(True)],
    # No handshake and no ACK from the client until the end: the server's hole is declared after
    # --gap-wait, which completes its FIN; the client's first ACK then emits it.
    "FIN completed by the gap wait": [plain(False, flags="P"), plain(True), plain(True, "hole", 10, 9, "APF"),
                                      plain(True, "keepalive", 0, us=2_000_000), plain(False, "ack")],
    "snaplen cut": [plain(True), plain(True, "cut", 10), plain(True), plain(False, "ack")],
    "large segment": [plain(True), plain(True, n=40), plain(True, n=40, flags="A")],
    "window to zero and back": [plain(True), plain(True, "window0"), plain(True), plain(True, "window0"),
                                plain(True)],
    "port reuse": [plain(True), plain(False, "syn", shift=45, flags="S"), plain(False), plain(True, "ack")],
}


@pytest.mark.parametrize("window_events", [False, True], ids=["", "window-events"])
@pytest.mark.parametrize("resegment", [False, True], ids=["", "resegment"])
@pytest.mark.parametrize("script", list(SCENARIOS.values()), ids=list(SCENARIOS))
def test_fast_path_declines_what_it_does_not_take(script, resegment: bool, window_events: bool) -> None:
    limits = ReassemblyLimits(large_segment=30, resegment=resegment)
    lockstep(conversation(script, 2**32 - 25, 4000, script[0][4] != "P"), limits, window_events)


def test_delivered_bytes_window_is_trimmed_alike() -> None:
    """A long in-order stream: the delivered-bytes tail is cut back to conflict_window the same way
    (then a retransmission from inside and from outside the window is compared the same way)."""
    script = [plain(True, n=30) for _ in range(300)] + [plain(True, "conflict", 10, 8), plain(True, "conflict", 10, 60)]
    lockstep(conversation(script, 0, 2**32 - 3000, True), ReassemblyLimits(conflict_window=16), False)


def test_fast_path_is_taken_for_plain_traffic() -> None:
    """In-order data and pure ACKs after a handshake go the fast way (else the tests above prove
    nothing)."""
    taken = [0]
    with counting_fast_path(taken):
        replay(conversation(SCENARIOS["plain stream both ways"], 2**32 - 50, 7, True), ReassemblyLimits(), False)
    assert taken[0] == 41  # the handshake's ACK and the 40


def run_cli(args: list[str]) -> str:
    result = CliRunner().invoke(cli, args)
    return f"exit {result.exit_code}\n{result.stdout}\n{result.stderr}"


@pytest.mark.parametrize("command", [["flows", "--json"], ["follow", "--json"]], ids=["flows", "follow"])
@pytest.mark.parametrize("capture", SAMPLE_CAPTURES + corpus_params())
def test_json_output_is_the_general_paths(capture: Path, command: list[str]) -> None:
    fast = run_cli([*command, str(capture)])
    with general_path_only():
        assert fast == run_cli([*command, str(capture)])


@pytest.mark.parametrize("capture", SAMPLE_CAPTURES)
def test_replay_is_the_general_paths(capture: Path) -> None:
    """replay asks for window events (the fast path leaves a window change to the general one)."""
    fast = run_cli(["replay", "--ndjson", str(capture)])
    with general_path_only():
        assert fast == run_cli(["replay", "--ndjson", str(capture)])
