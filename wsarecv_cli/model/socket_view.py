"""The read-only side of a Socket: what drivers and scenario expectations may ask (R5, R40-R43).

`SocketView` holds the properties; `Socket` (socket.py) inherits them and owns the inputs. The
readiness a program would see through FIONREAD, SIOCATMARK, select/WSAPoll and WSAEventSelect
is derived here from the same receive state the receives use, so it cannot disagree with them.
"""

from __future__ import annotations

from dataclasses import dataclass

from wsarecv_cli.model.overlapped import PendingOp
from wsarecv_cli.model.provider import Profile
from wsarecv_cli.model.queues import End, RxState
from wsarecv_cli.model.take import take
from wsarecv_cli.model.types import Completion, RecvCall, SocketConfig

_PROBE = RecvCall((1,))  # deliverable's 1-byte receive


@dataclass(frozen=True, slots=True)
class SocketStats:
    arrived: int  # bytes the socket accepted
    delivered: int  # bytes placed in WSABUFs by consuming receives
    lost: int  # bytes discarded (R17 tails, R24 RST, Q5)
    filtered: int  # datagram bytes dropped by the connected-UDP filter (R21)
    queued: int  # bytes still waiting (stream, messages, urgent bytes)


@dataclass(frozen=True, slots=True)
class Readiness:
    """What the readiness APIs report now (R40, R42, R43, Q12)."""

    fionread: int  # bytes a normal receive could read (OOB bytes out of band are not counted, R40)
    siocatmark: bool  # TRUE = no OOB data pending (inverted relative to BSD, R40; Q12 with SO_OOBINLINE)
    readable: bool  # select readfds / POLLRDNORM: a normal receive completes now (data or closure)
    exceptional: bool  # select exceptfds / POLLRDBAND / FD_OOB: OOB data pending, SO_OOBINLINE off (R43)
    fd_read: bool  # FD_READ: normal data queued (never for OOB data alone, R43; not for data a pending
    #              receive absorbed, R32)
    fd_close: bool  # FD_CLOSE: the peer closed or reset the connection
    pollhup: bool  # POLLHUP: the connection ended


class SocketView:
    config: SocketConfig
    profile: Profile
    _rx: RxState
    _pending: list[PendingOp]
    _outbox: list[Completion]
    _apcs: list[Completion]
    _closed_local: bool
    _shut: bool
    _arrived: int
    _delivered: int
    _lost: int
    _filtered: int
    _n: int

    # ---- read-only state for drivers -------------------------------------------------------

    @property
    def pending(self) -> int:
        return len(self._pending)

    @property
    def deliverable(self) -> bool:
        """A normal receive (flags 0, one 1-byte WSABUF) would complete now, with data or an error."""
        if self._closed_local or self._shut:
            return True
        if self._pending and any(not op.oob for op in self._pending):
            return False
        return take(self._rx, self.profile, _PROBE, waitall=False) is not None

    @property
    def queued_bytes(self) -> int:
        return self._rx.queued_bytes

    @property
    def oob_pending(self) -> int:
        """Urgent bytes waiting for MSG_OOB (SIOCATMARK is FALSE while this is > 0, R40)."""
        return len(self._rx.oob)

    @property
    def closed(self) -> bool:
        """No arrival can change anything any more and nothing is left to read."""
        if self._closed_local:
            return True
        end = self._rx.end
        if end in (End.RESET, End.ABORTED, End.DISCON, End.FIN):
            return not self._rx.stream.entries and not self._rx.messages and not self._rx.oob
        return False

    @property
    def held(self) -> int:
        """Completions produced but not yet handed out (outbox and desktop APCs)."""
        return len(self._outbox) + len(self._apcs)

    @property
    def stats(self) -> SocketStats:
        queued = self._rx.queued_bytes + len(self._rx.oob)
        return SocketStats(self._arrived, self._delivered, self._lost, self._filtered, queued)

    @property
    def calls_made(self) -> int:
        """Receive calls made so far (their numbers n are 1..calls_made)."""
        return self._n

    @property
    def handle_closed(self) -> bool:
        """closesocket was called: the handle is gone (WSAENOTSOCK)."""
        return self._closed_local

    def is_pending(self, n: int) -> bool:
        return any(op.n == n for op in self._pending)

    @property
    def readiness(self) -> Readiness:
        rx = self._rx
        ended = rx.end in (End.FIN, End.RESET, End.ABORTED, End.DISCON)
        oob_out_of_band = bool(rx.oob) and not self.config.oobinline
        readable = take(rx, self.profile, _PROBE, waitall=False) is not None
        data = rx.queued_bytes > 0 or bool(rx.messages)
        return Readiness(fionread=rx.queued_bytes, siocatmark=not rx.oob, readable=readable,
                         exceptional=oob_out_of_band, fd_read=data, fd_close=ended, pollhup=ended)

    def collect(self) -> list[Completion]:
        """Completions produced inside `recv` (the outbox), handed out now: a driver that calls
        this after each receive shows them where they happened, also after the last call."""
        out, self._outbox = self._outbox, []
        return out

    @property
    def queued_routines(self) -> tuple[Completion, ...]:
        """Desktop completion routines queued as APCs, waiting for an alertable wait (R30)."""
        return tuple(self._apcs)
