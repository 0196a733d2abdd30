"""A sorted set of ints in blocks: insert and remove cost O(log n + BLOCK), not O(n).

A plain sorted list with `insort` moves every later element on each insert: a hostile capture
sending segments in descending order paid a memmove of the whole list per segment (flows 39 s
against 17 s ascending, issue 19). Here the keys live in blocks of at most 2 * BLOCK sorted ints,
with the largest key of each block in `_maxes`, as sortedcontainers' SortedList does (written
here: the reassembler needs five operations, not a dependency).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterator

BLOCK = 512  # a block splits in two at 2 * BLOCK keys


class SortedKeys:
    """Distinct ints in ascending order (the caller never adds a key twice)."""

    __slots__ = ("_blocks", "_maxes", "_len")

    def __init__(self) -> None:
        self._blocks: list[list[int]] = []
        self._maxes: list[int] = []
        self._len = 0

    def add(self, key: int) -> None:
        blocks, maxes = self._blocks, self._maxes
        self._len += 1
        if not blocks:
            blocks.append([key])
            maxes.append(key)
            return
        i = bisect_left(maxes, key)
        if i == len(maxes):  # beyond every key: the last block's new maximum
            i -= 1
            blocks[i].append(key)
            maxes[i] = key
        else:
            insort(blocks[i], key)
        block = blocks[i]
        if len(block) > 2 * BLOCK:
            blocks.insert(i + 1, block[BLOCK:])
            maxes.insert(i, block[BLOCK - 1])
            del block[BLOCK:]

    def first(self) -> int:
        return self._blocks[0][0]

    def pop_first(self) -> int:
        block = self._blocks[0]
        key = block.pop(0)  # O(BLOCK)
        self._len -= 1
        if not block:
            del self._blocks[0], self._maxes[0]
        return key

    def floor(self, key: int) -> int | None:
        """The largest key <= `key`, or None."""
        maxes = self._maxes
        i = bisect_left(maxes, key)
        if i < len(maxes):
            block = self._blocks[i]
            j = bisect_right(block, key)
            if j:
                return block[j - 1]
        # every key of block i (if any) is above `key`: the answer ends the block before
        return maxes[i - 1] if i else None

    def from_key(self, key: int) -> Iterator[int]:
        """The keys >= `key`, ascending (do not add or remove while iterating)."""
        maxes, blocks = self._maxes, self._blocks
        i = bisect_left(maxes, key)
        if i == len(maxes):
            return
        block = blocks[i]
        yield from block[bisect_left(block, key):]
        for block in blocks[i + 1:]:
            yield from block

    def __len__(self) -> int:
        return self._len

    def __iter__(self) -> Iterator[int]:
        for block in self._blocks:
            yield from block
