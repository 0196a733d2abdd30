"""The rules a capture replay cannot reach, driven through the model directly (issue 14):
R1 (no overlapped attribute), R2 (NULL count), R5 (state errors), R30 (hEvent NULL / low bit),
R34 (WSAGetOverlappedResult), R43 (readiness), WSARecvFrom / WSARecvMsg outputs, CancelIoEx on
one OVERLAPPED, SO_OOBINLINE turned on mid-stream, connect(AF_UNSPEC), SIO_UDP_CONNRESET off."""

from __future__ import annotations

import pytest

from wsarecv_cli.model import (
    Completion, Delivery, IcmpError, IcmpKind, Message, Mode, Protocol, RecvCall, RecvFlags, Socket, SocketConfig,
    Status, StreamBytes, UrgentByte, WsaError,
)
from wsarecv_cli.model.callargs import PKTINFO_SPACE
from wsarecv_cli.model.overlapped import overlapped_result
from wsarecv_cli.model.types import Api, ConnState, HEvent


def sock(**config) -> Socket:
    return Socket(SocketConfig(**config))


def test_r1_overlapped_call_without_the_attribute_blocks_even_with_fionbio():
    s = sock(mode=Mode.NONBLOCKING, overlapped_attribute=False)
    waiting = s.recv(RecvCall((10,), mode=Mode.OVERLAPPED_EVENT), 0)
    assert waiting.status is Status.WAITING and "R1" in waiting.rules
    (done,) = s.deliver(StreamBytes(b"abc"), 1)
    assert (done.bytes, done.error, done.delivery) == (3, None, Delivery.EVENT) and "R1" in done.rules
    s.deliver(StreamBytes(b"de"), 2)
    now = s.recv(RecvCall((10,), mode=Mode.OVERLAPPED_EVENT), 3)
    assert (now.status, now.bytes, now.delivery) == (Status.COMPLETED, 2, Delivery.EVENT)  # also posted


@pytest.mark.parametrize("mode, status, error, count", [
    (Mode.BLOCKING, Status.FAILED, WsaError.WSAEFAULT, None),
    (Mode.NONBLOCKING, Status.FAILED, WsaError.WSAEFAULT, None),
    (Mode.OVERLAPPED_EVENT, Status.COMPLETED, None, None),  # legal; the count is simply not written
], ids=["blocking", "nonblocking", "overlapped"])
def test_r2_null_count(mode, status, error, count):
    s = sock(mode=mode)
    s.deliver(StreamBytes(b"abc"), 0)
    result = s.recv(RecvCall((10,), null_count=True), 1)
    assert (result.status, result.error, result.bytes) == (status, error, count) and "R2" in result.rules
    if mode.overlapped:
        got = overlapped_result(result.n, result, pending=False, wait=False, handle_closed=False)
        assert (got.ok, got.bytes) == (True, 3)


@pytest.mark.parametrize("protocol, state, error", [
    (Protocol.TCP, ConnState.NOT_CONNECTED, WsaError.WSAENOTCONN),
    (Protocol.TCP, ConnState.LISTENING, WsaError.WSAENOTCONN),
    (Protocol.TCP, ConnState.CONNECTING, WsaError.WSAENOTCONN),
    (Protocol.UDP, ConnState.UNBOUND, WsaError.WSAEINVAL),
    (Protocol.UDP, ConnState.NOT_CONNECTED, WsaError.WSAEWOULDBLOCK),  # bound: an ordinary empty socket
], ids=lambda v: getattr(v, "value", None))
def test_r5_state_errors(protocol, state, error):
    s = sock(protocol=protocol, state=state, mode=Mode.NONBLOCKING)
    result = s.recv(RecvCall((10,)), 0)
    assert result.error is error and result.bytes is None


def test_r5_connect_makes_a_tcp_socket_usable_and_a_second_connect_fails():
    s = sock(state=ConnState.NOT_CONNECTED, mode=Mode.NONBLOCKING)
    assert s.connect("10.0.0.2:80", 0).error is None
    assert s.recv(RecvCall((10,)), 1).error is WsaError.WSAEWOULDBLOCK
    assert s.connect("10.0.0.2:80", 2).error is WsaError.WSAEISCONN


def test_r5_completion_routine_on_a_completion_port_socket_is_refused_and_never_runs():
    s = sock(mode=Mode.OVERLAPPED_EVENT, completion_port=True)
    result = s.recv(RecvCall((10,), mode=Mode.OVERLAPPED_ROUTINE), 0)
    assert (result.error, result.rules[0]) == (WsaError.WSAEINVAL, "R5")
    assert s.deliver(StreamBytes(b"x"), 1) == [] and s.alertable_wait(2).completions == ()


@pytest.mark.parametrize("mode, hevent, delivery", [
    (Mode.OVERLAPPED_EVENT, HEvent.NULL, Delivery.SOCKET_HANDLE),
    (Mode.IOCP, HEvent.LOW_BIT, Delivery.EVENT),
    (Mode.IOCP, HEvent.SET, Delivery.IOCP),
    (Mode.OVERLAPPED_EVENT, HEvent.LOW_BIT, Delivery.EVENT),
], ids=["null-event", "low-bit-on-port", "event-on-port", "low-bit-no-port"])
def test_r30_hevent(mode, hevent, delivery):
    immediate = sock(mode=mode)
    immediate.deliver(StreamBytes(b"abc"), 0)
    assert immediate.recv(RecvCall((10,), hevent=hevent), 1).delivery is delivery
    later = sock(mode=mode)
    later.recv(RecvCall((10,), hevent=hevent), 0)
    (done,) = later.deliver(StreamBytes(b"abc"), 1)
    assert done.delivery is delivery


def test_r34_polling_a_pending_receive_then_its_failure():
    s = sock(protocol=Protocol.UDP, mode=Mode.OVERLAPPED_EVENT)
    pending = s.recv(RecvCall((2, 4)), 0)
    polled = overlapped_result(1, pending, pending=s.is_pending(1), wait=False, handle_closed=False)
    assert (polled.ok, polled.error, polled.bytes) == (False, WsaError.WSA_IO_INCOMPLETE, None)
    assert overlapped_result(1, pending, pending=True, wait=True, handle_closed=False).ok is None  # blocks
    (done,) = s.deliver(Message(b"moredata\0"), 1)
    got = overlapped_result(1, done, pending=s.is_pending(1), wait=False, handle_closed=False)
    assert (got.ok, got.error, got.bytes, got.flags_out) == (False, WsaError.WSAEMSGSIZE, 6, None)
    s.close(2)
    assert overlapped_result(1, done, pending=False, wait=False, handle_closed=True).error is WsaError.WSAENOTSOCK


def test_r40_r43_readiness_with_urgent_data_out_of_band_then_inline():
    s = sock(mode=Mode.NONBLOCKING)
    s.deliver(StreamBytes(b"data\0"), 0)
    s.deliver(UrgentByte(ord("a")), 1)
    ready = s.readiness
    assert (ready.fionread, ready.siocatmark, ready.readable, ready.exceptional, ready.fd_read) == (
        5, False, True, True, True)
    assert s.recv(RecvCall((100,)), 2).data == (b"data\0",)
    only_oob = s.readiness
    assert (only_oob.readable, only_oob.fd_read, only_oob.exceptional) == (False, False, True)  # R43
    s.set_option("oobinline", True, 3)  # Q12: the byte queued before stays out of band
    assert (s.readiness.siocatmark, s.readiness.exceptional) == (False, False)
    assert s.recv(RecvCall((1,), RecvFlags.MSG_OOB), 4).error is WsaError.WSAEINVAL  # R41 with SO_OOBINLINE
    s.deliver(UrgentByte(ord("b")), 5)
    assert s.recv(RecvCall((10,)), 6).data == (b"b",)  # now inline (R42)


def test_cancel_one_overlapped_leaves_the_others():
    s = sock(mode=Mode.OVERLAPPED_EVENT)
    s.recv(RecvCall((4,)), 0)
    s.recv(RecvCall((4,)), 1)
    (cancelled,) = s.cancel(2, n=2).completions
    assert (cancelled.n, cancelled.error) == (2, WsaError.WSA_OPERATION_ABORTED) and s.pending == 1
    assert "ERROR_NOT_FOUND" in s.cancel(3, n=7).notes[0]


def test_connected_udp_filter_set_and_removed_mid_run():
    s = sock(protocol=Protocol.UDP, mode=Mode.NONBLOCKING)
    s.connect("10.0.0.2:53", 0)
    s.deliver(Message(b"other", "10.0.0.9:53"), 1)
    assert s.queued_bytes == 0
    s.connect(None, 2)
    s.deliver(Message(b"other", "10.0.0.9:53"), 3)
    assert s.recv(RecvCall((10,)), 4).data == (b"other",)


@pytest.mark.parametrize("connreset, error", [(True, WsaError.WSAECONNRESET), (False, WsaError.WSAEWOULDBLOCK)])
def test_sio_udp_connreset(connreset, error):
    s = sock(protocol=Protocol.UDP, mode=Mode.NONBLOCKING, udp_connreset=connreset)
    s.deliver(IcmpError(IcmpKind.PORT_UNREACHABLE), 0)
    assert s.recv(RecvCall((10,)), 1).error is error


def test_wsarecvfrom_and_wsarecvmsg_outputs():
    s = sock(protocol=Protocol.UDP, pktinfo=True)
    s.deliver(Message(b"moredata\0", "10.0.0.2:53"), 0)
    s.deliver(Message(b"ok", "10.0.0.3:53"), 1)
    s.deliver(Message(b"ctl", "10.0.0.4:53"), 2)
    cut = s.recv(RecvCall((4,), api=Api.WSARECVMSG, control=PKTINFO_SPACE), 3)
    assert (cut.error, cut.source, cut.msg_flags) == (WsaError.WSAEMSGSIZE, "10.0.0.2:53", RecvFlags.MSG_TRUNC)
    whole = s.recv(RecvCall((4,), api=Api.WSARECVFROM), 4)
    assert (whole.error, whole.source, whole.msg_flags) == (None, "10.0.0.3:53", None)
    ctrunc = s.recv(RecvCall((4,), api=Api.WSARECVMSG, control=8), 5)
    assert (ctrunc.error, ctrunc.bytes, ctrunc.msg_flags) == (WsaError.WSAEMSGSIZE, 3, RecvFlags.MSG_CTRUNC)


def test_wsarecvmsg_control_truncation_on_the_overlapped_path():
    """sock.c test_ip_pktinfo: posted before the datagram it pends and completes with WSAEMSGSIZE and
    MSG_CTRUNC; with the datagram already queued it completes at once, like a data truncation (Q2)."""
    s = sock(protocol=Protocol.UDP, pktinfo=True, mode=Mode.OVERLAPPED_EVENT)
    assert s.recv(RecvCall((4,), api=Api.WSARECVMSG, control=1), 0).status is Status.PENDING
    (done,) = s.deliver(Message(b"x", "10.0.0.2:53"), 1)
    assert isinstance(done, Completion)
    assert (done.error, done.msg_flags, done.source, done.flags_out) == (
        WsaError.WSAEMSGSIZE, RecvFlags.MSG_CTRUNC, "10.0.0.2:53", None)
    s.deliver(Message(b"y", "10.0.0.2:53"), 2)
    now = s.recv(RecvCall((4,), api=Api.WSARECVMSG, control=1), 3)
    assert (now.status, now.error, now.bytes, now.delivery) == (Status.FAILED, WsaError.WSAEMSGSIZE, 1, Delivery.EVENT)
