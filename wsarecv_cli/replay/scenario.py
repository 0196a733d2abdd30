"""Scenario files (docs/SCENARIOS.md): TOML -> typed, frozen steps.

A step may combine keys; they run in this order: `at` (advance the clock), `arrive` / `icmp`,
`connect`, `setsockopt`, `shutdown`, `recv`, `cancel`, `close`, `wait`, `get_result`, then
`expect` / `expect_completion` / `expect_result` are checked. Without `at` a step that does
something happens TICK_NS after the previous one, so ordering is visible in the output. Anything
malformed raises ScenarioError naming file, step and key (scenario_values.py checks the values,
scenario_source.py reads the file, scenario_expect.py holds the expectation vocabulary).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from wsarecv_cli.errors import ModelError, ScenarioError
from wsarecv_cli.model.socket import Socket
from wsarecv_cli.model.types import (
    Api, Arrival, CaptureGap, ConnState, Discon, Fin, HEvent, IcmpError, IcmpKind, Message, Mode, Platform, Protocol,
    RecvCall, RecvFlags, Reset, Shutdown, SocketConfig, StreamBytes, UrgentByte,
)
from wsarecv_cli.replay.scenario_expect import (
    COMPLETION_ONLY, RESULT_FIELDS, SOCKET_FIELDS, Expect, parse_expect, parse_expect_result,
)
from wsarecv_cli.replay.scenario_source import read_scenario_text
from wsarecv_cli.replay.scenario_values import (
    MAX_BUFFERS, MAX_REPEAT, Where, enum_value, model_text, no_unknown, one_of, parse_flags, payload, seconds, typed, whole,
)

__all__ = ["COMPLETION_ONLY", "RESULT_FIELDS", "SOCKET_FIELDS", "STEP_KEYS", "Expect", "Scenario", "Step",
           "TICK_NS", "inline_scenario", "parse_scenario"]

TICK_NS = 1_000_000  # 1 ms between steps without `at`

STEP_KEYS = {"at", "arrive", "icmp", "recv", "shutdown", "close", "cancel", "wait", "expect",
             "expect_completion", "comment", "connect", "setsockopt", "get_result", "expect_result"}
SOCKET_KEYS = {f.name for f in fields(SocketConfig)}
RECV_KEYS = {"buffers", "flags", "mode", "repeat", "drain", "null_count", "hevent", "api", "control"}
ARRIVE_KINDS = ("data", "data_hex", "datagram", "datagram_hex", "message", "message_hex", "urgent", "gap", "icmp")
ARRIVE_KEYS = set(ARRIVE_KINDS) | {"from", "push", "wire_length"}
SETSOCKOPT_KEYS = {"oobinline", "udp_connreset", "udp_netreset"}
GET_RESULT_KEYS = {"n", "wait"}
AF_UNSPEC = "AF_UNSPEC"


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
    cancel_n: int | None = None  # CancelIoEx(lpOverlapped of call n); None: every overlapped receive
    wait: bool = False
    connect: str | None = None  # "ADDR:PORT" or AF_UNSPEC
    setsockopt: tuple[tuple[str, bool], ...] = ()
    get_result: tuple[int | None, bool] | None = None  # WSAGetOverlappedResult (call n or the last, fWait)
    expect: Expect | None = None
    expect_completion: Expect | None = None
    expect_result: Expect | None = None
    comment: str = ""

    @property
    def acts(self) -> bool:
        return bool(self.at or self.arrive or self.recv or self.shutdown or self.close or self.cancel or self.wait
                    or self.connect or self.setsockopt or self.get_result)


@dataclass(frozen=True, slots=True)
class Scenario:
    title: str
    about: str
    config: SocketConfig
    steps: tuple[Step, ...]
    source: str = "<inline>"


def parse_scenario(text_or_path: str | Path) -> Scenario:
    """Parse a scenario from a file (a Path, or a str naming a .toml file) or from TOML text."""
    if isinstance(text_or_path, Path) or ("\n" not in text_or_path and text_or_path.endswith(".toml")):
        path = Path(text_or_path)
        text, source = read_scenario_text(path), str(path)
    else:
        text, source = str(text_or_path), "<scenario>"
    where = Where(source)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise where.fail(None, "TOML", f"not valid TOML: {exc}") from None
    except RecursionError:  # tomllib parses nested arrays/tables recursively
        raise where.fail(None, "TOML", "arrays or tables nested too deeply") from None
    except ValueError as exc:  # an integer of more than 4300 digits (int() refuses it)
        raise where.fail(None, "TOML", f"not a usable number: {str(exc).split(':')[0]}") from None
    no_unknown(where, None, "", doc, ("title", "about", "socket", "step"), "top-level key")
    title = typed(where, None, "title", doc.get("title", Path(source).stem), str)
    about = typed(where, None, "about", doc.get("about", ""), str)
    config = parse_socket(where, doc.get("socket", {}))
    raw_steps = doc.get("step", [])
    if not isinstance(raw_steps, list):
        raise where.fail(None, "step", "must be an array of tables ([[step]])")
    steps, clock = [], -TICK_NS
    for index, raw in enumerate(raw_steps, start=1):
        step = _parse_step(where, index, raw, clock)
        clock = step.t_ns if step.acts else clock
        steps.append(step)
    check_arrivals(where, config, steps)
    return Scenario(title, about, config, tuple(steps), where.source)


_CONFIG_ENUMS = {"protocol": Protocol, "platform": Platform, "mode": Mode, "state": ConnState}
_CONFIG_INTS = {"rcvtimeo_ms": (0, 2**31 - 1), "max_outstanding": (0, 1_000_000)}


def parse_socket(where: Where, raw: Any) -> SocketConfig:
    raw = typed(where, None, "socket", raw, dict)
    no_unknown(where, None, "socket.", raw, SOCKET_KEYS, "socket key")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        name = f"socket.{key}"
        if key in _CONFIG_ENUMS:
            values[key] = enum_value(where, None, name, value, _CONFIG_ENUMS[key])
        elif key == "connected_peer":
            values[key] = typed(where, None, name, value, str)
        elif key in _CONFIG_INTS:
            values[key] = whole(where, None, name, value, *_CONFIG_INTS[key])
        else:
            values[key] = typed(where, None, name, value, bool)
    config = SocketConfig(**values)
    try:
        Socket(config)
    except ModelError as exc:
        raise where.fail(None, "socket", model_text(exc)) from None
    return config


def _parse_step(where: Where, index: int, raw: Any, clock: int) -> Step:
    raw = typed(where, index, "step", raw, dict)
    no_unknown(where, index, "", raw, STEP_KEYS, "step key")
    kw: dict[str, Any] = {"index": index, "comment": typed(where, index, "comment", raw.get("comment", ""), str)}
    if "at" in raw:
        at = seconds(where, index, "at", raw["at"])
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
        kw["arrive"] = IcmpError(enum_value(where, index, "icmp", raw["icmp"], IcmpKind))
    if "recv" in raw:
        kw.update(_parse_recv(where, index, raw["recv"]))
    if "shutdown" in raw:
        kw["shutdown"] = enum_value(where, index, "shutdown", raw["shutdown"], Shutdown)
    for flag in ("close", "wait"):
        if flag in raw:
            kw[flag] = typed(where, index, flag, raw[flag], bool)
    if "cancel" in raw:
        value = typed(where, index, "cancel", raw["cancel"], (bool, int))
        if isinstance(value, bool):
            kw["cancel"] = value
        else:
            kw.update(cancel=True, cancel_n=whole(where, index, "cancel", value, 1, 2**31 - 1))
    kw.update(_parse_socket_actions(where, index, raw))
    if "expect" in raw:
        kw["expect"] = parse_expect(where, index, "expect", raw["expect"], completion=False)
    if "expect_completion" in raw:
        kw["expect_completion"] = parse_expect(where, index, "expect_completion", raw["expect_completion"],
                                               completion=True)
    if "expect_result" in raw:
        if "get_result" not in raw:
            raise where.fail(index, "expect_result", "needs get_result in the same step")
        kw["expect_result"] = parse_expect_result(where, index, raw["expect_result"])
    if not kw.get("at"):
        step = Step(**kw)
        if not step.acts:  # an expect-only step does not move the clock
            kw["t_ns"] = max(clock, 0)
    return Step(**kw)


def _parse_socket_actions(where: Where, index: int, raw: dict) -> dict[str, Any]:
    """connect, setsockopt and get_result."""
    kw: dict[str, Any] = {}
    if "connect" in raw:
        peer = typed(where, index, "connect", raw["connect"], str)
        if not peer:
            raise where.fail(index, "connect", f'expected "ADDR:PORT" or "{AF_UNSPEC}"')
        kw["connect"] = peer
    if "setsockopt" in raw:
        options = typed(where, index, "setsockopt", raw["setsockopt"], dict)
        no_unknown(where, index, "setsockopt.", options, SETSOCKOPT_KEYS, "option")
        kw["setsockopt"] = tuple((key, typed(where, index, f"setsockopt.{key}", value, bool))
                                 for key, value in options.items())
    if "get_result" in raw:
        spec = typed(where, index, "get_result", raw["get_result"], dict)
        no_unknown(where, index, "get_result.", spec, GET_RESULT_KEYS, "get_result key")
        n = whole(where, index, "get_result.n", spec["n"], 1, 2**31 - 1) if "n" in spec else None
        kw["get_result"] = (n, typed(where, index, "get_result.wait", spec.get("wait", False), bool))
    return kw


_STREAM_KINDS = ("data", "data_hex", "urgent", "gap")
_MESSAGE_KINDS = ("datagram", "datagram_hex", "message", "message_hex")


def parse_arrival(where: Where, index: int, raw: Any) -> Arrival:
    if isinstance(raw, str):
        named = {"fin": Fin(), "rst": Reset(), "reset": Reset(), "discon": Discon()}
        if raw.lower() not in named:
            raise where.fail(index, "arrive", f"unknown arrival {raw!r} (fin, rst, discon or a table)")
        return named[raw.lower()]
    raw = typed(where, index, "arrive", raw, dict)
    no_unknown(where, index, "arrive.", raw, ARRIVE_KEYS, "arrival key")
    kinds = [k for k in ARRIVE_KINDS if k in raw]
    if len(kinds) != 1:
        raise where.fail(index, "arrive", f"needs exactly one of {', '.join(ARRIVE_KINDS)}")
    kind, value = kinds[0], raw[kinds[0]]
    field = f"arrive.{kind}"
    if kind in ("data", "data_hex"):
        return StreamBytes(payload(where, index, field, value, kind.endswith("_hex")),
                           push=typed(where, index, "arrive.push", raw.get("push", False), bool))
    if kind in _MESSAGE_KINDS:
        data = payload(where, index, field, value, kind.endswith("_hex"))
        source = typed(where, index, "arrive.from", raw["from"], str) if "from" in raw else None
        wire = whole(where, index, "arrive.wire_length", raw["wire_length"]) if "wire_length" in raw else None
        if wire is not None and wire < len(data):
            raise where.fail(index, "arrive.wire_length", "is shorter than the captured data")
        return Message(data, source, wire)
    if kind == "urgent":
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 255:
            return UrgentByte(value)
        if isinstance(value, str) and len(value) == 1 and ord(value) < 256:
            return UrgentByte(ord(value))
        raise where.fail(index, field, "expected one character or a byte value 0-255")
    if kind == "gap":
        length = typed(where, index, field, value, int)
        if length <= 0:
            raise where.fail(index, field, "must be a positive byte count")
        return CaptureGap(length)
    return IcmpError(enum_value(where, index, field, value, IcmpKind))


def check_arrivals(where: Where, config: SocketConfig, steps: list[Step]) -> None:
    """An arrival that does not fit the socket's protocol is a scenario error naming the key."""
    stream = config.protocol is Protocol.TCP
    for step in steps:
        arrival = step.arrive
        if isinstance(arrival, (StreamBytes, UrgentByte, CaptureGap)) and not stream:
            raise where.fail(step.index, "arrive", f"a {config.protocol.value} socket takes datagram, "
                             "datagram_hex, message, message_hex, icmp, fin, rst, discon (data, data_hex, urgent "
                             "and gap are for tcp)")
        if isinstance(arrival, Message) and stream:
            raise where.fail(step.index, "arrive", "a tcp socket takes data, data_hex, urgent, gap, fin, rst "
                             "(datagram, datagram_hex, message and message_hex are for udp, reliable-msg and "
                             "partial-msg)")


def _parse_recv(where: Where, index: int, raw: Any) -> dict[str, Any]:
    raw = typed(where, index, "recv", raw, dict)
    no_unknown(where, index, "recv.", raw, RECV_KEYS, "recv key")
    if "buffers" not in raw:
        raise where.fail(index, "recv.buffers", "missing (a list of WSABUF lengths, [] for dwBufferCount 0)")
    lengths = typed(where, index, "recv.buffers", raw["buffers"], list)
    if len(lengths) > MAX_BUFFERS:
        raise where.fail(index, "recv.buffers", f"{len(lengths)} WSABUFs (at most {MAX_BUFFERS})")
    buffers = tuple(whole(where, index, "recv.buffers", b, -(2**31), 2**31 - 1) for b in lengths)
    flags = parse_flags(where, index, "recv.flags", raw.get("flags", []))
    mode = enum_value(where, index, "recv.mode", raw["mode"], Mode) if "mode" in raw else None
    repeat = whole(where, index, "recv.repeat", raw.get("repeat", 1), 1, MAX_REPEAT)
    drain = typed(where, index, "recv.drain", raw.get("drain", False), bool)
    null_count = typed(where, index, "recv.null_count", raw.get("null_count", False), bool)
    hevent = enum_value(where, index, "recv.hevent", raw.get("hevent", "set"), HEvent)
    api = Api(one_of(where, index, "recv.api", raw.get("api", "WSARecv"), tuple(a.value for a in Api)))
    control = whole(where, index, "recv.control", raw.get("control", 0))
    if control and api is not Api.WSARECVMSG:
        raise where.fail(index, "recv.control", "only WSARecvMsg has a control buffer (api = \"WSARecvMsg\")")
    call = RecvCall(buffers, flags, mode, null_count, hevent, api, control)
    return {"recv": call, "repeat": repeat, "drain": drain}


def inline_scenario(arrivals: list[Arrival | str], buffers: list[int] | tuple[int, ...],
                    platform: Platform = Platform.DESKTOP, protocol: Protocol = Protocol.TCP,
                    mode: Mode = Mode.BLOCKING, flags: RecvFlags = RecvFlags.NONE, calls: int | None = None,
                    **options: Any) -> Scenario:
    """All arrivals, then receives with `buffers`: `calls` of them, or (None) until drained/closed.

    `arrivals` holds model Arrival values or the strings "fin", "rst", "discon". `options` are
    further SocketConfig fields (oobinline, keep_on_reset, ...). Overlapped modes end with an
    alertable wait so held completions are shown.
    """
    where = Where("<inline>")
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
