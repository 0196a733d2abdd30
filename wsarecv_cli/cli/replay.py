"""`wsarecv replay`: real captures through the model, as tables people read and records scripts use."""

from __future__ import annotations

import click

from wsarecv_cli.cli.common import (
    CONTEXT_SETTINGS,
    UsageFailure,
    capture_argument,
    check_export_combination,
    color_option,
    export_options,
    flow_option,
    parse_flow_selectors,
    quiet_option,
    resolve_capture,
    time_format_option,
)
from wsarecv_cli.cli.fail_on import exit_on_findings, fail_on_options, failing_codes
from wsarecv_cli.cli.main import cli
from wsarecv_cli.errors import NoReceiverError
from wsarecv_cli.cli.replay_options import config_from_options, replay_options
from wsarecv_cli.cli.replay_output import OutputOptions, run_replay


@cli.command("replay", context_settings=CONTEXT_SETTINGS)
@capture_argument
@flow_option
@replay_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document with every record instead of tables.")
@click.option("--ndjson", is_flag=True, help="Print one JSON record a line (flow, call, completion, summary) as produced.")
@click.option("--show-data", is_flag=True, help="Show the first bytes of each WSABUF (escaped text or hex).")
@click.option("--explain", is_flag=True, help="Add the deciding rule ids and a one-line reason to every call.")
@click.option("--max-calls", type=click.IntRange(0), default=None,
              help="Show at most N calls per receiver; the summary still covers all of them.")
@export_options
@click.option("--timeline", type=click.Path(dir_okay=False), default=None,
              help="Also draw the receivers' segments and calls on a time axis, as an SVG file "
                   "(--export-html holds the same picture, zoomable).")
@click.option("--width", type=click.IntRange(60, 400), default=None, help="Table width (default: the terminal's).")
@click.option("--progress/--no-progress", default=None,
              help="Progress bar on stderr (default: on a terminal when reading takes over a second, never "
                   "with --ndjson).")
@quiet_option
@time_format_option
@color_option
@click.option("--findings/--no-findings", default=True, show_default=True,
              help="Show findings (docs/FINDINGS.md) under the calls, in the summary and as `finding` records. "
                   "--no-findings makes --ndjson about 15% faster; --fail-on / --strict need findings.")
@fail_on_options
def replay_command(capture, read_file, flows, as_json, ndjson, show_data, explain, max_calls, export_svg,
                   export_html, timeline, width, progress, quiet, time_format, color, findings, fail_on, strict,
                   **options) -> None:
    """Replay a capture's flows through the WSARecv model, call by call.

    Each selected flow gets one model socket per receiving endpoint; the schedule decides when
    the application calls WSARecv relative to the arrivals in the capture, and the table shows
    what every call returned: which WSABUF got which bytes, MSG_PARTIAL, WSAEMSGSIZE and the bytes
    lost, graceful close, WSAECONNRESET, overlapped completions. Findings (the receive bugs
    `wsarecv check` reports, docs/FINDINGS.md) show under the call and in the summary.

    \b
    Examples:
      wsarecv replay samples/http_small_segments.pcap
      wsarecv replay samples/framed_messages.pcap --buffers 64 --framing len:u16be
      wsarecv replay samples/udp_big_datagrams.pcap --buffers 1024,1024 --explain
      wsarecv replay cap.pcapng --flow tcp:3 --receiver client --mode iocp --outstanding 2
      wsarecv replay cap.pcap --schedule drain --ndjson | jq 'select(.type=="summary")'
      wsarecv replay samples/tcp_rst.pcap --buffers 3,4 --timeline timeline.svg
    """
    if as_json and ndjson:
        raise click.UsageError("choose one of --json and --ndjson")
    check_export_combination(export_svg, export_html, as_json or ndjson)
    codes = failing_codes(fail_on, strict)
    if codes and not findings:
        raise click.UsageError("--fail-on / --strict need the findings: drop --no-findings")
    path = resolve_capture(capture, read_file)
    config = config_from_options(options, parse_flow_selectors(flows))
    output = OutputOptions(
        json=as_json, ndjson=ndjson, show_data=show_data, explain=explain, max_calls=max_calls,
        export_svg=export_svg, export_html=export_html, width=width, color=color, progress=False if quiet else progress,
        findings=findings, timeline=timeline, time_format=time_format)
    try:
        found = run_replay(path, config, output)
    except NoReceiverError as exc:  # a usage error: the message lists the receivers there are
        raise UsageFailure(str(exc)) from None
    exit_on_findings(found.counts, codes)
