"""Real applications on loopback for `play` to talk to, each in a thread, every wait bounded.

What an app saw is kept in a `Seen`: the size of every recv (with TCP_NODELAY and pacing on the
player's side, one recv per captured segment), the bytes, and how the connection ended for it
("eof" for a FIN, "reset" for a RST). A `respond` callable decides what the app sends back after
each recv (echo, a canned answer once a request is complete, ...).
"""

from __future__ import annotations

import select
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

WAIT = 10.0  # the longest any test app waits for anything
Respond = Callable[[bytes], bytes]  # everything received so far -> what to send now


class Echo:
    """Sends back what arrived since the last call."""

    def __init__(self) -> None:
        self.done = 0

    def __call__(self, received: bytes) -> bytes:
        new, self.done = received[self.done:], len(received)
        return new


def answer_after(request: bytes, response: bytes) -> Respond:
    """Send `response` once, when `request` has fully arrived."""
    state = {"sent": False}

    def respond(received: bytes) -> bytes:
        if not state["sent"] and len(received) >= len(request):
            state["sent"] = True
            return response
        return b""

    return respond


def silent(received: bytes) -> bytes:
    return b""


@dataclass
class Seen:
    chunks: list[bytes] = field(default_factory=list)
    ended: str | None = None  # "eof" | "reset" | "timeout" | "aborted" (the app reset it)

    @property
    def sizes(self) -> list[int]:
        return [len(c) for c in self.chunks]

    @property
    def data(self) -> bytes:
        return b"".join(self.chunks)


def _serve_stream(sock: socket.socket, seen: Seen, respond: Respond, after_eof: bytes, abort: bool = False) -> None:
    """Read until EOF or reset, answering as `respond` says; after EOF send `after_eof` (a half-close).
    abort: reset the connection (SO_LINGER 0) after the first recv instead."""
    sock.settimeout(WAIT)
    with sock:
        while True:
            try:
                data = sock.recv(65536)
            except ConnectionResetError:
                seen.ended = "reset"
                return
            except TimeoutError:
                seen.ended = "timeout"
                return
            if not data:
                seen.ended = "eof"
                break
            seen.chunks.append(data)
            if abort:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                seen.ended = "aborted"
                return
            reply = respond(seen.data)
            if reply:
                sock.sendall(reply)
        if after_eof:
            sock.sendall(after_eof)


class _Threaded:
    def __init__(self) -> None:
        self.seen = Seen()
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None

    def _run(self, target: Callable[[], None]) -> None:
        def guarded() -> None:
            try:
                target()
            except BaseException as exc:
                self.error = exc

        self.thread = threading.Thread(target=guarded, daemon=True)
        self.thread.start()

    def join(self) -> Seen:
        if self.thread is not None:
            self.thread.join(WAIT)
            assert not self.thread.is_alive(), "test app still running"
        if self.error is not None:
            raise self.error
        return self.seen


class TcpServerApp(_Threaded):
    """A TCP server on 127.0.0.1 (ephemeral port) serving one connection: `play --as client` connects."""

    def __init__(self, respond: Respond = silent, after_eof: bytes = b"", abort: bool = False) -> None:
        super().__init__()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(WAIT)
        self.address = f"127.0.0.1:{self.listener.getsockname()[1]}"
        self._run(lambda: self._serve(respond, after_eof, abort))

    def _serve(self, respond: Respond, after_eof: bytes, abort: bool) -> None:
        with self.listener:
            conn, _ = self.listener.accept()
        _serve_stream(conn, self.seen, respond, after_eof, abort)


class TcpClientApp(_Threaded):
    """A TCP client: connects to `play --as server` when it listens, sends `request`, reads to the end."""

    def __init__(self, request: bytes = b"", respond: Respond = silent) -> None:
        super().__init__()
        self.request, self.respond = request, respond

    def start(self, address) -> None:
        def run() -> None:
            sock = socket.create_connection(address.sockaddr, timeout=WAIT)
            if self.request:
                sock.sendall(self.request)
            _serve_stream(sock, self.seen, self.respond, b"")

        self._run(run)


def _read_datagrams(sock: socket.socket, seen: Seen, respond: Respond, quiet: float) -> None:
    """Datagrams until none came for `quiet` seconds (after the first one) or WAIT in all."""
    waited = 0.0
    while waited < WAIT:
        if not select.select([sock], [], [], quiet)[0]:
            if seen.chunks:
                return
            waited += quiet
            continue
        data, source = sock.recvfrom(65536)
        seen.chunks.append(data)
        reply = respond(data)
        if reply:
            sock.sendto(reply, source)


class UdpServerApp(_Threaded):
    """A UDP server on 127.0.0.1: `respond(datagram)` -> the datagram to answer with (b"": none)."""

    def __init__(self, respond: Respond = silent, quiet: float = 1.0) -> None:
        super().__init__()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"

        def run() -> None:
            with self.sock:
                _read_datagrams(self.sock, self.seen, respond, quiet)

        self._run(run)


class UdpClientApp(_Threaded):
    """A UDP client: sends `datagrams` to `play --as server` once it listens, then reads the answers."""

    def __init__(self, datagrams: list[bytes], quiet: float = 1.0) -> None:
        super().__init__()
        self.datagrams, self.quiet = datagrams, quiet

    def start(self, address) -> None:
        def run() -> None:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                sock.connect(address.sockaddr)
                for datagram in self.datagrams:
                    sock.send(datagram)
                _read_datagrams(sock, self.seen, silent, self.quiet)

        self._run(run)
