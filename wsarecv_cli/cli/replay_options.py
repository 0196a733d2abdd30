"""Parsing `wsarecv replay` options into a ReplayConfig (shared with `wsarecv diff` on captures)."""

from __future__ import annotations

from collections.abc import Callable

import click

from wsarecv_cli.cli.common import limit_options, limits_from_options, size_callback

from wsarecv_cli.model.types import Mode, Platform, Protocol, RecvFlags
from wsarecv_cli.net import Endpoint
from wsarecv_cli.replay.framing import FramingSpec
from wsarecv_cli.replay.schedule import ScheduleSpec
from wsarecv_cli.replay.session import ReceiverChoice, ReplayConfig

MAX_BUFFERS = 1024  # WSABUF entries a call may carry here (Windows caps the array, too)
MAX_BUFFER_BYTES = 1 << 30


def parse_buffers(text: str) -> tuple[int, ...]:
    """'4096' or '1024,512,0,2048' -> WSABUF lengths (zero-length entries are legal, R4)."""
    try:
        lengths = tuple(int(part) for part in text.replace(" ", "").split(","))
    except ValueError as exc:
        raise click.BadParameter(f"{text!r} is not a list of byte counts like 1024,512,0,2048") from exc
    if not lengths or len(lengths) > MAX_BUFFERS:
        raise click.BadParameter(f"give 1 to {MAX_BUFFERS} WSABUF lengths")
    if any(n < 0 or n > MAX_BUFFER_BYTES for n in lengths):
        raise click.BadParameter(f"each WSABUF length must be 0..{MAX_BUFFER_BYTES}")
    return lengths


def parse_flags(text: str) -> RecvFlags:
    """'MSG_PEEK,MSG_WAITALL' (or 'peek,waitall') -> RecvFlags."""
    flags = RecvFlags.NONE
    for part in filter(None, (p.strip().upper() for p in text.split(","))):
        name = part if part.startswith("MSG_") else f"MSG_{part}"
        try:
            flags |= RecvFlags[name]
        except KeyError as exc:
            known = ", ".join(f.name for f in RecvFlags if f and f.name)
            raise click.BadParameter(f"unknown flag {part!r}; known: {known}") from exc
    return flags


def _parsed(kind: str, parse: Callable[[str], object]) -> Callable:
    """A click callback turning ValueError from our parsers into a usage error (exit 2)."""

    def callback(ctx: click.Context, param: click.Parameter, value: str | None) -> object:
        if value is None:
            return None
        try:
            return parse(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from exc

    callback.__name__ = f"parse_{kind}"
    return callback


def _choice(enum_type) -> click.Choice:
    return click.Choice([member.value for member in enum_type])


REPLAY_OPTIONS: list[Callable] = [
    click.option("--receiver", default="both", show_default=True, callback=_parsed("receiver", ReceiverChoice.parse),
                 help="Who receives: client (the initiator), server, both (each its own section) or ADDR:PORT."),
    click.option("--buffers", default="4096", show_default=True, callback=lambda c, p, v: parse_buffers(v),
                 help="WSABUF lengths reused for every call, e.g. 4096 or 1024,512,0,2048."),
    click.option("--flags", "recv_flags", default="", callback=lambda c, p, v: parse_flags(v),
                 help="lpFlags in: MSG_PEEK, MSG_OOB, MSG_PARTIAL, MSG_WAITALL, MSG_PUSH_IMMEDIATE (comma-separated)."),
    click.option("--mode", type=_choice(Mode), default="blocking", show_default=True,
                 help="How the application calls: sync blocking / nonblocking, or overlapped with an event, "
                      "a completion routine or a completion port."),
    click.option("--outstanding", type=click.IntRange(1, 1024), default=1, show_default=True,
                 help="Overlapped receives kept posted (R32: satisfied in posting order)."),
    click.option("--platform", type=_choice(Platform), default="desktop", show_default=True,
                 help="desktop Windows or Windows CE / Windows Mobile (R47-R49)."),
    click.option("--protocol", type=_choice(Protocol), default=None,
                 help="Provider profile (R15/R19); default tcp for TCP flows, udp for UDP flows. A "
                      "message-oriented profile on a TCP capture takes --framing messages as messages."),
    click.option("--oobinline", is_flag=True, help="SO_OOBINLINE: urgent data stays in the stream (R42)."),
    click.option("--expedited-1122", is_flag=True, help="TCP_EXPEDITED_1122: RFC 1122 urgent pointer (R39)."),
    click.option("--connected-peer", default=None, callback=_parsed("peer", lambda v: str(Endpoint.parse(v))),
                 help="Connected UDP: only datagrams from ADDR:PORT are delivered (R21)."),
    click.option("--keep-on-reset", is_flag=True,
                 help="Keep unread data on RST (Linux/ReactOS behaviour) instead of losing it (R24, Q7)."),
    click.option("--schedule", default="eager", show_default=True, callback=_parsed("schedule", ScheduleSpec.parse),
                 help="When the application calls: eager, drain, interval:10ms, bytewise, random:SEED, script:FILE."),
    click.option("--framing", default=None, callback=_parsed("framing", FramingSpec.parse),
                 help="The application's message framing: len:u16be, len:u32le+4, line, delim:HEX, fixed:N. "
                      "Flags messages split across calls and calls holding several messages."),
]


MESSAGE_LIMIT_OPTION = click.option(
    "--max-message-bytes", default="16M", show_default=True, callback=size_callback, metavar="SIZE",
    help="With a message-oriented --protocol and --framing on a TCP capture: the longest message held "
         "whole; a longer one ends framing for that receiver (reported in its summary).")


GAP_LIMIT_OPTION = click.option(
    "--max-gap-bytes", default="16M", show_default=True, callback=size_callback, metavar="SIZE",
    help="A capture gap is replayed as bytes of unknown content at its stream position (the receiver got "
         "them); a longer gap (a sequence jump, a hostile capture) is not replayed, with a warning: call "
         "sizes after it may then differ from the application's.")


def replay_options(func: Callable) -> Callable:
    func = limit_options(GAP_LIMIT_OPTION(MESSAGE_LIMIT_OPTION(func)))
    for option in reversed(REPLAY_OPTIONS):
        func = option(func)
    return func


def config_from_options(options: dict, selectors: tuple) -> ReplayConfig:
    capture_limits, reassembly_limits = limits_from_options(options)
    return ReplayConfig(
        buffers=options["buffers"],
        flags=options["recv_flags"],
        mode=Mode(options["mode"]),
        outstanding=options["outstanding"],
        platform=Platform(options["platform"]),
        protocol=Protocol(options["protocol"]) if options["protocol"] else None,
        oobinline=options["oobinline"],
        expedited_1122=options["expedited_1122"],
        connected_peer=options["connected_peer"],
        keep_on_reset=options["keep_on_reset"],
        schedule=options["schedule"],
        framing=options["framing"],
        receiver=options["receiver"],
        selectors=selectors,
        capture_limits=capture_limits,
        reassembly_limits=reassembly_limits,
        max_message_bytes=options["max_message_bytes"],
        max_gap_bytes=options["max_gap_bytes"],
    )
