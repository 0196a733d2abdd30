"""Running a Scenario through a model Socket and checking its `expect` steps.

`run_scenario` returns a `SimulationRun`: the ordered outcomes (RecvResult, Completion and
`Action` markers for arrivals and socket actions) and the expectation failures. It never prints;
`wsarecv simulate` renders the run and exits 1 when `failures` is not empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wsarecv_cli.errors import ModelError, ScenarioError
from wsarecv_cli.model.overlapped import OverlappedResult, overlapped_result
from wsarecv_cli.model.socket import Socket, SocketStats
from wsarecv_cli.model.types import ActionResult, Completion, Event, RecvFlags, RecvResult, Status
from wsarecv_cli.replay.expect_check import ExpectationFailure, check, check_result
from wsarecv_cli.replay.scenario import AF_UNSPEC, Scenario, Step
from wsarecv_cli.replay.scenario_values import model_text

DRAIN_LIMIT = 100_000  # receives in one drain step, a guard against a receive that consumes nothing
# receives in one scenario run: a 1 MiB file of `repeat = 100000` steps would otherwise make
# billions of calls and hold every outcome (~0.5 KB each)
MAX_CALLS = 200_000
_TERMINAL = {Event.GRACEFUL_CLOSE, Event.RESET, Event.ABORTED, Event.DISCON, Event.SHUTDOWN, Event.ERROR}


@dataclass(frozen=True, slots=True)
class Action:
    """Something other than a receive happened: an arrival, shutdown, close, cancel, wait, advance."""

    step: int
    t_ns: int
    kind: str  # "arrive" | "connect" | "setsockopt" | "shutdown" | "close" | "cancel" | "wait" |
    #            "get_result" | "advance" | "end"
    text: str
    result: ActionResult | None = None
    overlapped: OverlappedResult | None = None  # kind "get_result": what WSAGetOverlappedResult reported


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
        doing = ["step"]
        try:
            count = _do(step, sock, run, doing)
        except ModelError as exc:
            raise ScenarioError(f"{scenario.source}: step {step.index}: {doing[-1]}: {model_text(exc)}") from None
        released = count if step.acts else released
        for expect in (step.expect, step.expect_completion):
            if expect is not None:
                run.failures.extend(check(expect, step.index, run.outcomes, sock, released))
        if step.expect_result is not None:
            run.failures.extend(check_result(step.expect_result, step.index, run.outcomes))
    _end(scenario, sock, run)
    run.stats = sock.stats
    run.log = list(sock.log)
    return run


def _end(scenario: Scenario, sock: Socket, run: SimulationRun) -> None:
    """Every completion the model produced is shown, whatever step ends the scenario: completion
    routines still queued as APCs are listed after a marker saying they have not run (R30)."""
    out = run.outcomes
    out.extend(sock.collect())
    routines = sock.queued_routines
    if routines and scenario.steps:
        last = scenario.steps[-1]
        out.append(Action(last.index, last.t_ns, "end",
                          f"end: {len(routines)} completion routine(s) queued as APCs have not run: "
                          "no alertable wait followed (R30)"))
        out.extend(routines)


def _do(step: Step, sock: Socket, run: SimulationRun, doing: list[str]) -> int:
    """Run one step's actions in order; returns how many completions they released. `doing` ends
    with the key being run, so a model error names it."""
    t, out, before = step.t_ns, run.outcomes, _completions(run.outcomes)
    if step.at:
        doing.append("at")
        released = sock.advance(t)
        if released:
            out.append(Action(step.index, t, "advance", f"time {t / 1e9:g} s"))
            out.extend(released)
    if step.arrive is not None:
        doing.append("arrive")
        out.append(Action(step.index, t, "arrive", _describe(step.arrive)))
        out.extend(sock.deliver(step.arrive, t))
    if step.connect is not None:
        doing.append("connect")
        peer = None if step.connect.upper() == AF_UNSPEC else step.connect
        _action(out, step, "connect", f"connect({peer or 'AF_UNSPEC'})", sock.connect(peer, t))
    for name, value in step.setsockopt:
        doing.append(f"setsockopt.{name}")
        _action(out, step, "setsockopt", f"setsockopt {name} = {str(value).lower()}", sock.set_option(name, value, t))
    if step.shutdown is not None:
        doing.append("shutdown")
        _action(out, step, "shutdown", f"shutdown({step.shutdown.value})", sock.shutdown(step.shutdown, t))
    if step.recv is not None:
        doing.append("recv")
        _receive(step, sock, out)
    if step.cancel:
        doing.append("cancel")
        text = "CancelIoEx(NULL)" if step.cancel_n is None else f"CancelIoEx(call {step.cancel_n})"
        _action(out, step, "cancel", text, sock.cancel(t, step.cancel_n))
    if step.close:
        doing.append("close")
        _action(out, step, "close", "closesocket", sock.close(t))
    if step.wait:
        doing.append("wait")
        _action(out, step, "wait", "alertable wait", sock.alertable_wait(t))
    if step.get_result is not None:
        doing.append("get_result")
        out.append(_get_result(step, sock, out))
    return _completions(out) - before


def _get_result(step: Step, sock: Socket, out: list) -> Action:
    """WSAGetOverlappedResult on call n (default: the last overlapped call) (R34)."""
    n, wait = step.get_result  # type: ignore[misc]
    calls = [o for o in out if isinstance(o, RecvResult) and (o.call.mode or sock.config.mode).overlapped]
    if n is None:
        if not calls:
            raise ModelError("state: no overlapped call was made yet; input: get_result without n")
        n = calls[-1].n
    done = [o for o in out if isinstance(o, Completion) and o.n == n]
    outcome = done[-1] if done else next((o for o in calls if o.n == n), None)
    got = overlapped_result(n, outcome, pending=sock.is_pending(n), wait=wait, handle_closed=sock.handle_closed)
    state = "blocks" if got.ok is None else "TRUE" if got.ok else f"FALSE / {got.error.name if got.error else '-'}"
    count = "" if got.bytes is None else f", {got.bytes} bytes"
    return Action(step.index, step.t_ns, "get_result", f"WSAGetOverlappedResult(call {n}, fWait "
                  f"{'TRUE' if wait else 'FALSE'}) -> {state}{count}", overlapped=got)


def _action(out: list, step: Step, kind: str, text: str, result: ActionResult) -> None:
    out.append(Action(step.index, step.t_ns, kind, text, result))
    out.extend(result.completions)


def _receive(step: Step, sock: Socket, out: list) -> None:
    call = step.recv
    if sock.calls_made + (1 if step.drain else step.repeat) > MAX_CALLS:
        raise ModelError(f"state: {sock.calls_made} receives made; input: more receives than a scenario may "
                         f"make (at most {MAX_CALLS})")
    for _ in range(DRAIN_LIMIT if step.drain else step.repeat):
        if sock.calls_made >= MAX_CALLS:
            raise ModelError(f"state: draining; input: more receives than a scenario may make (at most {MAX_CALLS})")
        if step.drain and not sock.deliverable:
            break
        out.extend(sock.advance(step.t_ns))  # what a timer released first (SO_RCVTIMEO, R7)
        result = sock.recv(call, step.t_ns)
        out.append(result)
        out.extend(sock.collect())  # a completion decided inside the call (R28 off, Q2 switch)
        if result.status is Status.WAITING:
            break  # the calling thread is blocked
        if step.drain and (result.event in _TERMINAL or RecvFlags.MSG_PEEK in call.flags
                           or (result.event is Event.ZERO_BYTE and call.capacity == 0)):
            break


def _completions(outcomes: list) -> int:
    return sum(isinstance(o, Completion) for o in outcomes)


def _describe(arrival) -> str:
    name = type(arrival).__name__
    data = getattr(arrival, "data", None)
    if data is not None:
        source = getattr(arrival, "source", None)
        return f"{name} {len(data)} bytes {data[:24]!r}" + (f" from {source}" if source else "")
    return repr(arrival)
