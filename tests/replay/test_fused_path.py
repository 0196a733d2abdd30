"""The fused arrival step (Socket.deliver_to_waiting, taken by ReceiverDriver.arrive) decides
exactly what the general path decides.

Two drivers get the same hypothesis-made arrivals: one as shipped, one with the fused step off
(`_fused = False`: every arrival goes through _deliver, Socket.deliver, the lane or
apply_arrival, and _call_while_useful, Socket.recv, _not_now). Every outcome (all its fields:
rules, reasons, notes, data), every model error, the socket's log, statistics and queued state
and the driver's own counters must be the same after every step, and so must the NDJSON
records made of the outcomes. A later change to either path that makes them differ fails here.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies as st

from tests.conftest import SAMPLES, corpus_params
from wsarecv_cli.errors import ModelError, WsarecvError
from wsarecv_cli.model.socket import Socket
from wsarecv_cli.model.types import (
    Burst, CaptureGap, Completion, Event, Fin, IcmpError, IcmpKind, Message, Mode, Platform, Protocol, RecvFlags,
    RecvResult, Reset, SocketConfig, StreamBytes, UrgentByte,
)
from wsarecv_cli.render.records import ReceiverInfo, RecordOptions, RowPairer, row_record
from wsarecv_cli.replay import driver as driver_module
from wsarecv_cli.replay.driver import CallPlan, ReceiverDriver
from wsarecv_cli.replay.schedule import ScheduleSpec
from wsarecv_cli.replay.session import ReceiverOutcome, ReplayConfig, ReplaySession


def _driver(config: SocketConfig, plan: CallPlan, schedule: str, fused: bool) -> ReceiverDriver:
    driver = ReceiverDriver(Socket(config), plan, ScheduleSpec.parse(schedule), config.mode, config.platform,
                            config.oobinline)
    if not fused:
        driver._fused = False
    return driver


def _state(driver: ReceiverDriver) -> tuple:
    sock = driver.socket
    return (driver.posted, driver.done, sock.pending, sock.held, sock.queued_bytes, sock.oob_pending, sock.closed,
            sock.stats, sock.calls_made, [(op.n, op.t_ns, op.call, op.mode) for op in sock._pending])


def _run(driver: ReceiverDriver, steps) -> list:
    seen = []
    driver.given = []  # type: ignore[attr-defined]  # every outcome, for _records
    for kind, arrival, t_ns in steps:
        try:
            outcomes = driver.arrive(arrival, t_ns) if kind == "arrive" else driver.finish(t_ns)
            seen.append(outcomes)
            driver.given += outcomes  # type: ignore[attr-defined]
        except ModelError as exc:
            seen.append(("ModelError", str(exc)))
        seen.append(_state(driver))
    seen.append(driver.socket.log)
    return seen


sizes = st.sampled_from([1, 2, 3, 5, 8, 13])
stream_data = st.builds(StreamBytes, st.binary(min_size=1, max_size=20), st.booleans())
messages = st.builds(Message, st.binary(max_size=20), st.sampled_from([None, "10.0.0.1:1", "10.0.0.2:2"]),
                     st.sampled_from([None, None, 0, 7, 30]))
# Mostly data (the fused step's case), with everything else that may come between.
arrivals = st.one_of(
    stream_data, stream_data, stream_data, messages, messages,
    st.builds(StreamBytes, st.just(b"")), st.builds(UrgentByte, st.integers(0, 255)),
    st.builds(CaptureGap, st.integers(1, 9)), st.just(Fin()), st.just(Reset()),
    st.builds(IcmpError, st.sampled_from(list(IcmpKind))),
    st.builds(lambda parts: Burst(tuple(parts)),
              st.lists(st.one_of(stream_data, st.builds(CaptureGap, st.integers(1, 4))), min_size=1, max_size=3)),
)
steps = st.lists(st.tuples(st.sampled_from(["arrive"] * 12 + ["finish"]), arrivals,
                           st.integers(-2_000_000, 5_000_000)), max_size=40)
socket_configs = st.builds(
    SocketConfig,
    protocol=st.sampled_from([Protocol.TCP, Protocol.TCP, Protocol.UDP, Protocol.RELIABLE_MSG, Protocol.PARTIAL_MSG]),
    platform=st.sampled_from(list(Platform)),
    mode=st.sampled_from([Mode.BLOCKING] * 4 + [Mode.NONBLOCKING, Mode.OVERLAPPED_EVENT]),
    oobinline=st.booleans(), connected_peer=st.sampled_from([None, None, "10.0.0.1:1"]),
    keep_on_reset=st.booleans(), hold_until_push=st.sampled_from([False, False, True]),
    rcvtimeo_ms=st.sampled_from([None, None, None, 2]),
)
plans = st.builds(CallPlan, st.lists(sizes, min_size=1, max_size=3).map(tuple),
                  st.sampled_from([RecvFlags.NONE] * 6 + [RecvFlags.MSG_PEEK, RecvFlags.MSG_WAITALL,
                                                          RecvFlags.MSG_OOB, RecvFlags.MSG_PARTIAL]))


def _timed(raw_steps) -> list:
    """Capture times: mostly forward, sometimes the same instant, sometimes a step back."""
    t, out = 0, []
    for kind, arrival, delta in raw_steps:
        t = max(0, t + delta)
        out.append((kind, arrival, t))
    return out


@settings(max_examples=700, deadline=None)
@given(config=socket_configs, plan=plans, raw=steps,
       schedule=st.sampled_from(["eager"] * 6 + ["drain", "bytewise", "random:3"]))
def test_the_fused_step_and_the_general_path_agree(config, plan, raw, schedule):
    if config.platform is Platform.WINCE and config.mode is Mode.IOCP:
        return
    script = _timed(raw)
    assert _run(_driver(config, plan, schedule, True), script) == _run(_driver(config, plan, schedule, False), script)


@settings(max_examples=300, deadline=None)
@given(protocol=st.sampled_from([Protocol.TCP, Protocol.UDP]), buffers=st.lists(sizes, min_size=1, max_size=2),
       data=st.lists(st.binary(min_size=1, max_size=30), min_size=1, max_size=30),
       end=st.sampled_from([Fin(), Reset(), UrgentByte(1), CaptureGap(2), None]))
def test_the_fused_step_agrees_on_a_plain_exchange(protocol, buffers, data, end):
    """The default replay's own case again and again (data that fits, data that does not), then an
    ending and the end of the capture."""
    config, plan = SocketConfig(protocol=protocol), CallPlan(tuple(buffers))
    made = StreamBytes if protocol is Protocol.TCP else Message
    script = [("arrive", made(chunk), i * 1000) for i, chunk in enumerate(data)]
    if end is not None and (protocol is Protocol.TCP or not isinstance(end, (UrgentByte, CaptureGap))):
        script.append(("arrive", end, len(data) * 1000))
    script.append(("finish", None, len(data) * 1000 + 1))
    fused, general = _driver(config, plan, "eager", True), _driver(config, plan, "eager", False)
    assert _run(fused, script) == _run(general, script)
    assert _records(fused) == _records(general)


def _records(driver: ReceiverDriver) -> list:
    """The NDJSON records (--show-data --explain: every field) of the outcomes a driver gave."""
    pairer, info, opts = RowPairer(), ReceiverInfo(flow="tcp:0"), RecordOptions(show_data=True, explain=True)
    rows = [row for outcome in driver.given for row in pairer.push(outcome)] + list(pairer.finish())
    return [row_record(row, info, opts) for row in rows]


def test_the_fused_step_is_taken_and_gives_the_call_pair(monkeypatch):
    """The test above compares two different paths: the fused step really runs for plain data,
    and gives the returning call and the next waiting one."""
    taken = []
    fused = Socket.deliver_to_waiting

    def spy(self, arrival, t_ns):
        result = fused(self, arrival, t_ns)
        taken.append(None if result is None else len(result))
        return result

    monkeypatch.setattr(Socket, "deliver_to_waiting", spy)
    driver = _driver(SocketConfig(), CallPlan((4,)), "eager", True)
    first = driver.arrive(StreamBytes(b"ab"), 1)  # the reader starts: it waits, then gets the bytes
    assert [(type(o), o.event) for o in first] == [(RecvResult, Event.PENDING), (Completion, Event.DATA),
                                                   (RecvResult, Event.PENDING)]
    done, waiting = driver.arrive(StreamBytes(b"cd", True), 2)
    more = driver.arrive(StreamBytes(b"efghij"), 3)  # 6 bytes into 4: the rest is read at once
    assert taken == [2, 1]  # (the first arrival starts the reader: general path)
    assert isinstance(done, Completion) and (done.n, done.data, done.rules) == (2, (b"cd",), ("R8", "R9", "R7"))
    assert isinstance(waiting, RecvResult) and (waiting.n, waiting.event, waiting.rules) == (3, Event.PENDING, ("R7",))
    assert [(o.n, o.data) for o in more] == [(3, (b"efgh",)), (4, (b"ij",)), (5, (b"",))]
    assert driver.posted == 1 and driver.socket.stats.delivered == 10


def test_the_general_path_is_another_path(monkeypatch):
    """With the fused step off, the socket's fused method is never called."""
    monkeypatch.setattr(Socket, "deliver_to_waiting", lambda *args: (_ for _ in ()).throw(AssertionError))
    driver = _driver(SocketConfig(), CallPlan((4,)), "eager", False)
    for t in range(1, 5):
        driver.arrive(StreamBytes(b"ab"), t)
    assert driver.socket.calls_made == 5


def _items(path, config: ReplayConfig, fast: bool) -> list:
    """The session's items, `fast` as shipped, or with every event routed the general way
    (_Receiver.direct None) and every arrival through the driver's general path."""
    made, opened = ReceiverDriver.__init__, ReplaySession._open

    def init(self, *args, **kwargs):
        made(self, *args, **kwargs)
        self._fused = False

    def open_general(self, *args):
        receiver, start = opened(self, *args)
        receiver.direct = None
        return receiver, start

    if not fast:
        driver_module.ReceiverDriver.__init__ = init  # type: ignore[method-assign]
        ReplaySession._open = open_general  # type: ignore[method-assign]
    try:
        session = ReplaySession(str(path), config)
        return [(item.key, item.outcome) if item.__class__ is ReceiverOutcome else item for item in session] \
            + session.warnings + session.notices
    finally:
        driver_module.ReceiverDriver.__init__ = made  # type: ignore[method-assign]
        ReplaySession._open = opened  # type: ignore[method-assign]


SESSION_CONFIGS = {
    "default": ReplayConfig(),
    "small buffers": ReplayConfig(buffers=(100, 3)),
    "udp as reliable messages": ReplayConfig(protocol=Protocol.RELIABLE_MSG, buffers=(512,)),
    "connected peer": ReplayConfig(connected_peer="10.0.0.1:1"),
    "drain": ReplayConfig(schedule=ScheduleSpec.parse("drain")),
    "max gap 0": ReplayConfig(max_gap_bytes=0),
}


@pytest.mark.parametrize("name", SESSION_CONFIGS)
def test_the_direct_routing_and_fused_step_change_no_replay_of_the_samples(name):
    for path in sorted(SAMPLES.glob("*.pcap*")):
        assert _items(path, SESSION_CONFIGS[name], True) == _items(path, SESSION_CONFIGS[name], False), path.name


@pytest.mark.parametrize("capture", corpus_params())
def test_the_direct_routing_and_fused_step_change_no_replay_of_the_corpus(capture):
    """The shared captures hold what the samples lack: holes filled by several segments at once
    (a Burst, which the direct routing must leave to the general path), snaplen cuts, many flows."""
    for config in (ReplayConfig(), ReplayConfig(buffers=(700,), schedule=ScheduleSpec.parse("drain"))):
        try:
            fast = _items(capture, config, True)
        except WsarecvError as exc:  # a damaged capture: the same error on both paths
            with pytest.raises(type(exc), match=re.escape(str(exc))):
                _items(capture, config, False)
            continue
        assert fast == _items(capture, config, False)
