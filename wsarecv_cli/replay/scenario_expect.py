"""The expectation tables of a scenario step: `expect`, `expect_completion`, `expect_result`.

Each key is checked for its type when the file is read (replay/simulate.py compares). The key sets
here are the whole vocabulary: docs/SCENARIOS.md lists them with an example each, and
tests/replay/test_scenario_docs.py checks the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wsarecv_cli.replay.scenario_values import Where, parse_flags, typed

# checked against the last receive result or completion (of call `n` for expect_completion)
RESULT_FIELDS = {"status", "ret", "error", "bytes", "filled", "data", "data_hex", "flags_out", "lost", "event",
                 "delivery", "n", "rules", "gap", "win32_error", "nt_status", "notes_contain", "reason_contains",
                 "source", "msg_flags"}
# checked against the socket after the step (readiness: R40, R42, R43)
SOCKET_FIELDS = {"pending", "deliverable", "queued_bytes", "oob_pending", "closed", "released", "held",
                 "fionread", "siocatmark", "readable", "exceptional", "fd_read", "fd_oob", "fd_close",
                 "pollrdnorm", "pollrdband", "pollhup", "oobinline", "connected_peer"}
COMPLETION_ONLY = {"completion", "count"}
# expect_result: what the step's WSAGetOverlappedResult reported (R34)
RESULT_CALL_FIELDS = {"n", "ok", "error", "bytes", "flags_out", "rules"}

_INTS = {"ret", "lost", "n", "gap", "pending", "queued_bytes", "oob_pending", "released", "held", "count", "fionread"}
_BOOLS = {"deliverable", "closed", "siocatmark", "readable", "exceptional", "fd_read", "fd_oob", "fd_close",
          "pollrdnorm", "pollrdband", "pollhup", "oobinline"}


@dataclass(frozen=True, slots=True)
class Expect:
    """Expected values (already checked for type) against the last outcome or a completion."""

    values: tuple[tuple[str, Any], ...]
    completion: bool = False  # check the last Completion (of call `n` when given) instead

    def get(self, name: str, default: Any = None) -> Any:
        return dict(self.values).get(name, default)


def parse_expect(where: Where, index: int, name: str, raw: Any, *, completion: bool) -> Expect:
    return _parse(where, index, name, raw, RESULT_FIELDS | SOCKET_FIELDS | COMPLETION_ONLY, completion)


def parse_expect_result(where: Where, index: int, raw: Any) -> Expect:
    return _parse(where, index, "expect_result", raw, RESULT_CALL_FIELDS, False)


def _parse(where: Where, index: int, name: str, raw: Any, allowed: set[str], completion: bool) -> Expect:
    raw = typed(where, index, name, raw, dict)
    values = []
    for key, value in raw.items():
        field = f"{name}.{key}"
        if key not in allowed:
            raise where.fail(index, field, f"unknown expectation (allowed: {', '.join(sorted(allowed))})")
        if key == "completion":
            completion = completion or typed(where, index, field, value, bool)
            continue
        values.append((key, check_type(where, index, field, key, value)))
    return Expect(tuple(values), completion)


def check_type(where: Where, index: int, field: str, key: str, value: Any) -> Any:
    if key == "ok":  # expect_result: WSAGetOverlappedResult's return, or "blocks"
        return value if value == "blocks" else typed(where, index, field, value, bool)
    if key in _INTS:
        return typed(where, index, field, value, int)
    if key in _BOOLS:
        return typed(where, index, field, value, bool)
    if key == "bytes":
        if isinstance(value, str) and value != "untouched":
            raise where.fail(index, field, f"expected a number or \"untouched\", got {value!r}")
        return typed(where, index, field, value, (int, str))
    if key in ("filled", "data", "data_hex", "rules"):
        items = typed(where, index, field, value, list)
        return tuple(typed(where, index, field, item, int if key == "filled" else str) for item in items)
    if key in ("flags_out", "msg_flags"):
        if value == "untouched":
            return value
        return parse_flags(where, index, field, value, outputs=True)
    if key in ("win32_error", "nt_status", "error"):
        return typed(where, index, field, value, (int, str))
    return typed(where, index, field, value, str)
