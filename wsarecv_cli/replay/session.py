"""capture -> flows -> one model socket per receiving endpoint -> a stream of report items.

Theory of operation (the driver loop around the pure cores, like httpcore's around h11): packets
are read and reassembled one at a time; each FlowEvent is turned into a model Arrival and handed
to the ReceiverDriver of its receiving endpoint, which decides when the application calls
WSARecv. Data reaches it when the receiving stack could hand it on (`StreamData.deliver_ns`: data
held behind a hole waits for the hole to be filled or declared, never for the flow's end). A
capture gap is a `ReceiverGap` item (an annotation, never a call) followed by bytes of unknown
content at their stream position, which the calls read like any bytes (model/queues.py). Items
come out in capture order, a capture read buffer's worth at a time — nothing is held longer — so
a caller can print rows or NDJSON records while the capture is still being read. Receivers that reported a closure are finished and dropped at once; the rest are finished
at the end of the capture. The session never prints. What it is told and what it yields
(ReplayConfig, the ReplayItem kinds) are in replay/items.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

from wsarecv_cli.capture import read_packets
from wsarecv_cli.errors import NoReceiverError, SelectionError
from wsarecv_cli.model.socket import Socket
from wsarecv_cli.model.types import (
    Arrival,
    Burst,
    Message,
    Protocol,
    RecvFlags,
    SocketConfig,
    StreamBytes,
)
from wsarecv_cli.net import (
    Endpoint,
    FlowId,
    IcmpNotice,
    Packet,
    Transport,
    selects,
)
from wsarecv_cli.reassembly.events import (
    Datagram,
    FlowEvent,
    GapReason,
    StreamData,
    StreamFin,
    StreamGap,
    StreamReset,
)
from wsarecv_cli.reassembly.flow import WindowChange
from wsarecv_cli.reassembly.flows import FlowTracker
from wsarecv_cli.reassembly.stats import limit_warnings
from wsarecv_cli.replay.driver import CallPlan, Outcome, ReceiverDriver
from wsarecv_cli.replay.event_arrivals import arrivals
from wsarecv_cli.replay.framing import (
    FramingAudit,
    FramingFindings,
    MessageAssembler,
)
from wsarecv_cli.replay.items import (  # noqa: F401 - ReceiverChoice: the session's vocabulary, imported from here too
    ReceiverChoice,
    ReceiverEnd,
    ReceiverGap,
    ReceiverKey,
    ReceiverOutcome,
    ReceiverQuiet,
    ReceiverRole,
    ReceiverStart,
    ReplayConfig,
    ReplayItem,
)
from wsarecv_cli.replay.notices import NoticeKind, ReceiverNotice
from wsarecv_cli.replay.parked import ParkedReceivers
from wsarecv_cli.replay.reality import RealityWarning, reality_warnings
from wsarecv_cli.replay.scenario import Step, parse_scenario
from wsarecv_cli.replay.schedule import ScheduleKind



@dataclass(slots=True)
class _Receiver:
    key: ReceiverKey
    protocol: Protocol
    message_oriented: bool  # protocol is not tcp (asked for every event)
    driver: ReceiverDriver
    audit: FramingAudit | None
    assembler: MessageAssembler | None
    framing_findings: FramingFindings | None = None
    seen_id: int = 0  # id() of the receiver Endpoint object that ReplaySession._route caches it by
    _source: tuple[Endpoint | None, str] = (None, "")  # the last datagram source and its text
    burst: list[Arrival] = field(default_factory=list)  # released together, not yet delivered
    burst_t: int = -1
    # The event class ReplaySession._route hands straight to the driver: StreamData for a stream
    # receiver without --framing, Datagram for a datagram receiver of a UDP flow without --framing
    # or --connected-peer (no R21 notice to check for); None: every event takes the general path.
    direct: type | None = None
    serial: int = 0  # order opened: receivers still open at the end finish in it, parked or not

    def source_text(self, source: Endpoint) -> str:
        """str(source), remembered: a receiver's datagrams mostly come from one sender object."""
        last, text = self._source
        if source is not last:
            text = str(source)
            self._source = (source, text)
        return text


@dataclass(slots=True)
class ReplaySession:
    """Iterate a capture's replay; `first_ts_ns`, `warnings`, `stats` and `flows` are filled as it goes."""

    path: str
    config: ReplayConfig
    first_ts_ns: int | None = None
    warnings: list[str] = field(default_factory=list)
    stats: object = None
    tracker: FlowTracker | None = None
    bytes_read: int = 0
    total_bytes: int | None = None
    limit_gaps: int = 0  # StreamGaps of reason LIMIT (out-of-order data dropped at max_held_bytes)
    packet_tap: Callable[[Packet | IcmpNotice], None] | None = None  # sees every packet (the timeline's SegmentTap)
    notices: list[str] = field(default_factory=list)  # one-line notices (inferred roles, ...)
    unreplayed_gaps: int = 0  # capture gaps longer than max_gap_bytes, skipped
    reality: list[RealityWarning] = field(default_factory=list)  # capture-reality checks, at the end
    matched_receivers: int = 0
    _receivers_seen: list[str] = field(default_factory=list)  # for the no-receiver error (bounded)
    _inferred_flows: int = 0
    _live: dict[ReceiverKey, _Receiver] = field(default_factory=dict)
    _finished: set[ReceiverKey] = field(default_factory=set)
    _by_flow: dict[FlowId, list[ReceiverKey]] = field(default_factory=dict)  # receivers seen, per live flow
    _matched_a_flow: bool = False  # a --flow selector matched (a set of the flows grew with the capture)
    _seen: dict[int, tuple[Endpoint, FlowId, _Receiver]] = field(default_factory=dict)  # see _route
    _script: tuple[Step, ...] = ()
    _bursting: list[_Receiver] = field(default_factory=list)  # receivers with a burst to flush
    _parked: ParkedReceivers = field(default_factory=ParkedReceivers)  # receivers of parked UDP flows
    _quiet: list[ReceiverQuiet] = field(default_factory=list)  # receivers parked by the packet being fed
    _opened: int = 0

    def __iter__(self) -> Iterator[ReplayItem]:
        # The items are made a read buffer of packets at a time and handed out by chain in C:
        # a generator resumed for every item costs more than the routing of some of them.
        return chain.from_iterable(self._batches())

    def _batches(self) -> Iterator[list[ReplayItem]]:
        """The items in order, as lists: one per read buffer of packets (bytes_read, for the
        progress bar, is updated after each), then the end-of-capture flush and finishing."""
        if self.config.schedule.kind is ScheduleKind.SCRIPT:
            self._script = parse_scenario(Path(self.config.schedule.script)).steps
        retired: list[FlowId] = []
        # No per-flow summaries (replay never lists flows); a retired flow's receivers end at once.
        tracker = FlowTracker(self.config.reassembly_limits, summaries=False, on_retire=retired.append,
                              window_events=True, park_idle_udp=True, on_park=self._park_flow)
        self.tracker = tracker
        route, feed, tap, quiet = self._route, tracker.feed, self.packet_tap, self._quiet
        with read_packets(self.path, self.config.capture_limits, icmp=True) as packets:
            self.total_bytes = packets.total_bytes
            self.stats = packets.stats
            self.first_ts_ns = packets.first_ts_ns  # times count from the first frame, as in Wireshark
            last_ts = 0
            for batch in packets.batches():
                items: list[ReplayItem] = []
                try:
                    for packet in batch:
                        last_ts = packet.ts_ns
                        if tap is not None:
                            tap(packet)
                        if packet.__class__ is IcmpNotice:
                            items += self._icmp(packet)
                            continue
                        events = feed(packet)  # may park quiet flows' receivers, before its own events
                        if quiet:
                            items += quiet
                            quiet.clear()
                        for event in events:
                            route(event, items)
                        if self._bursting:
                            self._flush_bursts(items)
                        if retired:
                            items += self._end_flows(retired, last_ts)
                            retired.clear()
                except BaseException:
                    yield items  # what came before a model error still comes out
                    raise
                yield items
                self.bytes_read = packets.bytes_read
            for events in tracker.finish_batches():  # the end-of-capture flush, in bounded batches too
                items = []
                try:
                    for event in events:
                        route(event, items)
                    self._flush_bursts(items)  # batches end between flows: no burst is cut
                except BaseException:
                    yield items
                    raise
                yield items
            self.warnings = list(packets.warnings) + limit_warnings(
                tracker.limits, tracker.evicted_flows, self.limit_gaps, tracker.reality.stats.limit_bytes)
            self.reality = reality_warnings(tracker.reality, packets.stats, tracker.limits)
            if self.unreplayed_gaps:
                self.warnings.append(
                    f"{self.unreplayed_gaps} capture gap(s) longer than --max-gap-bytes {self.config.max_gap_bytes} "
                    "were not replayed as unknown bytes: the calls after them may differ from the application's")
        # The receivers still open, in the order opened (as without parking); a parked one is
        # woken only when its turn comes, so they are not all unpickled at once.
        ending = sorted([(receiver.serial, key) for key, receiver in self._live.items()] + self._parked.order())
        for _, key in ending:
            if key in self._parked:
                self._wake(key)
            yield self._finish(key, last_ts)
        self._parked.close()
        if self.config.selectors and not self._matched_a_flow:
            wanted = " ".join(s.option for s in self.config.selectors)
            raise SelectionError(f"no flow matches {wanted}")
        if self._inferred_flows and self.config.receiver.role in (ReceiverRole.CLIENT, ReceiverRole.SERVER):
            self.notices.append(
                f"--receiver {self.config.receiver.role.value}: {self._inferred_flows} flow(s) have no SYN in the "
                "capture; client and server were inferred from the ports (docs/CAPTURE_REALITY.md)")
        if not self.matched_receivers and self._receivers_seen and self.config.receiver.role is not ReceiverRole.BOTH:
            more = " ..." if len(self._receivers_seen) >= _SEEN_LISTED else ""
            raise NoReceiverError(
                f"--receiver {self.config.receiver.text} matches no receiver; the receivers are: "
                + ", ".join(self._receivers_seen) + more)

    # -- routing -----------------------------------------------------------------------------

    def _route(self, flow_event: FlowEvent, out: list[ReplayItem]) -> None:
        """Hand one reassembly event to its receiver's driver; append the items it produced to `out`.

        Runs for every event, so a live receiver is first looked up by the identity of the event's
        receiver Endpoint (the tracker hands out one object per flow direction; the entry holds it,
        so its id cannot be reused while cached). A miss takes the keyed path in `_receiver_for`.
        """
        flow, _, endpoint, event = flow_event
        kind = event.__class__
        seen = self._seen.get(id(endpoint))
        if seen is not None and seen[0] is endpoint and seen[1] is flow:
            receiver = seen[2]
            if kind is receiver.direct and not (kind is StreamData and event.ready_ns > event.ts_ns) \
                    and not receiver.burst:
                # The commonest event (data in order for a receiver without framing, see
                # _Receiver.direct): the general path's steps for it, without their tests.
                driver, key = receiver.driver, receiver.key
                if kind is StreamData:
                    t_ns = event.deliver_ns
                    arrival = _new(StreamBytes, (event.data, event.push))
                else:
                    t_ns = event.ts_ns
                    arrival = _new(Message, (event.data, receiver.source_text(event.source), event.wire_length))
                for outcome in driver.arrive(arrival, t_ns):
                    out.append(_new(ReceiverOutcome, (key, outcome, None)))
                if driver.done:
                    out += self._finish(key, t_ns)
                return
        if kind is WindowChange:
            self._window_notice(flow_event, out)
            return
        if kind is StreamGap and event.reason is GapReason.LIMIT:
            self.limit_gaps += 1
        if seen is not None and seen[0] is endpoint and seen[1] is flow:
            receiver = seen[2]
        else:
            receiver = self._receiver_for(flow_event, out)
            if receiver is None:
                return
        if kind is StreamData:
            t_ns = event.deliver_ns  # held data: when it was released
        else:
            t_ns = event.ts_ns
            if kind is StreamGap:
                replayed = event.length <= self.config.max_gap_bytes
                if not replayed:
                    self.unreplayed_gaps += 1
                out.append(ReceiverGap(receiver.key, event.offset, event.length, t_ns, event.reason,
                                       event.evidence, event.frames, replayed))
        if receiver.protocol is Protocol.TCP and receiver.assembler is None and (
                kind is StreamGap or kind is StreamData and event.ready_ns > event.ts_ns):
            self._add_to_burst(receiver, event, t_ns, out)
            return
        if receiver.burst:
            self._flush_burst(receiver, out)
        driver = receiver.driver
        filtered = driver.socket.stats.filtered if self.config.connected_peer else None
        for arrival in arrivals(receiver, event, self.config.max_gap_bytes):
            self._emit(receiver, driver.arrive(arrival, t_ns), out)
        if filtered is not None and driver.socket.stats.filtered != filtered:
            out.append(ReceiverNotice(receiver.key, NoticeKind.DATAGRAM_DROPPED, t_ns,
                                      length=driver.socket.stats.filtered - filtered,
                                      source=receiver.source_text(event.source)))
        if driver.done:
            out += self._finish(receiver.key, t_ns)
        elif isinstance(event, (StreamFin, StreamReset)) and self.config.schedule.kind is ScheduleKind.DRAIN:
            out += self._finish(receiver.key, t_ns)  # nothing more can arrive: read it all now

    # -- bursts: data a filled or declared hole releases at once -------------------------------

    def _add_to_burst(self, receiver: _Receiver, event, t_ns: int, out: list[ReplayItem]) -> None:
        """A capture gap, or data held behind a hole, released at `t_ns`: everything released at
        the same instant reaches the socket together (model Burst), as the stack queued it."""
        if receiver.burst and receiver.burst_t != t_ns:
            self._flush_burst(receiver, out)
        if not receiver.burst:
            receiver.burst_t = t_ns
            self._bursting.append(receiver)
        receiver.burst += arrivals(receiver, event, self.config.max_gap_bytes)

    def _flush_bursts(self, out: list[ReplayItem]) -> None:
        for receiver in self._bursting:
            if receiver.burst and receiver.key in self._live:
                self._flush_burst(receiver, out)
        self._bursting.clear()

    def _flush_burst(self, receiver: _Receiver, out: list[ReplayItem]) -> None:
        arrivals, t_ns = receiver.burst, receiver.burst_t
        receiver.burst = []
        if not arrivals:
            return
        driver = receiver.driver
        self._emit(receiver, driver.arrive(arrivals[0] if len(arrivals) == 1 else Burst(tuple(arrivals)), t_ns), out)
        if driver.done:
            out += self._finish(receiver.key, t_ns)

    def _window_notice(self, flow_event: FlowEvent, out: list[ReplayItem]) -> None:
        """A receiver's window closed or opened; told only about a receiver already replayed (a
        zero window means it had been sent data)."""
        key = ReceiverKey(flow_event.flow, flow_event.receiver)
        if key in self._live:
            change = flow_event.event
            kind = NoticeKind.ZERO_WINDOW if change.zero else NoticeKind.WINDOW_OPEN
            out.append(ReceiverNotice(key, kind, change.ts_ns, offset=change.offset))

    def _receiver_for(self, flow_event: FlowEvent, out: list[ReplayItem]) -> _Receiver | None:
        """The live receiver of an event, opened (its ReceiverStart appended to `out`) if new;
        None when the receiver is not selected or already finished."""
        key = ReceiverKey(flow_event.flow, flow_event.receiver)
        if key in self._finished:
            return None
        receiver = self._live.get(key)
        if receiver is None and self._parked and key in self._parked:
            receiver = self._wake(key)
            self._cache(receiver, flow_event)  # unless an ICMP error's own Endpoint woke it
        if receiver is None:
            self._by_flow.setdefault(key.flow, []).append(key)
            client, inferred = self.tracker.client(key.flow) if self.tracker else (None, False)
            if not self._wanted(flow_event, client, inferred):
                self._finished.add(key)  # remembered so the selection test runs once per receiver
                return None
            receiver, start = self._open(key, flow_event, client, inferred)
            out.append(start)
            receiver.seen_id = id(flow_event.receiver)
            self._cache(receiver, flow_event)
        return receiver

    def _cache(self, receiver: _Receiver, flow_event: FlowEvent) -> None:
        """Remember `receiver` for _route's lookup by identity, if the event's receiver Endpoint is
        the object its seen_id names (the tracker's, not one made for an ICMP error)."""
        if id(flow_event.receiver) == receiver.seen_id:
            self._seen.setdefault(receiver.seen_id, (flow_event.receiver, flow_event.flow, receiver))

    def _uncache(self, receiver: _Receiver) -> None:
        """Forget `receiver` in _route's lookup (finished or parked): its next event takes the keyed path."""
        seen = self._seen.get(receiver.seen_id)
        if seen is not None and seen[2] is receiver:
            del self._seen[receiver.seen_id]

    def _end_flows(self, flows: list[FlowId], t_ns: int) -> list[ReplayItem]:
        """Flows the tracker finished for good (port reuse, --max-flows eviction): end their receivers
        now and forget them, so memory follows the live flows, not every flow of the capture."""
        out: list[ReplayItem] = []
        for flow in flows:
            for key in self._by_flow.pop(flow, ()):
                if self._parked and key in self._parked:
                    self._wake(key)
                if key in self._live:
                    out += self._finish(key, t_ns)
                self._finished.discard(key)
        return out

    def _wanted(self, flow_event: FlowEvent, client: Endpoint | None, inferred: bool) -> bool:
        if self.config.selectors:
            if not selects(self.config.selectors, flow_event.flow, flow_event.sender, flow_event.receiver):
                return False
            self._matched_a_flow = True
        choice = self.config.receiver
        role = "client" if flow_event.receiver == client else "server"
        if len(self._receivers_seen) < _SEEN_LISTED:
            self._receivers_seen.append(f"{flow_event.receiver} ({flow_event.flow} {role}"
                                        f"{', inferred' if inferred else ''})")
        if inferred and flow_event.receiver == client:
            self._inferred_flows += 1  # once per flow: at its client
        if choice.accepts(flow_event.receiver, client):
            self.matched_receivers += 1
            return True
        return False

    def _open(self, key: ReceiverKey, flow_event: FlowEvent, client: Endpoint | None,
              inferred: bool) -> tuple[_Receiver, ReceiverStart]:
        config = self.config
        transport = key.flow.transport
        protocol = config.protocol or (Protocol.TCP if transport is Transport.TCP else Protocol.UDP)
        socket = Socket(SocketConfig(
            protocol=protocol, platform=config.platform, mode=config.mode, oobinline=config.oobinline,
            expedited_1122=config.expedited_1122, connected_peer=config.connected_peer,
            keep_on_reset=config.keep_on_reset))
        plan = CallPlan(config.buffers, config.flags, config.outstanding)
        driver = ReceiverDriver(socket, plan, config.schedule, config.mode, config.platform, config.oobinline,
                                script=self._script, base_ns=self.first_ts_ns or 0)
        message_oriented = protocol is not Protocol.TCP
        audit = assembler = None
        if config.framing is not None:
            if message_oriented and transport is Transport.TCP:
                assembler = MessageAssembler(config.framing, config.max_message_bytes)
            elif not message_oriented:
                audit = FramingAudit(config.framing)
        receiver = _Receiver(key, protocol, message_oriented, driver, audit, assembler, serial=self._opened)
        self._opened += 1
        if config.framing is None and protocol is Protocol.TCP:
            receiver.direct = StreamData
        elif config.framing is None and message_oriented and transport is Transport.UDP and not config.connected_peer:
            receiver.direct = Datagram
        self._live[key] = receiver
        if self.tracker is not None:
            self.tracker.charge(RECEIVER_COST)
        start = ReceiverStart(key, flow_event.sender, protocol, config.platform, config.mode, config.schedule,
                              config.buffers, "client" if key.receiver == client else "server", inferred)
        return receiver, start

    def _park_flow(self, flow: FlowId) -> None:
        """The tracker parked a quiet UDP flow: its receivers are kept on disk until it speaks
        again (replay/parked.py), and a ReceiverQuiet item for each (ahead of the packet's own
        items) lets the writers set theirs aside too. Called from inside FlowTracker.feed."""
        for key in self._by_flow.get(flow, ()):
            receiver = self._live.get(key)
            if receiver is None or receiver.burst:
                continue
            cost = self._parked.park(key, receiver)
            if cost is None:
                continue
            del self._live[key]
            self._uncache(receiver)
            self._quiet.append(ReceiverQuiet(key))
            if self.tracker is not None:
                self.tracker.charge(cost - RECEIVER_COST)

    def _wake(self, key: ReceiverKey) -> _Receiver:
        receiver, cost = self._parked.wake(key)
        self._live[key] = receiver
        if self.tracker is not None:
            self.tracker.charge(RECEIVER_COST - cost)
        return receiver

    def _icmp(self, notice: IcmpNotice) -> list[ReplayItem]:
        """An ICMP error quoting a datagram of a UDP flow goes to that datagram's sender (R46)."""
        out: list[ReplayItem] = []
        if notice.transport is not Transport.UDP or self.tracker is None:
            return out
        flow = self.tracker.lookup(Transport.UDP, notice.src_addr, notice.src_port, notice.dst_addr, notice.dst_port)
        if flow is not None:
            self._route(FlowEvent(flow, Endpoint(notice.dst_addr, notice.dst_port),
                                  Endpoint(notice.src_addr, notice.src_port), notice), out)
        return out

    def _emit(self, receiver: _Receiver, outcomes: list[Outcome], out: list[ReplayItem]) -> None:
        key, audit = receiver.key, receiver.audit
        for outcome in outcomes:
            framing = None
            if audit is not None and outcome.data and outcome.error is None and \
                    not (outcome.call.flags & (RecvFlags.MSG_PEEK | RecvFlags.MSG_OOB)):
                framing = audit.call(b"".join(outcome.data), outcome.unknown)
            out.append(_new(ReceiverOutcome, (key, outcome, framing)))

    def _finish(self, key: ReceiverKey, t_ns: int) -> list[ReplayItem]:
        burst: list[ReplayItem] = []
        if self._live[key].burst:
            self._flush_burst(self._live[key], burst)
            if key not in self._live:  # the burst ended it (a closure outcome)
                return burst
        receiver = self._live.pop(key)
        if self.tracker is not None:
            self.tracker.charge(-RECEIVER_COST)
        self._finished.add(key)
        self._uncache(receiver)
        out: list[ReplayItem] = burst
        self._emit(receiver, receiver.driver.finish(t_ns), out)
        findings = receiver.audit.findings if receiver.audit is not None else receiver.framing_findings
        out.append(ReceiverEnd(key, findings, receiver.driver.idle_polls, receiver.driver.posted))
        return out


# What a live receiver (model socket, driver, audit, records state) costs, counted against
# --max-flow-memory with the flow table: ~6.5 KB traced, ~5-8 KB of RSS, on 10k two-way flows.
RECEIVER_COST = 8000
_new = tuple.__new__  # a NamedTuple built without its keyword-parsing __new__ (one per outcome)
_SEEN_LISTED = 12  # receivers named in the "matches no receiver" error
