"""`wsarecv flows`: every TCP/UDP conversation of a capture, numbered like Wireshark's streams."""

from __future__ import annotations

import sys
from bisect import insort
from collections.abc import Callable, Iterator
from typing import Any

import click

from wsarecv_cli.capture import CaptureLimits, lean_batches, read_packets
from wsarecv_cli.cli.common import (
    CONTEXT_SETTINGS,
    EXIT_FINDINGS,
    InputError,
    capture_argument,
    color_option,
    flow_option,
    limit_options,
    limits_from_options,
    make_console,
    parse_flow_selectors,
    quiet_option,
    resolve_capture,
    strict_option,
    time_format_option,
    warn,
)
from wsarecv_cli.cli.main import cli
from wsarecv_cli.cli.progress import CaptureProgress
from wsarecv_cli.cli.progress import wanted as progress_wanted
from wsarecv_cli.errors import WsarecvError
from wsarecv_cli.net import Endpoint, FlowId, FlowSelector, Packet, Transport, selects
from wsarecv_cli.parallel.flows import FlowsRun, flows_parallel
from wsarecv_cli.reassembly import FlowInfo, FlowTracker, ReassemblyLimits
from wsarecv_cli.reassembly.stats import RealityTotals, limit_warnings
from wsarecv_cli.render import flows as render_flows
from wsarecv_cli.render.timefmt import TimeFormat
from wsarecv_cli.replay.reality import RealityWarning, reality_warnings


def open_packets(path: str, limits: CaptureLimits = CaptureLimits()):  # noqa: B008 - frozen
    """read_packets, with unreadable captures turned into one line on stderr and exit 1."""
    try:
        return read_packets(path, limits)
    except WsarecvError as exc:
        raise InputError(str(exc)) from exc


class FlowFacts:
    """What flows and follow say about all the flows at the end (unmatched --flow, limit
    warnings, --strict findings), gathered one FlowInfo at a time: follow adds each flow as it
    finishes and so keeps no per-flow summaries at all."""

    SHOWN_IDS = 8  # flow ids listed when a --flow matches nothing

    def __init__(self, selectors: tuple[FlowSelector, ...]) -> None:
        self.selectors = selectors
        self.unmatched = list(selectors)
        self.count = 0
        self.tcp = self.udp = 0
        self.selected = 0  # flows the --flow options select (all without any)
        self.first_ids: list[tuple[bool, int, FlowId]] = []  # the lowest ones, UDP after TCP
        self.limit_hits = self.limit_bytes = 0
        self.findings = False  # gaps, truncation or limits in a selected flow
        self.reality = RealityTotals()  # the capture-reality checks' counters
        self.decode_checksums: Any = None  # follow --jobs: the decoder's checksum counts (a worker's)

    def add(self, f: FlowInfo) -> None:
        self.reality.add_flow(f)
        both = (f.a_to_b, f.b_to_a)
        self.note(f.id, f.a, f.b, f.has_findings, sum(d.limit_hits for d in both), sum(d.limit_bytes for d in both))

    def note(self, fid: FlowId, a: Endpoint, b: Endpoint, has_findings: bool, limit_hits: int,
             limit_bytes: int) -> None:
        """`add`, from the parts (what follow's worker processes report)."""
        self.count += 1
        if fid.transport is Transport.TCP:
            self.tcp += 1
        else:
            self.udp += 1
        chosen = selects(self.selectors, fid, a, b)
        self.selected += chosen
        if self.unmatched:
            self.unmatched = [sel for sel in self.unmatched if not sel.matches(fid, a, b)]
        insort(self.first_ids, (fid.transport is not Transport.TCP, fid.index, fid))
        del self.first_ids[self.SHOWN_IDS + 1:]
        self.limit_hits += limit_hits
        self.limit_bytes += limit_bytes
        if not self.findings and chosen and has_findings:
            self.findings = True

    def check_selectors(self) -> None:
        """Every --flow must match a flow of the capture; otherwise exit 1 and say what exists."""
        for sel in self.unmatched:
            ids = [str(fid) for _, _, fid in self.first_ids[:self.SHOWN_IDS]]
            known = ", ".join(ids) + (", ..." if self.count > self.SHOWN_IDS else "")
            raise InputError(f"{sel.option} matches no flow in the capture (flows: {known or 'none'})")

    def limit_lines(self, limits: ReassemblyLimits, evicted_flows: int) -> list[str]:
        """Warnings for the reassembly limits the capture hit (the fragment limit warns from read_packets)."""
        return limit_warnings(limits, evicted_flows, self.limit_hits, self.limit_bytes)

    def reality_checks(self, decode_stats: Any, limits: ReassemblyLimits) -> list[RealityWarning]:
        return reality_warnings(self.reality, decode_stats, limits)


def selected(selectors: tuple[FlowSelector, ...], flow: FlowInfo) -> bool:
    return selects(selectors, flow.id, flow.a, flow.b)


def width_option(func):
    return click.option("--width", type=click.IntRange(60, 400), default=None,
                        help="Output width (default: the terminal's; 160 when not a terminal).")(func)


def lean_packet_batches(stream: Any, feed: Callable[[tuple], Any], quiet: bool) -> Iterator[list[Packet]]:
    """capture.lean.lean_batches (most packets go straight to `feed`, the rest are handed out),
    with the progress bar when one is wanted."""
    batches = lean_batches(stream, feed)
    if progress_wanted(quiet):
        return CaptureProgress(stream, "reading", frames=lambda: stream.stats.frames).wrap(batches)
    return batches


def _flows_here(stream: Any, limits: ReassemblyLimits, quiet: bool = False) -> FlowsRun:
    """The flow table built in this process."""
    tracker = FlowTracker(limits, events=False, retire_idle_udp=True)
    feed = tracker.feed
    for batch in lean_packet_batches(stream, tracker.feed, quiet):
        for packet in batch:
            feed(packet)
    tracker.finish_all()
    return FlowsRun(tracker.iter_flows, stream.info, stream.stats, list(stream.warnings), stream.first_ts_ns or 0, limits,
                    tracker.evicted_flows)


def _print_flows(run: FlowsRun, path: str, selectors: tuple[FlowSelector, ...], as_json: bool, color: str,
                 width: int | None, time_format: TimeFormat = TimeFormat.RELATIVE) -> tuple[FlowFacts, list[str]]:
    """The facts pass, then the JSON document or the table (two passes over the flows)."""
    facts = FlowFacts(selectors)
    for flow in run.flows():
        facts.add(flow)
    facts.check_selectors()

    def shown() -> Iterator[FlowInfo]:
        return (f for f in run.flows() if selected(selectors, f))

    reality = facts.reality_checks(run.stats, run.limits)
    warnings = run.warnings + facts.limit_lines(run.limits, run.evicted_flows)
    warn(warnings + [w.text for w in reality])  # reality checks inform; --strict counts the flows' findings
    if as_json:
        render_flows.write_flows_document(sys.stdout, path, run.info, run.stats, warnings, shown(),
                                          [w.record() for w in reality])
    else:
        console = make_console(color, width)
        if facts.selected > render_flows.PLAIN_TABLE_ROWS:
            for piece in render_flows.plain_table_pieces(shown, run.first_ts, console.width, time_format):
                console.print(piece)
        else:
            chosen = list(shown())
            fits = console.is_terminal or width is not None  # render/fit.py: only a terminal shrinks tables
            table = render_flows.flows_table(chosen, run.first_ts, time_format, console.width if fits else None)
            wide = console.width if fits else max(console.width, render_flows.natural_width(chosen, run.first_ts,
                                                                                            time_format))
            console.print(table, crop=False, width=wide)
        console.print(render_flows.summary_line(run.stats.frames, run.stats.tcp + run.stats.udp,
                                                facts.tcp, facts.udp, run.stats.skip_lines(),
                                                getattr(run.stats, "untimed", 0)))
    return facts, warnings


@cli.command("flows", context_settings=CONTEXT_SETTINGS)
@capture_argument
@flow_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document (flows, capture info, stats, warnings).")
@click.option("--jobs", "-j", type=click.IntRange(1, 32), default=1, show_default=True,
              help="Worker processes, each reassembling a share of the flows (the capture is read and decoded "
                   "by each, so more than the CPU cores only costs memory). Needs a file, not stdin. Default 1: "
                   "2 pays only while a second core stays free for the whole run (bench/RESULTS.md, --jobs).")
@width_option
@limit_options
@time_format_option
@quiet_option
@color_option
@strict_option
def flows_command(capture: str | None, read_file: str | None, flows: tuple[str, ...], as_json: bool, jobs: int,
                  width: int | None, time_format: TimeFormat, quiet: bool, color: str, strict: bool,
                  **limits) -> None:
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
    with open_packets(path, capture_limits) as stream:  # also: a capture that cannot be read fails here
        result = None
        if jobs > 1 and path != "-":  # stdin can be read once only
            with flows_parallel(path, jobs, capture_limits, reassembly_limits) as run:
                if run is not None:  # None: flows were evicted, which only one process does right
                    result = _print_flows(run, path, selectors, as_json, color, width, time_format)
        if result is None:
            result = _print_flows(_flows_here(stream, reassembly_limits, quiet), path, selectors, as_json,
                                  color, width, time_format)
        facts, warnings = result
    if strict and (warnings or facts.findings):
        raise click.exceptions.Exit(EXIT_FINDINGS)
