"""Scenario options shared by `simulate` and `diff`: inline arrivals and configuration overrides.

Inline arrivals keep the order they were typed in (`--tcp a --urgent ! --tcp b`), which click
does not preserve across different options, so `OrderedCommand` keeps the raw arguments and
`inline_arrivals` reads them back in order.
"""

from __future__ import annotations

import dataclasses
import shlex
from collections.abc import Callable
from typing import Any

import click

from wsarecv_cli.model.types import (
    ConnState,
    Message,
    Mode,
    Platform,
    Protocol,
    RecvCall,
    RecvFlags,
    SocketConfig,
    StreamBytes,
    UrgentByte,
)
from wsarecv_cli.replay.scenario import Scenario, Step, inline_scenario

PATTERN = b"abcdefghijklmnopqrstuvwxyz0123456789"
ARRIVAL_OPTIONS = {"--tcp": "tcp", "--udp": "udp", "--urgent": "urgent"}
CLOSE_FLAGS = {"--fin": "fin", "--rst": "rst", "--discon": "discon"}


class UsageLine(click.ClickException):
    """A usage error as one line on stderr (exit 2), without click's usage banner."""

    exit_code = 2


class OrderedCommand(click.Command):
    """A click command that remembers its raw arguments (for the order of inline arrivals)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["raw_args"] = list(args)
        return super().parse_args(ctx, args)


def payload(text: str) -> bytes:
    """'hello' -> b'hello'; '3000' -> 3000 bytes of a repeating pattern (easy to spot in hex)."""
    if text.isdigit():
        size = int(text)
        return (PATTERN * (size // len(PATTERN) + 1))[:size]
    return text.encode("utf-8").decode("unicode_escape").encode("latin-1")


def inline_arrivals(raw_args: list[str]) -> list[Any]:
    """Arrivals in the order typed: --tcp/--udp/--urgent VALUE and --fin/--rst/--discon."""
    arrivals: list[Any] = []
    args = iter(raw_args)
    for token in args:
        name, eq, value = token.partition("=")
        if name in ARRIVAL_OPTIONS:
            kind = ARRIVAL_OPTIONS[name]
            value = value if eq else next(args, "")
            if kind == "tcp":
                arrivals.append(StreamBytes(payload(value)))
            elif kind == "udp":
                arrivals.append(Message(payload(value)))
            else:
                data = payload(value)
                if len(data) != 1:
                    raise UsageLine("--urgent: one character or byte")
                arrivals.append(UrgentByte(data[0]))
        elif token in CLOSE_FLAGS:
            arrivals.append(CLOSE_FLAGS[token])
    return arrivals


def parse_buffers(value: str | None) -> tuple[int, ...] | None:
    if value is None:
        return None
    try:
        sizes = tuple(int(part) for part in value.split(",") if part.strip() != "")
    except ValueError:
        raise UsageLine(f"--buffers: {value!r}: comma-separated byte counts, e.g. 2,4") from None
    if any(size < 0 for size in sizes):
        raise UsageLine("--buffers: lengths cannot be negative")
    return sizes


def parse_flag_names(value: str | None) -> RecvFlags | None:
    if value is None:
        return None
    flags = RecvFlags.NONE
    for name in filter(None, (part.strip().upper() for part in value.split(","))):
        name = name if name.startswith("MSG_") else "MSG_" + name
        if name not in RecvFlags.__members__ or name == "NONE":
            allowed = ", ".join(f.name for f in RecvFlags if f.name and f.name != "NONE")
            raise UsageLine(f"--flags: unknown flag {name} (allowed: {allowed})")
        flags |= RecvFlags[name]
    return flags


_BOOL = {"true": True, "1": True, "yes": True, "on": True,
         "false": False, "0": False, "no": False, "off": False}


def parse_socket_options(values: tuple[str, ...]) -> dict[str, Any]:
    """--option NAME=VALUE for any SocketConfig field (keep_on_reset=true, rcvtimeo_ms=100)."""
    names = {f.name: f for f in dataclasses.fields(SocketConfig)}
    out: dict[str, Any] = {}
    for item in values:
        key, eq, raw = item.partition("=")
        key = key.strip().replace("-", "_")
        if not eq or key not in names or key in ("protocol", "platform", "mode"):
            allowed = ", ".join(n for n in names if n not in ("protocol", "platform", "mode"))
            raise UsageLine(f"--option: {item!r}: expected NAME=VALUE with NAME one of {allowed}")
        out[key] = _option_value(key, raw.strip())
    return out


def _option_value(key: str, raw: str) -> Any:
    if key == "connected_peer":
        return raw or None
    if key == "state":
        states = {state.value: state for state in ConnState}
        if raw not in states:
            raise UsageLine(f"--option: state needs one of {', '.join(states)}")
        return states[raw]
    if key in ("rcvtimeo_ms", "max_outstanding"):
        if raw.lower() in ("none", ""):
            return None
        if not raw.isdigit():
            raise UsageLine(f"--option: {key} needs a number")
        return int(raw)
    if raw.lower() not in _BOOL:
        raise UsageLine(f"--option: {key} needs true or false")
    return _BOOL[raw.lower()]


def config_options(func: Callable) -> Callable:
    """Options that change the socket or the calls; shared by simulate and diff's --a/--b."""
    for option in reversed([
        click.option("--protocol", type=click.Choice([p.value for p in Protocol]), default=None,
                     help="Provider profile (R15/R19). Default: tcp, or udp with --udp."),
        click.option("--platform", type=click.Choice([p.value for p in Platform]), default=None,
                     help="desktop (Windows NT family) or wince (CE / Windows Mobile, R47-R49)."),
        click.option("--mode", type=click.Choice([m.value for m in Mode]), default=None,
                     help="How the application calls: blocking, nonblocking or overlapped."),
        click.option("--buffers", metavar="N,N,...", default=None,
                     help="WSABUF lengths of every receive, e.g. 2,4 (0 = a zero-length WSABUF)."),
        click.option("--flags", metavar="FLAG,...", default=None,
                     help="lpFlags of every receive: MSG_PEEK, MSG_OOB, MSG_WAITALL, MSG_PARTIAL, "
                          "MSG_PUSH_IMMEDIATE."),
        click.option("--oobinline", is_flag=True, default=None, help="Set SO_OOBINLINE (R42)."),
        click.option("--option", "socket_options", multiple=True, metavar="NAME=VALUE",
                     help="Any other socket switch, e.g. keep_on_reset=true (Q7), rcvtimeo_ms=100."),
    ]):
        func = option(func)
    return func


@dataclasses.dataclass(frozen=True, slots=True)
class Overrides:
    """What config_options asked to change (None = keep the scenario's)."""

    protocol: Protocol | None = None
    platform: Platform | None = None
    mode: Mode | None = None
    buffers: tuple[int, ...] | None = None
    flags: RecvFlags | None = None
    socket: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> Overrides:
        socket = parse_socket_options(params.get("socket_options") or ())
        if params.get("oobinline"):
            socket["oobinline"] = True
        return cls(
            protocol=Protocol(params["protocol"]) if params.get("protocol") else None,
            platform=Platform(params["platform"]) if params.get("platform") else None,
            mode=Mode(params["mode"]) if params.get("mode") else None,
            buffers=parse_buffers(params.get("buffers")),
            flags=parse_flag_names(params.get("flags")),
            socket=tuple(socket.items()),
        )

    def apply(self, scenario: Scenario) -> Scenario:
        """The scenario with the socket config and every receive changed as asked."""
        changes = {k: v for k, v in (("protocol", self.protocol), ("platform", self.platform),
                                     ("mode", self.mode)) if v is not None}
        config = dataclasses.replace(scenario.config, **changes, **dict(self.socket))
        steps = tuple(self._step(step) for step in scenario.steps)
        return dataclasses.replace(scenario, config=config, steps=steps)

    def _step(self, step: Step) -> Step:
        if step.recv is None or (self.buffers is None and self.flags is None):
            return step
        call = RecvCall(self.buffers if self.buffers is not None else step.recv.buffers,
                        self.flags if self.flags is not None else step.recv.flags, step.recv.mode)
        return dataclasses.replace(step, recv=call)


def build_inline(raw_args: list[str], overrides: Overrides, calls: int | None) -> Scenario:
    """`simulate --tcp hello --fin --buffers 3`: arrivals in order, then the receives."""
    arrivals = inline_arrivals(raw_args)
    if not arrivals:
        raise UsageLine("give a SCENARIO file, or inline arrivals (--tcp, --udp, --urgent, "
                               "--fin, --rst, --discon)")
    datagrams = any(isinstance(a, Message) for a in arrivals)
    protocol = overrides.protocol or (Protocol.UDP if datagrams else Protocol.TCP)
    return inline_scenario(arrivals, overrides.buffers or (1024,),
                           platform=overrides.platform or Platform.DESKTOP, protocol=protocol,
                           mode=overrides.mode or Mode.BLOCKING,
                           flags=overrides.flags or RecvFlags.NONE, calls=calls,
                           **dict(overrides.socket))


def overrides_from_string(text: str, label: str) -> Overrides:
    """diff's --a/--b: a string of config options, parsed by the same click options."""
    try:
        args = shlex.split(text)
    except ValueError as exc:
        raise UsageLine(f"{label}: {exc}") from None

    @click.command()
    @config_options
    def parse(**params: Any) -> Overrides:
        return Overrides.from_params(params)

    try:
        return parse.main(args=args, standalone_mode=False, prog_name=label)
    except click.UsageError as exc:
        raise UsageLine(f"{label}: {exc.format_message()}") from None
