"""The sockets: listen/accept or connect, TCP or UDP, send one segment, receive, close as captured.

The only module of the package that opens network sockets. Socket errors become NetworkError with
one line a user can act on ("connection refused by 127.0.0.1:9000: is the application listening?").
Every blocking call is bounded by the timeout.
"""

from __future__ import annotations

import contextlib
import errno
import select
import socket
import struct
from collections.abc import Callable

from wsarecv_cli.errors import WsarecvError
from wsarecv_cli.net import Transport
from wsarecv_cli.play.address import SocketAddress
from wsarecv_cli.play.script import CloseKind

MAX_DATAGRAM = 65535


class NetworkError(WsarecvError):
    """The network side failed: refused, address in use, nobody connected in time, reset while sending."""


class ConnectionClosed(Exception):
    """The app closed (how = "fin") or reset (how = "rst") the connection."""

    def __init__(self, how: str) -> None:
        super().__init__(how)
        self.how = how


def _explain(exc: OSError, address: SocketAddress, verb: str) -> NetworkError:
    if exc.errno == errno.EADDRINUSE:
        return NetworkError(f"address {address} is already in use")
    if exc.errno == errno.EADDRNOTAVAIL:
        return NetworkError(f"cannot {verb} {address}: the address is not on this machine")
    if exc.errno == errno.ECONNREFUSED:
        return NetworkError(f"connection refused by {address}: is the application listening?")
    if isinstance(exc, TimeoutError):
        return NetworkError(f"timed out trying to {verb} {address}")
    return NetworkError(f"cannot {verb} {address}: {exc.strerror or exc}")


class TcpChannel:
    """A connected TCP socket with TCP_NODELAY: one send() a segment reaches the wire at once.

    Non-blocking once connected: the player sends only what the socket takes and reads the app's
    replies in between (`ready`), so an app that writes while it reads (an echo) cannot deadlock
    with it when both directions' buffers fill."""

    datagrams = False

    def __init__(self, sock: socket.socket, timeout: float) -> None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # the app's urgent byte arrives in its place in the stream, as the capture's reply holds it
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_OOBINLINE, 1)
        sock.setblocking(False)
        self.sock = sock
        self.peer = SocketAddress(sock.family, *sock.getpeername()[:2])
        self.local = SocketAddress(sock.family, *sock.getsockname()[:2])

    @classmethod
    def connect(cls, address: SocketAddress, timeout: float) -> TcpChannel:
        try:
            sock = socket.create_connection(address.sockaddr, timeout=timeout)
        except OSError as exc:
            raise _explain(exc, address, "connect to") from None
        return cls(sock, timeout)

    @classmethod
    def accept(cls, address: SocketAddress, timeout: float,
               on_listen: Callable[[SocketAddress], None] = lambda a: None) -> TcpChannel:
        with socket.socket(address.family, socket.SOCK_STREAM) as listener:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                listener.bind(address.sockaddr)
                listener.listen(1)
            except OSError as exc:
                raise _explain(exc, address, "listen on") from None
            bound = SocketAddress(address.family, *listener.getsockname()[:2])
            on_listen(bound)
            listener.settimeout(timeout)
            try:
                sock, _ = listener.accept()
            except TimeoutError:
                raise NetworkError(f"no application connected to {bound} within {timeout:g}s") from None
        return cls(sock, timeout)

    def send(self, data: bytes | memoryview, oob: bool = False) -> int:
        """As much of `data` as the socket takes now (0 when its buffer is full)."""
        try:
            return self.sock.send(data, socket.MSG_OOB if oob else 0)
        except BlockingIOError:
            return 0
        except (BrokenPipeError, ConnectionResetError):
            raise ConnectionClosed("rst") from None

    def receive(self) -> bytes:
        """One recv(): the bytes it returned (b"" when nothing was there after all); ConnectionClosed
        on EOF or reset."""
        try:
            data = self.sock.recv(MAX_DATAGRAM)
        except BlockingIOError:
            return b""
        except ConnectionResetError:
            raise ConnectionClosed("rst") from None
        if not data:
            raise ConnectionClosed("fin")
        return data

    def close(self, kind: CloseKind) -> None:
        """The player's close: RST by SO_LINGER 0; otherwise a FIN that still lets replies in."""
        if kind is CloseKind.RST:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.sock.close()
            return
        with contextlib.suppress(OSError):  # already reset by the app: nothing left to close
            self.sock.shutdown(socket.SHUT_WR)

    def readable(self, seconds: float) -> bool:
        if self.sock.fileno() < 0:
            return False
        return bool(select.select([self.sock], [], [], max(0.0, seconds))[0])

    def ready(self, seconds: float, read: bool = True) -> tuple[bool, bool]:
        """(readable, writable) within `seconds`; read=False once the app closed (EOF stays readable)."""
        readable, writable, _ = select.select([self.sock] if read else [], [self.sock], [], max(0.0, seconds))
        return bool(readable), bool(writable)

    def release(self) -> None:
        self.sock.close()


class UdpChannel:
    """A UDP socket: a send is one datagram, a receive one datagram, sizes and boundaries kept.

    As client it is connected to the app (so the app's ICMP port-unreachable is reported). As server
    it learns the app's address from the first datagram the app sends, and answers there."""

    datagrams = True

    def __init__(self, sock: socket.socket, peer: SocketAddress | None) -> None:
        self.sock = sock
        self.peer = peer
        self.local = SocketAddress(sock.family, *sock.getsockname()[:2])
        self.first: bytes | None = None  # the app's first datagram, read while waiting for it

    @staticmethod
    def _socket(address: SocketAddress, listen: bool) -> socket.socket:
        """A UDP socket bound to (listen) or connected to `address`."""
        sock = socket.socket(address.family, socket.SOCK_DGRAM)
        try:
            (sock.bind if listen else sock.connect)(address.sockaddr)
        except OSError as exc:
            sock.close()
            raise _explain(exc, address, "listen on" if listen else "connect to") from None
        return sock

    @classmethod
    def connect(cls, address: SocketAddress, timeout: float) -> UdpChannel:
        return cls(cls._socket(address, listen=False), address)

    @classmethod
    def accept(cls, address: SocketAddress, timeout: float,
               on_listen: Callable[[SocketAddress], None] = lambda a: None) -> UdpChannel:
        sock = cls._socket(address, listen=True)
        channel = cls(sock, None)
        on_listen(channel.local)
        if not channel.readable(timeout):
            sock.close()
            raise NetworkError(f"no datagram from the application reached {channel.local} within {timeout:g}s")
        data, source = sock.recvfrom(MAX_DATAGRAM)
        channel.peer = SocketAddress(address.family, *source[:2])
        sock.connect(source)  # from now on only the app's datagrams, and its ICMP errors, come in
        channel.first = data
        return channel

    def send(self, data: bytes | memoryview, oob: bool = False) -> int:
        try:
            return self.sock.send(data)
        except ConnectionRefusedError:
            raise self._refused() from None
        except OSError as exc:
            if exc.errno == errno.EMSGSIZE:
                raise NetworkError(f"a {len(data)}-byte datagram is too large to send") from None
            raise

    def receive(self) -> bytes:
        if self.first is not None:
            data, self.first = self.first, None
            return data
        try:
            return self.sock.recv(MAX_DATAGRAM)
        except ConnectionRefusedError:
            raise self._refused() from None

    def _refused(self) -> NetworkError:
        return NetworkError(f"{self.peer} refused a datagram (ICMP port unreachable): is the application listening?")

    def close(self, kind: CloseKind) -> None:
        """UDP has no close on the wire."""

    def readable(self, seconds: float) -> bool:
        if self.first is not None:
            return True
        return bool(select.select([self.sock], [], [], max(0.0, seconds))[0])

    def ready(self, seconds: float, read: bool = True) -> tuple[bool, bool]:
        """A datagram socket is writable at once (a datagram is sent whole or not at all)."""
        return read and self.readable(0), True

    def release(self) -> None:
        self.sock.close()


def open_channel(transport: Transport, as_client: bool, address: SocketAddress, timeout: float,
                 on_listen: Callable[[SocketAddress], None] = lambda a: None) -> TcpChannel | UdpChannel:
    """Connect to the app (client) or wait for it (server), within `timeout` seconds."""
    kind = TcpChannel if transport is Transport.TCP else UdpChannel
    return kind.connect(address, timeout) if as_client else kind.accept(address, timeout, on_listen)
