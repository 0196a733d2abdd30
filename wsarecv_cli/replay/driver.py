"""One receiving application: a model Socket driven by a schedule.

Theory of operation: the session hands each receiver its arrivals in capture order
(`arrive(arrival, t)`) and tells it when the flow ends (`finish(t)`). The driver decides when the
application calls WSARecv — that is all a schedule is — and returns the model's outcomes in the
order they happened. The model decides everything else (which bytes, which error, which rule).

Two guards keep replay finite whatever the options: a receiver stops calling after a closure
outcome (graceful close, reset, abort, WSAEDISCON, shutdown) once the socket can change no more,
and a call that made no progress (a zero-byte read R12, MSG_PEEK R11, a retained oversized message
R19) ends the burst of calls until something new arrives — a real program looping there would spin.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, replace

from wsarecv_cli.model.types import (
    Arrival,
    Burst,
    Completion,
    Event,
    Mode,
    Platform,
    RecvCall,
    RecvFlags,
    RecvResult,
    Status,
    StreamBytes,
)
from wsarecv_cli.replay.scenario import Step
from wsarecv_cli.replay.schedule import ScheduleKind, ScheduleSpec

Outcome = RecvResult | Completion

CLOSURE_EVENTS = frozenset({Event.GRACEFUL_CLOSE, Event.RESET, Event.ABORTED, Event.DISCON, Event.SHUTDOWN})
# Tested after every call, as module constants: on Python 3.11 every `Enum.MEMBER` lookup takes
# EnumType.__getattr__'s slow path (~100 ns against ~25 ns for a global).
_PENDING, _WAITING, _FAILED = Status.PENDING, Status.WAITING, Status.FAILED
_WOULD_BLOCK, _ZERO_BYTE, _TRUNCATED = Event.WOULD_BLOCK, Event.ZERO_BYTE, Event.TRUNCATED


@dataclass(frozen=True, slots=True)
class CallPlan:
    """What every call of the application looks like (the WSABUF array is reused, as programs do)."""

    buffers: tuple[int, ...]
    flags: RecvFlags = RecvFlags.NONE
    outstanding: int = 1  # overlapped receives kept posted

    @property
    def call(self) -> RecvCall:
        """The plan's RecvCall, one object for every plan with these buffers and flags (a RecvCall
        costs more to make than a call to decide; receivers share it, as it is immutable)."""
        key = (self.buffers, int(self.flags))
        call = _CALLS.get(key)
        if call is None:
            if len(_CALLS) >= 64:  # bounded (a process replays a few plans)
                _CALLS.clear()
            call = _CALLS[key] = RecvCall(self.buffers, self.flags)
        return call


_CALLS: dict[tuple[tuple[int, ...], int], RecvCall] = {}


class ReceiverDriver:
    """Calls WSARecv on one model socket according to a schedule; collects outcomes."""

    def __init__(self, socket, plan: CallPlan, schedule: ScheduleSpec, mode: Mode, platform: Platform,
                 oobinline: bool = False, script: tuple[Step, ...] = (), base_ns: int = 0) -> None:
        self.socket = socket
        self.plan = plan
        self.schedule = schedule
        self.mode = mode
        self.platform = platform
        self.oobinline = oobinline
        self.done = False  # no further calls: a closure was reported
        self.posted = 0  # calls pending (overlapped) or waiting (blocking)
        self.idle_polls = 0  # interval polls skipped because nothing had changed
        self._started = False
        self._next_tick: int | None = None
        self._quiet = False  # the last poll found nothing and nothing arrived since
        # Only the random schedule draws numbers; a Random is 2.5 KB, per receiver.
        self._rng = random.Random(schedule.seed) if schedule.kind is ScheduleKind.RANDOM else None
        self._busy_arrivals = 0  # random schedule: arrivals the reader sleeps through
        self._script = [step for step in script if step.acts and step.arrive is None]
        self._script_clock = base_ns  # steps without `at` run right after the one before
        self._base_ns = base_ns
        self._clock = 0
        # Fixed for the receiver's life; asked on every arrival and call.
        self._call = plan.call  # one RecvCall reused for every call, as programs reuse their WSABUFs
        flags = int(plan.flags)
        self._plan_oob = bool(flags & int(RecvFlags.MSG_OOB))
        self._plan_peek = bool(flags & int(RecvFlags.MSG_PEEK))
        self._plan_zero = sum(plan.buffers) == 0
        # The program reads urgent data with an extra MSG_OOB call when signalled (see _after).
        self._oob_reader = not oobinline and not self._plan_oob
        self._wanted_n = max(1, plan.outstanding) if mode.overlapped else 1
        self._apcs = mode is Mode.OVERLAPPED_ROUTINE and platform is Platform.DESKTOP
        self._eager = schedule.kind is ScheduleKind.EAGER
        self._scripted = schedule.kind is ScheduleKind.SCRIPT
        # A non-blocking reader calls again only while data is there (an interval poller: once a tick).
        self._nonblocking = mode is Mode.NONBLOCKING and schedule.kind is not ScheduleKind.INTERVAL
        # Eager blocking calls with lpFlags 0: arrivals may take Socket.deliver_to_waiting, one step
        # for what _deliver and _call_while_useful do in a dozen (tests/replay/test_fused_path.py).
        self._fused = self._eager and mode is Mode.BLOCKING and not flags

    # -- inputs from the session ------------------------------------------------------------

    def arrive(self, arrival: Arrival, t_ns: int) -> list[Outcome]:
        if t_ns > self._clock:  # _monotonic(), inlined: this runs for every arrival
            self._clock = t_ns
        else:
            t_ns = self._clock
        if self._fused and self._started and not self.done:
            # The commonest step, fused in the socket: the waiting call returns with the arrival
            # and the next one waits; posted stays 1. [completion] alone: the loop below goes on.
            fused = self.socket.deliver_to_waiting(arrival, t_ns)
            if fused is not None:
                if len(fused) == 2:
                    return fused
                return self._call_while_useful(t_ns, None, self._received(fused, t_ns, []))
        out: list[Outcome] = []
        if not self._started:
            out += self._start(t_ns)
        if self._eager:  # the common case: arrivals are not cut, no polling clock
            self._deliver(arrival, t_ns, out)
            return self._call_while_useful(t_ns, None, out)
        kind = self.schedule.kind
        if kind is ScheduleKind.INTERVAL:
            out += self._poll_until(t_ns)
        elif kind is ScheduleKind.SCRIPT:
            out += self._run_script(t_ns)
        for piece in self._pieces(arrival):
            out += self._deliver(piece, t_ns)
            if kind is ScheduleKind.BYTEWISE:  # (eager returned above)
                out += self._call_while_useful(t_ns)
            elif kind is ScheduleKind.RANDOM:
                out += self._random_reader(t_ns)
        if kind is ScheduleKind.INTERVAL:
            self._quiet = False
        return out

    def finish(self, t_ns: int) -> list[Outcome]:
        """The flow ended (closed, or the capture ended): read what is left, as the schedule would."""
        t_ns = self._monotonic(t_ns)
        out: list[Outcome] = []
        if not self._started:
            out += self._start(t_ns)
        if self.schedule.kind is ScheduleKind.INTERVAL:
            out += self._poll_until(None)
        elif self.schedule.kind is ScheduleKind.SCRIPT:
            out += self._run_script(None)
        else:
            out += self._call_while_useful(t_ns)
        return out

    def _monotonic(self, t_ns: int) -> int:
        """Capture clocks can step back (several interfaces, pcapng sections, SPBs without a time);
        the application's clock cannot, so a late timestamp is taken as 'no time passed'."""
        self._clock = max(self._clock, t_ns)
        return self._clock

    # -- schedules ---------------------------------------------------------------------------

    def _start(self, t_ns: int) -> list[Outcome]:
        self._started = True
        self._next_tick = t_ns
        if self.schedule.kind in (ScheduleKind.EAGER, ScheduleKind.BYTEWISE, ScheduleKind.RANDOM):
            return self._call_while_useful(t_ns)  # a fast reader is already waiting
        return []

    def _pieces(self, arrival: Arrival) -> Iterable[Arrival]:
        """Bytewise and random schedules cut stream data into smaller arrivals (always legal, R9)."""
        if arrival.__class__ is Burst:
            if self.schedule.kind in (ScheduleKind.BYTEWISE, ScheduleKind.RANDOM):
                return [piece for part in arrival.arrivals for piece in self._pieces(part)]
            return (arrival,)
        if not isinstance(arrival, StreamBytes) or len(arrival.data) <= 1:
            return (arrival,)
        data = arrival.data
        if self.schedule.kind is ScheduleKind.BYTEWISE:
            return [StreamBytes(data[i:i + 1], arrival.push and i == len(data) - 1) for i in range(len(data))]
        if self.schedule.kind is ScheduleKind.RANDOM:
            pieces, start = [], 0
            while start < len(data):
                end = min(len(data), start + self._rng.randint(1, max(1, len(data) // 2)))
                pieces.append(StreamBytes(data[start:end], arrival.push and end == len(data)))
                start = end
            return pieces
        return (arrival,)

    def _random_reader(self, t_ns: int) -> list[Outcome]:
        """A reader that, after each return, is busy for 0-3 arrivals (so data coalesces)."""
        if self._busy_arrivals > 0 and self.posted == 0:
            self._busy_arrivals -= 1
            return []
        out = self._call_while_useful(t_ns, max_calls=1 if self.posted == 0 else None)
        self._busy_arrivals = self._rng.randint(0, 3)
        return out

    def _poll_until(self, t_ns: int | None) -> list[Outcome]:
        """Interval poller: one call per tick before t_ns (None: until the socket is drained)."""
        out: list[Outcome] = []
        interval = self.schedule.interval_ns
        assert self._next_tick is not None
        while not self.done and (t_ns is None or self._next_tick < t_ns):
            if self._quiet:
                if t_ns is None:
                    break
                # Polls that would find the same nothing again are counted, not shown row by row.
                skipped = (t_ns - 1 - self._next_tick) // interval + 1
                self.idle_polls += skipped
                self._next_tick += skipped * interval
                break
            if self.posted >= self._wanted():
                if t_ns is None:
                    break  # a blocking call (or every overlapped slot) is waiting: no more polls
                self._next_tick += ((t_ns - 1 - self._next_tick) // interval + 1) * interval
                break
            tick = self._next_tick
            self._next_tick += interval
            before = len(out)
            out += self._call_while_useful(tick, max_calls=1)
            new = out[before:]
            if not new or any(self._made_no_progress(o) for o in new if isinstance(o, RecvResult)):
                self._quiet = True
        return out

    def _run_script(self, t_ns: int | None) -> list[Outcome]:
        """Run the script's steps that are due before t_ns (None: all that are left).

        A step with `at` runs at that many seconds after the capture's first frame; one without
        runs right after the step before it. A blocking call that waits holds the thread: the
        steps after it run once it returned.
        """
        out: list[Outcome] = []
        while self._script and not (self.mode is Mode.BLOCKING and self.posted):
            step = self._script[0]
            due = self._base_ns + step.t_ns if step.at else self._script_clock
            if t_ns is not None and due > t_ns:
                break
            self._script.pop(0)
            due = max(due, self._script_clock)
            self._script_clock = due
            out += self._script_step(step, due)
        return out

    def _script_step(self, step: Step, t_ns: int) -> list[Outcome]:
        socket = self.socket
        out: list[Outcome] = []
        if step.recv is not None:
            for done in range(1, step.repeat + 1):
                result = socket.recv(step.recv, t_ns)
                out.append(result)
                if result.status in (Status.PENDING, Status.WAITING):
                    self.posted += 1
                    if done < step.repeat and self.mode is Mode.BLOCKING:
                        # The call holds the thread: the step's other calls (then its actions) come
                        # once it returned, like the steps after it (see _run_script).
                        self._script.insert(0, replace(step, repeat=step.repeat - done, at=False))
                        return out
        actions = []
        if step.shutdown is not None:
            actions.append(socket.shutdown(step.shutdown, t_ns))
        if step.cancel:
            actions.append(socket.cancel(t_ns, step.cancel_n))
        if step.close:
            actions.append(socket.close(t_ns))
            self.done = True
        if step.wait:
            actions.append(socket.alertable_wait(t_ns))
        for action in actions:
            for completion in action.completions:
                self.posted = max(0, self.posted - 1)
                out.append(completion)
        return out

    # -- the call loop -------------------------------------------------------------------------

    def _wanted(self) -> int:
        return self._wanted_n

    def _call_while_useful(self, t_ns: int, max_calls: int | None = None,
                           out: list[Outcome] | None = None) -> list[Outcome]:
        """Call while a call may get something; the outcomes appended to `out` (or a new list)."""
        if out is None:
            out = []
        calls = 0
        wanted = self._wanted_n
        socket, call = self.socket, self._call
        nonblocking = self._nonblocking
        while not self.done and self.posted < wanted:
            if max_calls is not None and calls >= max_calls:
                break
            if nonblocking and calls > 0 and not socket.deliverable:
                break
            result = socket.recv(call, t_ns)
            calls += 1
            out.append(result)
            status = result.status
            if status is _PENDING or status is _WAITING:
                self.posted += 1
                continue
            if result.event in CLOSURE_EVENTS or self._oob_reader and socket.oob_pending:
                out += self._after(result, t_ns)
            if self.done or self._made_no_progress(result):
                break
        if self._apcs:
            out += self._run_apcs(t_ns)
        return out

    def _deliver(self, arrival: Arrival, t_ns: int, out: list[Outcome] | None = None) -> list[Outcome]:
        """Hand the arrival to the socket; what it completed (and what followed) appended to `out`
        (or a new list)."""
        if out is None:
            out = []
        completions = self.socket.deliver(arrival, t_ns)
        if self._apcs:
            completions = list(completions) + self._run_apcs(t_ns, collect_only=True)
        self._received(completions, t_ns, out)
        if self._scripted:
            out += self._run_script(t_ns)
        return out

    def _received(self, completions: list[Completion], t_ns: int, out: list[Outcome]) -> list[Outcome]:
        """Completions the socket handed out, appended to `out`, with what the program does next."""
        script, socket = self._scripted, self.socket
        for completion in completions:
            self.posted = self.posted - 1 if self.posted > 0 else 0
            out.append(completion)
            if script:
                self._script_clock = max(self._script_clock, t_ns)
            elif completion.event in CLOSURE_EVENTS or self._oob_reader and socket.oob_pending:
                out += self._after(completion, t_ns)
        return out

    def _run_apcs(self, t_ns: int, collect_only: bool = False) -> list[Outcome]:
        """Desktop completion routines run only in an alertable wait (R30); a reader that uses
        them waits alertably whenever it has nothing else to do."""
        if not self._apcs:
            return []
        released = self.socket.alertable_wait(t_ns).completions
        if collect_only:
            return list(released)
        out: list[Outcome] = []
        for completion in released:
            out.append(completion)
            out += self._after(completion, t_ns)
        return out

    def _after(self, outcome: Outcome, t_ns: int) -> list[Outcome]:
        """Closure bookkeeping, and the OOB read a program makes when urgent data is signalled."""
        if outcome.event in CLOSURE_EVENTS and self.socket.closed:
            self.done = True
            return []
        if self.oobinline or self._plan_oob or not self.socket.oob_pending:
            return []
        out: list[Outcome] = []
        while self.socket.oob_pending:
            result = self.socket.recv(RecvCall((1,), RecvFlags.MSG_OOB), t_ns)
            out.append(result)
            if result.status is not Status.COMPLETED:
                break
        return out

    def _made_no_progress(self, outcome: Outcome) -> bool:
        event = outcome.event
        if event is _WOULD_BLOCK:
            return True
        if self._plan_peek:
            return True
        if event is _ZERO_BYTE and not self.socket.deliverable:
            return True
        if event is _ZERO_BYTE and self._plan_zero:
            return True  # R12: a zero-byte read consumes nothing
        if event is _TRUNCATED and outcome.lost == 0:
            return True  # R19: the message is retained; the same buffers will fail again
        return outcome.status is _FAILED and event is not _TRUNCATED
