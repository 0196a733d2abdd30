"""`--jobs N`: run one worker function per shard of the flows, in N processes.

A packet belongs to shard `(src_port ^ dst_port) % N` — the same in both directions, so every
packet of a 5-tuple lands in one worker (the workers, follow.follow_shard and
flows.flows_shard, test it inline: it runs once per packet). Each worker reads and decodes the
whole capture, gets max-flows / N live flows, and writes what the parent needs to its own file in
a temporary directory that lasts while the parent reads it.

Eviction (--max-flows) cannot be sharded: one process evicts the flows idle longest among *all*
live flows, a shard only among its own. But when no worker evicted, one process would not have
either: each shard stayed below max-flows / N live flows, so all of them together stayed below
max-flows, the point where eviction starts. So the workers' output is used only then; when a
worker evicted (or max-flows < N) `run_shards` gives None and the command runs in one process,
which makes --jobs N give exactly what --jobs 1 gives in every case, at the cost of time only
when the flow table is full.

The out-of-order budget (--max-ooo-total) is shared the same way: each worker gets 1/N of it, and
one that was refused room by it ("full" in its result, like an eviction) sends the command to one
process. When none was, every shard held at most 1/N at any moment, so one process never held
more than the whole budget and would not have refused anything either.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from wsarecv_cli.capture import CaptureLimits
from wsarecv_cli.reassembly import ReassemblyLimits

# worker(path, capture_limits, limits, (k, n), out_path) -> a picklable result
Worker = Callable[[str, CaptureLimits, ReassemblyLimits, tuple[int, int], str], Any]


@contextmanager
def run_shards(worker: Worker, path: str, jobs: int, capture_limits: CaptureLimits, limits: ReassemblyLimits,
               suffix: str) -> Iterator[tuple[list[str], list[Any]] | None]:
    """(the workers' output files, their results), in shard order; the files go when the block ends.

    None when the shards cannot give what one process gives (a worker evicted flows; see the
    module doc): the caller runs in one process instead. Workers' results carry "evicted" and
    "full" (refused by the out-of-order budget)."""
    if limits.max_flows < jobs:
        yield None
        return
    shard_limits = replace(limits, max_flows=limits.max_flows // jobs, max_held_total=limits.max_held_total // jobs,
                           max_live_bytes=limits.max_live_bytes // jobs)
    with tempfile.TemporaryDirectory(prefix="wsarecv-jobs-") as tmp:
        paths = [os.path.join(tmp, f"shard-{k}{suffix}") for k in range(jobs)]
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(worker, path, capture_limits, shard_limits, (k, jobs), paths[k])
                       for k in range(jobs)]
            results = [f.result() for f in futures]
        yield None if any(r["evicted"] or r["full"] for r in results) else (paths, results)
