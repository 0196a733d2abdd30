"""`wsarecv flows`: every TCP/UDP conversation of a capture, numbered like Wireshark's streams."""

from __future__ import annotations

import sys
from collections.abc import Iterable

import click

from wsarecv_cli.capture import CaptureLimits, read_packets
from wsarecv_cli.cli.common import (
    CONTEXT_SETTINGS,
    EXIT_FINDINGS,
    InputError,
    capture_argument,
    limit_options,
    limits_from_options,
    color_option,
    warn,
    flow_option,
    make_console,
    parse_flow_selectors,
    resolve_capture,
    strict_option,
)
from wsarecv_cli.cli.main import cli
from wsarecv_cli.errors import WsarecvError
from wsarecv_cli.net import FlowSelector, selects
from wsarecv_cli.reassembly import FlowInfo, FlowTracker
from wsarecv_cli.render import flows as render_flows
from wsarecv_cli.replay.session import limit_warnings


def open_packets(path: str, limits: CaptureLimits = CaptureLimits()):  # noqa: B008 - frozen
    """read_packets, with unreadable captures turned into one line on stderr and exit 1."""
    try:
        return read_packets(path, limits)
    except WsarecvError as exc:
        raise InputError(str(exc)) from exc


def check_selectors(selectors: tuple[FlowSelector, ...], flows: Iterable[FlowInfo]) -> None:
    """Every --flow must match a flow of the capture; otherwise exit 1 and say what exists."""
    flows = list(flows)
    for sel in selectors:
        if not any(sel.matches(f.id, f.a, f.b) for f in flows):
            known = ", ".join(str(f.id) for f in flows[:8]) + (", ..." if len(flows) > 8 else "")
            raise InputError(f"--flow {sel} matches no flow in the capture (flows: {known or 'none'})")


def selected(selectors: tuple[FlowSelector, ...], flow: FlowInfo) -> bool:
    return selects(selectors, flow.id, flow.a, flow.b)


def width_option(func):
    return click.option("--width", type=click.IntRange(60, 400), default=None,
                        help="Output width (default: the terminal's; 160 when not a terminal).")(func)


def output_width(width: int | None) -> int | None:
    """Tables are wide: when stdout is not a terminal use 160 columns instead of rich's 80."""
    if width is None and not sys.stdout.isatty():
        return 160
    return width


def limit_lines(tracker: FlowTracker, flows: list[FlowInfo]) -> list[str]:
    """Warnings for the reassembly limits the capture hit (the fragment limit warns from read_packets)."""
    hits = sum(d.limit_hits for f in flows for d in (f.a_to_b, f.b_to_a))
    nbytes = sum(d.limit_bytes for f in flows for d in (f.a_to_b, f.b_to_a))
    return limit_warnings(tracker.limits, tracker.evicted_flows, hits, nbytes)


@cli.command("flows", context_settings=CONTEXT_SETTINGS)
@capture_argument
@flow_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (flows, capture info, stats, warnings).")
@width_option
@limit_options
@color_option
@strict_option
def flows_command(capture: str | None, read_file: str | None, flows: tuple[str, ...], as_json: bool,
                  width: int | None, color: str, strict: bool, **limits) -> None:
    """List the TCP and UDP flows of CAPTURE with volumes and anomalies.

    Flows are numbered like Wireshark's tcp.stream / udp.stream (tcp:N, udp:N, in order of first
    packet). A is the side seen first; * marks the initiator (SYN sender). Anomalies count
    retransmissions, out-of-order segments, gaps (bytes missing from the capture), snaplen
    truncation, keep-alives, zero-window probes, IP reassembly and memory limits hit.

    \b
    Examples:
      wsarecv flows capture.pcapng
      wsarecv flows -r capture.pcap --flow tcp:3 --flow 10.0.0.1:51000-10.0.0.2:80
      wsarecv flows capture.pcap --json | jq '.flows[] | select(.a_to_b.anomalies.gaps > 0) | .id'
      tcpdump -U -w - port 80 | wsarecv flows -
    """
    path = resolve_capture(capture, read_file)
    selectors = parse_flow_selectors(flows)
    capture_limits, reassembly_limits = limits_from_options(limits)
    tracker = FlowTracker(reassembly_limits, events=False)
    with open_packets(path, capture_limits) as stream:
        first_ts = None
        for packet in stream:
            if first_ts is None:
                first_ts = packet.ts_ns
            tracker.feed(packet)
        tracker.finish()
        all_flows = tracker.flows
        check_selectors(selectors, all_flows)
        shown = [f for f in all_flows if selected(selectors, f)]
        warnings = list(stream.warnings) + limit_lines(tracker, all_flows)
        warn(warnings)
        if as_json:
            render_flows.write_flows_document(sys.stdout, path, stream.info, stream.stats,
                                              warnings, shown)
        else:
            console = make_console(color, output_width(width))
            table = render_flows.flows_table(shown, first_ts or 0)
            pieces = table.pieces(console.width) if isinstance(table, render_flows.PlainFlowTable) else [table]
            for piece in pieces:
                console.print(piece)
            console.print(render_flows.summary_line(stream.stats.frames, stream.stats.tcp + stream.stats.udp,
                                                    all_flows, stream.stats.skip_lines()))
    if strict and (warnings or any(f.has_findings for f in shown)):
        raise click.exceptions.Exit(EXIT_FINDINGS)
