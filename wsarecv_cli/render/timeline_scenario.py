"""A scenario's run as a timeline: the same picture as a replay's, on an axis of event order.

Scenario steps rarely carry times (`at`), so each arrival, call and completion gets the next
position on the axis instead: the picture shows what happened in which order, not how long it
took. Arrivals become the segments lane (stream offsets counted as the scenario sends them).
"""

from __future__ import annotations

from typing import Any

from wsarecv_cli.model.types import CaptureGap, Completion, Fin, Message, RecvResult, Reset, StreamBytes, UrgentByte
from wsarecv_cli.render.timeline import timeline_svg
from wsarecv_cli.render.timeline_data import GapMark, SegmentMark, TimelineBuilder
from wsarecv_cli.replay.segments import SegmentKind
from wsarecv_cli.replay.simulate import Action, SimulationRun

AXIS_LABEL = "events in scenario order (not to scale)"


def scenario_timeline_svg(run: SimulationRun, records: list[dict[str, Any]]) -> str:
    """`records` are the run's records (`run_records`); their times are replaced by event positions."""
    position: dict[tuple[str, int], int] = {}
    builder = TimelineBuilder(title=run.scenario.title or run.scenario.source)
    lane = builder.timeline(None, None)
    offset = 0
    steps = {step.index: step for step in run.scenario.steps}
    for index, outcome in enumerate(run.outcomes):
        if isinstance(outcome, RecvResult):
            position.setdefault(("call", outcome.n), index)
        elif isinstance(outcome, Completion):
            position[("completion", outcome.n)] = index
        elif isinstance(outcome, Action) and outcome.kind == "arrive":
            step = steps.get(outcome.step)
            offset = _arrival(lane, step.arrive if step else None, index, offset)
    for rec in records:
        rec = dict(rec)
        if rec.get("type") == "call":
            rec["t"] = position.get(("call", rec["n"]), 0)
            if "t_done" in rec:
                rec["t_done"] = position.get(("completion", rec["n"]), rec["t"])
        elif rec.get("type") == "completion":
            rec["t"] = position.get(("completion", rec["n"]), 0)
        builder.add(rec)
    return timeline_svg(builder.timelines(), title=f"wsarecv simulate: {builder.title}", axis_label=AXIS_LABEL,
                        ordinal=True)


def _arrival(lane, arrival, index: int, offset: int) -> int:
    """Add one arrival's mark; returns the stream offset after it."""
    if isinstance(arrival, StreamBytes):
        lane.segments.append(SegmentMark(index, offset, len(arrival.data), SegmentKind.DATA, 0))
        return offset + len(arrival.data)
    if isinstance(arrival, Message):
        size = arrival.wire_length or len(arrival.data)
        lane.segments.append(SegmentMark(index, 0, size, SegmentKind.DATAGRAM, 0))
    elif isinstance(arrival, CaptureGap):
        lane.gaps.append(GapMark(index, offset, arrival.length, "scenario"))
        return offset + arrival.length
    elif isinstance(arrival, UrgentByte):  # the one out-of-band byte (R39): not a stream byte
        lane.segments.append(SegmentMark(index, offset, 1, SegmentKind.OUT_OF_ORDER, 0))
    elif isinstance(arrival, Fin):
        lane.segments.append(SegmentMark(index, offset, 0, SegmentKind.FIN, 0))
    elif isinstance(arrival, Reset):
        lane.segments.append(SegmentMark(index, offset, 0, SegmentKind.RST, 0))
    return offset
