"""`--slice`: re-cut the player's TCP bytes on purpose, to shake out framing bugs in the real app.

captured   one send per captured segment (default)
bytewise   one byte a send: the worst case a stream reader must survive
fixed:N    N bytes a send (the last one of a burst shorter)
random:SEED  random sizes from 1 to twice the burst's mean captured segment size (so about as many
             sends as captured, boundaries elsewhere), reproducible from SEED

Only bytes between two waits for the app are cut together (a "burst"): a slice never moves bytes
across a point where the capture shows the app answering first. A piece keeps the capture time of
the segment holding its first byte. The urgent byte stays its own MSG_OOB send.
"""

from __future__ import annotations

import enum
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass

from wsarecv_cli.play.script import Send


class SliceKind(enum.Enum):
    CAPTURED = "captured"
    BYTEWISE = "bytewise"
    FIXED = "fixed"
    RANDOM = "random"


@dataclass(frozen=True, slots=True)
class SliceSpec:
    kind: SliceKind = SliceKind.CAPTURED
    size: int = 0  # fixed:N
    seed: int = 0  # random:SEED

    def __str__(self) -> str:
        if self.kind is SliceKind.FIXED:
            return f"fixed:{self.size}"
        if self.kind is SliceKind.RANDOM:
            return f"random:{self.seed}"
        return self.kind.value

    @classmethod
    def parse(cls, text: str) -> SliceSpec:
        """Parse a --slice value; ValueError says what is accepted."""
        value = text.strip()
        for kind in (SliceKind.CAPTURED, SliceKind.BYTEWISE):
            if value == kind.value:
                return cls(kind)
        match = re.fullmatch(r"fixed:(\d+)", value)
        if match and int(match.group(1)) > 0:
            return cls(SliceKind.FIXED, size=int(match.group(1)))
        match = re.fullmatch(r"random:(\d+)", value)
        if match:
            return cls(SliceKind.RANDOM, seed=int(match.group(1)))
        raise ValueError(f"{text!r} is not a slicing: use captured, bytewise, fixed:N (N >= 1) or random:SEED")


def reslice(sends: tuple[Send, ...], spec: SliceSpec) -> tuple[Send, ...]:
    """The same bytes in the same order, cut as `spec` says; waits and urgent bytes unchanged."""
    if spec.kind is SliceKind.CAPTURED:
        return sends
    rng = random.Random(spec.seed)
    out: list[Send] = []
    for burst in _bursts(sends):
        if burst[0].oob:
            out.extend(burst)
            continue
        data = b"".join(s.data for s in burst)
        starts, offset = [], 0  # (stream offset where each captured segment starts, its time)
        for s in burst:
            starts.append((offset, s.capture_ns))
            offset += len(s.data)
        mean = max(1, len(data) // len(burst))
        at, seg = 0, 0
        for size in _sizes(spec, rng, len(data), mean):
            while seg + 1 < len(starts) and starts[seg + 1][0] <= at:
                seg += 1
            out.append(Send(data[at:at + size], starts[seg][1], burst[0].wait_for))
            at += size
    return tuple(out)


def _bursts(sends: tuple[Send, ...]) -> Iterator[list[Send]]:
    """Runs of sends with the same wait and urgency: what may be cut together."""
    burst: list[Send] = []
    for s in sends:
        if burst and (s.wait_for != burst[0].wait_for or s.oob or burst[0].oob):
            yield burst
            burst = []
        burst.append(s)
    if burst:
        yield burst


def _sizes(spec: SliceSpec, rng: random.Random, total: int, mean: int) -> Iterator[int]:
    left = total
    while left > 0:
        if spec.kind is SliceKind.BYTEWISE:
            size = 1
        elif spec.kind is SliceKind.FIXED:
            size = spec.size
        else:
            size = rng.randint(1, 2 * mean)
        size = min(size, left)
        left -= size
        yield size
