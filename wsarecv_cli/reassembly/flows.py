"""Packets in, per-flow events out: flow numbering as Wireshark's tcp.stream / udp.stream.

Numbering (Wireshark 4.0 rules, checked against the corpus references):
  * a flow is a 5-tuple, either direction; indexes count up per transport in order of the first
    packet;
  * TCP only: a SYN without ACK whose sequence number differs from the base Wireshark recorded for
    that sender (the SYN's seq, or first seq - 1 for a flow picked up mid-stream) opens a new
    index on the same 5-tuple (port reuse). The old flow is finished at once and its state freed;
  * endpoint `a` is the sender of the flow's first packet (tshark's node0); the initiator is the
    sender of a SYN (or the receiver of a SYN-ACK) when one was seen.

`feed` returns the events the packet released; `finish` flushes the end of the capture. With
`events=False` only counters are kept (no event objects), for `wsarecv flows` on big captures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from wsarecv_cli.net import Endpoint, FlowId, Packet, Transport
from wsarecv_cli.reassembly.events import FlowEvent, StreamEvent
from wsarecv_cli.reassembly.stats import DirectionStats, ReassemblyLimits
from wsarecv_cli.reassembly.tcp import ACK, RST, SYN, TcpDirection
from wsarecv_cli.reassembly.udp import UdpDirection

TCP = Transport.TCP
Closure = Literal["open", "half-closed", "closed", "reset"]


@dataclass(frozen=True, slots=True)
class FlowInfo:
    """A snapshot of one flow: who, when, how much, and what went wrong (per direction)."""

    id: FlowId
    a: Endpoint  # sender of the first packet (tshark's node0)
    b: Endpoint
    initiator: Endpoint | None  # SYN sender when known
    first_ts: int
    last_ts: int
    a_to_b: DirectionStats
    b_to_a: DirectionStats
    closure: Closure

    @property
    def transport(self) -> Transport:
        return self.id.transport

    def direction(self, sender: Endpoint) -> DirectionStats:
        return self.a_to_b if sender == self.a else self.b_to_a

    @property
    def has_findings(self) -> bool:
        """Gaps, truncation or limits hit in either direction (what --strict reports)."""
        return any(d.gaps or d.truncated or d.limit_hits for d in (self.a_to_b, self.b_to_a))


class _Flow:
    """Live state of one flow; directions[0] carries a's data to b."""

    __slots__ = ("id", "ends", "initiator", "first_ts", "last_ts", "dirs", "stats", "done")

    def __init__(self, fid: FlowId, a: Endpoint, b: Endpoint, ts: int) -> None:
        self.id = fid
        self.ends = (a, b)
        self.initiator: int | None = None
        self.first_ts = ts
        self.last_ts = ts
        self.stats = (DirectionStats(), DirectionStats())
        self.dirs: tuple = ()
        self.done = False

    def info(self) -> FlowInfo:
        a, b = self.ends
        return FlowInfo(
            self.id, a, b,
            None if self.initiator is None else self.ends[self.initiator],
            self.first_ts, self.last_ts, self.stats[0].copy(), self.stats[1].copy(),
            self.closure(),
        )

    def closure(self) -> Closure:
        if self.id.transport is not TCP:
            return "open"
        d0, d1 = self.dirs
        if d0.reset or d1.reset:
            return "reset"
        fins = d0.fin_done + d1.fin_done
        return "closed" if fins == 2 else "half-closed" if fins else "open"


class FlowTracker:
    """Routes packets to per-flow, per-direction reassemblers; see the module docstring."""

    def __init__(self, limits: ReassemblyLimits | None = None, *, events: bool = True) -> None:
        self.limits = limits or ReassemblyLimits()
        self._want_events = events
        self._table: dict[tuple, tuple[_Flow, int]] = {}
        self._flows: list[_Flow] = []
        self._by_id: dict[FlowId, _Flow] = {}
        self._count = {Transport.TCP: 0, Transport.UDP: 0}
        self._events: list[FlowEvent] = []
        self._last_ts = 0

    # ----------------------------------------------------------------- input

    def feed(self, p: Packet) -> list[FlowEvent]:
        """Account one packet; return the events it released (a list owned by the caller)."""
        key = (p.transport, p.src_addr, p.src_port, p.dst_addr, p.dst_port)
        entry = self._table.get(key)
        if entry is None:
            flow, d = self._new_flow(p, key), 0
        else:
            flow, d = entry
            if p.transport is TCP and p.flags & (SYN | ACK) == SYN:
                ws_base = flow.dirs[d].ws_base
                if ws_base is not None and ws_base != p.seq:
                    self._retire(flow, p.ts_ns)
                    flow, d = self._new_flow(p, key), 0
        ts = p.ts_ns
        flow.last_ts = ts
        self._last_ts = ts
        st = flow.stats[d]
        st.packets += 1
        frames = p.frames or (p.frame,)
        if len(frames) > 1:
            st.fragments += 1
        if p.transport is TCP:
            flags = p.flags
            snd, rcv = flow.dirs[d], flow.dirs[1 - d]
            if flags & SYN and flow.initiator is None:
                flow.initiator = d if not flags & ACK else 1 - d
            if flags & ACK:
                rcv.ack(p.ack, ts, frames)
            if flags & (ACK | RST) == ACK:  # a RST's window field advertises nothing
                snd.window = p.window
            snd.segment(p.seq, flags, p.payload, p.missing, p.urg, ts, frames, rcv.window == 0)
        else:
            flow.dirs[d].datagram(p.payload, p.missing, ts, frames)
        events = self._events
        if events:
            self._events = []
        return events

    def finish(self) -> list[FlowEvent]:
        """End of capture: flush every flow (pending holes become gaps, held data is released)."""
        for flow in self._flows:
            self._retire(flow, self._last_ts)
        events, self._events = self._events, []
        return events

    # ---------------------------------------------------------------- output

    @property
    def flows(self) -> list[FlowInfo]:
        """Snapshots of every flow so far, in index order (TCP first, then UDP)."""
        infos = [f.info() for f in self._flows]
        infos.sort(key=lambda i: (i.id.transport != TCP, i.id.index))
        return infos

    def flow_count(self) -> int:
        return len(self._flows)

    def endpoints(self, flow_id: FlowId) -> tuple[Endpoint, Endpoint, Endpoint | None]:
        """(a, b, initiator) of a flow, cheaply, while events are being routed."""
        flow = self._by_id[flow_id]
        return flow.ends[0], flow.ends[1], None if flow.initiator is None else flow.ends[flow.initiator]

    def lookup(self, transport: Transport, src_addr: bytes, src_port: int, dst_addr: bytes,
               dst_port: int) -> FlowId | None:
        """The live flow of a 5-tuple (either direction), e.g. for an ICMP error quoting it."""
        entry = self._table.get((transport, src_addr, src_port, dst_addr, dst_port))
        return None if entry is None else entry[0].id

    def info(self, flow_id: FlowId) -> FlowInfo:
        return self._by_id[flow_id].info()

    # --------------------------------------------------------------- private

    def _new_flow(self, p: Packet, key: tuple) -> _Flow:
        transport = p.transport
        index = self._count[transport]
        self._count[transport] = index + 1
        a = Endpoint(p.src_addr, p.src_port)
        b = Endpoint(p.dst_addr, p.dst_port)
        flow = _Flow(FlowId(transport, index), a, b, p.ts_ns)
        emits = (self._emitter(flow, a, b), self._emitter(flow, b, a))
        if transport is TCP:
            flow.dirs = tuple(TcpDirection(flow.stats[i], self.limits, emits[i]) for i in (0, 1))
        else:
            flow.dirs = (UdpDirection(flow.stats[0], a, emits[0]), UdpDirection(flow.stats[1], b, emits[1]))
        self._flows.append(flow)
        self._by_id[flow.id] = flow
        self._table[key] = (flow, 0)
        self._table[(transport, p.dst_addr, p.dst_port, p.src_addr, p.src_port)] = (flow, 1)
        return flow

    def _emitter(self, flow: _Flow, sender: Endpoint, receiver: Endpoint):
        if not self._want_events:
            return None

        def emit(event: StreamEvent, _fid: FlowId = flow.id) -> None:
            self._events.append(FlowEvent(_fid, sender, receiver, event))

        return emit

    def _retire(self, flow: _Flow, ts: int) -> None:
        if flow.done or flow.id.transport is not TCP:
            flow.done = True
            return
        flow.done = True
        for d in flow.dirs:
            d.finish(ts, ())
