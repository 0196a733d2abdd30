"""`flows --jobs N`: the flow table built by N worker processes, one shard of the flows each.

Theory of operation (as `follow --json --jobs`; shards.py runs the workers): every worker reads and
decodes the whole capture, reassembles only the flows whose ports put them in its shard, and moves the
capture clock on the other packets (`FlowTracker.tick`) so closed flows retire exactly when they
would in one process. It writes its flow snapshots in its own stream order, each with the position
of the flow's first packet in the packet stream, one pickle per flow, to a file of its own. Both
orders agree with the position, so the parent merges the files by (transport, position) and
numbers the flows as it goes: Wireshark's "by first packet" order, the same ids as one process.
"""

from __future__ import annotations

import heapq
import pickle
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from wsarecv_cli.capture import CaptureLimits, read_packets
from wsarecv_cli.net import FlowId, Transport
from wsarecv_cli.parallel.shards import run_shards
from wsarecv_cli.reassembly import FlowInfo, FlowTracker, ReassemblyLimits


@dataclass(frozen=True, slots=True)
class FlowsRun:
    """What the flows command prints, however it was computed."""

    flows: Callable[[], Iterator[FlowInfo]]  # every flow in stream order; callable again
    info: Any  # CaptureInfo, once the whole capture was read (pcapng interfaces may come late)
    stats: Any  # DecodeStats
    warnings: list[str]  # the capture's own (damage, decode notes)
    first_ts: int  # the capture's first frame, the table's time origin
    limits: ReassemblyLimits
    evicted_flows: int


def flows_shard(path: str, capture_limits: CaptureLimits, limits: ReassemblyLimits, shard: tuple[int, int],
                out_path: str) -> dict[str, Any]:
    """A worker: one shard's flows to out_path as pickled (first position, FlowInfo) pairs."""
    k, n = shard
    first_seen: dict[FlowId, int] = {}
    position = 0

    def note_first(flow_id: FlowId, sender: Any, receiver: Any) -> None:
        first_seen.setdefault(flow_id, position)  # no events wanted: the direction only counts

    tracker = FlowTracker(limits, events=False, sinks=note_first, retire_idle_udp=True)
    with read_packets(path, capture_limits) as stream:  # the parent opened it first: errors show there
        origin = stream.first_ts_ns  # the capture's first frame, whatever its shard
        for packet in stream:
            position += 1
            if (packet[4] ^ packet[6]) % n != k:  # src_port ^ dst_port: the same both ways
                tracker.tick(packet[1])
                continue
            tracker.feed(packet)
        tracker.finish_all()
        with open(out_path, "wb") as out:
            pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
            for info in tracker.iter_flows():
                pickler.dump((first_seen[info.id], info))
                pickler.clear_memo()
        return {"warnings": list(stream.warnings), "info": stream.info, "stats": stream.stats, "origin": origin,
                "evicted": tracker.evicted_flows, "full": tracker.memory.refused}


def _read(path: str) -> Iterator[tuple[int, FlowInfo]]:
    with open(path, "rb") as file:
        while True:
            try:
                yield pickle.load(file)
            except EOFError:
                return


def _merged(paths: list[str]) -> Iterator[FlowInfo]:
    """The workers' flows in stream order, renumbered per transport in that order."""
    counts = {Transport.TCP: 0, Transport.UDP: 0}
    order = (lambda pair: (pair[1].transport is not Transport.TCP, pair[0]))
    for _, info in heapq.merge(*(_read(p) for p in paths), key=order):
        transport = info.transport
        yield replace(info, id=FlowId(transport, counts[transport]))
        counts[transport] += 1


@contextmanager
def flows_parallel(path: str, jobs: int, capture_limits: CaptureLimits,
                   limits: ReassemblyLimits) -> Iterator[FlowsRun | None]:
    """Run the workers; the FlowsRun reads their files, which last until the block ends.
    None when flows were evicted: shards cannot match one process then (shards.py)."""
    with run_shards(flows_shard, path, jobs, capture_limits, limits, ".pickle") as shards:
        if shards is None:
            yield None
            return
        paths, results = shards
        first = results[0]
        yield FlowsRun(lambda: _merged(paths), first["info"], first["stats"], first["warnings"], first["origin"] or 0,
                       limits, 0)
