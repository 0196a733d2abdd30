"""follow --json's segment lists on disk while their flows are live, and each flow entry written in pieces.

A direction's segments ({"offset", "length", "t", "frames"} each) are listed in the document when
its flow finishes, and a flow can live as long as the capture: held in memory, they grew by 32
bytes a segment for every live flow (a 10-million-segment flow: 320 MB, and its entry built as
10 million dicts at the end). Instead a DirectionDigest keeps at most SPOOL_AT segments in its
arrays and appends them to the run's spool (wsarecv_cli/spool.py: one unnamed temporary file,
removed by the system when closed, however the process ends) as a block: the (offset, length,
frame) int64s, the `t` doubles, and the frame tuples of the segments made of several frames (IP
fragments, merged retransmissions). `write_flow_entry` writes the flow's entry with its segments read back a
block at a time, byte for byte what encoding the whole entry at once gives
(tests/render/test_follow_spool.py).

A block's segments are written by %-formatting (`segments_text`), not as a dict each through the
json encoder: ~0.5 us a segment less (bench/FOLLOW.md), the same text (tests/render/test_segments_text.py).
"""

from __future__ import annotations

import json
import math
from array import array
from collections.abc import Callable, Iterator
from typing import Any

SPOOL_AT = 64  # segments a direction holds in memory (2 KB) before they go to the spool
_SLOT = '"\\u0000segments\\u0000"'  # what the placeholder below encodes to (never a real value)
PLACEHOLDER = "\x00segments\x00"
Block = tuple[array, array, list[tuple[int, ...]]]  # (segs, times, multi) as DirectionDigest holds them


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


def segment_format(encoder: json.JSONEncoder) -> str | None:
    """One segment as `encoder` writes segment_dicts' dict, as a %-format of (offset, length, t,
    frames joined): None when it writes them in a way this does not copy (indent, sorted keys, a
    subclass, a '%' in a separator). Its separators are the encoder's own."""
    item, key = encoder.item_separator, encoder.key_separator
    if type(encoder) is not json.JSONEncoder or encoder.indent is not None or encoder.sort_keys or "%" in item + key:
        return None
    return "{" + item.join(f'"{name}"{key}%s' for name in ("offset", "length", "t")) + f'{item}"frames"{key}[%s]}}'


def segments_text(segs: array, times: array, multi: list[tuple[int, ...]], encoder: json.JSONEncoder) -> str:
    """A block's segments as `encoder` writes the list segment_dicts makes, without its brackets.

    '%s' writes an int as int.__repr__ and a float as float.__repr__, as the encoder does, but a
    non-finite float as inf/nan where the encoder writes Infinity/NaN (or refuses): a block with
    one (never made by a digest: its times are int ns / 1e9) goes through the encoder, as does
    everything when segment_format gives None."""
    form = segment_format(encoder)
    if form is None or not math.isfinite(sum(times)):  # an overflowing sum only costs the slow path
        return encoder.encode(segment_dicts(segs, times, multi))[1:-1]
    count = len(times)
    values: list[Any] = [None] * (4 * count)
    values[0::4] = segs[0::3]
    values[1::4] = segs[1::3]
    values[2::4] = times
    if multi:
        item = encoder.item_separator
        joined = [item.join(map(int.__repr__, frames)) for frames in multi]
        values[3::4] = [frame if frame >= 0 else joined[-1 - frame] for frame in segs[2::3]]
    else:
        values[3::4] = segs[2::3]
    return encoder.item_separator.join([form] * count) % tuple(values)


def write_flow_entry(write: Callable[[str], Any], entry: dict[str, Any], blocks: list[Iterator[Block]],
                     encoder: json.JSONEncoder) -> None:
    """Write `entry` encoded, each direction's "segments" (PLACEHOLDER in `entry`) taken from its
    iterator of segment blocks: the same text as encoding the entry with the segment lists in place."""
    assert encoder.indent is None, "an indented list's text depends on its depth: not written in pieces"
    parts = encoder.encode(entry).split(_SLOT)
    assert len(parts) == len(blocks) + 1, "one placeholder per direction"
    item = encoder.item_separator
    write(parts[0])
    for block_iter, after in zip(blocks, parts[1:]):
        write("[")
        first = True
        for block in block_iter:
            if block[1]:
                text = segments_text(*block, encoder)
                write(text if first else item + text)
                first = False
        write("]" + after)
