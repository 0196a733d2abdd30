"""Pieces every command shares: option bundles, the capture argument, console, error exits."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

import click
from rich.console import Console

from wsarecv_cli.capture import CaptureLimits
from wsarecv_cli.cli.guard import (  # noqa: F401 - moved there (start-up cost); imported from here
    CONTEXT_SETTINGS,
    EXIT_FINDINGS,
    EXIT_INPUT,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    InputError,
    UsageFailure,
    run_guarded,
)
from wsarecv_cli.cli.output import Exports, StdoutConsole
from wsarecv_cli.cli.reality_options import reality_from_options, reality_options
from wsarecv_cli.flowfilter import FlowFilter
from wsarecv_cli.net import FlowSelector
from wsarecv_cli.reassembly import ReassemblyLimits
from wsarecv_cli.render import fit, timefmt
from wsarecv_cli.render.sanitize import safe_text


def wants_color(choice: str, stream: Any) -> bool:
    """--color auto|always|never: auto is on only for a TTY, without NO_COLOR and TERM=dumb."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


def make_console(color: str, width: int | None = None, exports: Exports | None = None) -> StdoutConsole:
    """The stdout console for pretty output; commands own it, render/ only builds renderables.

    With `exports` (--export-svg/--export-html) everything printed is also sent to them."""
    stream = sys.stdout
    colored = wants_color(color, stream)
    if width is None and not _is_terminal(stream):
        width = fit.PIPE_WIDTH  # render/fit.py: a pipe gets wide lines, never wrapped hashes
    return StdoutConsole(
        file=stream,
        force_terminal=colored,
        no_color=not colored,
        color_system="auto" if colored else None,
        width=width,
        highlight=False,
        emoji=False,  # ':a:' in an IPv6 address is not an emoji code
        soft_wrap=False,
        exports=exports,
    )


def _is_terminal(stream) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def warn(lines: Iterable[str]) -> None:
    """Warnings on stderr, one a line; never read as markup (they quote [IPv6]:port and [n bytes])."""
    console = error_console()
    for line in lines:
        console.print(f"warning: {safe_text(line)}", style="yellow", markup=False)


def error_console() -> Console:
    stream = sys.stderr
    return Console(file=stream, highlight=False, emoji=False, no_color=not wants_color("auto", stream))


def capture_argument(func: Callable) -> Callable:
    """CAPTURE as a positional argument or `-r FILE` (tcpdump/tshark habit); '-' is stdin."""
    func = click.option(
        "-r",
        "read_file",
        metavar="FILE",
        help="Capture to read (same as the positional argument; '-' for standard input).",
    )(func)
    return click.argument("capture", required=False, metavar="CAPTURE")(func)


def resolve_capture(capture: str | None, read_file: str | None) -> str:
    if capture and read_file and capture != read_file:
        raise click.UsageError("give the capture once: either CAPTURE or -r FILE")
    path = capture or read_file
    if not path:
        raise click.UsageError("missing CAPTURE (a pcap/pcapng file, '-' for standard input)")
    return path


def parse_flow_selectors(values: tuple[str, ...]) -> tuple[FlowSelector, ...]:
    """The --flow values, and the command's --filter (kept in the click context by flow_option)."""
    selectors = []
    for value in values:
        try:
            selectors.append(FlowSelector.parse(value))
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--flow") from exc
    ctx = click.get_current_context(silent=True)
    expression = ctx.meta.get(FILTER_KEY) if ctx is not None else None
    if expression:
        try:
            selectors.append(FlowSelector(expression=FlowFilter.parse(expression)))
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--filter") from exc
    return tuple(selectors)


FILTER_KEY = "wsarecv.filter"


def _keep_filter(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value:
        ctx.meta[FILTER_KEY] = value


def flow_option(func: Callable) -> Callable:
    return click.option(
        "--flow",
        "flows",
        multiple=True,
        metavar="FLOW",
        help="Select a flow: tcp:N, udp:N (Wireshark stream index), ADDR:PORT-ADDR:PORT (either order), "
        "HOST, :PORT or HOST:PORT (either side; IPv6 with a port as [::1]:80). Repeatable; default all.",
    )(click.option(
        "--filter", "flow_filter", metavar="EXPR", expose_value=False, callback=_keep_filter,
        help="Select flows by an expression: host ADDR, port N, tcp, udp, proto tcp|udp, joined with "
        "and / or / not and parentheses, e.g. 'host 10.0.0.1 and not port 443' (with --flow: both must hold).",
    )(func))


def color_option(func: Callable) -> Callable:
    return click.option(
        "--color",
        type=click.Choice(["auto", "always", "never"]),
        default="auto",
        show_default=True,
        help="Colored output; auto = only on a terminal without NO_COLOR / TERM=dumb.",
    )(func)


def time_format_option(func: Callable) -> Callable:
    """-t r|a|ad|u|ud|e|d: how times are shown, with tshark's letters (records keep seconds)."""
    return click.option("-t", "--time-format", "time_format", type=click.Choice(timefmt.CHOICES), default="r",
                        show_default=True, callback=lambda _ctx, _param, value: timefmt.TimeFormat(value),
                        help=timefmt.HELP)(func)


def quiet_option(func: Callable) -> Callable:
    return click.option("--quiet", "-q", is_flag=True,
                        help="No progress bar on stderr (it only ever shows on a terminal, after a second).")(func)


def export_options(func: Callable) -> Callable:
    """--export-svg/--export-html FILE: the pretty output saved as well (cli/output.py Exports)."""
    func = click.option("--export-html", metavar="FILE", default=None,
                        help="Also save the output as HTML (written as it goes).")(func)
    return click.option("--export-svg", metavar="FILE", default=None,
                        help="Also save the output as SVG (the first 5,000 lines).")(func)


def check_export_combination(svg: str | None, html: str | None, records: bool) -> None:
    """Exports save the tables: with --json/--ndjson there are none, so asking is a usage error."""
    if records and Exports.wanted(svg, html):
        raise click.UsageError("--export-svg/--export-html save the tables; they cannot be combined with "
                               "--json or --ndjson")


def strict_option(func: Callable) -> Callable:
    return click.option(
        "--strict",
        is_flag=True,
        help="Exit 3 when the capture had findings (gaps, truncation, limits hit): for CI.",
    )(func)


# -- resource limits (flows, follow, replay) --------------------------------------------------

_SIZE_UNITS = {"": 1, "k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10, "m": 1 << 20, "mb": 1 << 20, "mib": 1 << 20,
               "g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30}


def parse_size(text: str) -> int:
    """'65536', '64k', '16M', '1GiB' -> bytes (binary units); ValueError otherwise."""
    value = text.strip().lower().replace("_", "")
    digits = value.rstrip("kmgib")
    unit = value[len(digits):]
    if not digits.isdigit() or unit not in _SIZE_UNITS:
        raise ValueError(f"{text!r} is not a size like 65536, 64k, 16M or 1G")
    return int(digits) * _SIZE_UNITS[unit]


def size_callback(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    if value is None:
        return None
    try:
        size = parse_size(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    if size < 1:
        raise click.BadParameter("must be at least 1 byte")
    return size


def limit_options(func: Callable) -> Callable:
    """--max-flows, --max-ooo-bytes, --max-ooo-total, --max-fragment-bytes: what a hostile capture may make us hold;
    and the capture-reality options (reality_options.py).

    Defaults come from ReassemblyLimits / CaptureLimits; hitting a limit is an anomaly (counted in
    `flows`, a warning in `replay`, exit 3 under --strict), never a crash or unbounded growth."""
    reasm, cap = ReassemblyLimits(), CaptureLimits()
    options = [
        click.option("--max-flows", type=click.IntRange(1), default=reasm.max_flows, show_default=True,
                     help="Live flows kept at once; beyond it the flows idle longest (1/32 of the table, "
                          "closed ones first) are finished early: holes become gaps, counted as evicted."),
        click.option("--max-flow-memory", default=f"{reasm.max_live_bytes >> 20}M", show_default=True,
                     callback=size_callback, metavar="SIZE",
                     help="Estimated memory of the live flows (their state, delivered-bytes windows, "
                          "out-of-order data, replay's receivers); beyond it flows are finished early "
                          "as at --max-flows."),
        click.option("--max-ooo-bytes", default=f"{reasm.max_held_bytes >> 20}M", show_default=True,
                     callback=size_callback, metavar="SIZE",
                     help="Out-of-order bytes held per flow direction while a hole waits to be filled; "
                          "beyond it segments are dropped and reported as a limit gap."),
        click.option("--max-ooo-total", default=f"{reasm.max_held_total >> 20}M", show_default=True,
                     callback=size_callback, metavar="SIZE",
                     help="The same for all flows together: many flows each under --max-ooo-bytes cannot "
                          "add up beyond it."),
        click.option("--max-fragment-bytes", default=f"{cap.fragment_bytes >> 20}M", show_default=True,
                     callback=size_callback, metavar="SIZE",
                     help="Bytes held in incomplete IP fragment sets, all together; beyond it the oldest "
                          "sets are dropped (counted, with a warning)."),
    ]
    for option in reversed(options):
        func = option(func)
    return reality_options(func)


def limits_from_options(options: dict) -> tuple[CaptureLimits, ReassemblyLimits]:
    """Pop the limit and capture-reality options from a command's kwargs -> (CaptureLimits,
    ReassemblyLimits)."""
    capture = replace(CaptureLimits(), fragment_bytes=options.pop("max_fragment_bytes"))
    reassembly = replace(ReassemblyLimits(), max_flows=options.pop("max_flows"),
                         max_held_bytes=options.pop("max_ooo_bytes"), max_held_total=options.pop("max_ooo_total"),
                         max_live_bytes=options.pop("max_flow_memory"))
    return reality_from_options(options, capture, reassembly)
