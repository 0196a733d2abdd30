"""`wsarecv diff`: the same input under two configurations, call by call.

The comparison itself is render/diff.py's `diff_runs` over record lists; this module only builds
the two record lists — from a scenario (file or inline) with --a/--b overrides, or from a capture
through the replay session (`capture_records`, the hook the replay side owns).
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import click
from rich.text import Text

from wsarecv_cli.cli.common import (
    CONTEXT_SETTINGS,
    EXIT_FINDINGS,
    InputError,
    color_option,
    make_console,
)
from wsarecv_cli.cli.main import cli
from wsarecv_cli.cli.scenario_options import (
    OrderedCommand,
    UsageLine,
    config_options,
    overrides_from_string,
)
from wsarecv_cli.cli.simulate import run_records, scenario_from
from wsarecv_cli.errors import WsarecvError
from wsarecv_cli.render.diff import diff_runs, diff_tables, summary_text
from wsarecv_cli.render.records import RecordOptions
from wsarecv_cli.render.sanitize import safe_text
from wsarecv_cli.replay.simulate import run_scenario

CAPTURE_SUFFIXES = (".pcap", ".pcapng", ".cap", ".pcap.gz", ".pcapng.gz")
CAPTURE_MAGIC = (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d",
                 b"\x0a\x0d\x0d\x0a")


def is_capture(path: str) -> bool:
    """A pcap/pcapng (or gzipped) file, by name or by its first bytes; '-' is stdin (a capture)."""
    if path == "-" or path.lower().endswith(CAPTURE_SUFFIXES):
        return True
    try:
        with open(path, "rb") as handle:
            head = handle.read(4)
    except OSError:
        return False
    return head in CAPTURE_MAGIC or head[:2] == b"\x1f\x8b"


class RunsDiffer(click.ClickException):
    """--strict: exit 3 (findings) when the two runs differ."""

    exit_code = EXIT_FINDINGS


def capture_records(path: str, options: str, label: str) -> list[dict[str, Any]]:
    """The records of `wsarecv replay PATH <options>` — hook for diffing captures.

    Parses `options` with replay's own option set and runs replay's session; when replay is not
    there (yet), says so in one line.
    """
    try:
        from wsarecv_cli.cli.replay_options import config_from_options, replay_options
        from wsarecv_cli.cli.replay_output import replay_records
        from wsarecv_cli.replay.session import ReplaySession
    except ImportError as exc:
        raise InputError(f"diff of captures needs replay ({exc})") from None
    from wsarecv_cli.cli.common import flow_option, parse_flow_selectors

    @click.command()
    @flow_option
    @replay_options
    def parse(flows: tuple[str, ...], **params: Any) -> Any:
        return config_from_options(params, parse_flow_selectors(flows))

    try:
        config = parse.main(args=shlex.split(options), standalone_mode=False, prog_name=label)
    except (click.UsageError, ValueError) as exc:
        message = exc.format_message() if isinstance(exc, click.UsageError) else str(exc)
        raise UsageLine(f"{label}: {message}") from None
    session = ReplaySession(path, config)
    return list(replay_records(session, session))


def scenario_records(ctx: click.Context, scenario_file: str | None, params: dict[str, Any],
                     calls: int | None, options: str, label: str) -> tuple[list[dict], str]:
    """The records of the scenario with one side's overrides applied, and that run's title."""
    base = scenario_from(ctx, scenario_file, params, calls)
    scenario = overrides_from_string(options, label).apply(base)
    run = run_scenario(scenario)  # a side's expectations are not checked: the point is to differ
    return run_records(run, RecordOptions()), scenario.title


@cli.command("diff", cls=OrderedCommand, context_settings=CONTEXT_SETTINGS)
@click.argument("source", required=False, metavar="[SCENARIO.toml|CAPTURE]")
@click.option("--a", "side_a", required=True, metavar="OPTIONS",
              help='Options of run A, one string: "--platform desktop --mode overlapped-event".')
@click.option("--b", "side_b", required=True, metavar="OPTIONS", help="Options of run B.")
@click.option("--tcp", multiple=True, metavar="TEXT|N", help="Inline: a TCP segment arrives.")
@click.option("--udp", multiple=True, metavar="TEXT|N", help="Inline: a datagram arrives.")
@click.option("--urgent", multiple=True, metavar="X", help="Inline: one urgent (OOB) byte arrives.")
@click.option("--fin", is_flag=True, help="Inline: the peer closes gracefully.")
@click.option("--rst", is_flag=True, help="Inline: the peer resets.")
@click.option("--discon", is_flag=True, help="Inline: graceful disconnect (message provider).")
@click.option("--calls", type=click.IntRange(1), default=None, help="Inline: how many receives.")
@config_options
@click.option("--only-diff", is_flag=True, help="List only the calls that differ.")
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
@click.option("--strict", is_flag=True, help="Exit 3 when the runs differ (for CI).")
@click.option("--width", type=click.IntRange(60, 400), default=None, help="Output width.")
@color_option
@click.pass_context
def diff_command(ctx: click.Context, source: str | None, side_a: str, side_b: str,
                 calls: int | None, only_diff: bool, as_json: bool, strict: bool,
                 width: int | None, color: str, **params: Any) -> None:
    """Run the same scenario under two configurations and show where the calls differ.

    --a and --b each take a string of options (as `simulate` takes them: --platform, --mode,
    --protocol, --buffers, --flags, --oobinline, --option NAME=VALUE) applied on top of the
    scenario. The input is a scenario file, an inline scenario, or a capture (then --a/--b take
    `replay` options).

    \b
    Examples:
      wsarecv diff samples/scenarios/ce_immediate_completion.toml --a "--platform desktop" --b "--platform wince"
      wsarecv diff --udp 10 --buffers 4 --a "--protocol udp" --b "--protocol partial-msg"
      wsarecv diff --tcp hello --rst --a "" --b "--option keep_on_reset=true"
      wsarecv diff capture.pcapng --a "--buffers 1024" --b "--buffers 64 --platform wince"
    """
    try:
        if source is not None and is_capture(source):
            records_a = capture_records(source, side_a, "--a")
            records_b = capture_records(source, side_b, "--b")
            title = Path(source).name
        else:
            records_a, title = scenario_records(ctx, source, params, calls, side_a, "--a")
            records_b, _ = scenario_records(ctx, source, params, calls, side_b, "--b")
    except WsarecvError as exc:
        raise InputError(str(exc)) from None
    report = diff_runs(records_a, records_b)
    if as_json:
        click.echo(json.dumps({"a": side_a, "b": side_b, **report.record()}, indent=2))
    else:
        console = make_console(color, width)
        console.print(Text(safe_text(title), style="bold"))
        for table in diff_tables(report, side_a or "(as given)", side_b or "(as given)", only_diff):
            console.print(table)
        console.print(summary_text(report))
    if strict and report.differing:
        raise RunsDiffer(report.summary_line())
