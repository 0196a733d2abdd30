"""The out-of-order data one TCP direction holds behind a hole, and what it costs.

Chunks never overlap: a segment is stored only where nothing is held yet (the overlap policy may
rewrite held bytes in place, never their extent), so the chunks themselves say which offsets are
held. Their starts are a SortedKeys (no O(n) insert, whatever order segments arrive in).

What is held is counted twice against limits, bytes plus CHUNK_COST of bookkeeping per chunk:
per direction (`--max-ooo-bytes`) and for the whole capture in the MemoryBudget shared by every
direction of a FlowTracker (`--max-ooo-total`): 10,000 flows each holding 1 MiB behind a hole are
each under the per-direction limit, and 10 GiB together.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from wsarecv_cli.reassembly.sortedkeys import SortedKeys
from wsarecv_cli.reassembly.stats import OverlapPolicy

# What one held chunk costs beyond its bytes (a dict entry and its 4-tuple, the frames tuple, a
# place in the sorted keys: ~400 B measured with tracemalloc), counted against the limits with the
# bytes, so a flood of one-byte segments behind a hole is bounded by what it really holds, not by
# its payload (16 MiB: ~40k such chunks, ~16 MB).
CHUNK_COST = 400

Chunk = tuple[int, "bytes | None", int, tuple[int, ...]]  # (stop, data or None for snaplen-missing, ts, frames)


class MemoryBudget:
    """What one tracker holds, counted as it changes: `held`, the bytes (and CHUNK_COSTs) held out
    of order by all its directions, against `held_limit` (--max-ooo-total); `live`, the estimated
    memory of all its live state (FLOW_COST a flow, delivered-bytes windows, held data, and what its
    consumer charged: replay's receivers), which the tracker keeps under --max-flow-memory by
    evicting flows."""

    __slots__ = ("held", "held_limit", "refused", "live")

    def __init__(self, held_limit: int) -> None:
        self.held = 0
        self.held_limit = held_limit
        self.refused = 0  # chunks dropped because of held_limit (not a direction's own limit)
        self.live = 0


def fits(held: int, size: int, limit: int, budget: MemoryBudget) -> bool:
    """Whether a new chunk of `size` bytes fits a direction holding `held` (its `limit`) and the budget."""
    need = size + CHUNK_COST
    return held + need <= limit and budget.held + need <= budget.held_limit


def room(held: int, size: int, limit: int, budget: MemoryBudget) -> bool:
    """`fits`, for a chunk that is dropped when it does not: a refusal by the budget alone is
    counted in it (what sends `--jobs` to one process)."""
    if fits(held, size, limit, budget):
        return True
    if held + size + CHUNK_COST <= limit:
        budget.refused += 1
    return False


class HeldChunks:
    """Chunks held by one direction: start -> (stop, data, ts, frames)."""

    __slots__ = ("chunks", "keys", "cost", "budget")

    def __init__(self, budget: MemoryBudget) -> None:
        self.chunks: dict[int, Chunk] = {}
        self.keys = SortedKeys()
        self.cost = 0  # bytes + CHUNK_COST per chunk, as counted against the limits
        self.budget = budget

    def fits(self, size: int, limit: int) -> bool:
        """Whether `size` more bytes (one new chunk) fit this direction's `limit` and the budget."""
        return fits(self.cost, size, limit, self.budget)

    def put(self, start: int, stop: int, data: bytes | None, ts: int, frames: tuple[int, ...]) -> None:
        self.chunks[start] = (stop, data, ts, frames)
        self.keys.add(start)
        cost = CHUNK_COST if data is None else stop - start + CHUNK_COST
        self.cost += cost
        self.budget.held += cost
        self.budget.live += cost

    def first(self) -> int:
        return self.keys.first()

    def get(self, start: int) -> Chunk:
        return self.chunks[start]

    def pop_first(self) -> tuple[int, Chunk]:
        start = self.keys.pop_first()
        chunk = self.chunks.pop(start)
        cost = CHUNK_COST if chunk[1] is None else chunk[0] - start + CHUNK_COST
        self.cost -= cost
        self.budget.held -= cost
        self.budget.live -= cost
        return start, chunk

    def discard(self) -> None:
        """Give everything back to the budget (the direction is closed)."""
        self.budget.held -= self.cost
        self.budget.live -= self.cost
        self.cost = 0
        self.chunks = {}
        self.keys = SortedKeys()

    def __len__(self) -> int:
        return len(self.chunks)

    def _overlapping(self, start: int, stop: int) -> Iterator[int]:
        """Starts of the chunks that overlap [start, stop), ascending."""
        keys = self.keys
        before = keys.floor(start)
        if before is not None and self.chunks[before][0] > start:
            yield before
        for key in keys.from_key(start):
            if key >= stop:
                return
            if key != before:
                yield key

    def missing(self, start: int, stop: int) -> list[range]:
        """The parts of [start, stop) no chunk holds, in order."""
        out = []
        pos = start
        for key in self._overlapping(start, stop):
            if key > pos:
                out.append(range(pos, key))
            pos = max(pos, self.chunks[key][0])
        if pos < stop:
            out.append(range(pos, stop))
        return out

    def overlap(self, start: int, data: bytes, policy: OverlapPolicy,
                conflict: Callable[[bytes, bytes], None]) -> tuple[bool, int]:
        """Compare `data` at `start` with the held chunks it overlaps: (whether it overlapped any,
        how many chunks' bytes the new copy replaced). Where they differ, `conflict(old, new)` is
        told, and where `policy` says the new copy wins it replaces the held bytes in place (the
        chunk keeps its arrival time and frames)."""
        stop = start + len(data)
        chunks = self.chunks
        overlapped = False
        replaced = 0
        for c_start in list(self._overlapping(start, stop)):
            c_stop, c_data, c_ts, c_frames = chunks[c_start]
            a, b = max(start, c_start), min(stop, c_stop)
            if c_data is None:
                continue
            old = c_data[a - c_start:b - c_start]
            new = data[a - start:b - start]
            if old != new:
                conflict(old, new)
                if policy is not OverlapPolicy.FIRST and policy.new_wins(start, stop, c_start, c_stop):
                    replaced += 1
                    chunks[c_start] = (c_stop, c_data[:a - c_start] + new + c_data[b - c_start:], c_ts, c_frames)
            overlapped = True
        return overlapped, replaced
