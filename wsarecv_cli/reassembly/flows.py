"""Packets in, per-flow events out: flow numbering as Wireshark's tcp.stream / udp.stream.

Numbering (Wireshark 4.0 rules, checked against the corpus references):
  * a flow is a 5-tuple, either direction; indexes count up per transport in order of the first
    packet;
  * TCP only: a SYN without ACK whose sequence number differs from the base Wireshark recorded for
    that sender (the SYN's seq, or first seq - 1 for a flow picked up mid-stream) opens a new
    index on the same 5-tuple (port reuse). The old flow is finished at once and its state freed;
  * endpoint `a` is the sender of the flow's first packet (tshark's node0); the initiator is the
    sender of a SYN (or the receiver of a SYN-ACK) when one was seen. The client is the initiator,
    or, without a SYN (mid-stream capture, UDP), the side roles.py infers from the ports.

`feed` returns the events the packet released; `finish` flushes the end of the capture. With
`events=False` only counters are kept (no event objects), for `wsarecv flows` on big captures.
With `sinks`, each direction's events go straight to the callable the factory gave for it when the
flow appeared (no FlowEvent, nothing returned by `feed`); `follow --json` digests them that way.

Bounded flow table: at most `limits.max_flows` flows are live, and their estimated memory
(`memory.live`: FLOW_COST a flow, the delivered-bytes windows, held data, and what the consumer
`charge`s, e.g. replay's receivers) stays under `limits.max_live_bytes`: a packet arriving over it,
or a new flow beyond max_flows, first evicts the 1/32 of live flows (at least one) idle longest
by last packet time, closed ones (FIN both ways / RST) before open ones — in one sweep, so the
cost per flow stays O(1) on average and the hot path pays one comparison. Eviction finishes each
flow like the end of the capture (holes become gaps, held data is released) and sets `evicted` in its DirectionStats; `evicted_flows` counts them. The evicted 5-tuple is
forgotten: a later packet starts a new index (Wireshark would keep the old one; remembering every
5-tuple is the unbounded table the limit exists to avoid). Finished flows keep only a FlowInfo
snapshot for `flows`, in bounded memory (summaries.py spills them to a temporary file beyond a few
thousand; `summaries=False` keeps none: replay and follow never list flows), and
`on_retire(flow_id)` tells a consumer that a flow is finished for good.

Idle UDP flows (`retire_idle_udp=True`, what `wsarecv flows` uses): UDP has no close, so without
this every UDP flow stays live to the end of the capture. A UDP flow that sent nothing for
`limits.udp_idle_ns` of capture time is retired (its snapshot goes to the summaries, its live state
is freed) and only its 5-tuple -> (index, orientation) is remembered: a later datagram of that
5-tuple continues the same `udp:N` with the same a/b (Wireshark numbers a UDP conversation once),
and `iter_flows` merges the snapshots of one index into one. The listing is therefore the same
whatever the idle time (tests/reassembly/test_udp_idle.py), except where fewer live flows means
fewer evictions at `max_flows`. The remembered 5-tuples (~0.3 KB each) still grow with the
number of UDP conversations, as Wireshark's conversation table does. Consumers that take
`on_retire` as "finished for good" (follow, replay, play) park instead (`park_idle_udp=True`): a UDP
flow quiet for `limits.udp_park_ns` keeps its object, counters and sinks but leaves the live table
(parking.py), and the next datagram wakes it; no output changes, so the idle time can be short.
Parked flows count against `max_flows` and `max_live_bytes` (PARKED_COST each) and are the first
evicted.

Closed flows: a TCP flow closed both ways (or reset) is finished `limits.closed_linger_ns` of
capture time after its closing FIN/RST, so streaming consumers (follow --json, replay) can let it
go while the capture goes on; a late retransmission or RST within the linger still belongs to it.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable, Iterator
from itertools import chain

from wsarecv_cli.net import Endpoint, FlowId, Packet, Transport
from wsarecv_cli.reassembly.events import FlowEvent, StreamEvent
from wsarecv_cli.reassembly.flow import FLOW_COST, FlowInfo, LiveFlow, WindowChange
from wsarecv_cli.reassembly.roles import inferred_client
from wsarecv_cli.reassembly.stats import DirectionStats, RealityTotals, ReassemblyLimits
from wsarecv_cli.reassembly.summaries import FlowSummaries, joined, stream_order
from wsarecv_cli.reassembly.held import MemoryBudget
from wsarecv_cli.reassembly.parking import PARKED_COST, ParkedFlows
from wsarecv_cli.reassembly.tcp import ACK, FIN, PSH, RST, SYN, URG, TcpDirection
from wsarecv_cli.reassembly.udp import UdpDirection

TCP = Transport.TCP
# A segment for TcpDirection.common_segment has, of these flags, ACK alone (flags & _UNCOMMON == ACK)
_UNCOMMON = SYN | FIN | RST | URG | ACK
_new = tuple.__new__
_NEVER = 1 << 126  # a capture time no packet reaches: the idle UDP sweep is off
# sinks(flow, sender, receiver) -> a callable taking that direction's StreamEvents, or None for
# none (the direction then only counts)
SinkFactory = Callable[[FlowId, Endpoint, Endpoint], Callable[[StreamEvent], None] | None]


FINISH_BATCH_EVENTS = 4096  # events gathered before finish_batches hands them out (one flow may give more)


class FlowTracker:
    """Routes packets to per-flow, per-direction reassemblers; see the module docstring."""

    def __init__(self, limits: ReassemblyLimits | None = None, *, events: bool = True, summaries: bool = True,
                 on_retire: Callable[[FlowId], None] | None = None, sinks: SinkFactory | None = None,
                 window_events: bool = False, retire_idle_udp: bool = False, park_idle_udp: bool = False,
                 on_park: Callable[[FlowId], None] | None = None) -> None:
        self.limits = limits or ReassemblyLimits()
        # Idle UDP flows (module docstring): retired (with summaries) or parked after their idle
        # time, looked for at the next capture time; the 5-tuples of the retired ones -> (their
        # id, the direction that key's sender is).
        self._udp_idle = self.limits.udp_idle_ns if retire_idle_udp and summaries else 0
        self._udp_park = self.limits.udp_park_ns if park_idle_udp and not self._udp_idle else 0
        self._next_idle_sweep = self._udp_idle or self._udp_park or _NEVER
        self._udp_known: dict[tuple, tuple[FlowId, int]] = {}
        self._parked = ParkedFlows()
        self._on_park = on_park  # told of each flow parked: the consumer can make its own state light
        self._serial = 0
        self._window_events = window_events
        self._want_events = events
        self._sinks = sinks
        self._table: dict[tuple, tuple] = {}
        self._flows: dict[FlowId, LiveFlow] = {}  # live flows; insertion order is the eviction sweep's order
        self._recent: dict[FlowId, LiveFlow] = {}  # retired since the last feed (endpoints() still answers)
        self._closing: deque[tuple[int, LiveFlow]] = deque()  # (retire after, flow): closed TCP flows
        self._done: FlowSummaries | None = FlowSummaries() if summaries else None
        self._on_retire = on_retire
        self.evicted_flows = 0
        self.memory = MemoryBudget(self.limits.max_held_total)  # --max-ooo-total, --max-flow-memory
        self._max_live = self.limits.max_live_bytes
        self._resegment = self.limits.resegment
        # Counters of every finished flow added up (the capture-reality warnings; replay keeps no
        # per-flow summaries to add them from).
        self.reality = RealityTotals()
        self._count = {Transport.TCP: 0, Transport.UDP: 0}
        self._events: list[FlowEvent] = []
        self._last_ts = 0

    # ----------------------------------------------------------------- input

    def feed(self, p: Packet | tuple) -> list[FlowEvent]:
        """Account one packet; return the events it released (a list owned by the caller). A plain
        tuple of a Packet's fields does as well (capture/lean.py builds no Packet)."""
        if self._recent:
            self._recent = {}
        (frame, ts, transport, src_addr, src_port, dst_addr, dst_port, payload, seq, ack, flags, urg,
         window, missing, frames, mss) = p  # one unpack instead of a dozen attribute lookups
        closing = self._closing
        if closing and closing[0][0] <= ts:
            self._retire_closed(ts)
        if ts >= self._next_idle_sweep:
            self._sweep_idle_udp(ts)
        if self.memory.live > self._max_live and len(self._flows) + len(self._parked) > 1:
            self._evict(ts)  # over --max-flow-memory: as at --max-flows
        key = (transport, src_addr, src_port, dst_addr, dst_port)
        entry = self._table.get(key)
        if entry is not None and transport is TCP and flags & (SYN | ACK) == SYN:
            ws_base = entry[2].ws_base
            if ws_base is not None and ws_base != seq:
                self._retire(entry[0], ts)
                entry = None
        if entry is None:
            entry = self._new_flow(_new(Packet, p), key)  # a Packet, not just its fields
        flow, d, snd, rcv, st = entry
        flow.last_ts = ts
        self._last_ts = ts
        st.packets += 1
        if len(frames) != 1:
            if not frames:
                frames = (frame,)
            else:
                st.fragments += 1
        if transport is TCP:
            if flags & _UNCOMMON == ACK and not missing and (window == 0) is (snd.window == 0) \
                    and snd.common_segment(rcv, seq, ack, payload, ts, frames, flags):
                snd.window = window  # all _segment does besides (the same zero-ness: no window event)
            else:
                self._segment(entry, seq, ack, flags, urg, window, payload, missing, ts, frames, mss)
        else:
            snd.datagram(payload, missing, ts, frames)
        events = self._events
        if events:
            self._events = []
        return events

    def _segment(self, entry: tuple, seq: int, ack: int, flags: int, urg: int, window: int, payload: bytes,
                 missing: int, ts: int, frames: tuple[int, ...], mss: int) -> None:
        """Any TCP segment (the general path; `feed` takes the commonest in one call)."""
        flow, d, snd, rcv, st = entry
        if flags & SYN:
            if flow.initiator is None:
                flow.initiator = d if not flags & ACK else 1 - d
            if mss:  # the sender's MSS bounds the segments it receives
                rcv.set_mss(mss)
        if flags & ACK:
            rcv.ack(ack, ts, frames)
        if flags & (ACK | RST) == ACK:  # a RST's window field advertises nothing
            if (window == 0) is not (snd.window == 0) and self._window_events and rcv._emit is not None:
                rcv._emit(WindowChange(rcv.nxt, window == 0, ts, frames))  # to the window's owner
            snd.window = window
        if self._resegment and len(payload) > snd._large and not flags & (SYN | URG):
            _resegment(snd, st, seq, flags, payload, missing, ts, frames, rcv.window == 0)
        else:
            snd.segment(seq, flags, payload, missing, urg, ts, frames, rcv.window == 0)
        if flags & (FIN | RST) and not flow.closing and flow.closure() in ("closed", "reset"):
            flow.closing = True
            self._closing.append((ts + self.limits.closed_linger_ns, flow))

    def tick(self, ts: int) -> None:
        """A packet this tracker does not take (another shard's, with `follow --jobs`): the capture
        clock still moves, so closed flows are finished when they would have been, at that time."""
        self._last_ts = ts
        closing = self._closing
        if closing and closing[0][0] <= ts:
            self._retire_closed(ts)
        if ts >= self._next_idle_sweep:
            self._sweep_idle_udp(ts)

    def finish(self) -> list[FlowEvent]:
        """End of capture: flush every flow (pending holes become gaps, held data is released).
        All the events in one list (every flow finished stays known to `endpoints` until the next
        feed): the commands stream them with `finish_batches` instead."""
        return [event for batch in self.finish_batches(_NEVER) for event in batch]

    def finish_all(self) -> None:
        """`finish` for a consumer that takes no events from it (sinks, or events=False): every
        flow finished in bounded batches, its `on_retire` told as it goes."""
        for _ in self.finish_batches():
            pass

    def finish_batches(self, batch_events: int = FINISH_BATCH_EVENTS) -> Iterator[list[FlowEvent]]:
        """`finish`, as lists of events handed out flow by flow once `batch_events` are gathered
        (or that many flows finished): a capture ending with many live flows (or much held data)
        is flushed in bounded batches, as the rest of the capture is, not as one list of every
        event. The flows finished for a batch stay known until the next one is asked for."""
        pending: list[tuple[int, LiveFlow | FlowId]] = [(flow.serial, flow) for flow in self._flows.values()]
        if self._udp_park:  # parked flows too, all in creation order as without parking, each
            pending += self._parked.order()  # thawed only in its turn (parked: its id)
            pending.sort(key=_first)
        pending.reverse()
        while pending:  # popped: no flow is kept alive here once retired, while its events are read
            flow = pending.pop()[1]
            if flow.__class__ is not LiveFlow:
                flow = self._awake(self._parked.take(flow))
                self.memory.live += FLOW_COST - PARKED_COST  # _retire takes FLOW_COST off
            self._retire(flow, self._last_ts)
            # A batch out once enough events, or enough finished flows (each stays known to
            # `endpoints`/`info` until the consumer has taken the batch they finished in: else every
            # flow finished here stayed in memory to the end, thawed parked ones too)
            if len(self._events) >= batch_events or len(self._recent) >= batch_events:
                events, self._events = self._events, []
                yield events
                self._recent = {}
        events, self._events = self._events, []
        if events:
            yield events

    # ---------------------------------------------------------------- output

    @property
    def flows(self) -> list[FlowInfo]:
        """Snapshots of every flow so far, in index order (TCP first, then UDP); with
        summaries=False only the live and parked ones."""
        return list(self.iter_flows())

    def iter_flows(self) -> Iterator[FlowInfo]:
        """`flows`, lazily: with many flows the finished ones are read back from a temporary file
        (FlowSummaries), so a caller that streams them keeps memory bounded. Re-iterable by
        calling again."""
        live = (f.info() for f in chain(self._flows.values(), self._parked.flows()))
        if self._done is None:
            return iter(sorted(live, key=stream_order))
        if not self._udp_idle:
            return self._done.sorted(live)
        return joined(self._done.sorted(live))

    def flow_count(self) -> int:
        return self._count[Transport.TCP] + self._count[Transport.UDP]

    def live_flows(self) -> int:
        return len(self._flows)

    def endpoints(self, flow_id: FlowId) -> tuple[Endpoint, Endpoint, Endpoint | None]:
        """(a, b, initiator) of a flow, cheaply, while events are being routed (a flow retired by
        this packet stays known until the next `feed`)."""
        flow = self._known(flow_id)
        return flow.ends[0], flow.ends[1], None if flow.initiator is None else flow.ends[flow.initiator]

    def client(self, flow_id: FlowId) -> tuple[Endpoint, bool]:
        """(client, inferred) of a live flow: the initiator, or the port rule's guess (roles.py)."""
        a, b, initiator = self.endpoints(flow_id)
        return (initiator, False) if initiator is not None else (inferred_client(a, b), True)

    def charge(self, nbytes: int) -> None:
        """The consumer holds `nbytes` more (or fewer, negative) for the live flows (replay: a
        receiving socket and its driver): counted against --max-flow-memory with the tracker's own."""
        self.memory.live += nbytes

    def lookup(self, transport: Transport, src_addr: bytes, src_port: int, dst_addr: bytes,
               dst_port: int) -> FlowId | None:
        """The live flow of a 5-tuple (either direction), e.g. for an ICMP error quoting it."""
        key = (transport, src_addr, src_port, dst_addr, dst_port)
        entry = self._table.get(key)
        if entry is None:
            return self._parked.get(key)
        return entry[0].id

    def info(self, flow_id: FlowId) -> FlowInfo:
        return self._known(flow_id).info()

    # --------------------------------------------------------------- private

    def _known(self, flow_id: FlowId) -> LiveFlow:
        """A live, parked or just retired flow (retired by this packet: known until the next feed)."""
        return self._flows.get(flow_id) or self._recent.get(flow_id) or self._parked.by_id(flow_id)

    def _new_flow(self, p: Packet, key: tuple) -> tuple:
        """A new flow for the packet's 5-tuple (or a parked one woken); returns the packet's table entry."""
        if self._parked:
            flow = self._parked.wake(key)
            if flow is not None:
                return self._unpark(flow, key)
        if len(self._flows) + len(self._parked) >= self.limits.max_flows:
            self._evict(p.ts_ns)
        transport = p.transport
        a = Endpoint(p.src_addr, p.src_port)
        b = Endpoint(p.dst_addr, p.dst_port)
        known = self._udp_known.pop(key, None) if self._udp_known else None
        if known is None:
            index = self._count[transport]
            self._count[transport] = index + 1
            fid, d = FlowId(transport, index), 0
        else:  # an idle UDP flow again: its index, and a/b as first seen
            fid, d = known
            del self._udp_known[(transport, p.dst_addr, p.dst_port, p.src_addr, p.src_port)]
            if d:
                a, b = b, a
        flow = LiveFlow(fid, a, b, p.ts_ns, self._serial)
        self._serial += 1
        emits = (self._emitter(flow, a, b), self._emitter(flow, b, a))
        if transport is TCP:
            flow.dirs = (TcpDirection(flow.stats[0], self.limits, emits[0], self.memory),
                         TcpDirection(flow.stats[1], self.limits, emits[1], self.memory))
        else:
            window = self.limits.duplicate_window_ns
            flow.dirs = (UdpDirection(flow.stats[0], a, emits[0], window),
                         UdpDirection(flow.stats[1], b, emits[1], window))
        self._flows[flow.id] = flow
        self.memory.live += FLOW_COST
        back = (transport, p.dst_addr, p.dst_port, p.src_addr, p.src_port)
        # Entries carry what `feed` needs per packet: (flow, direction, sender's and receiver's
        # reassemblers, sender's stats), so the hot path does no further lookups.
        d0, d1 = flow.dirs
        if d:
            key, back = back, key  # the packet is b's: `back` is the a->b key
        self._table[key] = (flow, 0, d0, d1, flow.stats[0])
        self._table[back] = (flow, 1, d1, d0, flow.stats[1])
        return self._table[back if d else key]

    def _emitter(self, flow: LiveFlow, sender: Endpoint, receiver: Endpoint):
        if self._sinks is not None:
            return self._sinks(flow.id, sender, receiver)
        if not self._want_events:
            return None
        return _Route(self, flow.id, sender, receiver).emit

    def _retire(self, flow: LiveFlow, ts: int) -> None:
        """Finish a flow for good: flush it, keep its snapshot, drop its live state."""
        if flow.done:
            return
        flow.done = True
        if flow.id.transport is TCP:
            for d in flow.dirs:
                d.finish(ts, ())
        self.reality.add(*flow.stats, flow.id.transport is TCP and flow.initiator is None)
        if self._done is not None:
            self._done.add(flow.info())
        if self._flows.get(flow.id) is flow:
            del self._flows[flow.id]
        self.memory.live -= FLOW_COST
        table = self._table
        for key in flow.table_keys():
            if table.get(key, (None,))[0] is flow:
                del table[key]
        self._recent[flow.id] = flow  # endpoints() still answers until the next feed
        if self._on_retire is not None:
            self._on_retire(flow.id)

    def _retire_closed(self, now: int) -> None:
        """Finish closed flows whose linger time has passed: their state is freed, their last
        events flushed, and a consumer (on_retire) can write them out while the capture goes on."""
        closing = self._closing
        while closing and closing[0][0] <= now:
            _, flow = closing.popleft()
            if not flow.done:
                self._retire(flow, now)

    def _sweep_idle_udp(self, now: int) -> None:
        """Retire the UDP flows idle for udp_idle_ns, remembering their 5-tuples, or park those
        idle for udp_park_ns (module docstring); looked for every half idle time, so one goes
        1-1.5 idle times after its last datagram."""
        idle = self._udp_idle or self._udp_park
        self._next_idle_sweep = now + idle // 2
        quiet = [f for f in self._flows.values() if f.id.transport is not TCP and f.last_ts <= now - idle]
        for flow in quiet:
            if self._udp_park:
                self._park(flow)
                continue
            self._retire(flow, now)
            for direction, key in enumerate(flow.table_keys()):
                self._udp_known[key] = (flow.id, direction)

    def _park(self, flow: LiveFlow) -> None:
        """A quiet UDP flow out of the live table into the parked store (parking.py)."""
        del self._flows[flow.id]
        keys = flow.table_keys()
        for key in keys:
            del self._table[key]
        for direction in flow.dirs:  # a consumer's sinks stay; the tracker's routes go (~0.25 KB)
            direction.quiet(keep_emit=self._sinks is not None)
        self._parked.park(flow, keys)
        self.memory.live -= FLOW_COST - PARKED_COST
        if self._on_park is not None:
            self._on_park(flow.id)

    def _awake(self, flow: LiveFlow) -> LiveFlow:
        """A flow taken out of parking (to go live, or to be finished) with its event routes back."""
        if self._sinks is None and self._want_events:
            a, b = flow.ends
            flow.dirs[0].awake(self._emitter(flow, a, b))
            flow.dirs[1].awake(self._emitter(flow, b, a))
        return flow

    def _unpark(self, flow: LiveFlow, key: tuple) -> tuple:
        """A parked flow live again (a datagram of its 5-tuple); returns that packet's table entry."""
        self._awake(flow)
        self._flows[flow.id] = flow
        self.memory.live += FLOW_COST - PARKED_COST
        a_to_b, b_to_a = flow.table_keys()
        d0, d1 = flow.dirs
        self._table[a_to_b] = (flow, 0, d0, d1, flow.stats[0])
        self._table[b_to_a] = (flow, 1, d1, d0, flow.stats[1])
        return self._table[key]

    def _evict(self, ts: int) -> None:
        """Finish the 1/32 of live and parked flows idle longest (parked ones first, then closed
        ones) to make room."""
        count = max(1, (len(self._flows) + len(self._parked)) // 32)
        if self._parked:
            victims = [self._awake(flow) for flow in self._parked.oldest(count)]
            self.memory.live += (FLOW_COST - PARKED_COST) * len(victims)  # _retire takes FLOW_COST off
        else:
            victims = heapq.nsmallest(count, self._flows.values(), key=_eviction_order)
        for flow in victims:
            for st in flow.stats:
                st.evicted = 1
            self._retire(flow, ts)
        self.evicted_flows += len(victims)


class _Route:
    """Addresses one direction's events to the tracker's event list. A bound `emit` of this small
    object costs ~130 B per direction where a closure over the same names cost ~380 B (with 100k
    live flows: 50 MB less)."""

    __slots__ = ("tracker", "flow", "sender", "receiver")

    def __init__(self, tracker: FlowTracker, flow: FlowId, sender: Endpoint, receiver: Endpoint) -> None:
        self.tracker = tracker
        self.flow = flow
        self.sender = sender
        self.receiver = receiver

    def emit(self, event: StreamEvent) -> None:
        self.tracker._events.append(_new(FlowEvent, (self.flow, self.sender, self.receiver, event)))


def _resegment(snd: TcpDirection, st: DirectionStats, seq: int, flags: int, payload: bytes, missing: int,
               ts: int, frames: tuple[int, ...], peer_window_zero: bool) -> None:
    """A segment larger than the receiver's MSS, built by TSO/GSO on the capturing sender: split it
    back into MSS-sized arrivals, as the receiver got them (same time and frames; FIN and PSH on
    the last piece only; snaplen-missing bytes belong to the last piece)."""
    size = snd._large
    st.resegmented += 1
    st.large_segments += 1  # counted here: its pieces are not large
    for at in range(0, len(payload), size):
        if at + size >= len(payload):
            snd.segment((seq + at) & 0xFFFFFFFF, flags, payload[at:], missing, 0, ts, frames, peer_window_zero)
            return
        snd.segment((seq + at) & 0xFFFFFFFF, flags & ~(FIN | PSH), payload[at:at + size], 0, 0, ts, frames,
                    peer_window_zero)


def _first(pair: tuple[int, object]) -> int:
    return pair[0]


def _eviction_order(flow: LiveFlow) -> tuple[bool, int, int]:
    return flow.closure() not in ("closed", "reset"), flow.last_ts, flow.id.index
