"""The arrival fast lane: data for the one plain receive waiting on an idle socket.

Replay runs this case for nearly every packet: an application waits in WSARecv and a segment or
datagram arrives. The general path (apply_arrival, _satisfy, take, commit, _complete,
completion_from, _hand_out) costs a dozen calls and several throw-away objects for it, so the
case is decided here in one flat function. It makes exactly the general path's decisions for it
— stream bytes R8/R9 (what does not fit stays queued), a whole non-empty message R16, a FIN on a
stream socket R22 (the receive returns 0) — with the same rule ids, reasons and log note, built by the same helpers (take.stream_reason, take.whole_reason,
overlapped.delivery_for). tests/model/test_fast_lane.py runs both paths side by side on random
inputs. Anything else returns None and takes the general path.

The socket checks its own part first (Socket._lane_open: one receive pending, lpFlags 0 with
room for a byte, no SO_RCVTIMEO deadline, no R14 hold mode, no shutdown or closesocket, nothing
in the outbox); `arrival_lane` checks the receive state is idle (nothing queued, no closure, no
urgent byte or ICMP error held) and the arrival is one it serves. Socket.deliver_to_waiting runs
the lane and then the next call's wait in one step, for replay's eager blocking reader (the same
decisions as deliver() then recv(): tests/replay/test_fused_path.py).
"""

from __future__ import annotations

from wsarecv_cli.model.arrivals import FIN_NOTE
from wsarecv_cli.model.overlapped import PendingOp, delivery_for, delivery_rules, delivery_text, merge_rules
from wsarecv_cli.model.provider import Profile
from wsarecv_cli.model.queues import Block, End, RxState, scatter
from wsarecv_cli.model.take import FIN_REASON, cut_note, empty_data, stream_reason, whole_reason
from wsarecv_cli.model.types import (
    Arrival, Completion, Delivery, Event, Fin, Message, NtStatus, RecvFlags, SocketConfig, StreamBytes, Win32Error,
)

_R8_R9, _R16, _R22 = ("R8", "R9"), ("R16",), ("R22",)
# The rules with what _complete adds for a blocking call (R7: the call returns), merged once.
_RETURNED = {rules: merge_rules(rules, ("R7",)) for rules in (_R8_R9, _R16, _R22)}
_new = tuple.__new__  # a NamedTuple built without its keyword-parsing __new__
# The members a completion is built from, as module constants: on Python 3.11 every
# `Enum.MEMBER` lookup takes EnumType.__getattr__'s slow path (~100 ns against ~25 ns).
_RETURN, _NO_FLAGS, _DATA, _GRACEFUL_CLOSE = Delivery.RETURN, RecvFlags.NONE, Event.DATA, Event.GRACEFUL_CLOSE
_SUCCESS, _WIN32_OK = NtStatus.SUCCESS, Win32Error.ERROR_SUCCESS

# (completion, clock, bytes arrived, bytes delivered, a note for the socket's log or "")
LaneResult = tuple[Completion, int, int, int, str]

# The reason texts, made once per (bytes arrived, bytes taken, WSABUF lengths): a capture repeats
# a few segment sizes, and the text (take.stream_reason / whole_reason) depends on nothing else.
_REASONS: dict[tuple[int, int, tuple[int, ...]], str] = {}
_REASONS_KEPT = 4096  # bounded: a capture of every segment size does not grow it without end


def _reason(key: tuple[int, int, tuple[int, ...]], text: str) -> str:
    if len(_REASONS) >= _REASONS_KEPT:
        _REASONS.clear()
    _REASONS[key] = text
    return text


def arrival_lane(rx: RxState, profile: Profile, config: SocketConfig, op: PendingOp, arrival: Arrival,
                 t_ns: int) -> LaneResult | None:
    """Complete `op` with `arrival` if the receive state is idle and the arrival is plain data
    that the general path would hand straight to it; else None, with nothing changed."""
    if not rx.idle:
        return None
    buffers = op.call.buffers
    kind = arrival.__class__
    if kind is StreamBytes and not profile.message_oriented:
        data = arrival.data  # type: ignore[union-attr]
        arrived = len(data)
        if not arrived or data.__class__ is not bytes:
            return None
        count = sum(buffers)
        if count < arrived:  # R9: the rest stays queued, as a block that may still grow
            rx.stream.entries.append(Block(bytearray(data[count:])))
            data = data[:count]
        else:
            count = arrived
        rx.stream.sealed = False
        rx.push_seen = False  # consumed (R14 bookkeeping, as Take.commit does)
        chunks = scatter(data, buffers)
        why = _REASONS.get((arrived, count, buffers))
        if why is None:
            why = _reason((arrived, count, buffers), stream_reason(arrived, count, buffers, chunks))
        rules, gap, notes = _R8_R9, 0, ()
        delivered, event, note = count, _DATA, ""
    elif kind is Message and profile.message_oriented:
        data = arrival.data  # type: ignore[union-attr]
        arrived = len(data)
        peer = config.connected_peer
        if peer and arrival.source and arrival.source != peer:  # type: ignore[union-attr]
            return None  # the R21 filter: the general path counts and notes it
        count = max(arrival.wire_length or arrived, arrived)  # type: ignore[union-attr]
        if not count or count > sum(buffers) or data.__class__ is not bytes:
            return None  # a zero-length datagram (R16, zero-byte), or one that does not fit
        chunks = scatter(data, buffers)
        gap = count - arrived  # not captured (snaplen)
        why = _REASONS.get((-count, arrived, buffers))  # (negative: not a stream reason's key)
        if why is None:
            why = _reason((-count, arrived, buffers), whole_reason(count, buffers, chunks))
        rules, notes = _R16, cut_note(count, arrived) if gap else ()
        delivered, event, note = arrived, _DATA, ""
    elif kind is Fin and not profile.message_oriented:  # R22: the waiting receive returns 0
        rx.end = End.FIN
        rules, why, gap, notes, count, arrived, delivered = _R22, FIN_REASON, 0, (), 0, 0, 0
        chunks, event, note = empty_data(op.call), _GRACEFUL_CLOSE, FIN_NOTE
    else:
        return None
    if op.blocking:
        delivery, rules = _RETURN, _RETURNED[rules]
    else:
        delivery = delivery_for(op.mode, config.platform, immediate=False, success=True, skip_on_success=False)
        rules = merge_rules(rules, delivery_rules(delivery))
        why += "; " + delivery_text(delivery)
    done = _new(Completion, (op.n, t_ns, op.call, None, count, chunks, _NO_FLAGS, 0, event, delivery, rules,
                             _SUCCESS, _WIN32_OK, gap, notes, why, (), None, None))
    return done, t_ns, arrived, delivered, note
