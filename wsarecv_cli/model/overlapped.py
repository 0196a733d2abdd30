"""Pending operations and how their results reach the application (R29-R33, R47, R48).

A `PendingOp` is an overlapped receive that returned WSA_IO_PENDING, or a blocking call that has
not returned yet (at most one). Ops are satisfied in posting order (R32). `delivery_for` says how
a result is delivered; `status_for` maps a WinSock outcome to the NTSTATUS of OVERLAPPED.Internal
and the Win32 code kernel32 GetOverlappedResult / GetQueuedCompletionStatus would report
(section 1).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from wsarecv_cli.model.queues import RxState
from wsarecv_cli.model.take import Take
from wsarecv_cli.model.types import (
    Completion, Delivery, Event, Mode, NtStatus, Platform, Protocol, RecvCall, RecvFlags, RecvResult,
    SocketConfig, Win32Error, WsaError,
)

HOLD_NS = 200_000_000  # R14 hold timer when hold_until_push is on (length unknown, Q11)


@dataclass(slots=True, init=False)
class PendingOp:
    n: int
    call: RecvCall
    mode: Mode
    t_ns: int
    deadline_ns: int | None = None  # SO_RCVTIMEO expiry of a blocking call (R7)
    hold_since_ns: int | None = None  # R14 hold mode: when data first waited for PSH
    posted: Mode | None = None  # R1: an overlapped call run synchronously (no overlapped attribute)
    # Derived from call and mode once (asked for every pending op on every arrival).
    blocking: bool = field(repr=False, compare=False)
    oob: bool = field(repr=False, compare=False)
    # lpFlags 0 and room for at least one byte: what the socket's arrival fast lane serves.
    plain: bool = field(repr=False, compare=False)

    # Written out (not the dataclass __init__ and a __post_init__): one op is made per call that waits.
    def __init__(self, n: int, call: RecvCall, mode: Mode, t_ns: int, deadline_ns: int | None = None,
                 hold_since_ns: int | None = None, posted: Mode | None = None) -> None:
        self.n, self.call, self.mode, self.t_ns = n, call, mode, t_ns
        self.deadline_ns, self.hold_since_ns, self.posted = deadline_ns, hold_since_ns, posted
        self.blocking = not mode.overlapped
        flags = int(call.flags)
        self.oob = bool(flags & _MSG_OOB)
        self.plain = not flags and sum(call.buffers) > 0 and call.plain_args and posted is None


_MSG_OOB = int(RecvFlags.MSG_OOB)


_STATUS: dict[WsaError | None, tuple[NtStatus, Win32Error]] = {
    None: (NtStatus.SUCCESS, Win32Error.ERROR_SUCCESS),
    WsaError.WSAEMSGSIZE: (NtStatus.BUFFER_OVERFLOW, Win32Error.ERROR_MORE_DATA),
    WsaError.WSAECONNRESET: (NtStatus.CONNECTION_RESET, Win32Error.ERROR_NETNAME_DELETED),
    WsaError.WSAECONNABORTED: (NtStatus.CONNECTION_ABORTED, Win32Error.ERROR_CONNECTION_ABORTED),
    WsaError.WSA_OPERATION_ABORTED: (NtStatus.CANCELLED, Win32Error.ERROR_OPERATION_ABORTED),
    WsaError.WSAEDISCON: (NtStatus.GRACEFUL_DISCONNECT, Win32Error.ERROR_GRACEFUL_DISCONNECT),
    WsaError.WSAETIMEDOUT: (NtStatus.IO_TIMEOUT, Win32Error.UNSPECIFIED),
    WsaError.WSAEINTR: (NtStatus.REQUEST_ABORTED, Win32Error.UNSPECIFIED),
    WsaError.WSAENETRESET: (NtStatus.UNSPECIFIED, Win32Error.UNSPECIFIED),
}


_UNSPECIFIED = (NtStatus.UNSPECIFIED, Win32Error.UNSPECIFIED)


def status_for(error: WsaError | None) -> tuple[NtStatus, Win32Error]:
    """NTSTATUS (OVERLAPPED.Internal) and kernel32 Win32 code for a result (section 1)."""
    return _STATUS.get(error, _UNSPECIFIED)


def icmp_status(error: WsaError | None) -> tuple[NtStatus, Win32Error]:
    """A pending datagram receive failed by ICMP port-unreachable (R46, section 1)."""
    if error is WsaError.WSAECONNRESET:
        return NtStatus.PORT_UNREACHABLE, Win32Error.ERROR_PORT_UNREACHABLE
    return status_for(error)


def delivery_for(mode: Mode, platform: Platform, *, immediate: bool, success: bool,
                 skip_on_success: bool) -> Delivery:
    """How the result of an overlapped (or blocking) call reaches the application."""
    if not mode.overlapped:
        return Delivery.RETURN
    if mode is Mode.OVERLAPPED_EVENT:
        if immediate and platform is Platform.WINCE:
            return Delivery.EVENT_NOT_SIGNALLED  # R47
        return Delivery.EVENT  # R30
    if mode is Mode.OVERLAPPED_ROUTINE:
        return Delivery.ROUTINE_THREAD if platform is Platform.WINCE else Delivery.ROUTINE  # R48 / R30
    if immediate and success and skip_on_success:
        return Delivery.NONE  # R30 FILE_SKIP_COMPLETION_PORT_ON_SUCCESS
    return Delivery.IOCP


_DELIVERY_RULES: dict[Delivery, tuple[str, ...]] = {
    Delivery.EVENT: ("R30",), Delivery.ROUTINE: ("R30", "R31"), Delivery.IOCP: ("R30",),
    Delivery.NONE: ("R30",), Delivery.EVENT_NOT_SIGNALLED: ("R47",), Delivery.ROUTINE_THREAD: ("R48",),
}

_DELIVERY_TEXT: dict[Delivery, str] = {
    Delivery.EVENT: "hEvent signalled (R30)",
    Delivery.EVENT_NOT_SIGNALLED: "hEvent NOT signalled on an immediate completion (R47)",
    Delivery.ROUTINE: "completion routine queued as an APC; it runs in the next alertable wait (R30)",
    Delivery.ROUTINE_THREAD: "completion routine runs on a thread of its own, no alertable wait (R48)",
    Delivery.IOCP: "a completion packet is queued on the port (R30)",
    Delivery.NONE: "no completion packet: FILE_SKIP_COMPLETION_PORT_ON_SUCCESS (R30)",
    Delivery.RETURN: "the blocking call returns",
}


def delivery_rules(delivery: Delivery) -> tuple[str, ...]:
    return _DELIVERY_RULES.get(delivery, ())


def delivery_text(delivery: Delivery) -> str:
    return _DELIVERY_TEXT[delivery]


def completion_from(op: PendingOp, take: Take, t_ns: int, delivery: Delivery, *,
                    extra_rules: tuple[str, ...] = (), icmp: bool = False) -> Completion:
    """The Completion of `op` carrying what `take` decided."""
    error = take.error
    status, win32 = icmp_status(error) if icmp else _STATUS.get(error, _UNSPECIFIED)
    failed = error is not None and error is not WsaError.WSAEMSGSIZE
    count = 0 if failed else take.count
    notes = take.notes
    if failed and op.blocking:
        notes += ("count untouched (R6); bytes shows 0",)
    rules = _merge(take.rules, extra_rules, _DELIVERY_RULES.get(delivery, ()))
    reason = take.reason
    if delivery is not Delivery.RETURN:
        reason += "; " + _DELIVERY_TEXT[delivery]
    # WSAGetOverlappedResult leaves *lpdwFlags unchanged when it fails, WSAEMSGSIZE included (R18,
    # R34); a blocking call's WSAEMSGSIZE return writes them (R17, Q1).
    flags = None if error is not None and not op.blocking else take.flags
    return _new(Completion, (op.n, t_ns, op.call, error, count, take.data, flags, take.lost, take.event,
                             delivery, rules, status, win32, take.gap, notes, reason, take.unknown, None, None))


_new = tuple.__new__  # a NamedTuple built without its keyword-parsing __new__ (hot path)


def abort_take(call: RecvCall, error: WsaError, rules: tuple[str, ...], reason: str,
               notes: tuple[str, ...] = ()) -> Take:
    event = Event.ABORTED
    return Take(error, tuple(b"" for _ in call.buffers), 0, RecvFlags.NONE, event, rules, reason,
                notes=notes)


def close_take(config: SocketConfig, op: PendingOp) -> Take:
    """What closesocket makes of a receive still pending (R33, Q8)."""
    if op.blocking:
        return abort_take(op.call, WsaError.WSAEINTR, ("R33",),
                          "closesocket from another thread aborted the blocking receive: WSAEINTR (R33)")
    if config.protocol is Protocol.TCP and config.platform is Platform.DESKTOP:
        return abort_take(op.call, WsaError.WSAECONNABORTED, ("R33", "Q8"),
                          "closesocket with a receive pending on a connected TCP socket: STATUS_CONNECTION_"
                          "ABORTED -> WSAECONNABORTED, Win32 1236 (R33, Q8)")
    return abort_take(op.call, WsaError.WSA_OPERATION_ABORTED, ("R33", "Q8"),
                      "closesocket with a receive pending: WSA_OPERATION_ABORTED (995), 0 bytes (R33, Q8)")


def held_for_push(config: SocketConfig, rx: RxState, op: PendingOp, got: Take, t_ns: int) -> bool:
    """R14 optional mode: hold a partially filled pending receive until PSH, full, or the timer."""
    if (not config.hold_until_push or config.platform is not Platform.DESKTOP or op.blocking
            or got.event is not Event.DATA or got.count >= op.call.capacity or rx.push_seen
            or RecvFlags.MSG_PUSH_IMMEDIATE in op.call.flags or rx.end is not None
            or rx.stream.head_bounded()):
        return False
    if op.hold_since_ns is None:
        op.hold_since_ns = t_ns
    return t_ns - op.hold_since_ns < HOLD_NS


def _merge(*groups: tuple[str, ...]) -> tuple[str, ...]:
    """Rule ids of the groups in order, each once (cached: the same few combinations recur)."""
    try:
        return _merge_cached(groups)
    except TypeError:  # an unhashable group (a list): merge without the cache
        return _merge_groups(groups)


@functools.lru_cache(maxsize=1024)
def _merge_cached(groups: tuple[tuple[str, ...], ...]) -> tuple[str, ...]:
    return _merge_groups(groups)


def _merge_groups(groups) -> tuple[str, ...]:
    out: list[str] = []
    for group in groups:
        for rule_id in group:
            if rule_id not in out:
                out.append(rule_id)
    return tuple(out)


merge_rules = _merge


@dataclass(frozen=True, slots=True)
class OverlappedResult:
    """What WSAGetOverlappedResult reports for call `n` (R34). ok None: it blocks (fWait TRUE on a
    pending call; the wait is not alertable). bytes/flags_out None: left untouched."""

    n: int
    ok: bool | None
    error: WsaError | None
    bytes: int | None
    flags_out: RecvFlags | None
    rules: tuple[str, ...]
    reason: str


def overlapped_result(n: int, outcome: RecvResult | Completion | None, *, pending: bool, wait: bool,
                      handle_closed: bool) -> OverlappedResult:
    """WSAGetOverlappedResult(call n, fWait) given what the model produced for that call (R34).

    `outcome` is call n's Completion, or its RecvResult when it completed at once (None when the
    call produced neither). Success -> TRUE with count and flags; a warning or error -> FALSE with
    the mapped code, *lpcbTransfer = InternalHigh, *lpdwFlags unchanged.
    """
    if handle_closed:
        return OverlappedResult(n, False, WsaError.WSAENOTSOCK, None, None, ("R33", "R34"),
                                "the socket was closed: WSAGetOverlappedResult fails with WSAENOTSOCK (R33)")
    if pending:
        if wait:
            return OverlappedResult(n, None, None, None, None, ("R34",),
                                    "fWait TRUE: blocks until the receive completes; the wait is not alertable (R34)")
        return OverlappedResult(n, False, WsaError.WSA_IO_INCOMPLETE, None, None, ("R29", "R34"),
                                "still pending (Internal = STATUS_PENDING), fWait FALSE: WSA_IO_INCOMPLETE (R34)")
    if outcome is None or (isinstance(outcome, RecvResult) and outcome.delivery is None):
        return OverlappedResult(n, False, None, None, None, ("R6", "R34"),
                                "the call posted no result (it failed at once, or was not overlapped): "
                                "the OVERLAPPED holds nothing to report (R6)")
    # InternalHigh: the count, also when lpNumberOfBytesRecvd was NULL and the result shows it unwritten (R2)
    count = outcome.bytes if outcome.bytes is not None else sum(outcome.filled)
    if outcome.error is None:
        return OverlappedResult(n, True, None, count, outcome.flags_out or RecvFlags.NONE, ("R34",),
                                f"completed: TRUE, {count} bytes (R34)")
    return OverlappedResult(n, False, outcome.error, count, None, ("R34",),
                            f"FALSE / {outcome.error.name}, *lpcbTransfer = {count}, *lpdwFlags unchanged (R34)")
