"""`wsarecv simulate`: a scenario (file or inline) through the model, call by call."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.text import Text

from wsarecv_cli.cli.common import (
    CONTEXT_SETTINGS,
    EXIT_INPUT,
    InputError,
    check_export_combination,
    color_option,
    export_options,
    make_console,
)
from wsarecv_cli.cli.output import Exports
from wsarecv_cli.cli.main import cli
from wsarecv_cli.cli.scenario_options import (
    OrderedCommand,
    Overrides,
    UsageLine,
    build_inline,
    config_options,
)
from wsarecv_cli.errors import WsarecvError
from wsarecv_cli.model.types import (
    CaptureGap,
    Completion,
    Discon,
    Fin,
    IcmpError,
    Message,
    RecvResult,
    Reset,
    StreamBytes,
    UrgentByte,
)
from wsarecv_cli.render.calls import CallTable, section_header, table_options_for
from wsarecv_cli.render.records import (
    JsonDocumentWriter,
    NdjsonWriter,
    ReceiverInfo,
    RecordOptions,
    RowPairer,
    SummaryAccumulator,
    row_record,
)
from wsarecv_cli.render.sanitize import escape_bytes, safe_text
from wsarecv_cli.render.summary import summary_panel
from wsarecv_cli.replay.expect_check import plain
from wsarecv_cli.replay.scenario import Scenario, parse_scenario
from wsarecv_cli.replay.scenario_values import escape_text
from wsarecv_cli.replay.simulate import Action, SimulationRun, run_scenario


def scenario_from(ctx: click.Context, scenario_file: str | None, params: dict[str, Any],
                  calls: int | None) -> Scenario:
    """A scenario file with overrides applied, or an inline scenario built from the options."""
    overrides = Overrides.from_params(params)
    if scenario_file:
        if any(t in ctx.meta.get("raw_args", []) for t in ("--tcp", "--udp", "--urgent", "--fin",
                                                           "--rst", "--discon")):
            raise UsageLine("give either a SCENARIO file or inline arrivals, not both")
        return overrides.apply(parse_scenario(Path(scenario_file)))  # any name: the file is read, never parsed
    return build_inline(ctx.meta.get("raw_args", []), overrides, calls)


def info_for(scenario: Scenario) -> ReceiverInfo:
    cfg = scenario.config
    return ReceiverInfo(protocol=cfg.protocol.value, platform=cfg.platform.value,
                        mode=cfg.mode.value, title=escape_text(scenario.title))


def receive_outcomes(run: SimulationRun) -> list[RecvResult | Completion]:
    return [o for o in run.outcomes if isinstance(o, (RecvResult, Completion))]


def run_records(run: SimulationRun, opts: RecordOptions) -> list[dict[str, Any]]:
    """flow, call/completion records in order, summary, then one record per failed expectation."""
    info = info_for(run.scenario)
    summary = SummaryAccumulator.for_receiver(info)
    pairer = RowPairer()
    records = [info.record()]
    for outcome in receive_outcomes(run):
        summary.add(outcome)
        records += [row_record(row, info, opts) for row in pairer.push(outcome)]
    records += [row_record(row, info, opts) for row in pairer.finish()]
    records.append(summary.record())
    records += [{"type": "expect_failure", "step": f.step, "field": f.field,
                 "expected": plain(f.expected), "actual": plain(f.actual)} for f in run.failures]
    return records


def print_pretty(console: Console, run: SimulationRun, show_data: bool, explain: bool,
                 max_calls: int | None, show_actions: bool = True) -> None:
    scenario = run.scenario
    info = info_for(scenario)
    console.print(section_header(info))
    if scenario.about:
        console.print(Text(safe_text(" ".join(scenario.about.split())), style="italic"))
    console.print()
    buffers = [s.recv.buffers for s in scenario.steps if s.recv is not None]
    table = CallTable(table_options_for(buffers, width=console.width, show_data=show_data,
                                        explain=explain, max_calls=max_calls))
    summary = SummaryAccumulator.for_receiver(info)
    for line in table.header():
        console.print(line, crop=False, overflow="ignore")
    for outcome in run.outcomes:
        if isinstance(outcome, Action):
            lines = table.action(outcome.t_ns, _action_text(outcome, scenario)) if show_actions else []
        else:
            summary.add(outcome)
            lines = table.push(outcome)
        for line in lines:
            console.print(line, crop=False, overflow="ignore")
    for line in table.finish():
        console.print(line, crop=False, overflow="ignore")
    console.print(summary_panel(summary))


def _action_text(action: Action, scenario: Scenario) -> str:
    step = scenario.steps[action.step - 1] if 0 < action.step <= len(scenario.steps) else None
    if action.kind == "arrive" and step is not None and step.arrive is not None:
        text = "arrives: " + describe_arrival(step.arrive)
    else:
        text = action.text
    if action.result is not None and action.result.notes:
        text += " — " + "; ".join(action.result.notes)
    return escape_text(text)  # addresses and option values come from the scenario file


def describe_arrival(arrival: Any) -> str:
    """Arrivals in the words of the wire: segment, datagram, urgent byte, FIN, RST."""
    if isinstance(arrival, StreamBytes):
        return f"segment {len(arrival.data)} B {escape_bytes(arrival.data, 40)}"
    if isinstance(arrival, Message):
        source = f" from {escape_text(arrival.source)}" if arrival.source else ""
        return f"datagram {len(arrival.data)} B {escape_bytes(arrival.data, 40)}{source}".rstrip()
    if isinstance(arrival, UrgentByte):
        return f"urgent byte {escape_bytes(bytes([arrival.byte]), 10)} (OOB)"
    if isinstance(arrival, CaptureGap):
        return f"capture gap of {arrival.length} B"
    if isinstance(arrival, IcmpError):
        return f"ICMP {arrival.kind.value}"
    return {Fin: "FIN (graceful close)", Reset: "RST (reset)",
            Discon: "graceful disconnect"}.get(type(arrival), repr(arrival))


class ExpectFailed(click.ClickException):
    exit_code = EXIT_INPUT


def report_failures(run: SimulationRun) -> None:
    """One line per failed expectation on stderr, then exit 1 (the last one raises)."""
    lines = [f"expect failed: {run.scenario.source}: {failure}" for failure in run.failures]
    for line in lines[:-1]:
        click.echo(f"Error: {safe_text(line)}", err=True)
    raise ExpectFailed(lines[-1])


@cli.command("simulate", cls=OrderedCommand, context_settings=CONTEXT_SETTINGS)
@click.argument("scenario_file", required=False, metavar="[SCENARIO.toml]",
                type=click.Path(dir_okay=False))
@click.option("--tcp", "tcp", multiple=True, metavar="TEXT|N",
              help="Inline: a TCP segment arrives (TEXT, or N bytes of a pattern). Repeatable.")
@click.option("--udp", "udp", multiple=True, metavar="TEXT|N",
              help="Inline: a datagram arrives (TEXT, or N bytes of a pattern). Repeatable.")
@click.option("--urgent", multiple=True, metavar="X", help="Inline: one urgent (OOB) byte arrives.")
@click.option("--fin", is_flag=True, help="Inline: the peer closes gracefully (FIN).")
@click.option("--rst", is_flag=True, help="Inline: the peer resets the connection (RST).")
@click.option("--discon", is_flag=True, help="Inline: graceful disconnect of a message provider.")
@click.option("--calls", type=click.IntRange(1), default=None,
              help="Inline: how many receives (default: until drained or closed).")
@config_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document with every record.")
@click.option("--ndjson", is_flag=True, help="Print one JSON record a line (flow, call, ..., summary).")
@click.option("--show-data", is_flag=True, help="Show the first bytes of each WSABUF.")
@click.option("--explain", is_flag=True, help="Show the deciding rules and a one-line reason per call.")
@click.option("--max-calls", type=click.IntRange(0), default=None,
              help="Show at most N calls; the summary still covers all.")
@export_options
@click.option("--timeline", type=click.Path(dir_okay=False), default=None,
              help="Also draw the arrivals and calls in order as an SVG file (--export-html holds it too).")
@click.option("--width", type=click.IntRange(60, 400), default=None,
              help="Output width (default: the terminal's).")
@color_option
@click.pass_context
def simulate_command(ctx: click.Context, scenario_file: str | None, calls: int | None,
                     as_json: bool, ndjson: bool, show_data: bool, explain: bool,
                     max_calls: int | None, export_svg: str | None, export_html: str | None,
                     timeline: str | None, width: int | None, color: str, **params: Any) -> None:
    """Run a scenario through the WSARecv model and show every call.

    A scenario file (samples/scenarios/*.toml; the format: docs/SCENARIOS.md) lists arrivals,
    receives and expectations; a failed `expect` exits 1 naming the step and field. For a quick question, describe the
    arrivals inline instead: they arrive in the order given, then the application receives with
    --buffers until the data is drained or the connection closed (or --calls times).

    \b
    Examples:
      wsarecv simulate samples/scenarios/udp_truncation.toml
      wsarecv simulate samples/scenarios/scatter_order.toml --show-data --explain
      wsarecv simulate --tcp "hello" --tcp "world" --fin --buffers 3,4
      wsarecv simulate --udp 3000 --buffers 1024,1024 --platform wince
      wsarecv simulate --tcp data --urgent '!' --tcp more --buffers 16
      wsarecv simulate samples/scenarios/graceful_close.toml --ndjson
      wsarecv simulate samples/scenarios/scatter_order.toml --timeline scatter.svg
    """
    if as_json and ndjson:
        raise UsageLine("choose one of --json and --ndjson")
    check_export_combination(export_svg, export_html, as_json or ndjson)
    try:
        scenario = scenario_from(ctx, scenario_file, params, calls)
        exports = (Exports(export_svg, export_html, title=f"wsarecv simulate: {scenario.title}")
                   if Exports.wanted(export_svg, export_html) else None)
        run = run_scenario(scenario)
    except WsarecvError as exc:  # our errors -> one line on stderr, exit 1
        raise InputError(str(exc)) from None
    if as_json or ndjson:
        _print_records(run, as_json, show_data, explain)
    else:
        console = make_console(color, width, exports)
        print_pretty(console, run, show_data, explain, max_calls)
        if exports is not None:
            exports.close()
    if timeline or export_html:
        _draw_timeline(run, timeline, None if as_json or ndjson else export_html)
    if run.failures:
        report_failures(run)


def _draw_timeline(run: SimulationRun, svg_path: str | None, html_path: str | None) -> None:
    # imported here: the timeline modules are ~15 ms of start-up most runs never use
    from wsarecv_cli.render.timeline_html import add_timeline_to_html, write_text
    from wsarecv_cli.render.timeline_scenario import scenario_timeline_svg

    try:
        svg = scenario_timeline_svg(run, run_records(run, RecordOptions()))
        if svg_path:
            write_text(svg_path, svg)
        if html_path:
            add_timeline_to_html(html_path, svg)
    except WsarecvError as exc:
        raise InputError(str(exc)) from None


def _print_records(run: SimulationRun, as_json: bool, show_data: bool, explain: bool) -> None:
    stream = sys.stdout
    writer: Any = (JsonDocumentWriter(stream, scenario=run.scenario.source, title=run.scenario.title)
                   if as_json else NdjsonWriter(stream))
    for record in run_records(run, RecordOptions(show_data=show_data, explain=explain)):
        writer.write(record)
    if as_json:
        writer.close()
