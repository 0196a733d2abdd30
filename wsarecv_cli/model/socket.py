"""One receiving Windows socket as a pure state machine (spec/WSARECV.md, rules R1-R49).

Theory of operation
-------------------
The socket holds what the network made available (`RxState`: stream blocks, messages, urgent
bytes, ICMP errors, how the connection ended) and the receives the application has outstanding
(`PendingOp`, posting order). Everything is driven from outside with an explicit clock:

* `deliver(arrival, t_ns)` changes the receive state (arrivals.py), then offers it to the pending
  receives first-in first-out (R32). Returns the completions this released.
* `recv(call, t_ns)` validates the call (R3-R6, R13, R35, R41, R44), then asks take.py what the
  call would get *now* (a `Take`, decided without side effects and committed only when used).
  Satisfiable -> the immediate result (a synchronous return, or an overlapped immediate completion
  R28/R30/R47). Not satisfiable -> WSAEWOULDBLOCK (non-blocking), Status.WAITING (blocking; the
  return comes later as a Completion with Delivery.RETURN) or WSA_IO_PENDING (overlapped, R29).
* `shutdown`, `close`, `cancel`, `alertable_wait`, `advance` are the other inputs; each returns the
  completions it released.

Completions that are produced inside `recv` (a truncating overlapped receive pends but completes
at once, Q2/R18; or `immediate_completion=False`, R28) wait in an outbox and are handed out by the
next deliver/advance/alertable_wait/shutdown/close/cancel. On desktop, completion-routine results
are APCs: they are held until `alertable_wait` (R30). On CE they run on their own thread and are
handed out at once (R48). An immediate completion is reported once, in its RecvResult (with
`delivery`); no duplicate Completion is emitted for it.

Time must not go backwards; an arrival that does not fit the provider (stream bytes on a
message socket), or a second blocking call while one waits, is a programming error: ModelError.
"""

from __future__ import annotations

from wsarecv_cli.errors import ModelError
from wsarecv_cli.model.arrivals import apply_arrival
from wsarecv_cli.model.callargs import CTRUNC_NOTE, finish, head_source, truncate_control
from wsarecv_cli.model.calls import call_notes, state_refusal, static_refusal
from wsarecv_cli.model.lane import arrival_lane
from wsarecv_cli.model.overlapped import (
    PendingOp, completion_from, delivery_for, delivery_rules, delivery_text, held_for_push, merge_rules,
)
from wsarecv_cli.model.provider import profile_for
from wsarecv_cli.model.queues import RxState
from wsarecv_cli.model.socket_actions import SocketActions
from wsarecv_cli.model.socket_view import SocketStats
from wsarecv_cli.model.take import Take, empty_data as _empty, take
from wsarecv_cli.model.types import (
    ActionResult, Arrival, Completion, ConnState, Delivery, Event, Mode, Platform, RecvCall, RecvFlags,
    RecvResult, SocketConfig, Status, WsaError, arrival_words,
)

_FAIL_EVENT = {WsaError.WSAESHUTDOWN: Event.SHUTDOWN, WsaError.WSAEWOULDBLOCK: Event.WOULD_BLOCK}

_R7, _R32 = ("R7",), ("R32",)
_WAITS = "nothing to receive yet: the blocking call waits (R7)"
_new = tuple.__new__  # keyword-free NamedTuple builds
# Members the per-call code uses, as module constants: Enum.MEMBER is slow on Python 3.11.
_COMPLETED, _WAITING, _PENDING_EVENT = Status.COMPLETED, Status.WAITING, Event.PENDING
_NONBLOCKING, _BLOCKING = Mode.NONBLOCKING, Mode.BLOCKING
_MSG_OOB, _MSG_PEEK, _MSG_WAITALL = int(RecvFlags.MSG_OOB), int(RecvFlags.MSG_PEEK), int(RecvFlags.MSG_WAITALL)


class Socket(SocketActions):
    def __init__(self, config: SocketConfig | None = None) -> None:
        self.config = config = config or SocketConfig()
        if config.platform is Platform.WINCE and config.mode is Mode.IOCP:
            raise ModelError("state: a wince socket; input: mode iocp (the CE model has no completion ports)")
        self.profile = profile_for(config.protocol, config.platform)
        if not self.profile.connection_oriented and config.state in (ConnState.LISTENING, ConnState.CONNECTING):
            raise ModelError(f"state: a {config.protocol.value} socket; input: state {config.state.value} "
                             "(only connection-oriented sockets listen or connect)")
        self._rx = RxState()
        self._pending: list[PendingOp] = []
        self._outbox: list[Completion] = []  # completed, not yet handed out
        self._apcs: list[Completion] = []  # desktop completion routines waiting for an alertable wait
        self._n = 0
        self._now = 0
        self._shut = False
        self._closed_local = False
        self._state = config.state  # R5; a scenario's connect step changes it
        self._state_refusal = state_refusal(config, self.profile, self._state)
        self._arrived = self._delivered = self._lost = self._filtered = 0
        # (call, mode, static refusal, oob, waitall, notes) for the last call object seen: drivers
        # reuse one RecvCall, so what recv derives from the call alone is computed once.
        self._facts: tuple | None = None
        self.log: list[tuple[int, str]] = []  # (t_ns, note) for arrivals and actions

    # ---- inputs ------------------------------------------------------------------------------

    def deliver(self, arrival: Arrival, t_ns: int) -> list[Completion]:
        pending = self._pending
        if len(pending) == 1 and t_ns >= self._now and self._lane_open(pending[0]):
            lane = arrival_lane(self._rx, self.profile, self.config, pending[0], arrival, t_ns)
            if lane is not None:  # the commonest arrival, decided in one step (lane.py)
                done, self._now, arrived, delivered, note = lane
                self._arrived += arrived
                self._delivered += delivered
                pending.clear()
                if note:
                    self._note(t_ns, note)
                return self._hand_out([done])
        out = self._tick(t_ns)
        if self._closed_local:
            self._note(t_ns, f"{arrival_words(arrival)} after closesocket: ignored")
            return self._hand_out(out)
        receive_pending = any(not op.oob for op in self._pending) if self._pending else False
        applied = apply_arrival(self._rx, self.profile, self.config, arrival, shut=self._shut,
                                receive_pending=receive_pending)
        self._arrived += applied.arrived
        self._lost += applied.lost
        self._filtered += applied.filtered
        if applied.note:
            self._note(t_ns, applied.note)
        if self._pending:
            satisfied = self._satisfy(t_ns)
            if satisfied:
                out += satisfied
        return self._hand_out(out)

    def deliver_to_waiting(self, arrival: Arrival, t_ns: int) -> list[Completion | RecvResult] | None:
        """deliver(arrival) then recv(the same call), fused for replay's commonest step (driver.py):
        a blocking call with lpFlags 0 waits on an idle socket, the arrival is one the lane hands
        straight to it (lane.py), and the program calls again at once with the same RecvCall.

        Returns [the completion, the new call's WAITING result (R7)], what deliver() and recv()
        would return; [the completion] alone when the next call would not simply wait (bytes left
        queued, a FIN, a call whose facts are not cached): the caller makes it through recv. None,
        with nothing changed, when the lane does not serve the arrival."""
        pending = self._pending
        if len(pending) != 1 or t_ns < self._now:
            return None
        op = pending[0]
        if op.mode is not _BLOCKING or not self._lane_open(op):
            return None
        lane = arrival_lane(self._rx, self.profile, self.config, op, arrival, t_ns)
        if lane is None:
            return None
        done, self._now, arrived, delivered, note = lane
        self._arrived += arrived
        self._delivered += delivered
        if note:
            self._note(t_ns, note)
        call, facts = op.call, self._facts
        # (No SO_RCVTIMEO: the lane took a waiting op without a deadline, and the option is fixed.)
        if (not self._rx.idle or facts is None or facts[0] is not call or facts[1] is not _BLOCKING or facts[2]
                or call.mode is not None or self.config.mode is not _BLOCKING or self._state_refusal):
            pending.clear()
            return [done]
        # recv(call) now: clock at t_ns, nothing pending or queued, nothing refused -> it waits
        # (_not_now). The op waiting is the one just completed, renumbered: nothing else holds it.
        self._n = n = self._n + 1
        op.n, op.t_ns = n, t_ns
        return [done, _new(RecvResult, (n, t_ns, call, _WAITING, -1, None, None, _empty(call), None, 0,
                                        _PENDING_EVENT, _R7, None, 0, facts[5], _WAITS, (), None, None))]

    def recv(self, call: RecvCall, t_ns: int, _mode: Mode | None = None, _posted: Mode | None = None) -> RecvResult:
        """One WSARecv (`_mode`/`_posted`: set by _recv_args only, for calls with unusual arguments)."""
        mode = _mode or call.mode or self.config.mode
        if _mode is None and (not call.plain_args or (mode.overlapped and not self.config.overlapped_attribute)):
            return self._recv_args(call, t_ns, mode)
        posted = _posted
        pending = self._pending
        if pending or t_ns < self._now:
            self._outbox.extend(self._tick(t_ns))
        else:  # _tick with nothing pending: only the clock moves
            self._now = t_ns
        if pending and not mode.overlapped and any(op.blocking for op in pending):
            raise ModelError("state: a blocking receive is still waiting; input: another non-overlapped recv")
        self._n += 1
        n = self._n
        facts = self._facts
        if facts is None or facts[0] is not call or facts[1] is not mode:
            flags = int(call.flags)
            facts = self._facts = (call, mode, static_refusal(self.config, self.profile, call, posted or mode),
                                   bool(flags & _MSG_OOB), bool(flags & _MSG_WAITALL),
                                   call_notes(self.profile, call, mode))
        _, _, refusal, oob, waitall, notes = facts
        if refusal or self._closed_local or self._state_refusal or self._shut or mode.overlapped:
            failure = self._validate(call, mode, refusal)  # (None when none of those hold)
            if failure:
                return self._failed(n, t_ns, call, *failure)
        queued_behind = any(op.oob == oob for op in pending) if pending else False  # R32: no overtaking
        got = None if queued_behind or self._rx.idle else take(self._rx, self.profile, call, waitall=waitall)
        if got is None:
            return self._not_now(n, t_ns, call, mode, notes, posted)
        if not call.plain_args:
            truncate_control(self.config, call, got)  # WSARecvMsg: a warning like R17's, same paths (R18)
        if mode.overlapped:
            return self._overlapped_now(n, t_ns, call, mode, got, notes)
        return self._sync_now(n, t_ns, call, got, notes)

    def _recv_args(self, call: RecvCall, t_ns: int, mode: Mode) -> RecvResult:
        """A call whose pointer arguments or receive function change what it reports (callargs.py)."""
        posted = mode if mode.overlapped and not self.config.overlapped_attribute else None
        source = head_source(self._rx, call)
        result = self.recv(call, t_ns, Mode.BLOCKING if posted else mode, posted)
        return finish(result, call, self.config, source=source, ctrunc=CTRUNC_NOTE in result.notes,
                      posted=posted)  # type: ignore[return-value]

    def alertable_wait(self, t_ns: int) -> ActionResult:
        """SleepEx/WaitFor...Ex(alertable): queued APCs run; ready completions are seen."""
        out = self._hand_out(self._tick(t_ns))
        apcs, self._apcs = self._apcs, []
        rules = ("R30", "R31") if apcs else ()
        return ActionResult(tuple(out + apcs), rules)

    def advance(self, t_ns: int) -> list[Completion]:
        """Let time pass: SO_RCVTIMEO expiry (R7) and the R14 hold timer."""
        return self._hand_out(self._tick(t_ns))

    def _lane_open(self, op: PendingOp) -> bool:
        """Whether an arrival may take the fast lane (lane.py) to the one receive `op` waiting."""
        return (op.plain and op.deadline_ns is None and not self.config.hold_until_push and not self._shut
                and not self._closed_local and not self._outbox)

    # ---- recv helpers ----------------------------------------------------------------------

    def _validate(self, call: RecvCall, mode: Mode,
                  refusal: tuple[WsaError, tuple[str, ...], str] | None | bool = False,
                  ) -> tuple[WsaError, tuple[str, ...], str] | None:
        """Why the call fails at once, or None. `refusal` is `static_refusal(...)` when known."""
        cfg = self.config
        if self._closed_local:
            return WsaError.WSAENOTSOCK, ("R5", "R33"), "the socket was closed by closesocket: not a socket any more"
        if refusal is False:
            refusal = static_refusal(self.config, self.profile, call, mode)
        if refusal:
            return refusal  # type: ignore[return-value]
        if self._state_refusal:
            return self._state_refusal
        if self._shut:
            return WsaError.WSAESHUTDOWN, ("R44",), "the socket was shut down for receiving: WSAESHUTDOWN (R44)"
        limit = cfg.max_outstanding
        if mode.overlapped and limit is not None and sum(not op.blocking for op in self._pending) >= limit:
            return (WsaError.WSAEWOULDBLOCK, ("R35",),
                    f"{limit} overlapped receives already outstanding: WSAEWOULDBLOCK (R35)")
        return None

    def _failed(self, n, t_ns, call, error, rules, reason, notes=()) -> RecvResult:
        return RecvResult(n, t_ns, call, Status.FAILED, -1, error, None, _empty(call),
                          None, 0, _FAIL_EVENT.get(error, Event.ERROR), merge_rules(rules, ("R6",)),
                          notes=tuple(notes), reason=reason + "; count and lpFlags untouched (R6)")

    def _commit(self, got: Take, call: RecvCall) -> None:
        got.commit()
        if not int(call.flags) & _MSG_PEEK:
            data = got.data
            self._delivered += len(data[0]) if len(data) == 1 else sum(len(chunk) for chunk in data)
            if got.event is Event.TRUNCATED:
                self._lost += got.lost

    def _not_now(self, n, t_ns, call, mode, notes, posted=None) -> RecvResult:
        oob = ("R41",) if int(call.flags) & _MSG_OOB else ()
        empty = _empty(call)
        if mode is _NONBLOCKING:
            return self._failed(n, t_ns, call, WsaError.WSAEWOULDBLOCK, ("R7",) + oob,
                                "non-blocking socket and nothing to receive: WSAEWOULDBLOCK (R7)", notes)
        op = PendingOp(n, call, mode, t_ns, posted=posted)
        if not mode.overlapped:
            why = _WAITS
            timeout = self.config.rcvtimeo_ms
            if timeout is not None:
                op.deadline_ns = t_ns + timeout * 1_000_000
                why = f"nothing to receive yet: the blocking call waits (SO_RCVTIMEO {timeout} ms) (R7)"
            self._pending.append(op)
            return _new(RecvResult, (n, t_ns, call, _WAITING, -1, None, None, empty, None, 0, _PENDING_EVENT,
                                     ("R7",) + oob if oob else _R7, None, 0, notes, why, (), None, None))
        self._pending.append(op)
        rules = ["R29"] + list(oob)
        why = "nothing to receive yet: WSA_IO_PENDING; count and lpFlags not written (R29)"
        if call.capacity == 0:
            rules.append("R12")
            why += "; a 0-length receive completes with 0 bytes when data arrives (R12)"
        if self.config.mode is Mode.NONBLOCKING:
            rules.append("R35")
            why += "; FIONBIO does not affect overlapped calls (R35)"
        if len(self._pending) > 1:
            rules.append("R32")
        return RecvResult(n, t_ns, call, Status.PENDING, -1, WsaError.WSA_IO_PENDING, None, empty, None, 0,
                          Event.PENDING, tuple(rules), notes=notes, reason=why)

    def _sync_now(self, n, t_ns, call, got: Take, notes) -> RecvResult:
        self._commit(got, call)
        notes = merge_rules(notes, got.notes) if notes and got.notes else notes + got.notes  # once each
        if got.error is None:  # (positional: with small buffers most calls complete at once)
            return _new(RecvResult, (n, t_ns, call, _COMPLETED, 0, None, got.count, got.data, got.flags, got.lost,
                                     got.event, got.rules, None, got.gap, notes, got.reason, got.unknown, None, None))
        if got.error is WsaError.WSAEMSGSIZE and "R19" not in got.rules:
            return RecvResult(n, t_ns, call, Status.FAILED, -1, got.error, got.count, got.data, RecvFlags.NONE,
                              got.lost, got.event, merge_rules(got.rules, ("Q1",)), gap=got.gap,
                              notes=notes + ("Q1: the copied count is reported",), reason=got.reason)
        return RecvResult(n, t_ns, call, Status.FAILED, -1, got.error, None, got.data, None, got.lost, got.event,
                          merge_rules(got.rules, ("R6",)), notes=notes, reason=got.reason)

    def _overlapped_now(self, n, t_ns, call, mode, got: Take, notes) -> RecvResult:
        cfg = self.config
        if got.error not in (None, WsaError.WSAEMSGSIZE):
            return self._sync_now(n, t_ns, call, got, notes + ("failed at once: no completion is posted (R6)",))
        # R19 retention (reliable provider) is not a truncation: it completes at once (model choice)
        truncating = got.error is WsaError.WSAEMSGSIZE and "R19" not in got.rules
        if (truncating and cfg.pend_on_queued_truncation) or not cfg.immediate_completion:
            return self._pend_completed(n, t_ns, call, mode, got, notes,
                                        truncating and cfg.pend_on_queued_truncation)
        self._commit(got, call)
        success = got.error is None
        delivery = delivery_for(mode, cfg.platform, immediate=True, success=success,
                                skip_on_success=cfg.skip_completion_port_on_success)
        rules = merge_rules(got.rules, ("R28",), ("R38",) if success else ("R18",), delivery_rules(delivery))
        extra = ("Q9: the CE completion routine also runs after an immediate completion",) \
            if delivery is Delivery.ROUTINE_THREAD else ()
        reason = f"{got.reason}; completed at once (R28); {delivery_text(delivery)}"
        if success:
            return RecvResult(n, t_ns, call, Status.COMPLETED, 0, None, got.count, got.data, got.flags, got.lost,
                              got.event, rules, delivery, got.gap, merge_rules(notes, got.notes, extra), reason, got.unknown)
        return RecvResult(n, t_ns, call, Status.FAILED, -1, got.error, got.count, got.data, RecvFlags.NONE,
                          got.lost, got.event, rules, delivery, got.gap, merge_rules(notes, got.notes, extra), reason)

    def _pend_completed(self, n, t_ns, call, mode, got, notes, truncating) -> RecvResult:
        """WSA_IO_PENDING although the result is already decided (R18/Q2, or R28 switched off)."""
        source = head_source(self._rx, call)
        self._commit(got, call)
        op = PendingOp(n, call, mode, t_ns)
        extra = ("R18", "Q2") if truncating else ("R28",)
        completion = self._complete(op, got, t_ns, extra, source)
        target = self._apcs if completion.delivery is Delivery.ROUTINE else self._outbox
        target.append(completion)
        why = ("pend_on_queued_truncation (the earlier model, not Windows: afd.c test_recv completes at "
               "once): WSA_IO_PENDING, WSAEMSGSIZE through the completion (R18, Q2)" if truncating else
               "immediate completion is switched off: WSA_IO_PENDING, the completion follows (R28)")
        return RecvResult(n, t_ns, call, Status.PENDING, -1, WsaError.WSA_IO_PENDING, None,
                          tuple(b"" for _ in call.buffers), None, 0, Event.PENDING, ("R29",) + extra,
                          notes=notes, reason=why)

    # ---- completion machinery --------------------------------------------------------------

    def _complete(self, op: PendingOp, got: Take, t_ns: int, extra: tuple[str, ...] = (),
                  source: str | None = None) -> Completion:
        delivery = delivery_for(op.mode, self.config.platform, immediate=False, success=got.error is None,
                                skip_on_success=False)
        if op.blocking:
            extra = extra + _R7 if extra else _R7
        elif got.error is WsaError.WSAEMSGSIZE:
            extra = ("R18",) + extra  # a warning status: the completion is delivered
        done = completion_from(op, got, t_ns, delivery, extra_rules=extra, icmp="R46" in got.rules)
        if op.call.plain_args and op.posted is None:
            return done
        return finish(done, op.call, self.config, source=source, posted=op.posted,  # type: ignore[return-value]
                      ctrunc=CTRUNC_NOTE in got.notes)

    def _satisfy(self, t_ns: int) -> list[Completion]:
        """Offer the queued state to the pending receives in posting order (R32)."""
        pending = self._pending
        if not pending:
            return []
        rx = self._rx
        if rx.idle:
            return []  # nothing queued and no closure: every take() would return None
        done: list[Completion] = []
        blocked = False
        several = len(pending) > 1
        profile = self.profile
        for op in list(pending):
            if blocked and not op.oob:
                continue
            call = op.call
            source = None if call.plain_args else head_source(rx, call)
            got = take(rx, profile, call, waitall=bool(int(call.flags) & _MSG_WAITALL))
            if got is not None and not call.plain_args:
                truncate_control(self.config, call, got)
            extra: tuple[str, ...] = _R32 if several else ()
            if got is not None and held_for_push(self.config, self._rx, op, got, t_ns):
                got = None
            elif got is not None and op.hold_since_ns is not None:
                extra += ("R14",)
            if got is None:
                blocked = blocked or not op.oob
                continue
            self._commit(got, call)
            pending.remove(op)
            done.append(self._complete(op, got, t_ns, extra, source))
        return done

    def _tick(self, t_ns: int) -> list[Completion]:
        if t_ns < self._now:
            raise ModelError(f"state: clock at {self._now} ns; input: t_ns={t_ns} goes backwards")
        self._now = t_ns
        pending = self._pending
        if not pending:
            return []
        out = []
        for op in list(pending):
            if op.deadline_ns is not None and t_ns >= op.deadline_ns:
                self._pending.remove(op)
                notes = ("CE lists no WSAETIMEDOUT (R49)",) if self.config.platform is Platform.WINCE else ()
                got = Take(WsaError.WSAETIMEDOUT, tuple(b"" for _ in op.call.buffers), 0, RecvFlags.NONE,
                           Event.ERROR, ("R7",), f"SO_RCVTIMEO ({self.config.rcvtimeo_ms} ms) expired with "
                           "nothing received: WSAETIMEDOUT, count untouched (R7)", notes=notes)
                out.append(self._complete(op, got, op.deadline_ns))
        satisfied = self._satisfy(t_ns)
        if not out:
            return satisfied
        return out + satisfied

    def _hand_out(self, completions: list[Completion]) -> list[Completion]:
        if not completions and not self._outbox:
            return []
        out, self._outbox = self._outbox, []
        for completion in completions:
            (self._apcs if completion.delivery is Delivery.ROUTINE else out).append(completion)
        return out

    def _note(self, t_ns: int, text: str) -> None:
        self.log.append((t_ns, text))


__all__ = ["Socket", "SocketStats"]
