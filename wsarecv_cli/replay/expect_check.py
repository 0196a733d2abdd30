"""Checking a step's expectations against what the model produced (replay/simulate.py runs them).

`expect` looks at the last receive result or completion and at the socket (its readiness included,
R40-R43); `expect_completion` at the last completion (of call `n`); `expect_result` at the step's
WSAGetOverlappedResult (R34). A mismatch is an ExpectationFailure naming step, key, expected and got.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wsarecv_cli.model.socket import Socket
from wsarecv_cli.model.types import Completion, NtStatus, RecvResult, Status, Win32Error, WsaError
from wsarecv_cli.replay.scenario_expect import SOCKET_FIELDS, Expect


@dataclass(frozen=True, slots=True)
class ExpectationFailure:
    step: int
    field: str
    expected: Any
    actual: Any

    def __str__(self) -> str:
        expected, actual = plain(self.expected, text=True), plain(self.actual, text=True)
        return f"step {self.step}: {self.field}: expected {expected!r}, got {actual!r}"


def plain(value: Any, text: bool = False) -> Any:
    """Expectation values as JSON: enums and flags by name (never a class name), tuples as lists,
    bytes as hex (`text`: as characters, for the one-line message)."""
    if isinstance(value, (tuple, list)):
        return [plain(v, text) for v in value]
    if isinstance(value, bytes):
        return value.decode("latin-1") if text else value.hex()
    if hasattr(value, "name") and not isinstance(value, (str, int)) or hasattr(value, "names"):
        return value.names() if hasattr(value, "names") else value.name
    return value


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
            got = released if name == "released" else socket_value(sock, name)
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


# readiness names as the APIs spell them, onto the model's Readiness fields (R40, R42, R43)
_READINESS = {"fionread": "fionread", "siocatmark": "siocatmark", "readable": "readable",
              "pollrdnorm": "readable", "exceptional": "exceptional", "pollrdband": "exceptional",
              "fd_oob": "exceptional", "fd_read": "fd_read", "fd_close": "fd_close", "pollhup": "pollhup"}


def socket_value(sock: Socket, name: str) -> Any:
    if name in _READINESS:
        return getattr(sock.readiness, _READINESS[name])
    if name == "oobinline":
        return sock.config.oobinline
    if name == "connected_peer":
        return sock.config.connected_peer or "none"
    return getattr(sock, name)


def check_result(expect: Expect, step: int, outcomes: list) -> list[ExpectationFailure]:
    """expect_result against the step's last WSAGetOverlappedResult (R34)."""
    got = next((o.overlapped for o in reversed(outcomes) if getattr(o, "overlapped", None) is not None), None)
    failures = []
    for name, want in expect.values:
        if got is None:
            failures.append(ExpectationFailure(step, f"expect_result.{name}", want, "no WSAGetOverlappedResult"))
            continue
        if name == "ok":
            actual: Any = "blocks" if got.ok is None else got.ok
        elif name == "error":
            actual, want = (got.error.name if got.error else "none"), _name(want, WsaError, none_ok=True)
        elif name in ("bytes", "flags_out"):
            value = getattr(got, name)
            actual = "untouched" if value is None else value
        elif name == "rules":
            actual = got.rules
            if all(r in got.rules for r in want):
                continue
        else:
            actual = getattr(got, name)
        if actual != want:
            failures.append(ExpectationFailure(step, f"expect_result.{name}", want, actual))
    return failures


def _target(expect: Expect, outcomes: list) -> RecvResult | Completion | None:
    """The last outcome; for a completion, the last Completion (of call n) — or, when call n
    completed at once, its result: an immediate completion is reported there, once (R28, R30)."""
    n = dict(expect.values).get("n")
    immediate = None
    for outcome in reversed(outcomes):
        if expect.completion:
            if isinstance(outcome, Completion) and (n is None or outcome.n == n):
                return outcome
            if (immediate is None and n is not None and isinstance(outcome, RecvResult) and outcome.n == n
                    and outcome.delivery is not None):
                immediate = outcome
        elif isinstance(outcome, (RecvResult, Completion)):
            return outcome
    return immediate


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
    elif name in ("flags_out", "msg_flags"):
        value = getattr(target, name)
        got = "untouched" if value is None else value
    elif name == "source":
        got = target.source or "none"
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
