"""The timeline picture: receivers' segment arrivals and WSARecv calls on a time axis, as SVG.

For each receiver, three bands under one axis:
- segments: every captured segment sent to it (height grows with its size), retransmissions and
  out-of-order segments in their own colours, FIN/RST ticks, capture gaps as red bands;
- calls: each WSARecv from posted to completed, coloured by outcome (data, nothing, close,
  error, still open, bytes the capture lacks), overlapping calls on separate rows;
- for a few calls (the first with data, then those that lost bytes, read unknown ones or took
  several segments' bytes), the bytes flowing from the stream into each WSABUF.
Past DENSE marks a band is drawn as BINS columns of totals (bytes, calls, errors) instead, so a
10,000-call replay still shows where the data and the errors are, in a file of bounded size.

Every mark carries a class (`seg-data`, `call-error`, `gap`, ...; legend swatches add `legend`)
and a `<title>` tooltip, which tests read back with xml.etree. All text goes through `xml_text`:
names from a capture are data.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from wsarecv_cli.render.timeline_axis import LEFT, PLOT, RIGHT, WIDTH, Axis, call_tip, frame_text, num, xml_text
from wsarecv_cli.render.timeline_data import CallLook, CallMark, ReceiverTimeline, SegmentMark
from wsarecv_cli.render.timeline_wsabufs import detail_choice, draw_wsabufs
from wsarecv_cli.replay.segments import SegmentKind

SEG_BAND, CALL_ROW, MAX_CALL_ROWS, DETAIL_ROW = 60, 14, 4, 92
DENSE = 400  # more marks than this in a band: draw BINS columns of totals instead
BINS = 240
MAX_RECEIVERS = 8

_SEGMENT_CLASS = {
    SegmentKind.DATA: "seg-data", SegmentKind.RETRANSMISSION: "seg-retrans", SegmentKind.OUT_OF_ORDER: "seg-ooo",
    SegmentKind.FIN: "seg-fin", SegmentKind.RST: "seg-rst", SegmentKind.DATAGRAM: "seg-data",
}
STYLE = """
text { font-family: DejaVu Sans, Arial, sans-serif; font-size: 11px; fill: #222; }
.heading { font-size: 13px; font-weight: bold; } .title { font-size: 16px; font-weight: bold; }
.lane { fill: #555; } .note { fill: #666; font-style: italic; } .axis { stroke: #999; }
.band { fill: #f6f6f6; } .grid { stroke: #e2e2e2; }
.seg-data { fill: #3b78c4; } .seg-retrans { fill: #f08c00; } .seg-ooo { fill: #9c6ade; }
.seg-fin { stroke: #2b8a3e; stroke-width: 2; } .seg-rst { stroke: #c92a2a; stroke-width: 2; }
.gap { fill: #e03131; fill-opacity: .35; stroke: #c92a2a; }
.call-data { fill: #37b24d; } .call-empty { fill: #adb5bd; } .call-close { fill: #7048e8; }
.call-error { fill: #e03131; } .call-open { fill: #fff; stroke: #868e96; stroke-dasharray: 3 2; }
.call-gap { fill: #e03131; fill-opacity: .45; } .call-wait { fill-opacity: .3; }
.stream { fill: #d0e2f7; stroke: #3b78c4; } .stream-alt { fill: #a9c9ee; stroke: #3b78c4; }
.wsabuf { fill: #fff; stroke: #333; } .filled { fill: #b2f2bb; stroke: #2b8a3e; }
.unknown { fill: #ffc9c9; stroke: #c92a2a; } .lost { fill: #ffa8a8; stroke: #c92a2a; }
.flow { fill: #37b24d; fill-opacity: .18; stroke: #2b8a3e; stroke-opacity: .5; }
"""
LEGEND = (("seg-data", "segment"), ("seg-retrans", "retransmission"), ("seg-ooo", "out of order"),
          ("gap", "capture gap"), ("call-data", "call: data"), ("call-empty", "call: no data"),
          ("call-close", "call: close"), ("call-error", "call: error"), ("call-open", "call: still open"))


def timeline_svg(timelines: Sequence[ReceiverTimeline], *, title: str = "wsarecv timeline",
                 axis_label: str = "seconds from the first frame", ordinal: bool = False) -> str:
    """The picture of up to MAX_RECEIVERS receivers, as a standalone SVG document; `ordinal`:
    the times are event positions (a scenario)."""
    drawn = list(timelines[:MAX_RECEIVERS])
    out: list[str] = [f'<text class="title" x="12" y="22">{xml_text(title)}</text>']
    y = _legend(out, 34)
    if not drawn:
        out.append(f'<text class="note" x="{LEFT}" y="{y + 16}">No receiver got anything in the selection.</text>')
        y += 30
    for tl in drawn:  # each its own axis: receivers of one capture may live seconds or hours apart
        y = _receiver(out, tl, Axis.covering([tl], axis_label, ordinal), y)
    if len(timelines) > len(drawn):
        out.append(f'<text class="note" x="12" y="{y + 14}">{len(timelines) - len(drawn)} more receiver(s) not '
                   f'drawn: pick one with --flow and --receiver.</text>')
        y += 24
    height = y + 8
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" class="wsarecv-timeline">\n<style>{STYLE}</style>\n'
            f'<rect width="{WIDTH}" height="{height}" fill="#fff"/>\n' + "\n".join(out) + "\n</svg>\n")


def _legend(out: list[str], y: float) -> float:
    x = 12.0
    for css, words in LEGEND:
        out.append(f'<rect class="{css} legend" x="{x}" y="{y}" width="12" height="10"/>'
                   f'<text x="{x + 16}" y="{y + 9}">{words}</text>')
        x += 22 + 6.5 * len(words)
    return y + 22


def _receiver(out: list[str], tl: ReceiverTimeline, axis: Axis, y: float) -> float:
    closure = f", closure: {tl.closure}" if tl.closure else ""
    out.append(f'<text class="heading" x="12" y="{y + 14}">{xml_text(tl.heading)}</text>'
               f'<text class="note" x="{WIDTH - RIGHT}" y="{y + 14}" text-anchor="end">'
               f'{len(tl.calls)} calls, {len(tl.segments)} segments, {tl.total_bytes} bytes{xml_text(closure)}</text>')
    y += 24
    _grid(out, axis, y, y + SEG_BAND + 8 + MAX_CALL_ROWS * CALL_ROW)
    _segments(out, tl, axis, y)
    y += SEG_BAND + 8
    detailed = detail_choice(tl.calls, tl.segments)
    rows = _calls(out, tl.calls, axis, y, {c.n for c in detailed})
    y += rows * CALL_ROW + 6
    _axis(out, axis, y)
    y += 30
    for call in sorted(detailed, key=lambda c: c.n):
        draw_wsabufs(out, tl, call, y, axis)
        y += DETAIL_ROW
    return y + 10


def _grid(out: list[str], axis: Axis, top: float, bottom: float) -> None:
    for t in axis.ticks():
        x = num(axis.x(t))
        out.append(f'<line class="grid" x1="{x}" x2="{x}" y1="{top}" y2="{bottom}"/>')


def _axis(out: list[str], axis: Axis, y: float) -> None:
    out.append(f'<line class="axis" x1="{LEFT}" x2="{LEFT + PLOT}" y1="{y}" y2="{y}"/>')
    for t in axis.ticks():
        x = num(axis.x(t))
        out.append(f'<line class="axis" x1="{x}" x2="{x}" y1="{y}" y2="{y + 4}"/>'
                   f'<text x="{x}" y="{y + 15}" text-anchor="middle">{axis.tick_text(t)}</text>')
    out.append(f'<text class="lane" x="{LEFT - 24}" y="{y + 15}" text-anchor="end">time</text>'
               f'<text class="note" x="{LEFT + PLOT}" y="{y + 27}" text-anchor="end">{xml_text(axis.label)}</text>')


# ---- segments --------------------------------------------------------------------------------


def _segments(out: list[str], tl: ReceiverTimeline, axis: Axis, top: float) -> None:
    base = top + SEG_BAND
    out.append(f'<rect class="band" x="{LEFT}" y="{top}" width="{PLOT}" height="{SEG_BAND}"/>'
               f'<text class="lane" x="{LEFT - 8}" y="{top + SEG_BAND / 2 + 4}" text-anchor="end">segments</text>')
    payload = [s for s in tl.segments if s.kind not in (SegmentKind.FIN, SegmentKind.RST)]
    if len(payload) > DENSE:
        _segment_bins(out, payload, axis, top)
    else:
        biggest = max((s.length for s in payload), default=1) or 1
        width = axis.mark_width
        for seg in payload:
            h = 6 + (SEG_BAND - 8) * math.sqrt(seg.length / biggest)
            out.append(f'<rect class="{_SEGMENT_CLASS[seg.kind]}" x="{num(axis.x(seg.t) - width / 2)}" '
                       f'y="{num(base - h)}" width="{num(width)}" height="{num(h)}">'
                       f'<title>{_segment_tip(seg, axis)}</title></rect>')
    for seg in tl.segments:
        if seg.kind in (SegmentKind.FIN, SegmentKind.RST):
            x, name = num(axis.x(seg.t)), "FIN" if seg.kind is SegmentKind.FIN else "RST"
            out.append(f'<line class="{_SEGMENT_CLASS[seg.kind]}" x1="{x}" x2="{x}" y1="{top}" y2="{base}">'
                       f'<title>{name} at {axis.when(seg.t)}{frame_text(seg.frame)}</title></line>'
                       f'<text x="{x}" y="{top - 2}" text-anchor="middle">{name}</text>')
    for gap in tl.gaps[:DENSE]:
        x = axis.x(gap.t)
        out.append(f'<rect class="gap" x="{num(x - 3)}" y="{top}" width="6" height="{SEG_BAND}">'
                   f'<title>capture gap: {gap.length} bytes at offset {gap.offset} ({xml_text(gap.reason)}), '
                   f'{axis.when(gap.t)}</title></rect>')
    if len(tl.gaps) > DENSE:
        out.append(f'<text class="note" x="{LEFT + 4}" y="{top + 12}">{len(tl.gaps) - DENSE} more gaps not '
                   f'drawn</text>')


def _segment_tip(seg: SegmentMark, axis: Axis) -> str:
    what = {SegmentKind.RETRANSMISSION: "retransmission, ", SegmentKind.OUT_OF_ORDER: "out of order, "}.get(seg.kind, "")
    where = "" if seg.kind is SegmentKind.DATAGRAM else f", offset {seg.offset}"
    return f"{what}{seg.length} bytes{where}, {axis.when(seg.t)}{frame_text(seg.frame)}"


def _bin_of(axis: Axis, t: float) -> int:
    return min(BINS - 1, max(0, int((axis.x(t) - LEFT) / PLOT * BINS)))


def _bin_rect(out: list[str], css: str, index: int, bottom: float, height: float, tip: str) -> None:
    width = PLOT / BINS
    out.append(f'<rect class="{css}" x="{num(LEFT + index * width)}" y="{num(bottom - height)}" '
               f'width="{num(max(width - 0.5, 1))}" height="{num(height)}"><title>{tip}</title></rect>')


def _span(axis: Axis, index: int) -> str:
    step = (axis.stop - axis.start) / BINS
    return f"{axis.start + index * step:.6f}–{axis.start + (index + 1) * step:.6f} s"


def _segment_bins(out: list[str], payload: list[SegmentMark], axis: Axis, top: float) -> None:
    fresh, repeated, counts = [0] * BINS, [0] * BINS, [0] * BINS
    for seg in payload:
        i = _bin_of(axis, seg.t)
        counts[i] += 1
        if seg.kind is SegmentKind.RETRANSMISSION:
            repeated[i] += seg.length
        else:
            fresh[i] += seg.length
    biggest = max(f + r for f, r in zip(fresh, repeated, strict=True)) or 1
    base = top + SEG_BAND
    for i in range(BINS):
        if not counts[i]:
            continue
        tip = f"{_span(axis, i)}: {counts[i]} segments, {fresh[i] + repeated[i]} bytes, {repeated[i]} retransmitted"
        h_fresh = (SEG_BAND - 4) * fresh[i] / biggest
        h_rep = (SEG_BAND - 4) * repeated[i] / biggest
        _bin_rect(out, "seg-data bin", i, base, max(h_fresh, 1), tip)
        if repeated[i]:
            _bin_rect(out, "seg-retrans bin", i, base - h_fresh, max(h_rep, 1), tip)
    # In the left margin, under the lane's name: the bars fill the band.
    out.append(f'<text class="note" x="{LEFT - 8}" y="{top + SEG_BAND / 2 + 17}" text-anchor="end">bytes per column'
               f'<title>{len(payload)} segments in {BINS} columns: height = bytes per column (orange: retransmitted); '
               f'hover a column for its totals, zoom in the HTML report</title></text>')


# ---- calls -----------------------------------------------------------------------------------


def _calls(out: list[str], calls: list[CallMark], axis: Axis, top: float, detailed: set[int]) -> int:
    """Draw the calls band; returns the rows used."""
    if len(calls) > DENSE:
        return _call_bins(out, calls, axis, top)
    row_ends: list[float] = []  # overlapping calls (overlapped I/O, --outstanding) go on other rows
    marks: list[tuple[CallMark, int, float, float]] = []
    for call in calls:
        x0 = axis.x(call.t0)
        x1 = LEFT + PLOT if call.t1 is None else axis.x(call.t1)
        row = next((i for i, end in enumerate(row_ends) if end <= x0 + 0.5), None)
        if row is None:
            row = min(len(row_ends), MAX_CALL_ROWS - 1)
            if row == len(row_ends):
                row_ends.append(x1)
        row_ends[row] = max(row_ends[row], x1)
        marks.append((call, row, x0, x1))
    rows = max(len(row_ends), 1)
    out.append(f'<text class="lane" x="{LEFT - 8}" y="{top + rows * CALL_ROW / 2 + 4}" text-anchor="end">'
               f'WSARecv calls</text>')
    for call, row, x0, x1 in marks:
        y, tip = top + row * CALL_ROW, xml_text(" ".join(call_tip(call, axis)))
        if call.t1 is None:
            out.append(f'<rect class="call-open" x="{num(x0)}" y="{y}" width="{num(max(x1 - x0, 2.5))}" '
                       f'height="{CALL_ROW - 3}"><title>{tip}</title></rect>')
            continue
        if x1 - x0 > 3:  # the wait, pale; the result a solid mark where the call returned
            out.append(f'<rect class="call-wait {call.look.value}" x="{num(x0)}" y="{y + 3}" '
                       f'width="{num(x1 - x0)}" height="{CALL_ROW - 9}"><title>{tip}</title></rect>')
        width = axis.mark_width
        out.append(f'<rect class="{call.look.value}" x="{num(x1 - width / 2)}" y="{y}" width="{num(width)}" '
                   f'height="{CALL_ROW - 3}"><title>{tip}</title></rect>')
    _call_labels(out, [(x0, row, call.n) for call, row, x0, _ in marks if call.n in detailed], top)
    return rows


def _call_labels(out: list[str], labels: list[tuple[float, int, int]], top: float) -> None:
    """'#n' beside the calls shown in detail; labels that would overlap are pushed right."""
    free_from: dict[int, float] = {}
    for x, row, n in sorted(labels):
        x = max(x + 3, free_from.get(row, 0.0))
        text = f"#{n}"
        out.append(f'<text x="{num(x)}" y="{top + row * CALL_ROW + CALL_ROW - 4}">{text}</text>')
        free_from[row] = x + 7 * len(text) + 3


def _call_bins(out: list[str], calls: list[CallMark], axis: Axis, top: float) -> int:
    rows = MAX_CALL_ROWS
    height = rows * CALL_ROW - 3
    looks = (CallLook.DATA, CallLook.EMPTY, CallLook.CLOSE, CallLook.GAP, CallLook.ERROR, CallLook.OPEN)
    counts = {look: [0] * BINS for look in looks}
    data = [0] * BINS
    for call in calls:
        i = _bin_of(axis, call.t0)
        counts[call.look][i] += 1
        data[i] += call.bytes
    totals = [sum(counts[look][i] for look in looks) for i in range(BINS)]
    biggest = max(totals) or 1
    out.append(f'<text class="lane" x="{LEFT - 8}" y="{top + height / 2 + 4}" text-anchor="end">WSARecv calls</text>')
    for i in range(BINS):
        if not totals[i]:
            continue
        parts = ", ".join(f"{counts[look][i]} {look.value[5:]}" for look in looks if counts[look][i])
        tip = f"{_span(axis, i)}: {totals[i]} calls ({parts}), {data[i]} bytes"
        bottom = top + height
        for look in looks:  # stacked, errors and open calls on top where the eye lands
            if counts[look][i]:
                h = max(height * counts[look][i] / biggest, 1.5)
                _bin_rect(out, f"{look.value} bin", i, bottom, h, tip)
                bottom -= h
    out.append(f'<text class="note" x="{LEFT - 8}" y="{top + height / 2 + 17}" text-anchor="end">calls per column'
               f'<title>{len(calls)} calls in {BINS} columns: height = calls per column, coloured by outcome'
               f'</title></text>')
    return rows
