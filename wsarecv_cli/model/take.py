"""Deciding what one receive gets from the queued state, without changing it.

`take()` returns a `Take` (the outcome, plus a `commit` that applies its side effects) or None
when the call cannot be satisfied now. Keeping decision and mutation apart lets the socket ask
"would a receive complete now?" (`deliverable`) and lets MSG_PEEK simply skip the commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from wsarecv_cli.model.provider import Profile, RecvMode, effective_mode
from wsarecv_cli.model.queues import End, Gap, RxState, fill_text, scatter
from wsarecv_cli.model.types import Event, IcmpKind, RecvCall, RecvFlags, WsaError


def _nothing() -> None:
    return None


@dataclass(slots=True)
class Take:
    error: WsaError | None
    data: tuple[bytes, ...]
    count: int  # bytes transferred as Windows counts them
    flags: RecvFlags
    event: Event
    rules: tuple[str, ...]
    reason: str
    lost: int = 0
    gap: int = 0  # bytes counted as transferred whose content the capture lacks
    notes: tuple[str, ...] = ()
    commit: Callable[[], None] = _nothing
    unknown: tuple[tuple[int, int], ...] = ()  # [start, stop) of those bytes in the call's data


_EMPTY: dict[int, tuple[bytes, ...]] = {}
FIN_REASON = ("the peer closed gracefully (FIN) and all data before it was read: 0 bytes, "
              "and every later receive returns 0 again (R22)")  # (lane.py gives it too)

# int bit tests: an IntFlag `&`/`in` is Python code, and take() runs for every call and arrival
_MSG_OOB = int(RecvFlags.MSG_OOB)
_MSG_PEEK = int(RecvFlags.MSG_PEEK)
_MSG_PARTIAL = int(RecvFlags.MSG_PARTIAL)
_R8_R9 = ("R8", "R9")
_NO_FLAGS, _DATA = RecvFlags.NONE, Event.DATA  # globals: Enum.MEMBER lookups are slow on Python 3.11


def empty_data(call: RecvCall) -> tuple[bytes, ...]:
    """One b"" per WSABUF (shared tuples: results hold many)."""
    n = len(call.buffers)
    empty = _EMPTY.get(n)
    if empty is None:
        empty = _EMPTY[n] = (b"",) * n
    return empty


_empty = empty_data


def take(state: RxState, profile: Profile, call: RecvCall, *, waitall: bool) -> Take | None:
    if int(call.flags) & _MSG_OOB:
        return _oob(state, call)
    if profile.message_oriented:
        if state.icmp:
            return _icmp(state, call)
        return _message(state, profile, call)
    return _stream(state, call, waitall)


# ---- terminal states ------------------------------------------------------------------------


def _terminal(state: RxState, call: RecvCall) -> Take | None:
    end = state.end
    if end is None:
        return None
    if end is End.FIN:
        return Take(None, _empty(call), 0, RecvFlags.NONE, Event.GRACEFUL_CLOSE, ("R22",), FIN_REASON)
    if end is End.DISCON:
        return Take(WsaError.WSAEDISCON, _empty(call), 0, RecvFlags.NONE, Event.DISCON, ("R27",),
                    "graceful disconnect on a message-oriented provider: SOCKET_ERROR / WSAEDISCON, "
                    "since a 0-byte message is a valid message (R27); sticky (Q13)",
                    notes=("Q13: WSAEDISCON modelled as sticky",))
    lost = state.unreported_lost

    def commit() -> None:
        state.unreported_lost = 0

    dropped = f"; {lost} unread bytes were discarded by the RST (R24)" if lost else ""
    if end is End.RESET:
        rules = ("R23", "R24") if lost else ("R23",)
        return Take(WsaError.WSAECONNRESET, _empty(call), 0, RecvFlags.NONE, Event.RESET, rules,
                    "the peer reset the connection (RST): WSAECONNRESET, and every later receive "
                    "fails the same way" + dropped, lost=lost, commit=commit)
    rules = ("R25", "R24") if lost else ("R25",)
    return Take(WsaError.WSAECONNABORTED, _empty(call), 0, RecvFlags.NONE, Event.ABORTED, rules,
                "a RST followed the peer's FIN: WSAECONNABORTED, not 0 and not WSAECONNRESET (R25)" + dropped,
                lost=lost, commit=commit)


# ---- byte stream ----------------------------------------------------------------------------


def _stream(state: RxState, call: RecvCall, waitall: bool) -> Take | None:
    queue = state.stream
    entries = queue.entries
    if not entries:
        return _terminal(state, call)
    head = entries[0]
    peek = bool(int(call.flags) & _MSG_PEEK)
    capacity = sum(call.buffers)
    if capacity == 0:
        return Take(None, _empty(call), 0, RecvFlags.NONE, Event.ZERO_BYTE, ("R12",),
                    "0-length request with data queued: completes with 0 bytes and consumes nothing; "
                    "this 0 is not a FIN (R12)")
    if len(entries) == 1 and head.__class__ is not Gap:  # the common shape: one block
        return _stream_run(state, call, waitall, peek, capacity, (head,), queue.sealed)
    run, bounded = queue.run()
    return _stream_run(state, call, waitall, peek, capacity, run, bounded)


def _stream_run(state: RxState, call: RecvCall, waitall: bool, peek: bool, capacity: int,
                run: tuple | list, bounded: bool) -> Take | None:
    """A receive over the head run (the head block, or blocks and capture-gap bytes up to the
    first boundary; `bounded`: nothing can join it any more). Capture-gap bytes are filled in as
    unknown (zeros in `data`, their spans in `unknown`) so the call sizes stay those of the real
    bytes."""
    queue = state.stream
    queued = len(run[0]) if len(run) == 1 else sum(len(e) for e in run)
    count = capacity if capacity < queued else queued
    if waitall and count < capacity and not bounded and state.end is None:
        return None
    unknown: list[tuple[int, int]] = []
    head = run[0]
    if len(run) == 1 and head.__class__ is not Gap:
        payload = bytes(head.data[:count]) if count < queued else bytes(head.data)
    else:
        pieces: list[bytes] = []
        pos = 0
        for entry in run:
            if pos == count:
                break
            k = min(len(entry), count - pos)
            if entry.__class__ is Gap:
                pieces.append(bytes(k))
                if unknown and unknown[-1][1] == pos:
                    unknown[-1] = (unknown[-1][0], pos + k)
                else:
                    unknown.append((pos, pos + k))
            else:
                pieces.append(bytes(entry.data[:k]))
            pos += k
        payload = b"".join(pieces)
    buffers = call.buffers
    data = scatter(payload, buffers)
    gap = sum(stop - start for start, stop in unknown)
    rules: tuple[str, ...] = _R8_R9
    why = stream_reason(queued, count, buffers, data)
    if gap:
        why += f"; {gap} of them the capture lacks (capture gap: unknown content, real bytes)"
    if count == queued and count < capacity and bounded:
        rules += ("R10",)
        why += f"; stops at {run[-1].boundary or 'a block boundary (R10)'}"
    elif count == queued and count < capacity and state.end is not None:
        rules += ("R10",)
        why += "; the closure is reported on a later call (R10b)"
    if waitall:
        rules += ("R13",)
        why += "; MSG_WAITALL satisfied" if count == capacity else "; MSG_WAITALL ended early (R13)"
    if peek:
        rules += ("R11",)
        why += "; MSG_PEEK: nothing consumed (R11)"

    def commit() -> None:
        if not peek:
            queue.consume(count)
            state.push_seen = False

    return Take(None, data, count, _NO_FLAGS, _DATA, rules, why, gap=gap, commit=commit,
                unknown=tuple(unknown))


def stream_reason(queued: int, count: int, buffers: tuple[int, ...], data: tuple[bytes, ...]) -> str:
    """Why a stream receive got `count` of the `queued` head-block bytes (R8, R9)."""
    why = f"{queued} bytes queued; {fill_text(buffers, data)} (R8)"
    if count < queued:
        why += f"; {queued - count} stay queued (R9)"
    return why


# ---- urgent data ----------------------------------------------------------------------------


def _oob(state: RxState, call: RecvCall) -> Take | None:
    if not state.oob:
        if state.end in (End.RESET, End.ABORTED):
            return _terminal(state, call)
        return None
    peek = bool(int(call.flags) & _MSG_PEEK)
    byte = state.oob[0]
    data = scatter(bytes([byte]), call.buffers)
    count = 1 if call.capacity else 0
    notes = ("Q6: several urgent bytes are kept and read first-in first-out",) if len(state.oob) > 1 else ()
    rules = ("R40", "R11") if peek else ("R40",)

    def commit() -> None:
        if not peek and count:
            state.oob.pop(0)

    return Take(None, data, count, RecvFlags.MSG_OOB, Event.OOB, rules,
                f"MSG_OOB reads the urgent byte {bytes([byte])!r} kept out of band (R40)",
                notes=notes, commit=commit)


# ---- datagrams and messages -----------------------------------------------------------------


def _icmp(state: RxState, call: RecvCall) -> Take:
    kind = state.icmp[0]
    if kind is IcmpKind.PORT_UNREACHABLE:
        error, event, what = WsaError.WSAECONNRESET, Event.RESET, "ICMP port-unreachable"
    else:
        error, event, what = WsaError.WSAENETRESET, Event.ERROR, "ICMP time-exceeded"
    return Take(error, _empty(call), 0, RecvFlags.NONE, event, ("R46",),
                f"an earlier send drew {what}: this receive reports it once as {error.name}; "
                "the socket stays usable (R46)", commit=lambda: state.icmp.pop(0))


def _message(state: RxState, profile: Profile, call: RecvCall) -> Take | None:
    if not state.messages:
        return _terminal(state, call)
    msg = state.messages[0]
    peek = bool(int(call.flags) & _MSG_PEEK)
    mode, mode_note = effective_mode(profile, call.flags)
    notes = (mode_note,) if mode_note else ()
    r15 = ("R15",) if int(call.flags) & _MSG_PARTIAL else ()
    peek_rules = ("R20",) if peek else ()
    rest = msg.captured_rest
    if call.capacity >= msg.remaining:
        return _whole(state, call, msg, rest, peek, notes, r15 + peek_rules)
    if profile.partial_message:
        return _partial(call, msg, rest, peek, notes, r15 + peek_rules + ("R19",), mode)
    if profile.reliable:
        return Take(WsaError.WSAEMSGSIZE, _empty(call), 0, RecvFlags.NONE, Event.TRUNCATED,
                    r15 + peek_rules + ("R19",),
                    f"a {msg.remaining}-byte message does not fit in {call.capacity} bytes of buffers: "
                    "WSAEMSGSIZE, and the message is retained for a receive with enough room (R19)",
                    notes=notes + ("model choice: nothing is copied when the message is retained",))
    copied = rest[:call.capacity]
    data = scatter(copied, call.buffers)
    lost = 0 if peek else len(rest) - len(copied)
    why = (f"a {msg.remaining}-byte datagram into {call.capacity} bytes of buffers: "
           f"{fill_text(call.buffers, data)}; ")
    why += ("MSG_PEEK keeps it queued, still WSAEMSGSIZE (R20)" if peek else
            f"the other {msg.remaining - call.capacity} bytes are discarded; WSAEMSGSIZE (R17)")

    def commit() -> None:
        if not peek:
            state.messages.popleft()

    return Take(WsaError.WSAEMSGSIZE, data, call.capacity, RecvFlags.NONE, Event.TRUNCATED,
                r15 + peek_rules + ("R17",), why, lost=lost, gap=call.capacity - len(copied),
                notes=notes + _cut_note(msg), commit=commit)


def _cut_note(msg) -> tuple[str, ...]:
    return cut_note(msg.wire_length, len(msg.data))


def _whole(state, call, msg, rest, peek, notes, rules) -> Take:
    data = scatter(rest, call.buffers)
    if msg.offset:
        event, rules = Event.DATA, rules + ("R19",)
        why = (f"the last {msg.remaining} bytes of a {msg.wire_length}-byte message: "
               f"{fill_text(call.buffers, data)}; MSG_PARTIAL cleared (R19)")
    elif msg.wire_length == 0:
        event, rules = Event.ZERO_BYTE, rules + ("R16",)
        why = "a zero-length datagram: success with 0 bytes, not a closure (R16)"
    else:
        event, rules = Event.DATA, rules + ("R16",)
        why = whole_reason(msg.wire_length, call.buffers, data)
    if peek:
        why += "; MSG_PEEK leaves it queued"

    def commit() -> None:
        if not peek:
            state.messages.popleft()

    return Take(None, data, msg.remaining, RecvFlags.NONE, event, rules, why,
                gap=msg.remaining - len(rest), notes=notes + _cut_note(msg), commit=commit)


def whole_reason(wire_length: int, buffers: tuple[int, ...], data: tuple[bytes, ...]) -> str:
    """Why a receive got a whole (non-empty) message (R16)."""
    return f"one {wire_length}-byte message: {fill_text(buffers, data)} (R16)"


def cut_note(wire_length: int, captured: int) -> tuple[str, ...]:
    if wire_length == captured:
        return ()
    return (f"the capture holds {captured} of this datagram's {wire_length} bytes (snaplen); "
            "counts use the wire length, the uncaptured bytes are reported as gap",)


def _partial(call, msg, rest, peek, notes, rules, mode) -> Take:
    part = rest[:call.capacity]
    data = scatter(part, call.buffers)
    left = msg.remaining - call.capacity
    why = (f"{call.capacity} bytes of a {msg.wire_length}-byte message: {fill_text(call.buffers, data)}; "
           f"MSG_PARTIAL set, {left} bytes follow on later calls (R19)")
    if mode is RecvMode.BYTE_STREAM:
        why += "; MSG_PARTIAL on input reads the provider as a byte stream (R15)"

    def commit() -> None:
        if not peek:
            msg.offset += call.capacity

    return Take(None, data, call.capacity, RecvFlags.MSG_PARTIAL, Event.PARTIAL, rules, why,
                gap=call.capacity - len(part), notes=notes + _cut_note(msg), commit=commit)
