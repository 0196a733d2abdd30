"""Hand-built outcomes for the rendering tests: one of each kind of row the table must show."""

from __future__ import annotations

from wsarecv_cli.model.types import (
    Completion,
    Delivery,
    Event,
    RecvCall,
    RecvFlags,
    RecvResult,
    Status,
    Win32Error,
    WsaError,
)

MS = 1_000_000


def done(n: int, t_ms: float, buffers: tuple[int, ...], data: tuple[bytes, ...], event: Event,
         *rules: str, flags: RecvFlags = RecvFlags.NONE, flags_out: RecvFlags = RecvFlags.NONE,
         lost: int = 0, delivery: Delivery | None = None, reason: str = "",
         notes: tuple[str, ...] = (), gap: int = 0) -> RecvResult:
    """A call that returned 0 at once with `data` in its WSABUFs."""
    return RecvResult(n, int(t_ms * MS), RecvCall(buffers, flags), Status.COMPLETED, 0, None,
                      sum(map(len, data)), data, flags_out, lost, event, rules, delivery=delivery,
                      reason=reason, notes=notes, gap=gap)


def failed(n: int, t_ms: float, buffers: tuple[int, ...], error: WsaError, event: Event,
           *rules: str, data: tuple[bytes, ...] | None = None, lost: int = 0,
           flags: RecvFlags = RecvFlags.NONE, reason: str = "") -> RecvResult:
    """SOCKET_ERROR at once; the count is written only when data was copied (WSAEMSGSIZE, Q1)."""
    data = data if data is not None else tuple(b"" for _ in buffers)
    count = sum(map(len, data)) if any(data) else None
    return RecvResult(n, int(t_ms * MS), RecvCall(buffers, flags), Status.FAILED, -1, error,
                      count, data, RecvFlags.NONE if count is not None else None, lost, event,
                      rules, reason=reason)


def pending(n: int, t_ms: float, buffers: tuple[int, ...], *rules: str,
            status: Status = Status.PENDING, flags: RecvFlags = RecvFlags.NONE) -> RecvResult:
    error = WsaError.WSA_IO_PENDING if status is Status.PENDING else None
    return RecvResult(n, int(t_ms * MS), RecvCall(buffers, flags), status, -1, error, None,
                      tuple(b"" for _ in buffers), None, 0, Event.PENDING, rules or ("R29",))


def completion(n: int, t_ms: float, buffers: tuple[int, ...], data: tuple[bytes, ...],
               event: Event, delivery: Delivery, *rules: str, error: WsaError | None = None,
               lost: int = 0, flags_out: RecvFlags = RecvFlags.NONE,
               win32: Win32Error = Win32Error.ERROR_SUCCESS, reason: str = "") -> Completion:
    return Completion(n, int(t_ms * MS), RecvCall(buffers), error, sum(map(len, data)), data,
                      flags_out, lost, event, delivery, rules, win32_error=win32, reason=reason)


def mixed_outcomes() -> list:
    """Scatter, truncation, overlapped pend/complete, a blocking call, peek, partial, closure."""
    return [
        done(1, 0, (4, 5), (b"dead", b"beefs"), Event.DATA, "R8",
             reason="bytes fill WSABUF[0] completely, then WSABUF[1]"),
        failed(2, 1, (2, 4), WsaError.WSAEMSGSIZE, Event.TRUNCATED, "R17", data=(b"mo", b"reda"),
               lost=3, reason="datagram larger than the buffers: the tail is discarded"),
        pending(3, 2, (10,), "R29"),
        completion(3, 5, (10,), (b"abc",), Event.DATA, Delivery.EVENT, "R30"),
        done(4, 6, (4, 0, 4), (b"\x00\x01\x02\x03", b"", b"abcd"), Event.PARTIAL, "R19",
             flags=RecvFlags.MSG_PEEK, flags_out=RecvFlags.MSG_PARTIAL,
             delivery=Delivery.EVENT_NOT_SIGNALLED, notes=("R36 doc-invalid: MSG_PEEK overlapped",)),
        pending(5, 7, (10,), "R7", status=Status.WAITING),
        completion(5, 9, (10,), (b"",), Event.RESET, Delivery.RETURN, "R23", "R24",
                   error=WsaError.WSAECONNRESET, lost=5, win32=Win32Error.ERROR_NETNAME_DELETED),
        failed(6, 10, (10,), WsaError.WSAECONNRESET, Event.RESET, "R23"),
    ]


def stream_outcomes() -> list:
    """A TCP stream read in small calls, ending with a graceful close."""
    chunks = [b"GET / HT", b"TP/1.1\r\n", b"Host: x\r", b"\n\r\n"]
    out = [done(i + 1, i * 0.5, (8,), (c,), Event.DATA, "R9") for i, c in enumerate(chunks)]
    out.append(done(5, 3, (8,), (b"",), Event.GRACEFUL_CLOSE, "R22"))
    out.append(done(6, 3.5, (8,), (b"",), Event.GRACEFUL_CLOSE, "R22"))
    return out
