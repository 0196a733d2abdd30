"""`wsarecv follow`: the rebuilt streams of the selected flows, like Wireshark's Follow Stream."""

from __future__ import annotations

import sys
from typing import Any

import click

from wsarecv_cli.capture import CaptureLimits
from wsarecv_cli.cli.common import (
    CONTEXT_SETTINGS,
    EXIT_FINDINGS,
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
from wsarecv_cli.cli.flows import (
    FlowFacts,
    lean_packet_batches,
    open_packets,
    selected,
    width_option,
)
from wsarecv_cli.cli.follow_json import follow_json_parallel
from wsarecv_cli.cli.main import cli
from wsarecv_cli.cli.progress import CaptureProgress
from wsarecv_cli.cli.progress import wanted as progress_wanted
from wsarecv_cli.net import Endpoint, FlowId, FlowSelector, selects
from wsarecv_cli.parallel.follow import Digests, JsonFollow
from wsarecv_cli.reassembly import (
    Datagram,
    FlowInfo,
    FlowTracker,
    ReassemblyLimits,
    StreamData,
    StreamGap,
    UrgentData,
)
from wsarecv_cli.render import flows as render_flows
from wsarecv_cli.render import follow as render_follow
from wsarecv_cli.render.timefmt import Clock, TimeFormat


def _raw_sender(choice: str, a: Endpoint, b: Endpoint, client: Endpoint) -> Endpoint | None:
    """--raw client|server|ADDR:PORT -> the sender whose bytes are written (None: not in this flow).
    `client`: FlowTracker.client's, inferred from the ports without a SYN, as for replay's --receiver."""
    if choice == "client":
        return client
    if choice == "server":
        return b if client == a else a
    sender = Endpoint.parse(choice)
    return sender if sender in (a, b) else None


@cli.command("follow", context_settings=CONTEXT_SETTINGS)
@capture_argument
@flow_option
@click.option("--hex", "hex_mode", is_flag=True, help="Show the bytes as a hexdump.")
@click.option("--raw", "raw", metavar="DIR",
              help="Write one direction's bytes to stdout, nothing else: client, server or the sender's "
                   "ADDR:PORT. Needs exactly one --flow. Gaps are skipped (reported on stderr).")
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON document: per flow and direction bytes, sha256, gaps and segments.")
@click.option("--jobs", "-j", type=click.IntRange(1, 32), default=1, show_default=True,
              help="With --json: worker processes, each reassembling a share of the flows (the capture is "
                   "read and decoded by each, so more than the CPU cores only costs memory). Needs a file, "
                   "not stdin; flows come worker by worker. Default 1: 2 pays only while a second core stays free "
                   "for the whole run (bench/RESULTS.md, --jobs).")
@width_option
@limit_options
@time_format_option
@quiet_option
@color_option
@strict_option
def follow_command(capture: str | None, read_file: str | None, flows: tuple[str, ...], hex_mode: bool,
                   raw: str | None, as_json: bool, jobs: int, width: int | None, time_format: TimeFormat, quiet: bool,
                   color: str, strict: bool, **limits) -> None:
    """Show the rebuilt streams of CAPTURE, both directions interleaved in time.

    Every selected flow (default: all) is shown as its receivers got it: retransmissions removed,
    out-of-order segments put in place, the urgent byte shown apart, and every hole marked
    ("[14 bytes missing in capture]"). A→B is red, B→A blue, as in Wireshark.

    \b
    Examples:
      wsarecv follow capture.pcap --flow tcp:0
      wsarecv follow capture.pcap --flow tcp:0 --hex
      wsarecv follow capture.pcap --flow tcp:0 --raw server > response.bin
      wsarecv follow capture.pcap --json | jq '.flows[].directions[] | [.sender, .bytes, .sha256]'
    """
    path = resolve_capture(capture, read_file)
    selectors = parse_flow_selectors(flows)
    if raw is not None:
        if len(selectors) != 1:
            raise click.UsageError("--raw needs exactly one --flow")
        if raw not in ("client", "server"):
            try:
                Endpoint.parse(raw)
            except ValueError as exc:
                raise click.BadParameter(f"{exc}; use client, server or ADDR:PORT", param_hint="--raw") from exc
        if as_json or hex_mode:
            raise click.UsageError("--raw writes bytes only; it cannot be combined with --json or --hex")
    capture_limits, reassembly_limits = limits_from_options(limits)
    if jobs > 1 and not as_json:
        raise click.UsageError("--jobs applies to --json only (the other outputs are in time order)")
    if as_json:
        findings, warnings, facts = _follow_json(path, selectors, jobs, capture_limits, reassembly_limits, quiet)
    else:
        findings, warnings, facts = _follow_events(path, selectors, raw, hex_mode, color, width, capture_limits,
                                                   reassembly_limits, time_format, quiet)
    if strict and (findings or warnings or facts.findings):
        raise click.exceptions.Exit(EXIT_FINDINGS)


def _packets(stream: Any, quiet: bool) -> Any:
    """The capture's packets, with the progress bar when one is wanted (cli/progress.py)."""
    return CaptureProgress(stream, "reading").packets(stream) if progress_wanted(quiet) else stream


def _follow_json(path: str, selectors: tuple[FlowSelector, ...], jobs: int, capture_limits: CaptureLimits,
                 limits: ReassemblyLimits, quiet: bool = False) -> tuple[bool, list[str], FlowFacts]:
    """--json: digests only, each flow written as it finishes (sharded over processes with --jobs)."""
    with open_packets(path, capture_limits) as stream:
        capture = render_flows.capture_dict(path, stream.info)
        if jobs > 1 and path != "-":  # stdin can be read once only
            parallel = follow_json_parallel(path, jobs, capture_limits, limits, selectors, sys.stdout, capture)
            if parallel is not None:
                facts, warnings, findings = parallel
                warn(warnings + [w.text for w in facts.reality_checks(facts.decode_checksums, limits)])
                return findings, warnings, facts
            # flows were evicted: shards cannot match one process (cli/shards.py); this one reads on
        document = render_follow.FollowDocument(sys.stdout, capture)
        facts = FlowFacts(selectors)
        findings = False

        def on_flow(info: FlowInfo, digests: Digests) -> None:
            nonlocal findings
            facts.add(info)
            if selected(selectors, info):
                findings = findings or any(d.gaps for d in digests.values())
                document.flow_digests(info, digests)

        follower = JsonFollow(limits, on_flow, select=lambda fid, sender, receiver: selects(selectors, fid, sender,
                                                                                               receiver))
        try:
            follower.run_lean(stream, lambda feed: lean_packet_batches(stream, feed, quiet))
        finally:
            follower.close()
        facts.check_selectors()
        warnings = list(stream.warnings) + facts.limit_lines(limits, follower.tracker.evicted_flows)
        warn(warnings + [w.text for w in facts.reality_checks(stream.stats, limits)])
        document.close(warnings)
    return findings, warnings, facts


def _follow_events(path: str, selectors: tuple[FlowSelector, ...], raw: str | None, hex_mode: bool, color: str,
                   width: int | None, capture_limits: CaptureLimits, reassembly_limits: ReassemblyLimits,
                   time_format: TimeFormat = TimeFormat.RELATIVE,
                   quiet: bool = False) -> tuple[bool, list[str], FlowFacts]:
    """Pretty (event by event, both directions in time order) or --raw (one direction's bytes)."""
    retired: list[FlowId] = []  # flows finished since the last packet
    facts = FlowFacts(selectors)
    chosen: dict[FlowId, bool] = {}
    # No summaries kept: each finished flow is noted once and forgotten.
    tracker = FlowTracker(reassembly_limits, summaries=False, on_retire=retired.append, park_idle_udp=True)
    raw_senders: dict[FlowId, Endpoint | None] = {}
    console = None if raw else make_console(color, width)
    out = sys.stdout.buffer
    clocks: list[Clock] = []  # set once the capture is open: times from its first frame
    findings = False

    def handle(events) -> None:
        nonlocal findings
        for fe in events:
            keep = chosen.get(fe.flow)
            if keep is None:
                keep = chosen[fe.flow] = selects(selectors, fe.flow, fe.sender, fe.receiver)
            if not keep:
                continue
            e = fe.event
            if isinstance(e, StreamGap):
                findings = True
            if raw is not None:
                if fe.flow not in raw_senders:
                    a, b, _ = tracker.endpoints(fe.flow)
                    raw_senders[fe.flow] = _raw_sender(raw, a, b, tracker.client(fe.flow)[0])
                if fe.sender != raw_senders[fe.flow]:
                    continue
                if isinstance(e, (StreamData, Datagram)):
                    out.write(e.data)
                elif isinstance(e, UrgentData):
                    out.write(bytes([e.byte]))
                elif isinstance(e, StreamGap):
                    warn([f"{fe.flow}: {e.length} bytes {e.reason.value} at offset {e.offset} (skipped)"])
            else:
                a = tracker.endpoints(fe.flow)[0]
                for line in render_follow.event_lines(fe, a, clocks[0], hex_mode):
                    console.print(line)

    def note_retired() -> None:
        for flow_id in retired:
            facts.add(tracker.info(flow_id))
        retired.clear()

    with open_packets(path, capture_limits) as stream:
        clocks.append(Clock(time_format, stream.first_ts_ns or 0))  # from the first frame, as in Wireshark
        for packet in _packets(stream, quiet):
            handle(tracker.feed(packet))
            if retired:
                note_retired()
        for events in tracker.finish_batches():
            handle(events)
            note_retired()  # while the batch's flows are known
        note_retired()  # those finished after the last batch
        facts.check_selectors()
        warnings = list(stream.warnings) + facts.limit_lines(reassembly_limits, tracker.evicted_flows)
        warn(warnings + [w.text for w in facts.reality_checks(stream.stats, reassembly_limits)])
        if raw is not None:
            out.flush()
    return findings, warnings, facts
