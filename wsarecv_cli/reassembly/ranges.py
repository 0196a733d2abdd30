"""A set of non-overlapping, non-adjacent half-open integer ranges (after aioquic's RangeSet).

Sorted; `add` merges neighbours, `subtract` splits, `shift` pops the head. Used for the
out-of-order bytes a TCP direction holds and for the ranges it dropped at the memory limit.
Unlike aioquic it keeps starts and stops in two parallel lists so every operation is a bisect
plus one slice assignment, which keeps 100k held ranges fast. Like aioquic, `__bool__` raises so
callers write `len(rs)` and mean it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator


class RangeSet:
    __slots__ = ("_starts", "_stops")

    def __init__(self, ranges: tuple[range, ...] | list[range] = ()) -> None:
        self._starts: list[int] = []
        self._stops: list[int] = []
        for r in ranges:
            self.add(r.start, r.stop)

    def add(self, start: int, stop: int) -> None:
        """Add [start, stop), merging with every range it touches or overlaps."""
        if stop <= start:
            return
        starts, stops = self._starts, self._stops
        lo = bisect_left(stops, start)  # first range that ends at or after start
        hi = bisect_right(starts, stop)  # ranges from lo to hi touch [start, stop)
        if lo < hi:
            start = min(start, starts[lo])
            stop = max(stop, stops[hi - 1])
        starts[lo:hi] = [start]
        stops[lo:hi] = [stop]

    def subtract(self, start: int, stop: int) -> None:
        """Remove [start, stop), splitting ranges that straddle its ends."""
        if stop <= start:
            return
        starts, stops = self._starts, self._stops
        lo = bisect_right(stops, start)
        hi = bisect_left(starts, stop)
        if lo >= hi:
            return
        new_starts, new_stops = [], []
        if starts[lo] < start:
            new_starts.append(starts[lo])
            new_stops.append(start)
        if stops[hi - 1] > stop:
            new_starts.append(stop)
            new_stops.append(stops[hi - 1])
        starts[lo:hi] = new_starts
        stops[lo:hi] = new_stops

    def missing(self, start: int, stop: int) -> list[range]:
        """The parts of [start, stop) the set does not cover, in order."""
        out = []
        pos = start
        starts, stops = self._starts, self._stops
        i = bisect_right(stops, start)
        n = len(starts)
        while pos < stop and i < n and starts[i] < stop:
            if starts[i] > pos:
                out.append(range(pos, starts[i]))
            pos = max(pos, stops[i])
            i += 1
        if pos < stop:
            out.append(range(pos, stop))
        return out

    def covers(self, start: int, stop: int) -> bool:
        """True when every integer of [start, stop) is in the set."""
        i = bisect_right(self._stops, start)
        return i < len(self._starts) and self._starts[i] <= start and self._stops[i] >= stop

    def shift(self) -> range:
        """Remove and return the first range."""
        return range(self._starts.pop(0), self._stops.pop(0))

    def first_start(self) -> int:
        return self._starts[0]

    def bounds(self) -> range:
        return range(self._starts[0], self._stops[-1])

    def __bool__(self) -> bool:
        raise NotImplementedError("use len(rangeset)")

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, int):
            return False
        i = bisect_right(self._starts, value) - 1
        return i >= 0 and value < self._stops[i]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RangeSet) and list(self) == list(other)

    def __getitem__(self, index: int) -> range:
        return range(self._starts[index], self._stops[index])

    def __iter__(self) -> Iterator[range]:
        return map(range, self._starts, self._stops)

    def __len__(self) -> int:
        return len(self._starts)

    def __repr__(self) -> str:
        return "RangeSet({})".format(", ".join(f"[{a},{b})" for a, b in zip(self._starts, self._stops)))
