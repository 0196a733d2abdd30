"""The application's socket calls other than WSARecv: shutdown, closesocket, CancelIo(Ex),
setsockopt/WSAIoctl and connect (R5, R21, R33, R42, R44-R46).

`SocketActions` holds them; `Socket` (socket.py) inherits them and owns the receive machinery
they use (`_tick`, `_complete`, `_hand_out`, `_note`). Each returns an ActionResult with the
completions it released, like the socket's other inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from wsarecv_cli.model.overlapped import abort_take, close_take
from wsarecv_cli.model.queues import End
from wsarecv_cli.model.socket_view import SocketView
from wsarecv_cli.model.types import ActionResult, Completion, ConnState, Shutdown, WsaError


class SocketActions(SocketView):
    _state: ConnState
    _state_refusal: tuple[WsaError, tuple[str, ...], str] | None
    _facts: tuple | None
    # Socket's receive machinery, which the actions use.
    _tick: Callable[[int], list[Completion]]
    _hand_out: Callable[[list[Completion]], list[Completion]]
    _note: Callable[[int, str], None]
    _complete: Callable[..., Completion]

    def shutdown(self, how: Shutdown, t_ns: int) -> ActionResult:
        out = self._tick(t_ns)
        if self._closed_local:
            return ActionResult(tuple(self._hand_out(out)), ("R5",), ("shutdown on a closed handle",),
                                error=WsaError.WSAENOTSOCK)
        self._shut = True
        notes = [f"shutdown(SD_{'RECEIVE' if how is Shutdown.RECEIVE else 'BOTH'}): later receives fail "
                 "with WSAESHUTDOWN; receives already pending stay (R44)"]
        rules, lost = ("R44",), 0
        rx = self._rx
        queued = rx.stream.entries or rx.messages or rx.oob
        if (queued and rx.end is None and self.profile.connection_oriented and self.config.rst_after_shutdown
                and not any(not op.oob for op in self._pending)):
            lost = rx.discard()
            rx.end = End.RESET
            self._lost += lost
            rules = ("R44", "R45")
            notes.append(f"unread data at SD_RECEIVE: the stack resets the connection (RST sent, {lost} "
                         "bytes discarded) (R45, Q5)")
        for note in notes:
            self._note(t_ns, note)
        return ActionResult(tuple(self._hand_out(out)), rules, tuple(notes), lost=lost)

    def close(self, t_ns: int) -> ActionResult:
        out = self._tick(t_ns)
        if self._closed_local:
            return ActionResult(tuple(self._hand_out(out)), ("R5",), ("closesocket on a closed handle",),
                                error=WsaError.WSAENOTSOCK)
        self._closed_local = True
        done = [self._complete(op, close_take(self.config, op), t_ns) for op in self._pending]
        self._pending.clear()
        notes = ("closesocket: the handle is gone; later receives fail with WSAENOTSOCK",)
        self._note(t_ns, notes[0])
        return ActionResult(tuple(self._hand_out(out + done)), ("R33",) if done else (), notes)

    def cancel(self, t_ns: int, n: int | None = None) -> ActionResult:
        """CancelIo / CancelIoEx(NULL): every overlapped receive; CancelIoEx(lpOverlapped): call `n` only."""
        out = self._tick(t_ns)
        done, notes = [], []
        ops = [op for op in self._pending if n is None or op.n == n]
        if n is not None and not ops:
            notes.append(f"CancelIoEx: call {n} is not pending: ERROR_NOT_FOUND, nothing cancelled (R33)")
        for op in ops:
            if op.blocking:
                notes.append(f"call {op.n} is a blocking call: CancelIo does not apply, it keeps waiting")
                continue
            self._pending.remove(op)
            got = abort_take(op.call, WsaError.WSA_OPERATION_ABORTED, ("R33",),
                             "CancelIo/CancelIoEx: STATUS_CANCELLED, reported as 995 (R33)")
            done.append(self._complete(op, got, t_ns))
        return ActionResult(tuple(self._hand_out(out + done)), ("R33",) if done else (), tuple(notes))

    def set_option(self, name: str, value: bool, t_ns: int) -> ActionResult:
        """setsockopt/WSAIoctl during the run: SO_OOBINLINE (R42, Q12), SIO_UDP_CONNRESET/NETRESET (R46).
        Urgent bytes already held out of band stay there: SIOCATMARK stays FALSE until they are read."""
        out = self._tick(t_ns)
        self.config = replace(self.config, **{name: value})
        self._facts = None  # the static refusals depend on the configuration (R41: MSG_OOB with SO_OOBINLINE)
        rules = {"oobinline": ("R42", "Q12")}.get(name, ("R46",))
        return ActionResult(tuple(self._hand_out(out)), rules)

    def connect(self, peer: str | None, t_ns: int) -> ActionResult:
        """connect(peer), or connect(AF_UNSPEC) with peer None: TCP becomes connected (R5); a datagram
        socket gets (or loses) its peer filter (R21)."""
        out = self._tick(t_ns)
        if self.profile.connection_oriented:
            if self._state is ConnState.CONNECTED:
                return ActionResult(tuple(self._hand_out(out)), ("R5",), ("connect: already connected",),
                                    error=WsaError.WSAEISCONN)
            self._state, self._state_refusal = ConnState.CONNECTED, None
            return ActionResult(tuple(self._hand_out(out)), ("R5",), (f"connect({peer}): connected",))
        self._state, self._state_refusal = ConnState.CONNECTED, None
        self.config = replace(self.config, connected_peer=peer)
        text = f"connect({peer}): only its datagrams are delivered" if peer else "connect(AF_UNSPEC): no peer filter"
        return ActionResult(tuple(self._hand_out(out)), ("R21",), (text + " (R21)",))
