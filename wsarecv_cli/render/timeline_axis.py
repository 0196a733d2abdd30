"""What the timeline's parts share: the canvas, the time axis, XML-safe text, call tooltips."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from wsarecv_cli.render.timeline_data import CallMark, ReceiverTimeline

WIDTH = 1200
LEFT, RIGHT = 140, 24
PLOT = WIDTH - LEFT - RIGHT


def xml_text(value: object) -> str:
    """Text for XML: markup escaped, and characters XML 1.0 forbids shown as \\xNN."""
    out = []
    for ch in str(value):
        code = ord(ch)
        if ch == "&":
            out.append("&amp;")
        elif ch == "<":
            out.append("&lt;")
        elif ch == ">":
            out.append("&gt;")
        elif ch == '"':
            out.append("&quot;")
        elif (code < 0x20 and ch not in "\t\n\r") or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
            out.append(f"\\x{code:02x}")
        else:
            out.append(ch)
    return "".join(out)


def num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


@dataclass(frozen=True, slots=True)
class Axis:
    """Maps a time (seconds, or an event's position for a scenario) to an x pixel."""

    start: float
    stop: float
    label: str
    ordinal: bool = False  # positions of events (a scenario), not seconds

    @property
    def mark_width(self) -> float:
        """Width of a segment mark: wider when an ordinal axis has room for it."""
        return min(max(PLOT / (self.stop - self.start) * 0.4, 2.5), 24) if self.ordinal else 2.5

    def when(self, t: float) -> str:
        return f"event {t:g}" if self.ordinal else f"{t:.6f} s"

    def x(self, t: float) -> float:
        return LEFT + (t - self.start) / (self.stop - self.start) * PLOT

    @classmethod
    def covering(cls, timelines: Sequence[ReceiverTimeline], label: str, ordinal: bool = False) -> Axis:
        times = [t for tl in timelines for t in _times(tl)]
        start, stop = (min(times), max(times)) if times else (0.0, 1.0)
        if stop <= start:
            stop = start + 1.0
        pad = 0.6 if ordinal else (stop - start) * 0.01
        return cls(start - pad, stop + pad, label, ordinal)

    def ticks(self) -> list[float]:
        raw = (self.stop - self.start) / 8
        if self.ordinal:
            raw = max(raw, 1)
        power = 10 ** math.floor(math.log10(raw))
        step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
        first = math.ceil(self.start / step) * step
        return [first + i * step for i in range(int((self.stop - first) / step) + 1)]

    def tick_text(self, t: float) -> str:
        return f"{t:.9f}".rstrip("0").rstrip(".") or "0"


def _times(tl: ReceiverTimeline) -> Iterable[float]:
    for seg in tl.segments:
        yield seg.t
    for call in tl.calls:
        yield call.t0
        if call.t1 is not None:
            yield call.t1
    for gap in tl.gaps:
        yield gap.t


def frame_text(frame: int) -> str:
    return f", frame {frame}" if frame else ""  # 0: a scenario's arrival, no capture frame


def call_tip(call: CallMark, axis: Axis) -> tuple[str, str, str]:
    """(who, when, what) of a call, for tooltips and the WSABUF notes (not yet XML-escaped)."""
    done = "still open at the end" if call.t1 is None else f"returned {axis.when(call.t1)}"
    what = f"{call.bytes} bytes into {list(call.buffers)}" if call.bytes else "no bytes"
    extra = f", {call.lost} lost" if call.lost else ""
    extra += f", {call.unknown} of unknown content (capture gap)" if call.unknown else ""
    label = f", {call.label}" if call.label and call.label != "data" else ""
    return f"call #{call.n}:", f"posted {axis.when(call.t0)}, {done}:", f"{what}{extra}{label}"
