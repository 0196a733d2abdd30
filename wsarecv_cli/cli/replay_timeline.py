"""`replay --timeline FILE.svg` (and the picture inside `--export-html`): collecting while replaying.

The picture is drawn from the same records `--ndjson` prints, whatever the output chosen: the
session's items pass through `replay_records` on their way to the tables or records, and each
record goes to a TimelineBuilder. The session's packet tap records every segment sent to a
receiver (retransmissions too, which reassembly hides). Nothing of this runs unless asked for.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from wsarecv_cli.render.timeline import timeline_svg
from wsarecv_cli.render.timeline_data import SegmentMark, TimelineBuilder
from wsarecv_cli.replay.segments import SegmentKind, SegmentTap
from wsarecv_cli.replay.session import ReplayItem, ReplaySession


@dataclass(slots=True)
class ReplayTimeline:
    """Collects one replay's picture; `svg()` draws it once the replay ended."""

    session: ReplaySession
    builder: TimelineBuilder = field(default_factory=TimelineBuilder)
    tap: SegmentTap = field(default_factory=SegmentTap)

    @classmethod
    def attach(cls, session: ReplaySession) -> ReplayTimeline:
        timeline = cls(session)
        session.packet_tap = timeline.tap
        return timeline

    def observe(self, items: Iterator[ReplayItem], replay_records: Callable[..., Iterator[Any]]) -> Iterator[ReplayItem]:
        """The items unchanged and in order; `replay_records` of them handed to the builder on the way."""
        waiting: deque[ReplayItem] = deque()

        def remembered() -> Iterator[ReplayItem]:
            for item in items:
                waiting.append(item)
                yield item

        add = self.builder.add
        for record in replay_records(remembered(), self.session):
            add(record)
            while waiting:
                yield waiting.popleft()
        while waiting:
            yield waiting.popleft()

    def svg(self) -> str:
        base = self.session.first_ts_ns or 0
        timelines = self.builder.timelines()
        for tl in timelines:
            peer = tl.peer if tl.protocol == "tcp" else None  # datagrams may come from many senders
            tl.segments = [SegmentMark((s.t_ns - base) / 1e9, s.offset, s.length, s.kind, s.frame)
                           for s in self.tap.segments(tl.receiver, peer)
                           if tl.protocol != "udp" or s.kind is SegmentKind.DATAGRAM]
        return timeline_svg(timelines, title=f"wsarecv replay {self.session.path}")
