"""Replay records -> what the timeline picture draws, per receiver, in a few compact tuples.

`TimelineBuilder.add(record)` takes the records `replay` and `simulate` print (flow, call,
completion, gap, summary) one at a time, so a picture of a long replay costs tens of bytes a
call, not a kept dict. Segments (the wire's arrivals, retransmissions included) come from a
`SegmentTap`, or from a scenario's arrive steps, through `add_segment`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from wsarecv_cli.replay.segments import SegmentKind

_CLOSING_EVENTS = {"graceful-close", "reset", "aborted", "discon", "shutdown"}
_FAILING_EVENTS = {"reset", "aborted", "error", "truncated"}
_NOT_STREAM_FLAGS = {"MSG_PEEK", "MSG_OOB"}


class CallLook(enum.Enum):
    """How a call is coloured: the class name of its mark in the SVG."""

    DATA = "call-data"
    EMPTY = "call-empty"  # returned without bytes: would-block, zero-byte, cancelled
    CLOSE = "call-close"  # graceful close, WSAEDISCON, shutdown
    ERROR = "call-error"  # WSAECONNRESET, WSAEMSGSIZE, aborted...
    OPEN = "call-open"  # still pending or blocked when the capture ended
    GAP = "call-gap"  # read bytes the capture lacks


@dataclass(slots=True)
class CallMark:
    n: int
    t0: float
    t1: float | None  # None while pending / blocked
    buffers: tuple[int, ...]
    filled: tuple[int, ...] = ()
    bytes: int = 0
    unknown: int = 0  # bytes of unknown content (a capture gap)
    lost: int = 0
    look: CallLook = CallLook.OPEN
    label: str = ""  # the error or event name
    offset: int | None = None  # stream offset of its first byte (stream data only)
    stream: bool = True  # not MSG_PEEK / MSG_OOB: its bytes advance the stream


class SegmentMark(NamedTuple):
    t: float
    offset: int
    length: int
    kind: SegmentKind
    frame: int


class GapMark(NamedTuple):
    t: float
    offset: int
    length: int
    reason: str


@dataclass(slots=True)
class ReceiverTimeline:
    flow: str | None
    receiver: str | None
    peer: str | None
    protocol: str
    title: str = ""
    calls: list[CallMark] = field(default_factory=list)
    segments: list[SegmentMark] = field(default_factory=list)
    gaps: list[GapMark] = field(default_factory=list)
    closure: str | None = None
    total_bytes: int = 0
    delivered: int = 0  # running stream offset while records are added
    _open: dict[int, CallMark] = field(default_factory=dict)

    @property
    def heading(self) -> str:
        if self.flow is None:
            return self.title or "scenario"
        return f"{self.flow}  receiver {self.receiver}  from {self.peer}  ({self.protocol})"


def _look(rec: dict[str, Any]) -> tuple[CallLook, str]:
    event = rec.get("event") or ""
    error = rec.get("error")
    if rec.get("unknown_bytes") or event == "gap":
        return CallLook.GAP, event
    if event in _FAILING_EVENTS or (error and event not in _CLOSING_EVENTS and error != "WSAEWOULDBLOCK"):
        return CallLook.ERROR, error or event
    if event in _CLOSING_EVENTS:
        return CallLook.CLOSE, error or event
    if rec.get("bytes"):
        return CallLook.DATA, event
    return CallLook.EMPTY, error or event


@dataclass(slots=True)
class TimelineBuilder:
    """Collects records into one ReceiverTimeline per (flow, receiver), in order of appearance."""

    receivers: dict[tuple[Any, Any], ReceiverTimeline] = field(default_factory=dict)
    title: str = ""

    def timeline(self, flow: str | None, receiver: str | None) -> ReceiverTimeline:
        key = (flow, receiver)
        found = self.receivers.get(key)
        if found is None:
            found = self.receivers[key] = ReceiverTimeline(flow, receiver, None, "tcp", title=self.title)
        return found

    def add(self, rec: dict[str, Any]) -> None:
        kind = rec.get("type")
        if kind not in ("flow", "call", "completion", "gap", "summary"):
            return
        lane = self.timeline(rec.get("flow"), rec.get("receiver"))
        if kind == "flow":
            lane.peer, lane.protocol = rec.get("peer"), rec.get("protocol") or "tcp"
        elif kind == "call":
            self._call(lane, rec)
        elif kind == "completion":
            mark = lane._open.pop(rec["n"], None)
            if mark is not None:
                mark.t1 = rec["t"]
                self._result(lane, mark, rec)
        elif kind == "gap":
            lane.gaps.append(GapMark(rec["t"], rec.get("offset", 0), rec.get("length", 0), rec.get("reason", "")))
        else:
            lane.closure, lane.total_bytes = rec.get("closure"), rec.get("bytes") or 0

    def _call(self, lane: ReceiverTimeline, rec: dict[str, Any]) -> None:
        flags = set(rec.get("flags_in") or ())
        mark = CallMark(rec["n"], rec["t"], None, tuple(rec.get("buffers") or ()),
                        stream=not flags & _NOT_STREAM_FLAGS)
        lane.calls.append(mark)
        if rec.get("status") in ("pending", "waiting"):
            mark.label = rec.get("status") or ""
            lane._open[mark.n] = mark
            return
        mark.t1 = rec.get("t_done", rec["t"])
        self._result(lane, mark, rec)

    @staticmethod
    def _result(lane: ReceiverTimeline, mark: CallMark, rec: dict[str, Any]) -> None:
        mark.filled = tuple(rec.get("filled") or ())
        mark.bytes = rec.get("bytes") or 0
        mark.unknown = rec.get("unknown_bytes") or 0
        mark.lost = rec.get("lost") or 0
        mark.look, mark.label = _look(rec)
        if mark.stream and mark.bytes and lane.protocol == "tcp":
            mark.offset = lane.delivered
            lane.delivered += mark.bytes

    def add_segment(self, flow: str | None, receiver: str | None, mark: SegmentMark) -> None:
        self.timeline(flow, receiver).segments.append(mark)

    def timelines(self) -> list[ReceiverTimeline]:
        return list(self.receivers.values())
