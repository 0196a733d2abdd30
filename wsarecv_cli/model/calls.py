"""What a receive call implies on a given socket before any state is looked at (R3-R6, R13, R36, R41).

These depend only on the call (WSABUF lengths, lpFlags), its mode and the socket's fixed settings
(config, provider profile), so the socket computes them once per RecvCall object it is handed:
drivers reuse one RecvCall for every call, as programs reuse their WSABUF array.
"""

from __future__ import annotations

from wsarecv_cli.model.provider import Profile, effective_mode, supports_waitall
from wsarecv_cli.model.types import ConnState, Mode, RecvCall, RecvFlags, SocketConfig, WsaError

Refusal = tuple[WsaError, tuple[str, ...], str]
_ROUTINE, _IOCP, _CONNECTED = Mode.OVERLAPPED_ROUTINE, Mode.IOCP, ConnState.CONNECTED
_MSG_WAITALL, _MSG_OOB, _MSG_PEEK = int(RecvFlags.MSG_WAITALL), int(RecvFlags.MSG_OOB), int(RecvFlags.MSG_PEEK)


def static_refusal(config: SocketConfig, profile: Profile, call: RecvCall, mode: Mode | None = None,
                   ) -> Refusal | None:
    """The checks of Socket._validate that depend on the call, the mode it is made in (the call's
    own mode, else the socket's) and the socket's fixed settings only."""
    mode = mode or call.mode or config.mode
    flags = int(call.flags)  # (int bit tests and module constants: every receiver asks once)
    if not call.buffers:
        return WsaError.WSAEINVAL, ("R3",), "dwBufferCount is 0: WSAEINVAL at once, no completion (R3)"
    if min(call.buffers) < 0:
        return WsaError.WSAEFAULT, ("R4",), "a negative buffer length: WSAEFAULT (R4)"
    if call.null_count and not mode.overlapped:
        return (WsaError.WSAEFAULT, ("R2",), "lpNumberOfBytesRecvd is NULL on a non-overlapped call: WSAEFAULT (R2)")
    if mode is _ROUTINE and (config.mode is _IOCP or config.completion_port):
        return (WsaError.WSAEINVAL, ("R5",), "a completion routine on a socket associated with a completion "
                "port: WSAEINVAL at once, the routine never runs (R5)")
    if flags & _MSG_WAITALL:
        why = waitall_refusal(config, profile, call, mode)
        if why:
            return WsaError.WSAEOPNOTSUPP, ("R13",) + (("R49",) if "CE" in why else ()), why
    if flags & _MSG_OOB:
        if not profile.expedited:
            return WsaError.WSAEOPNOTSUPP, ("R41",), "MSG_OOB on a non-stream socket: WSAEOPNOTSUPP (R41)"
        if config.oobinline:
            return WsaError.WSAEINVAL, ("R41",), "MSG_OOB with SO_OOBINLINE on: WSAEINVAL (R41)"
    return None


def state_refusal(config: SocketConfig, profile: Profile, state: ConnState) -> Refusal | None:
    """What the socket's state makes of every receive (R5), computed when the state changes."""
    if not config.wsa_started:
        return WsaError.WSANOTINITIALISED, ("R5",), "WSAStartup has not succeeded: WSANOTINITIALISED"
    if state is _CONNECTED:
        return None
    if profile.connection_oriented:
        return WsaError.WSAENOTCONN, ("R5",), f"the socket is {state.value}, not connected: WSAENOTCONN (R5)"
    if state is ConnState.UNBOUND:
        return WsaError.WSAEINVAL, ("R5",), "the datagram socket is not bound: WSAEINVAL (R5)"
    return None


def waitall_refusal(config: SocketConfig, profile: Profile, call: RecvCall, mode: Mode | None = None) -> str:
    """Why MSG_WAITALL is refused. The non-blocking test is on the mode the call is made in: a
    blocking call on a socket configured non-blocking waits; a non-blocking one is refused (R13)."""
    if not supports_waitall(config.platform):
        return "CE documents no MSG_WAITALL: rejected with WSAEOPNOTSUPP (R13 assumption, R49)"
    if (mode or call.mode or config.mode) is Mode.NONBLOCKING:
        return "MSG_WAITALL on a non-blocking socket: WSAEOPNOTSUPP (R13)"
    if call.flags & (RecvFlags.MSG_OOB | RecvFlags.MSG_PEEK | RecvFlags.MSG_PARTIAL):
        return "MSG_WAITALL with MSG_OOB, MSG_PEEK or MSG_PARTIAL: WSAEOPNOTSUPP (R13)"
    if profile.message_oriented:
        return "MSG_WAITALL on a message-oriented socket: WSAEOPNOTSUPP (R13)"
    return ""


def call_notes(profile: Profile, call: RecvCall, mode: Mode) -> tuple[str, ...]:
    notes = []
    if mode.overlapped and int(call.flags) & _MSG_PEEK:
        notes.append("doc-invalid: MSG_PEEK is documented for non-overlapped sockets only; accepted (R36, Q3)")
    if profile.message_oriented:
        _, mode_note = effective_mode(profile, call.flags)
        if mode_note:
            notes.append(mode_note)
    return tuple(notes)
