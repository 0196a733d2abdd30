"""The model against real Linux sockets on 127.0.0.1 (spec section 3).

Where Windows and Linux agree (stream scatter fills, UDP truncated bytes) the bytes in every buffer
must match. Where they differ, both sides are asserted, so a change on either side is noticed.
Everything is bounded: 2 s socket timeouts, loopback only.
"""

from __future__ import annotations

import errno
import fcntl
import select
import socket
import struct
import sys
import termios
import time

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from wsarecv_cli.model import (
    Event, Fin, Message, Mode, Protocol, RecvCall, RecvFlags, Reset, Shutdown, Socket, SocketConfig, Status,
    StreamBytes, WsaError,
)

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux loopback differential")
TIMEOUT = 2.0


def _queued(sock: socket.socket) -> int:
    return struct.unpack("i", fcntl.ioctl(sock, termios.FIONREAD, b"\0\0\0\0"))[0]


def _until(predicate, what: str) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.002)


class TcpPair:
    def __init__(self) -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
            listener.bind(("127.0.0.1", 0))
            listener.listen(1)
            self.peer = socket.create_connection(listener.getsockname(), timeout=TIMEOUT)
            self.recv_sock, _ = listener.accept()
        self.recv_sock.settimeout(TIMEOUT)
        self.peer.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sent = 0

    def send(self, data: bytes) -> None:
        self.peer.sendall(data)
        self.sent += len(data)

    def wait_queued(self, count: int) -> None:
        _until(lambda: _queued(self.recv_sock) >= count, f"{count} bytes queued")

    def reset(self) -> None:
        self.peer.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.peer.close()
        _until(lambda: select.select([self.recv_sock], [], [], 0)[0], "the RST")

    def close(self) -> None:
        for s in (self.peer, self.recv_sock):
            try:
                s.close()
            except OSError:
                pass


@pytest.fixture
def tcp():
    pair = TcpPair()
    yield pair
    pair.close()


@pytest.fixture
def udp():
    rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    tx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rx.bind(("127.0.0.1", 0))
    rx.settimeout(TIMEOUT)
    tx.connect(rx.getsockname())
    yield rx, tx
    rx.close()
    tx.close()


def linux_recv(sock: socket.socket, layout, flags: int = 0):
    bufs = [bytearray(n) for n in layout]
    count, _, msg_flags, _ = sock.recvmsg_into(bufs, 0, flags)
    # recvmsg_into reports the byte count; reconstruct each buffer's written part in order (R8 on Linux too)
    out, left = [], count
    for buf in bufs:
        take = min(len(buf), left)
        out.append(bytes(buf[:take]))
        left -= take
    return count, tuple(out), msg_flags


# ---- agreement -------------------------------------------------------------------------------

layouts = st.lists(st.integers(0, 9), min_size=1, max_size=4).filter(lambda l: sum(l) > 0)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chunks=st.lists(st.binary(min_size=1, max_size=20), min_size=1, max_size=5),
       calls=st.lists(layouts, min_size=1, max_size=6))
def test_stream_scatter_fills_agree(chunks, calls):
    pair = TcpPair()
    try:
        model = Socket(SocketConfig(mode=Mode.NONBLOCKING))
        for chunk in chunks:
            pair.send(chunk)
            model.deliver(StreamBytes(chunk), 0)
        pair.wait_queued(pair.sent)
        for layout in calls:
            if not model.queued_bytes:
                break
            count, linux, _ = linux_recv(pair.recv_sock, layout)
            result = model.recv(RecvCall(tuple(layout)), 0)
            assert (result.bytes, result.data) == (count, linux)
    finally:
        pair.close()


def test_zero_length_datagram_agrees(udp):
    rx, tx = udp
    tx.send(b"")
    count, data, flags = linux_recv(rx, [10])
    model = Socket(SocketConfig(protocol=Protocol.UDP))
    model.deliver(Message(b""), 0)
    result = model.recv(RecvCall((10,)), 1)
    assert (count, flags) == (0, 0)
    assert (result.status, result.bytes, result.event) == (Status.COMPLETED, 0, Event.ZERO_BYTE)


# ---- documented differences (section 3), both sides asserted ------------------------------


def test_udp_truncation_bytes_agree_but_windows_says_wsaemsgsize(udp):
    rx, tx = udp
    model = Socket(SocketConfig(protocol=Protocol.UDP))
    for datagram in (b"moredata\0", b"data\0"):
        tx.send(datagram)
        model.deliver(Message(datagram), 0)
    count, linux, flags = linux_recv(rx, [2, 4])
    result = model.recv(RecvCall((2, 4)), 1)
    assert (count, linux) == (6, (b"mo", b"reda")) and flags & socket.MSG_TRUNC  # Linux: success + MSG_TRUNC
    assert (result.status, result.error, result.bytes, result.data, result.lost) == (
        Status.FAILED, WsaError.WSAEMSGSIZE, 6, (b"mo", b"reda"), 3)  # Windows: SOCKET_ERROR WSAEMSGSIZE
    count, linux, flags = linux_recv(rx, [8])
    result = model.recv(RecvCall((8,)), 2)
    assert (count, linux, flags & socket.MSG_TRUNC) == (5, (b"data\0",), 0)
    assert (result.error, result.data) == (None, (b"data\0",))


def test_udp_peek_truncated_keeps_the_datagram_on_both(udp):
    rx, tx = udp
    tx.send(b"moredata\0")
    model = Socket(SocketConfig(protocol=Protocol.UDP))
    model.deliver(Message(b"moredata\0"), 0)
    count, linux, flags = linux_recv(rx, [4], socket.MSG_PEEK)
    result = model.recv(RecvCall((4,), RecvFlags.MSG_PEEK), 1)
    assert (count, linux) == (4, (b"more",)) and flags & socket.MSG_TRUNC
    assert (result.error, result.data) == (WsaError.WSAEMSGSIZE, (b"more",))
    assert linux_recv(rx, [100])[0] == 9 and model.recv(RecvCall((100,)), 2).bytes == 9


def test_rst_with_unread_data_linux_returns_it_windows_loses_it(tcp):
    tcp.send(b"hello")
    tcp.wait_queued(5)
    tcp.reset()
    linux = []
    for _ in range(3):
        try:
            linux.append(tcp.recv_sock.recv(10))
        except ConnectionResetError:
            linux.append("ECONNRESET")
    assert linux == [b"hello", "ECONNRESET", b""]  # data first, ECONNRESET once, then EOF
    model = Socket()
    model.deliver(StreamBytes(b"hello"), 0)
    model.deliver(Reset(), 1)
    results = [model.recv(RecvCall((10,)), t) for t in (2, 3, 4)]
    assert [r.error for r in results] == [WsaError.WSAECONNRESET] * 3  # R23 sticky, data lost (R24)
    assert results[0].lost == 5


def test_fin_then_rst_linux_eof_windows_connaborted(tcp):
    tcp.peer.close()  # FIN
    _until(lambda: tcp.recv_sock.recv(1, socket.MSG_PEEK) == b"", "the FIN")
    try:
        tcp.recv_sock.send(b"x")  # the closed peer answers with RST
    except OSError:
        pass
    time.sleep(0.05)
    assert [tcp.recv_sock.recv(10), tcp.recv_sock.recv(10)] == [b"", b""]  # Linux: still EOF
    model = Socket()
    model.deliver(Fin(), 0)
    model.deliver(Reset(), 1)
    assert model.recv(RecvCall((10,)), 2).error is WsaError.WSAECONNABORTED  # R25


def test_msg_oob_with_nothing_pending_einval_vs_wouldblock(tcp):
    tcp.recv_sock.setblocking(False)
    with pytest.raises(OSError) as info:
        tcp.recv_sock.recv(1, socket.MSG_OOB)
    assert info.value.errno == errno.EINVAL
    model = Socket(SocketConfig(mode=Mode.NONBLOCKING))
    assert model.recv(RecvCall((1,), RecvFlags.MSG_OOB), 0).error is WsaError.WSAEWOULDBLOCK  # R41


def test_zero_length_receive_linux_returns_zero_windows_pends(tcp):
    assert tcp.recv_sock.recv_into(bytearray(0)) == 0  # at once, even on a blocking socket
    model = Socket(SocketConfig(mode=Mode.OVERLAPPED_EVENT))
    result = model.recv(RecvCall((0,)), 0)
    assert result.status is Status.PENDING  # R12: pends until data arrives
    (done,) = model.deliver(StreamBytes(b"data"), 1)
    assert (done.bytes, done.event, model.queued_bytes) == (0, Event.ZERO_BYTE, 4)


def test_receive_after_shutdown_linux_eof_windows_wsaeshutdown(tcp):
    tcp.recv_sock.shutdown(socket.SHUT_RD)
    assert tcp.recv_sock.recv(10) == b""
    model = Socket()
    model.shutdown(Shutdown.RECEIVE, 0)
    assert model.recv(RecvCall((10,)), 1).error is WsaError.WSAESHUTDOWN  # R44


def test_flag_values_differ():
    assert (socket.MSG_WAITALL, socket.MSG_TRUNC, socket.MSG_CTRUNC) == (0x100, 0x20, 0x8)
    assert RecvFlags.MSG_WAITALL == 0x8 and not hasattr(socket, "MSG_PARTIAL")
