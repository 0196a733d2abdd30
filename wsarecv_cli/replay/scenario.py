"""Scenario files (DESIGN.md "Scenario files"): TOML -> typed, frozen steps.

A step may combine keys; they run in this order: `at` (advance the clock), `arrive` / `icmp`,
`shutdown`, `recv`, `cancel`, `close`, `wait`, then `expect` / `expect_completion` are checked.
Without `at` a step that does something happens TICK_NS after the previous one, so ordering is
visible in the output. Anything malformed raises ScenarioError naming file, step and field.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from wsarecv_cli.errors import ModelError, ScenarioError
from wsarecv_cli.model.socket import Socket
from wsarecv_cli.model.types import (
    Arrival, CaptureGap, Discon, Fin, IcmpError, IcmpKind, Message, Mode, Platform, Protocol, RecvCall,
    RecvFlags, Reset, Shutdown, SocketConfig, StreamBytes, UrgentByte,
)

TICK_NS = 1_000_000  # 1 ms between steps without `at`

STEP_KEYS = {"at", "arrive", "icmp", "recv", "shutdown", "close", "cancel", "wait", "expect",
             "expect_completion", "comment"}
RESULT_FIELDS = {"status", "ret", "error", "bytes", "filled", "data", "data_hex", "flags_out", "lost", "event",
                 "delivery", "n", "rules", "gap", "win32_error", "nt_status", "notes_contain", "reason_contains"}
SOCKET_FIELDS = {"pending", "deliverable", "queued_bytes", "oob_pending", "closed", "released", "held"}
COMPLETION_ONLY = {"completion", "count"}


@dataclass(frozen=True, slots=True)
class Expect:
    """Expected values (already checked for type) against the last outcome or a completion."""

    values: tuple[tuple[str, Any], ...]
    completion: bool = False  # check the last Completion (of call `n` when given) instead

    def get(self, name: str, default: Any = None) -> Any:
        return dict(self.values).get(name, default)


@dataclass(frozen=True, slots=True)
class Step:
    index: int  # 1-based, as a person counts [[step]] tables
    t_ns: int
    at: bool = False  # the step sets the clock explicitly (advance)
    arrive: Arrival | None = None
    recv: RecvCall | None = None
    repeat: int = 1
    drain: bool = False  # receive until nothing is deliverable or a closure/error is reported
    shutdown: Shutdown | None = None
    close: bool = False
    cancel: bool = False
    wait: bool = False
    expect: Expect | None = None
    expect_completion: Expect | None = None
    comment: str = ""

    @property
    def acts(self) -> bool:
        return bool(self.at or self.arrive or self.recv or self.shutdown or self.close or self.cancel or self.wait)


@dataclass(frozen=True, slots=True)
class Scenario:
    title: str
    about: str
    config: SocketConfig
    steps: tuple[Step, ...]
    source: str = "<inline>"


class _Where:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, step: int | None, field: str, message: str) -> ScenarioError:
        where = f"step {step}: " if step else ""
        return ScenarioError(f"{self.source}: {where}{field}: {message}")


def parse_scenario(text_or_path: str | Path) -> Scenario:
    """Parse a scenario from TOML text or a path (Path, or a str naming an existing .toml file)."""
    if isinstance(text_or_path, Path) or (isinstance(text_or_path, str) and "\n" not in text_or_path
                                          and text_or_path.endswith(".toml")):
        path = Path(text_or_path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ScenarioError(f"{path}: cannot read scenario: {exc.strerror or exc}") from None
        source = str(path)
    else:
        text, source = str(text_or_path), "<scenario>"
    where = _Where(source)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{source}: not valid TOML: {exc}") from None
    unknown = set(doc) - {"title", "about", "socket", "step"}
    if unknown:
        raise where.fail(None, sorted(unknown)[0], "unknown top-level key")
    title = _typed(where, None, "title", doc.get("title", Path(source).stem), str)
    about = _typed(where, None, "about", doc.get("about", ""), str)
    config = parse_socket(where, doc.get("socket", {}))
    raw_steps = doc.get("step", [])
    if not isinstance(raw_steps, list):
        raise where.fail(None, "step", "must be an array of tables ([[step]])")
    steps, clock = [], -TICK_NS
    for index, raw in enumerate(raw_steps, start=1):
        step = _parse_step(where, index, raw, clock)
        clock = step.t_ns if step.acts else clock
        steps.append(step)
    return Scenario(title, about, config, tuple(steps), source)


_TOML_TYPES = {str: "a string", int: "an integer", float: "a number", bool: "true or false", dict: "a table",
               list: "an array"}  # messages in the words of the file, not of Python


def _typed(where: _Where, step: int | None, name: str, value: Any, kind: type | tuple) -> Any:
    if kind is int and isinstance(value, bool) or not isinstance(value, kind):
        want = " or ".join(_TOML_TYPES.get(k, k.__name__) for k in (kind if isinstance(kind, tuple) else (kind,)))
        raise where.fail(step, name, f"expected {want}, got {value!r}")
    return value


def _enum(where: _Where, step: int | None, name: str, value: Any, enum_type: type) -> Any:
    value = _typed(where, step, name, value, str)
    for member in enum_type:
        if member.value == value or member.name == value.upper().replace("-", "_"):
            return member
    allowed = ", ".join(str(m.value) for m in enum_type)
    raise where.fail(step, name, f"unknown value {value!r} (allowed: {allowed})")


_CONFIG_TYPES = {"protocol": Protocol, "platform": Platform, "mode": Mode}


def parse_socket(where: _Where, raw: Any) -> SocketConfig:
    raw = _typed(where, None, "socket", raw, dict)
    names = {f.name: f for f in fields(SocketConfig)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in names:
            raise where.fail(None, f"socket.{key}", "unknown socket option")
        if key in _CONFIG_TYPES:
            values[key] = _enum(where, None, f"socket.{key}", value, _CONFIG_TYPES[key])
        elif key == "connected_peer":
            values[key] = _typed(where, None, "socket.connected_peer", value, str)
        elif key in ("rcvtimeo_ms", "max_outstanding"):
            values[key] = _typed(where, None, f"socket.{key}", value, int)
        else:
            values[key] = _typed(where, None, f"socket.{key}", value, bool)
    config = SocketConfig(**values)
    try:
        Socket(config)
    except ModelError as exc:
        raise where.fail(None, "socket", str(exc)) from None
    return config


def _parse_step(where: _Where, index: int, raw: Any, clock: int) -> Step:
    raw = _typed(where, index, "step", raw, dict)
    unknown = set(raw) - STEP_KEYS
    if unknown:
        raise where.fail(index, sorted(unknown)[0], f"unknown step key (allowed: {', '.join(sorted(STEP_KEYS))})")
    kw: dict[str, Any] = {"index": index, "comment": _typed(where, index, "comment", raw.get("comment", ""), str)}
    if "at" in raw:
        at = _typed(where, index, "at", raw["at"], (int, float))
        t_ns = round(at * 1_000_000_000)
        if t_ns < max(clock, 0):
            raise where.fail(index, "at", f"{at} s is before the previous step ({clock / 1e9} s)")
        kw.update(at=True, t_ns=t_ns)
    else:
        kw["t_ns"] = clock + TICK_NS
    if "arrive" in raw and "icmp" in raw:
        raise where.fail(index, "icmp", "use either arrive or icmp in one step")
    if "arrive" in raw:
        kw["arrive"] = parse_arrival(where, index, raw["arrive"])
    if "icmp" in raw:
        kw["arrive"] = IcmpError(_enum(where, index, "icmp", raw["icmp"], IcmpKind))
    if "recv" in raw:
        kw.update(_parse_recv(where, index, raw["recv"]))
    if "shutdown" in raw:
        kw["shutdown"] = _enum(where, index, "shutdown", raw["shutdown"], Shutdown)
    for flag in ("close", "cancel", "wait"):
        if flag in raw:
            kw[flag] = _typed(where, index, flag, raw[flag], bool)
    if "expect" in raw:
        kw["expect"] = parse_expect(where, index, "expect", raw["expect"], completion=False)
    if "expect_completion" in raw:
        kw["expect_completion"] = parse_expect(where, index, "expect_completion", raw["expect_completion"],
                                               completion=True)
    if not kw.get("at"):
        step = Step(**kw)
        if not step.acts:  # an expect-only step does not move the clock
            kw["t_ns"] = max(clock, 0)
    return Step(**kw)


_ARRIVE_KINDS = ("data", "data_hex", "datagram", "datagram_hex", "message", "message_hex", "urgent", "gap",
                 "icmp")


def parse_arrival(where: _Where, index: int, raw: Any) -> Arrival:
    if isinstance(raw, str):
        named = {"fin": Fin(), "rst": Reset(), "reset": Reset(), "discon": Discon()}
        if raw.lower() not in named:
            raise where.fail(index, "arrive", f"unknown arrival {raw!r} (fin, rst, discon or a table)")
        return named[raw.lower()]
    raw = _typed(where, index, "arrive", raw, dict)
    unknown = set(raw) - set(_ARRIVE_KINDS) - {"from", "push", "wire_length"}
    if unknown:
        raise where.fail(index, f"arrive.{sorted(unknown)[0]}", "unknown arrival key")
    kinds = [k for k in _ARRIVE_KINDS if k in raw]
    if len(kinds) != 1:
        raise where.fail(index, "arrive", f"needs exactly one of {', '.join(_ARRIVE_KINDS)}")
    kind, value = kinds[0], raw[kinds[0]]
    field = f"arrive.{kind}"
    if kind in ("data", "data_hex"):
        return StreamBytes(_bytes(where, index, field, value, kind.endswith("_hex")),
                           push=_typed(where, index, "arrive.push", raw.get("push", False), bool))
    if kind in ("datagram", "datagram_hex", "message", "message_hex"):
        data = _bytes(where, index, field, value, kind.endswith("_hex"))
        source = _typed(where, index, "arrive.from", raw["from"], str) if "from" in raw else None
        wire = _typed(where, index, "arrive.wire_length", raw["wire_length"], int) if "wire_length" in raw else None
        if wire is not None and wire < len(data):
            raise where.fail(index, "arrive.wire_length", "is shorter than the captured data")
        return Message(data, source, wire)
    if kind == "urgent":
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 255:
            return UrgentByte(value)
        if isinstance(value, str) and len(value.encode("latin-1", "replace")) == 1:
            return UrgentByte(value.encode("latin-1")[0])
        raise where.fail(index, field, "expected one character or a byte value 0-255")
    if kind == "gap":
        length = _typed(where, index, field, value, int)
        if length <= 0:
            raise where.fail(index, field, "must be a positive byte count")
        return CaptureGap(length)
    return IcmpError(_enum(where, index, field, value, IcmpKind))


def _bytes(where: _Where, index: int, field: str, value: Any, is_hex: bool) -> bytes:
    value = _typed(where, index, field, value, str)
    if not is_hex:
        return value.encode("utf-8")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise where.fail(index, field, f"not hex: {value!r}") from None


def parse_flags(where: _Where, index: int, field: str, raw: Any) -> RecvFlags:
    raw = _typed(where, index, field, raw, list)
    flags = RecvFlags.NONE
    for name in raw:
        name = _typed(where, index, field, name, str).upper()
        name = name if name.startswith("MSG_") else "MSG_" + name
        if name not in RecvFlags.__members__ or name == "NONE":
            allowed = ", ".join(f.name for f in RecvFlags if f.name and f.name != "NONE")
            raise where.fail(index, field, f"unknown flag {name!r} (allowed: {allowed})")
        flags |= RecvFlags[name]
    return flags


def _parse_recv(where: _Where, index: int, raw: Any) -> dict[str, Any]:
    raw = _typed(where, index, "recv", raw, dict)
    unknown = set(raw) - {"buffers", "flags", "mode", "repeat", "drain"}
    if unknown:
        raise where.fail(index, f"recv.{sorted(unknown)[0]}", "unknown recv key")
    if "buffers" not in raw:
        raise where.fail(index, "recv.buffers", "missing (a list of WSABUF lengths, [] for dwBufferCount 0)")
    buffers = tuple(_typed(where, index, "recv.buffers", b, int)
                    for b in _typed(where, index, "recv.buffers", raw["buffers"], list))
    flags = parse_flags(where, index, "recv.flags", raw.get("flags", []))
    mode = _enum(where, index, "recv.mode", raw["mode"], Mode) if "mode" in raw else None
    repeat = _typed(where, index, "recv.repeat", raw.get("repeat", 1), int)
    if repeat < 1:
        raise where.fail(index, "recv.repeat", "must be at least 1")
    drain = _typed(where, index, "recv.drain", raw.get("drain", False), bool)
    return {"recv": RecvCall(buffers, flags, mode), "repeat": repeat, "drain": drain}


def parse_expect(where: _Where, index: int, name: str, raw: Any, *, completion: bool) -> Expect:
    raw = _typed(where, index, name, raw, dict)
    allowed = RESULT_FIELDS | SOCKET_FIELDS | COMPLETION_ONLY
    values = []
    for key, value in raw.items():
        field = f"{name}.{key}"
        if key not in allowed:
            raise where.fail(index, field, f"unknown expectation (allowed: {', '.join(sorted(allowed))})")
        if key == "completion":
            completion = completion or _typed(where, index, field, value, bool)
            continue
        values.append((key, _check_type(where, index, field, key, value)))
    return Expect(tuple(values), completion)


def _check_type(where: _Where, index: int, field: str, key: str, value: Any) -> Any:
    if key in ("ret", "lost", "n", "gap", "pending", "queued_bytes", "oob_pending", "released", "held", "count"):
        return _typed(where, index, field, value, int)
    if key in ("deliverable", "closed"):
        return _typed(where, index, field, value, bool)
    if key == "bytes":
        return _typed(where, index, field, value, (int, str))
    if key in ("filled", "data", "data_hex", "rules"):
        return tuple(_typed(where, index, field, _typed(where, index, field, value, list)[i],
                            int if key == "filled" else str) for i in range(len(value)))
    if key == "flags_out":
        if value == "untouched":
            return value
        return parse_flags(where, index, field, value)
    if key in ("win32_error", "nt_status", "error"):
        return _typed(where, index, field, value, (int, str))
    return _typed(where, index, field, value, str)


def inline_scenario(arrivals: list[Arrival | str], buffers: list[int] | tuple[int, ...],
                    platform: Platform = Platform.DESKTOP, protocol: Protocol = Protocol.TCP,
                    mode: Mode = Mode.BLOCKING, flags: RecvFlags = RecvFlags.NONE, calls: int | None = None,
                    **options: Any) -> Scenario:
    """All arrivals, then receives with `buffers`: `calls` of them, or (None) until drained/closed.

    `arrivals` holds model Arrival values or the strings "fin", "rst", "discon". `options` are
    further SocketConfig fields (oobinline, keep_on_reset, ...). Overlapped modes end with an
    alertable wait so held completions are shown.
    """
    where = _Where("<inline>")
    try:
        config = SocketConfig(protocol=protocol, platform=platform, mode=mode, **options)
    except TypeError as exc:
        raise ScenarioError(f"<inline>: {exc}") from None
    try:
        Socket(config)
    except ModelError as exc:
        raise ScenarioError(f"<inline>: socket: {exc}") from None
    steps, t = [], 0
    for item in arrivals:
        arrival = parse_arrival(where, len(steps) + 1, item) if isinstance(item, str) else item
        steps.append(Step(len(steps) + 1, t, arrive=arrival))
        t += TICK_NS
    call = RecvCall(tuple(buffers), flags)
    steps.append(Step(len(steps) + 1, t, recv=call, repeat=calls or 1, drain=calls is None))
    if mode.overlapped:
        steps.append(Step(len(steps) + 1, t + TICK_NS, wait=True))
    title = f"inline {protocol.value} {mode.value} buffers {list(buffers)}"
    return Scenario(title, "", config, tuple(steps))
