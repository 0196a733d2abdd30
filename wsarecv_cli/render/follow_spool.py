"""follow --json's segment lists on disk while their flows are live, and each flow entry written in pieces.

A direction's segments ({"offset", "length", "t", "frames"} each) are listed in the document when
its flow finishes, and a flow can live as long as the capture: held in memory, they grew by 32
bytes a segment for every live flow (a 10-million-segment flow: 320 MB, and its entry built as
10 million dicts at the end). Instead a DirectionDigest keeps at most SPOOL_AT segments in its
arrays and appends them to the run's `SegmentSpool` — one unnamed temporary file, removed by the
system when closed, however the process ends — as a block: the (offset, length, frame) int64s,
the `t` doubles, and the frame tuples of the segments made of several frames (IP fragments,
merged retransmissions). `write_flow_entry` writes the flow's entry with its segments read back a
block at a time, byte for byte what encoding the whole entry at once gives
(tests/render/test_follow_spool.py).
"""

from __future__ import annotations

import tempfile
from array import array
from collections.abc import Callable, Iterator
from typing import IO, Any

SPOOL_AT = 64  # segments a direction holds in memory (2 KB) before they go to the spool
_SLOT = '"\\u0000segments\\u0000"'  # what the placeholder below encodes to (never a real value)
PLACEHOLDER = "\x00segments\x00"


class SegmentSpool:
    """The spilled segment blocks of one run (one process), in one temporary file."""

    def __init__(self) -> None:
        self._file: IO[bytes] | None = None  # made on the first spill: most runs never need it
        self._end = 0

    def write(self, data: bytes) -> int:
        """Append a block; its position in the file."""
        if self._file is None:
            self._file = tempfile.TemporaryFile()
        pos = self._end
        self._file.seek(pos)
        self._file.write(data)
        self._end = pos + len(data)
        return pos

    def read(self, pos: int, size: int) -> bytes:
        assert self._file is not None
        self._file.seek(pos)
        return self._file.read(size)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def pack_block(segs: array, times: array, multi: list[tuple[int, ...]]) -> tuple[bytes, int, int]:
    """(block, segments, int64s of the multi-frame part): the multi-frame tuples as [len, frames...]."""
    flat = array("q")
    for frames in multi:
        flat.append(len(frames))
        flat.extend(frames)
    return segs.tobytes() + times.tobytes() + flat.tobytes(), len(times), len(flat)


def unpack_block(data: bytes, count: int, flat_len: int) -> tuple[array, array, list[tuple[int, ...]]]:
    segs, times, flat = array("q"), array("d"), array("q")
    segs.frombytes(data[:24 * count])
    times.frombytes(data[24 * count:32 * count])
    flat.frombytes(data[32 * count:32 * count + 8 * flat_len])
    multi, at = [], 0
    while at < len(flat):
        n = flat[at]
        multi.append(tuple(flat[at + 1:at + 1 + n]))
        at += 1 + n
    return segs, times, multi


def segment_dicts(segs: array, times: array, multi: list[tuple[int, ...]]) -> list[dict[str, Any]]:
    """A block's segments as the document lists them (frame -1-k: the k-th multi-frame tuple)."""
    return [{"offset": segs[3 * i], "length": segs[3 * i + 1], "t": t,
             "frames": [segs[3 * i + 2]] if segs[3 * i + 2] >= 0 else list(multi[-1 - segs[3 * i + 2]])}
            for i, t in enumerate(times)]


def write_flow_entry(write: Callable[[str], Any], entry: dict[str, Any], chunks: list[Iterator[list[dict]]],
                     encode: Callable[[Any], str]) -> None:
    """Write `entry` encoded, each direction's "segments" (PLACEHOLDER in `entry`) taken from its
    iterator of segment lists: the same text as encoding the entry with the lists joined."""
    parts = encode(entry).split(_SLOT)
    assert len(parts) == len(chunks) + 1, "one placeholder per direction"
    write(parts[0])
    for chunk_iter, after in zip(chunks, parts[1:]):
        write("[")
        first = True
        for chunk in chunk_iter:
            if chunk:
                write(encode(chunk)[1:-1] if first else "," + encode(chunk)[1:-1])
                first = False
        write("]" + after)
