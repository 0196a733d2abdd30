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
from typing import IO, Any

from wsarecv_cli.net import Transport


def stream_order(info: Any) -> tuple[bool, int]:
    """Wireshark's listing order: TCP streams, then UDP streams, each by index."""
    return info.id.transport is not Transport.TCP, info.id.index


class FlowSummaries:
    """An append-only bag of FlowInfo that hands them back sorted by `stream_order`."""

    IN_MEMORY = 4096  # ~4 MB of snapshots; a run of this many is written when it fills

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
