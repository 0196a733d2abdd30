"""A capture -> the script of the one flow to play (the same FlowTracker events `follow` shows)."""

from __future__ import annotations

from dataclasses import dataclass

from wsarecv_cli.capture import CaptureLimits, read_packets
from wsarecv_cli.errors import SelectionError
from wsarecv_cli.net import FlowId, FlowSelector
from wsarecv_cli.play.script import PlayScript, Role, build_script, client_of
from wsarecv_cli.reassembly import FlowEvent, FlowTracker, ReassemblyLimits


@dataclass(frozen=True, slots=True)
class LoadedFlow:
    script: PlayScript
    warnings: tuple[str, ...]  # the capture reader's (damaged frames, fragments dropped, ...)


def load_script(path: str, selector: FlowSelector, role: Role,
                capture_limits: CaptureLimits = CaptureLimits(),  # noqa: B008 - frozen
                limits: ReassemblyLimits | None = None) -> LoadedFlow:
    """Read the capture, keep the events of the first flow `selector` matches, script `role`'s side.

    Raises CaptureError when the capture cannot be read, SelectionError when no flow matches."""
    retired: list[FlowId] = []
    tracker = FlowTracker(limits, summaries=False, on_retire=retired.append, park_idle_udp=True)
    chosen: FlowId | None = None
    ends = None
    origin_ns = 0
    events: list[FlowEvent] = []
    with read_packets(path, capture_limits) as stream:
        for packet in stream:
            batch = tracker.feed(packet)
            if chosen is None:
                fid = tracker.lookup(packet.transport, packet.src_addr, packet.src_port, packet.dst_addr,
                                     packet.dst_port)
                if fid is not None and selector.matches(fid, *tracker.endpoints(fid)[:2]):
                    chosen, origin_ns = fid, packet.ts_ns
            if chosen is not None:
                ends = tracker.endpoints(chosen)  # the initiator may be learned from a later SYN-ACK
                events.extend(fe for fe in batch if fe.flow == chosen)
                if chosen in retired:
                    break  # finished for good: the rest of the capture cannot add to it
            retired.clear()
        else:
            for batch in tracker.finish_batches():
                events.extend(fe for fe in batch if fe.flow == chosen)
        warnings = tuple(stream.warnings)
    if chosen is None or ends is None:
        raise SelectionError(f"no flow in the capture matches --flow {selector}")
    a, b, initiator = ends
    client = client_of(a, b, initiator)
    server = b if client == a else a
    return LoadedFlow(build_script(chosen, client, server, role, origin_ns, events), warnings)

