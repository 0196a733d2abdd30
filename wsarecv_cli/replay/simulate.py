"""Running a Scenario through a model Socket and checking its `expect` steps.

`run_scenario` returns a `SimulationRun`: the ordered outcomes (RecvResult, Completion and
`Action` markers for arrivals and socket actions) and the expectation failures. It never prints;
`wsarecv simulate` renders the run and exits 1 when `failures` is not empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from wsarecv_cli.errors import ModelError, ScenarioError
from wsarecv_cli.model.socket import Socket, SocketStats
from wsarecv_cli.model.types import (
    ActionResult, Completion, Event, NtStatus, RecvFlags, RecvResult, Status, Win32Error, WsaError, arrival_words,
)
from wsarecv_cli.replay.scenario import SOCKET_FIELDS, Expect, Scenario, Step

DRAIN_LIMIT = 100_000  # receives in one drain step, a guard against a receive that consumes nothing
_TERMINAL = {Event.GRACEFUL_CLOSE, Event.RESET, Event.ABORTED, Event.DISCON, Event.SHUTDOWN, Event.ERROR}


@dataclass(frozen=True, slots=True)
class Action:
    """Something other than a receive happened: an arrival, shutdown, close, cancel, wait, advance."""

    step: int
    t_ns: int
    kind: str  # "arrive" | "shutdown" | "close" | "cancel" | "wait" | "advance"
    text: str
    result: ActionResult | None = None


@dataclass(frozen=True, slots=True)
class ExpectationFailure:
    step: int
    field: str
    expected: Any
    actual: Any

    def __str__(self) -> str:
        return f"step {self.step}: {self.field}: expected {self.expected!r}, got {self.actual!r}"


@dataclass(slots=True)
class SimulationRun:
    scenario: Scenario
    outcomes: list[RecvResult | Completion | Action] = field(default_factory=list)
    failures: list[ExpectationFailure] = field(default_factory=list)
    stats: SocketStats | None = None
    log: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def run_scenario(scenario: Scenario) -> SimulationRun:
    sock = Socket(scenario.config)
    run = SimulationRun(scenario)
    released = 0
    for step in scenario.steps:
        try:
            count = _do(step, sock, run)
        except ModelError as exc:
            raise ScenarioError(f"{scenario.source}: step {step.index}: {exc}") from None
        released = count if step.acts else released
        for expect in (step.expect, step.expect_completion):
            if expect is not None:
                run.failures.extend(check(expect, step.index, run.outcomes, sock, released))
    run.stats = sock.stats
    run.log = list(sock.log)
    return run


def _do(step: Step, sock: Socket, run: SimulationRun) -> int:
    """Run one step's actions in order; returns how many completions they released."""
    t, out, before = step.t_ns, run.outcomes, _completions(run.outcomes)
    if step.at:
        released = sock.advance(t)
        if released:
            out.append(Action(step.index, t, "advance", f"time {t / 1e9:g} s"))
            out.extend(released)
    if step.arrive is not None:
        out.append(Action(step.index, t, "arrive", _describe(step.arrive)))
        out.extend(sock.deliver(step.arrive, t))
    if step.shutdown is not None:
        _action(out, step, "shutdown", f"shutdown({step.shutdown.value})", sock.shutdown(step.shutdown, t))
    if step.recv is not None:
        _receive(step, sock, out)
    if step.cancel:
        _action(out, step, "cancel", "CancelIoEx", sock.cancel(t))
    if step.close:
        _action(out, step, "close", "closesocket", sock.close(t))
    if step.wait:
        _action(out, step, "wait", "alertable wait", sock.alertable_wait(t))
    return _completions(out) - before


def _action(out: list, step: Step, kind: str, text: str, result: ActionResult) -> None:
    out.append(Action(step.index, step.t_ns, kind, text, result))
    out.extend(result.completions)


def _receive(step: Step, sock: Socket, out: list) -> None:
    call = step.recv
    for _ in range(DRAIN_LIMIT if step.drain else step.repeat):
        if step.drain and not sock.deliverable:
            break
        result = sock.recv(call, step.t_ns)
        out.append(result)
        if result.status is Status.WAITING:
            break  # the calling thread is blocked
        if step.drain and (result.event in _TERMINAL or RecvFlags.MSG_PEEK in call.flags
                           or (result.event is Event.ZERO_BYTE and call.capacity == 0)):
            break


def _completions(outcomes: list) -> int:
    return sum(isinstance(o, Completion) for o in outcomes)


def _describe(arrival) -> str:
    name = arrival_words(arrival)
    data = getattr(arrival, "data", None)
    if data is not None:
        source = getattr(arrival, "source", None)
        return f"{name}: {len(data)} bytes {data[:24]!r}" + (f" from {source}" if source else "")
    return name


# ---- expectations ---------------------------------------------------------------------------


def check(expect: Expect, step: int, outcomes: list, sock: Socket, released: int) -> list[ExpectationFailure]:
    failures: list[ExpectationFailure] = []
    values = dict(expect.values)
    target = _target(expect, outcomes)
    if expect.completion and "count" in values:
        n = values.get("n")
        count = sum(isinstance(o, Completion) and (n is None or o.n == n) for o in outcomes)
        if count != values["count"]:
            failures.append(ExpectationFailure(step, "count", values["count"], count))
    for name, want in values.items():
        if name == "count":
            continue
        if name in SOCKET_FIELDS:
            got = released if name == "released" else getattr(sock, name)
            if got != want:
                failures.append(ExpectationFailure(step, name, want, got))
            continue
        if target is None:
            if not (expect.completion and values.get("count") == 0):
                failures.append(ExpectationFailure(step, name, want, "no such outcome"))
            continue
        ok, got = _compare(name, want, target)
        if not ok:
            failures.append(ExpectationFailure(step, name, want, got))
    return failures


def _target(expect: Expect, outcomes: list) -> RecvResult | Completion | None:
    n = dict(expect.values).get("n")
    for outcome in reversed(outcomes):
        if expect.completion:
            if isinstance(outcome, Completion) and (n is None or outcome.n == n):
                return outcome
        elif isinstance(outcome, (RecvResult, Completion)):
            return outcome
    return None


def _status(target) -> str:
    if isinstance(target, RecvResult):
        return target.status.value
    return Status.COMPLETED.value if target.error is None else Status.FAILED.value


def _compare(name: str, want: Any, target) -> tuple[bool, Any]:
    if name == "status":
        got = _status(target)
    elif name == "ret":
        got = target.ret if isinstance(target, RecvResult) else (0 if target.error is None else -1)
    elif name == "error":
        got = target.error.name if target.error is not None else "none"
        want = _name(want, WsaError, none_ok=True)
    elif name == "bytes":
        got = "untouched" if target.bytes is None else target.bytes
    elif name == "filled":
        got = tuple(target.filled)
    elif name == "data":
        got, want = target.data, tuple(w.encode("utf-8") for w in want)
    elif name == "data_hex":
        got, want = tuple(d.hex() for d in target.data), tuple(w.lower() for w in want)
    elif name == "flags_out":
        got = "untouched" if target.flags_out is None else target.flags_out
    elif name in ("event", "delivery"):
        value = getattr(target, name)
        got = value.value if value is not None else "none"
    elif name == "rules":
        missing = [r for r in want if r not in target.rules]
        return not missing, target.rules
    elif name == "win32_error":
        got, want = _code(target, "win32_error"), _name(want, Win32Error)
    elif name == "nt_status":
        got, want = _code(target, "status"), _name(want, NtStatus)
    elif name in ("notes_contain", "reason_contains"):
        texts = target.notes if name == "notes_contain" else (target.reason,)
        return any(want in text for text in texts), texts
    else:
        got = getattr(target, name)
    return got == want, got


def _code(target, attr: str) -> Any:
    value = getattr(target, attr, None)
    return value.name if value is not None else "none"


def _name(value: Any, enum_type, none_ok: bool = False) -> Any:
    if none_ok and value in ("none", ""):
        return "none"
    if isinstance(value, int):
        try:
            return enum_type(value).name
        except ValueError:
            return value
    return str(value).upper().replace("-", "_")
