"""Stream reconstruction: Packets in, per-flow StreamEvents out (pure: no I/O, no clock).

Public API:

    FlowTracker(limits=None, *, events=True, retire_idle_udp=False)
        .feed(packet) -> list[FlowEvent]      events the packet released, in order
        .finish() -> list[FlowEvent]          end of capture: holes become gaps, held data is released
        .finish_batches() -> Iterator[list[FlowEvent]]   the same, in bounded batches (what commands use)
        .finish_all()                         the same for sink or count-only consumers
        .flows -> list[FlowInfo]              snapshots, TCP then UDP, in Wireshark stream order
    FlowInfo, DirectionStats, ReassemblyLimits, UrgentMode
    events: StreamData, StreamGap, GapReason, UrgentData, StreamFin, StreamReset, Datagram, FlowEvent
    lower level: TcpDirection, UdpDirection, RangeSet, seq helpers (reassembly.seq)
"""

from typing import TYPE_CHECKING

from wsarecv_cli.lazy import lazy_exports

_EXPORTS = {
    "Datagram": "events", "FlowEvent": "events", "GapEvidence": "events", "GapReason": "events",
    "StreamData": "events", "StreamEvent": "events", "StreamFin": "events", "StreamGap": "events",
    "StreamReset": "events", "UrgentData": "events", "FlowInfo": "flow", "FlowTracker": "flows",
    "RangeSet": "ranges", "DirectionStats": "stats", "ReassemblyLimits": "stats", "UrgentMode": "stats",
    "TcpDirection": "tcp", "UdpDirection": "udp",
}
__all__ = [
    "Datagram", "DirectionStats", "FlowEvent", "FlowInfo", "FlowTracker", "GapEvidence", "GapReason",
    "RangeSet", "ReassemblyLimits", "StreamData", "StreamEvent", "StreamFin", "StreamGap", "StreamReset",
    "TcpDirection", "UdpDirection", "UrgentData", "UrgentMode",
]
__getattr__ = lazy_exports(__name__, _EXPORTS)

if TYPE_CHECKING:
    from wsarecv_cli.reassembly.events import (
        Datagram,
        FlowEvent,
        GapEvidence,
        GapReason,
        StreamData,
        StreamEvent,
        StreamFin,
        StreamGap,
        StreamReset,
        UrgentData,
    )
    from wsarecv_cli.reassembly.flow import FlowInfo
    from wsarecv_cli.reassembly.flows import FlowTracker
    from wsarecv_cli.reassembly.ranges import RangeSet
    from wsarecv_cli.reassembly.stats import DirectionStats, ReassemblyLimits, UrgentMode
    from wsarecv_cli.reassembly.tcp import TcpDirection
    from wsarecv_cli.reassembly.udp import UdpDirection
