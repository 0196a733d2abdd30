"""`wsarecv follow`: the rebuilt streams of the selected flows, like Wireshark's Follow Stream."""

from __future__ import annotations

import sys

import click

from wsarecv_cli.cli.common import (
    CONTEXT_SETTINGS,
    EXIT_FINDINGS,
    capture_argument,
    color_option,
    limit_options,
    limits_from_options,
    flow_option,
    make_console,
    parse_flow_selectors,
    resolve_capture,
    strict_option,
    warn,
)
from wsarecv_cli.cli.flows import (
    FlowFacts,
    open_packets,
    output_width,
    selected,
    width_option,
)
from wsarecv_cli.cli.main import cli
from wsarecv_cli.net import Endpoint, FlowId, selects
from wsarecv_cli.reassembly import Datagram, FlowTracker, StreamData, StreamGap, UrgentData
from wsarecv_cli.render import flows as render_flows
from wsarecv_cli.render import follow as render_follow


def _raw_sender(choice: str, a: Endpoint, b: Endpoint, initiator: Endpoint | None) -> Endpoint | None:
    """--raw client|server|ADDR:PORT -> the sender whose bytes are written (None: not in this flow)."""
    client = initiator or a
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
@width_option
@limit_options
@color_option
@strict_option
def follow_command(capture: str | None, read_file: str | None, flows: tuple[str, ...], hex_mode: bool,
                   raw: str | None, as_json: bool, width: int | None, color: str, strict: bool, **limits) -> None:
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
    retired: list[FlowId] = []  # flows finished since the last packet (--json writes them once handled)
    facts = FlowFacts(selectors)
    document: render_follow.FollowDocument | None = None
    chosen: dict[FlowId, bool] = {}
    digests: dict[FlowId, dict[Endpoint, render_follow.DirectionDigest]] = {}

    def digest_sink(flow_id: FlowId, sender: Endpoint, receiver: Endpoint):
        """--json: a selected direction's events go straight into its digest (none otherwise)."""
        if not selects(selectors, flow_id, sender, receiver):
            return None
        digest = render_follow.DirectionDigest(sender, receiver, origin[0])
        digests.setdefault(flow_id, {})[sender] = digest
        return digest.add

    # No summaries kept: each finished flow is looked at once (facts, --json) and forgotten.
    tracker = FlowTracker(reassembly_limits, summaries=False, on_retire=retired.append,
                          sinks=digest_sink if as_json else None)
    raw_senders: dict[FlowId, Endpoint | None] = {}
    console = None if (as_json or raw) else make_console(color, output_width(width))
    out = sys.stdout.buffer
    origin: list[int] = []
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
                    raw_senders[fe.flow] = _raw_sender(raw, *tracker.endpoints(fe.flow))
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
                for line in render_follow.event_lines(fe, a, origin[0], hex_mode):
                    console.print(line)

    def write_retired() -> None:
        """Each finished flow is noted, written at once with --json, and its digests freed."""
        nonlocal findings
        for flow_id in retired:
            info = tracker.info(flow_id)
            facts.add(info)
            per_flow = digests.pop(flow_id, {})
            if document is not None and selected(selectors, info):
                findings = findings or any(d.gaps for d in per_flow.values())
                document.flow(render_follow.flow_entry(info, per_flow))
        retired.clear()

    with open_packets(path, capture_limits) as stream:
        if as_json:
            document = render_follow.FollowDocument(sys.stdout, render_flows.capture_dict(path, stream.info))
        for packet in stream:
            if not origin:
                origin.append(packet.ts_ns)
            handle(tracker.feed(packet))
            if retired:
                write_retired()
        handle(tracker.finish())
        if retired:
            write_retired()
        facts.check_selectors()
        warnings = list(stream.warnings) + facts.limit_lines(tracker)
        warn(warnings)
        if document is not None:
            document.close(warnings)
        elif raw is not None:
            out.flush()
    if strict and (findings or warnings or facts.findings):
        raise click.exceptions.Exit(EXIT_FINDINGS)
