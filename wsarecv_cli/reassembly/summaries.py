"""The snapshots of finished flows, kept for listing at the end, in bounded memory.

`wsarecv flows` lists every flow of a capture, so it must keep one FlowInfo per flow until the
end. Kept in a list, that grows with the number of flows the capture ever had (~1 KB each: a
hostile or simply huge capture with millions of short flows would need gigabytes). Here at most
`in_memory` snapshots are held; beyond that they are sorted and written, one pickle each, as a
run to an anonymous temporary file, and `sorted()` merges the runs back in stream order, reading
one snapshot per run at a time. Memory is then `in_memory` snapshots plus one per run.
"""

from __future__ import annotations

import heapq
import pickle
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import replace
from itertools import groupby
from typing import IO, Any

from wsarecv_cli.net import Transport
from wsarecv_cli.reassembly.stats import FIELDS, DirectionStats


def stream_order(info: Any) -> tuple[bool, int]:
    """Wireshark's listing order: TCP streams, then UDP streams, each by index."""
    return info.id.transport is not Transport.TCP, info.id.index


def joined(infos: Iterable[Any]) -> Iterator[Any]:
    """FlowInfos in stream order, those of one index (a UDP flow retired idle, then active again:
    FlowTracker's retire_idle_udp) joined into one: a/b as first seen, the earliest first and the
    latest last time, the counters added up."""
    for _, same in groupby(infos, key=stream_order):
        parts = list(same)
        if len(parts) == 1:
            yield parts[0]
            continue
        parts.sort(key=lambda info: info.first_ts)  # spilled runs give equal keys in any order
        yield replace(parts[0], last_ts=max(info.last_ts for info in parts),
                      a_to_b=_added([info.a_to_b for info in parts]), b_to_a=_added([info.b_to_a for info in parts]))


def _added(stats: list[DirectionStats]) -> DirectionStats:
    total = DirectionStats()
    for name in FIELDS:
        values = [getattr(st, name) for st in stats]
        setattr(total, name, any(values) if isinstance(values[0], bool) else sum(values))
    return total


class FlowSummaries:
    """An append-only bag of FlowInfo that hands them back sorted by `stream_order`."""

    # ~0.5 MB of snapshots; a run of this many is written when it fills. 512, not more: what is
    # held here grows until the first run is written, so a bigger bag made `flows`' peak memory
    # grow with the capture's length up to it (4096 held ~3 MB more at 1M packets than at 200k);
    # a run read back costs one snapshot in memory during the merge, so even 100k flows are fine.
    IN_MEMORY = 512

    def __init__(self, in_memory: int | None = None) -> None:
        self.in_memory = in_memory or self.IN_MEMORY
        self._held: list[Any] = []
        self._runs: list[tuple[int, int]] = []  # (file offset, count) of each written run
        self._file: IO[bytes] | None = None
        self._count = 0

    def __len__(self) -> int:
        return self._count

    @property
    def spilled_runs(self) -> int:
        return len(self._runs)

    def add(self, info: Any) -> None:
        self._held.append(info)
        self._count += 1
        if len(self._held) >= self.in_memory:
            self._spill()

    def sorted(self, extra: Iterable[Any] = ()) -> Iterator[Any]:
        """Every snapshot (and `extra`, e.g. the live flows') in stream order, lazily. The
        snapshots stay stored: call again for another pass."""
        held = sorted([*self._held, *extra], key=stream_order)
        if not self._runs:
            return iter(held)
        return heapq.merge(held, *(self._read_run(offset, n) for offset, n in self._runs), key=stream_order)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def _spill(self) -> None:
        if self._file is None:
            try:
                self._file = tempfile.TemporaryFile(prefix="wsarecv-flows-")
            except OSError:  # no writable temporary directory: keep them all in memory, as before
                self.in_memory = 1 << 62
                return
        self._file.seek(0, 2)
        offset = self._file.tell()
        pickler = pickle.Pickler(self._file, protocol=pickle.HIGHEST_PROTOCOL)
        for info in sorted(self._held, key=stream_order):
            pickler.dump(info)
            pickler.clear_memo()  # one self-contained pickle per snapshot, read back one by one
        self._runs.append((offset, len(self._held)))
        self._held = []

    def _read_run(self, offset: int, count: int) -> Iterator[Any]:
        """One run, a snapshot at a time; other runs read the same file in between, so every
        read seeks to where this run left off."""
        file = self._file
        assert file is not None
        for _ in range(count):
            file.seek(offset)
            info = pickle.load(file)
            offset = file.tell()
            yield info

    def __del__(self) -> None:
        self.close()
