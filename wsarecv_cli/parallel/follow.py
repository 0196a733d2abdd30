"""follow --json's one pass (`JsonFollow`), in this process or as one worker of `--jobs N` (`follow_shard`).

Theory of operation: `JsonFollow` runs one pass over a packet stream. Each direction's events go
straight into its DirectionDigest (FlowTracker sinks), and each finished flow is handed to
`on_flow(info, digests)` once, as the tracker retires it (`on_retire`), and forgotten, so memory
follows the live flows.

With `--jobs N` (shards.py: which packets a worker takes, how the workers run), each worker reads
the capture through the lean pass as one process does, reassembles only its shard of the flows and
moves the capture clock on the other packets (`FlowTracker.tick`), so closed flows retire exactly
when they would in one process. A worker numbers its flows itself; it writes each finished flow's
JSON entry (with an empty id) as one line to its own temporary file and returns, per flow, the
position of its first packet in the packet stream (every worker sees the same stream, IP reassembly
included). Wireshark's numbering is "by first packet", so `global_ids` ranks those positions over
all workers' flows per transport to give every flow its real index; the parent (cli/follow_json.py)
copies the entries to stdout with their ids filled in: worker after worker, each in the order its
flows finished. Decoding is done N times; reassembly, digests and JSON once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from wsarecv_cli.capture import CaptureLimits, lean_batches, read_packets
from wsarecv_cli.net import Endpoint, FlowId, Packet, Transport
from wsarecv_cli.reassembly import FlowInfo, FlowTracker, ReassemblyLimits
from wsarecv_cli.reassembly.stats import DirectionStats, RealityTotals
from wsarecv_cli.render import follow as render_follow
from wsarecv_cli.spool import Spool

Digests = dict[Endpoint, render_follow.DirectionDigest]
ENCODE = render_follow.encode_compact


class JsonFollow:
    """One pass of follow --json over a packet stream (see the module docstring)."""

    def __init__(self, limits: ReassemblyLimits, on_flow: Callable[[FlowInfo, Digests], None],
                 select: Callable[[FlowId, Endpoint, Endpoint], bool] | None = None,
                 shard: tuple[int, int] = (0, 1)) -> None:
        self.on_flow = on_flow
        self.select = select
        self.shard = shard
        self.origin: int | None = None
        self.first_seen: dict[FlowId, int] = {}  # sharded: stream position of each flow's first packet
        self._position = 0
        # A flow's digests as a list until it is written (a dict per live flow cost ~250 B more)
        self._digests: dict[FlowId, list[render_follow.DirectionDigest]] = {}
        # No summaries kept: each finished flow is handed on as the tracker retires it, and forgotten.
        self.tracker = FlowTracker(limits, summaries=False, on_retire=self._finished, sinks=self._sink,
                                   park_idle_udp=True, on_park=self._parked)
        self._charge = self.tracker.charge  # one bound method, shared by every digest
        self.spool = Spool()  # every digest's spilled segments (closed by close())

    def _sink(self, flow_id: FlowId, sender: Endpoint, receiver: Endpoint):
        """A selected direction's events go straight into its digest (none otherwise)."""
        if self.select is not None and not self.select(flow_id, sender, receiver):
            return None
        if self.shard[1] > 1:
            self.first_seen.setdefault(flow_id, self._position)
        digest = render_follow.DirectionDigest(sender, receiver, self.origin or 0)
        digest.meter = self._charge
        digest.spool = self.spool
        self._digests.setdefault(flow_id, []).append(digest)
        return digest

    def run(self, stream: Any, packets: Any = None) -> None:
        """Follow every packet of `stream` (or `packets`, the same stream wrapped, e.g. in a progress bar)."""
        feed = self._feed()
        self.origin = getattr(stream, "first_ts_ns", None)  # the capture's first frame, as in Wireshark
        for packet in stream if packets is None else packets:
            if self.origin is None:
                self.origin = packet.ts_ns  # a bare packet iterator: its first packet
            feed(packet)
        self.tracker.finish_all()

    def run_lean(self, stream: Any, batches: Callable[[Callable[[tuple], None]], Iterable[list[Packet]]]) -> None:
        """`run` through the lean pass: `batches(feed)` is capture.lean.lean_batches (perhaps with a
        progress bar), which sends most packets (as plain tuples) to `feed` as it reads them and
        hands out the rest, in the stream's order (so a shard's positions are the same)."""
        feed = self._feed()
        self.origin = stream.first_ts_ns
        for batch in batches(feed):
            for packet in batch:
                feed(packet)
        self.tracker.finish_all()

    def _feed(self) -> Callable[[tuple], object]:
        """What takes each packet: the tracker's feed, or with shards the shard's filter in front of it."""
        k, n = self.shard
        feed, tick = self.tracker.feed, self.tracker.tick
        if n == 1:
            return feed

        def shard_feed(packet: tuple) -> None:
            self._position += 1
            if (packet[4] ^ packet[6]) % n != k:  # src_port ^ dst_port: the same both ways
                tick(packet[1])  # another shard's, but closed flows retire on its time
            else:
                feed(packet)

        return shard_feed

    def _finished(self, flow_id: FlowId) -> None:
        """The tracker retired a flow (its last events are in its digests): hand it on, forget it.
        Called from inside `feed`, so the lean pass feeds the tracker with no wrapper around it."""
        digests = self._digests.pop(flow_id, ())
        self.tracker.charge(-render_follow.DIGEST_COST * sum(d.sha is not None for d in digests))
        self.on_flow(self.tracker.info(flow_id), {d.sender: d for d in digests})

    def _parked(self, flow_id: FlowId) -> None:
        """A quiet UDP flow parked: its digests' segments to the spool too, so it holds none."""
        for digest in self._digests.get(flow_id, ()):
            digest.spill()

    def close(self) -> None:
        """The spool's file removed (after the last flow is written)."""
        self.spool.close()


class FlowNote(NamedTuple):
    """What a worker tells the parent about one of its flows (ids are the worker's own)."""

    transport: Transport
    index: int
    first_seen: int
    a: Endpoint
    b: Endpoint
    has_findings: bool
    limit_hits: int
    limit_bytes: int
    gaps: bool  # a digest recorded a gap


def _note(info: FlowInfo, digests: Digests, first_seen: int) -> FlowNote:
    both: tuple[DirectionStats, DirectionStats] = (info.a_to_b, info.b_to_a)
    return FlowNote(info.transport, info.id.index, first_seen, info.a, info.b, info.has_findings,
                    sum(d.limit_hits for d in both), sum(d.limit_bytes for d in both),
                    any(d.gaps for d in digests.values()))


def follow_shard(path: str, capture_limits: CaptureLimits, limits: ReassemblyLimits, shard: tuple[int, int],
                 out_path: str) -> dict[str, Any]:
    """A worker: one shard's entries to out_path ("transport index<TAB>entry" lines) -> notes etc."""
    notes: list[FlowNote] = []
    reality = RealityTotals()
    with open(out_path, "w", encoding="utf-8") as out, read_packets(path, capture_limits) as stream:
        def on_flow(info: FlowInfo, digests: Digests) -> None:
            reality.add_flow(info)
            out.write(f"{info.transport.label} {info.id.index}\t")
            render_follow.write_entry(out.write, info, digests, flow_id="")
            out.write("\n")
            notes.append(_note(info, digests, follower.first_seen.pop(info.id, 0)))

        follower = JsonFollow(limits, on_flow, shard=shard)
        try:
            follower.run_lean(stream, lambda feed: lean_batches(stream, feed))
        finally:
            follower.close()
        checksums = {name: getattr(stream.stats, name) for name in ("checksum_offload", "checksum_bad")}
        return {"notes": notes, "warnings": list(stream.warnings), "evicted": follower.tracker.evicted_flows,
                "full": follower.tracker.memory.refused,
                "reality": reality, "checksums": checksums}


def global_ids(per_worker: list[list[FlowNote]]) -> list[dict[tuple[str, int], FlowId]]:
    """Wireshark's index of every flow: its rank by first packet among all flows of its transport."""
    ranked = sorted((note.transport is not Transport.TCP, note.first_seen, w, note.transport, note.index)
                    for w, notes in enumerate(per_worker) for note in notes)
    ids: list[dict[tuple[str, int], FlowId]] = [{} for _ in per_worker]
    counts = {Transport.TCP: 0, Transport.UDP: 0}
    for _, _, w, transport, index in ranked:
        ids[w][(transport.label, index)] = FlowId(transport, counts[transport])
        counts[transport] += 1
    return ids
