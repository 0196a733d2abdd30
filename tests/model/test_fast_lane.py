"""The arrival fast lane (model/lane.py) decides exactly what the general path decides.

Two sockets get the same random inputs: one as shipped, one whose lane is shut
(`_lane_open` -> False), so every arrival goes through apply_arrival / _satisfy / take. Every
outcome, every error, the log, the statistics and the queued state must be the same.
"""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from wsarecv_cli.errors import ModelError
from wsarecv_cli.model import lane as lane_module
from wsarecv_cli.model import socket as socket_module
from wsarecv_cli.model.types import (
    CaptureGap, Delivery, Event, Fin, IcmpError, IcmpKind, Message, Mode, Platform, Protocol, RecvCall, RecvFlags,
    Reset, Shutdown, SocketConfig, StreamBytes, UrgentByte,
)
from wsarecv_cli.model.socket import Socket


class GeneralPathSocket(Socket):
    def _lane_open(self, op) -> bool:
        return False


FLAGS = [RecvFlags.NONE] * 6 + [RecvFlags.MSG_PEEK, RecvFlags.MSG_OOB, RecvFlags.MSG_WAITALL,
                                RecvFlags.MSG_PARTIAL, RecvFlags.MSG_PUSH_IMMEDIATE]
buffers = st.lists(st.integers(0, 9), min_size=1, max_size=3).map(tuple)
calls = st.builds(RecvCall, buffers, st.sampled_from(FLAGS))
arrivals = st.one_of(
    st.builds(StreamBytes, st.binary(max_size=14), st.booleans()),
    st.builds(StreamBytes, st.binary(min_size=1, max_size=14)),
    st.builds(Message, st.binary(max_size=14), st.sampled_from([None, "10.0.0.1:1", "10.0.0.2:2"]),
              st.sampled_from([None, 0, 5, 20])),
    st.builds(Message, st.binary(min_size=1, max_size=14)),
    st.builds(UrgentByte, st.integers(0, 255)),
    st.builds(CaptureGap, st.integers(1, 5)),
    st.just(Fin()), st.just(Reset()), st.builds(IcmpError, st.sampled_from(list(IcmpKind))),
)
steps = st.lists(st.one_of(
    st.tuples(st.just("arrive"), arrivals), st.tuples(st.just("arrive"), arrivals),
    st.tuples(st.just("recv"), calls), st.tuples(st.just("recv"), calls),
    st.tuples(st.just("wait"), st.none()), st.tuples(st.just("advance"), st.integers(0, 300_000_000)),
    st.tuples(st.just("shutdown"), st.sampled_from(list(Shutdown))),
    st.tuples(st.just("cancel"), st.none()), st.tuples(st.just("back"), st.none()),
), max_size=30)
configs = st.builds(
    SocketConfig,
    protocol=st.sampled_from(list(Protocol)), platform=st.sampled_from(list(Platform)),
    mode=st.sampled_from([Mode.BLOCKING, Mode.BLOCKING, Mode.NONBLOCKING, Mode.OVERLAPPED_EVENT,
                          Mode.OVERLAPPED_ROUTINE]),
    connected_peer=st.sampled_from([None, "10.0.0.1:1"]), hold_until_push=st.booleans(),
    rcvtimeo_ms=st.sampled_from([None, None, 50]), immediate_completion=st.booleans(),
    keep_on_reset=st.booleans(),
)


def _run(sock: Socket, config_steps) -> list:
    """Apply the steps; record every outcome (or the error) and the socket's visible state."""
    seen, t = [], 0
    for kind, value in config_steps:
        t += 1_000_000
        try:
            if kind == "arrive":
                seen.append(sock.deliver(value, t))
            elif kind == "recv":
                seen.append(sock.recv(value, t))
            elif kind == "wait":
                seen.append(sock.alertable_wait(t))
            elif kind == "advance":
                t += value
                seen.append(sock.advance(t))
            elif kind == "shutdown":
                seen.append(sock.shutdown(value, t))
            elif kind == "cancel":
                seen.append(sock.cancel(t))
            else:  # a clock that goes backwards: ModelError on both paths
                seen.append(sock.deliver(StreamBytes(b"late"), t - 5_000_000))
        except ModelError as exc:
            seen.append(("ModelError", str(exc)))
        seen.append((sock.pending, sock.held, sock.queued_bytes, sock.oob_pending, sock.closed, sock.stats))
    seen.append(sock.log)
    return seen


@settings(max_examples=600, deadline=None)
@given(config=configs, script=steps)
def test_the_lane_and_the_general_path_agree(config, script):
    if config.platform is Platform.WINCE and config.mode is Mode.IOCP:
        return
    assert _run(Socket(config), script) == _run(GeneralPathSocket(config), script)


data_arrivals = st.one_of(
    st.builds(StreamBytes, st.binary(min_size=1, max_size=14), st.booleans()),
    st.builds(Message, st.binary(max_size=14), st.sampled_from([None, "10.0.0.1:1"]), st.sampled_from([None, 20])),
)
plain_calls = st.builds(RecvCall, st.lists(st.integers(0, 9), min_size=1, max_size=3).map(tuple))
busy_steps = st.lists(st.one_of(
    st.tuples(st.just("arrive"), data_arrivals), st.tuples(st.just("recv"), plain_calls),
    st.tuples(st.just("wait"), st.none()),
), min_size=5, max_size=40)


lane_configs = st.builds(
    SocketConfig,
    protocol=st.sampled_from(list(Protocol)), platform=st.sampled_from(list(Platform)),
    mode=st.sampled_from([Mode.BLOCKING, Mode.OVERLAPPED_EVENT, Mode.OVERLAPPED_ROUTINE, Mode.IOCP]),
    connected_peer=st.sampled_from([None, None, "10.0.0.1:1"]), immediate_completion=st.booleans(),
)


def _fitting(arrival, protocol: Protocol):
    """Stream bytes for a TCP socket, messages for the others."""
    if protocol is Protocol.TCP:
        return arrival if isinstance(arrival, StreamBytes) else StreamBytes(arrival.data or b"z")
    return arrival if isinstance(arrival, Message) else Message(arrival.data)


@settings(max_examples=400, deadline=None)
@given(config=lane_configs, script=busy_steps, end=st.sampled_from([Fin(), Reset(), UrgentByte(7), CaptureGap(3)]))
def test_the_lane_and_the_general_path_agree_in_a_busy_exchange(config, script, end):
    """Mostly plain receives and data that fits the socket: the lane's own case, again and
    again, then an ending."""
    if config.platform is Platform.WINCE and config.mode is Mode.IOCP:
        return
    script = [(kind, _fitting(value, config.protocol) if kind == "arrive" else value) for kind, value in script]
    script += [("arrive", end), ("recv", RecvCall((5,))), ("wait", None)]
    assert _run(Socket(config), script) == _run(GeneralPathSocket(config), script)


def _lane_taken(monkeypatch, config: SocketConfig, call: RecvCall, arrival) -> list:
    """Completions of one receive waiting for one arrival; asserts the lane served it."""
    taken = []

    def spy(*args):
        result = lane_module.arrival_lane(*args)
        taken.append(result is not None)
        return result

    sock = Socket(config)
    first = sock.recv(call, 1)
    with monkeypatch.context() as patch:
        patch.setattr(socket_module, "arrival_lane", spy)
        done = sock.deliver(arrival, 2) + list(sock.alertable_wait(3).completions)
    assert taken == [True]
    reference = GeneralPathSocket(config)
    assert [first] + done == [reference.recv(call, 1)] + reference.deliver(arrival, 2) \
        + list(reference.alertable_wait(3).completions)
    return done


def test_the_lane_serves_a_waiting_blocking_stream_receive(monkeypatch):
    (done,) = _lane_taken(monkeypatch, SocketConfig(), RecvCall((4, 2)), StreamBytes(b"abcdefgh"))
    assert done.data == (b"abcd", b"ef") and done.rules == ("R8", "R9", "R7")
    assert done.reason == "8 bytes queued; filled WSABUF[0] 4/4 then WSABUF[1] 2/2 in order (R8); 2 stay queued (R9)"


def test_the_lane_serves_a_whole_datagram_cut_by_the_snaplen(monkeypatch):
    (done,) = _lane_taken(monkeypatch, SocketConfig(protocol=Protocol.UDP), RecvCall((64,)),
                          Message(b"abc", wire_length=9))
    assert (done.bytes, done.gap, done.rules, done.event) == (9, 6, ("R16", "R7"), Event.DATA)
    assert done.notes and "snaplen" in done.notes[0]


def test_the_lane_serves_overlapped_receives_with_their_delivery(monkeypatch):
    (done,) = _lane_taken(monkeypatch, SocketConfig(mode=Mode.IOCP), RecvCall((8,)), StreamBytes(b"xy"))
    assert done.delivery is Delivery.IOCP and done.rules == ("R8", "R9", "R30")
    (routine,) = _lane_taken(monkeypatch, SocketConfig(mode=Mode.OVERLAPPED_ROUTINE), RecvCall((8,)),
                             StreamBytes(b"xy"))
    assert routine.delivery is Delivery.ROUTINE  # held as an APC until the alertable wait (R30)
