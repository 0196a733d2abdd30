"""The timeline's close-up of a few calls: the stream bytes each took, cut where the captured
segments (and capture gaps) began, joined to the WSABUFs they filled."""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from wsarecv_cli.render.timeline_axis import LEFT, Axis, call_tip, num, xml_text
from wsarecv_cli.render.timeline_data import CallMark, ReceiverTimeline, SegmentMark
from wsarecv_cli.replay.segments import SegmentKind

DETAIL_CALLS = 3
DETAIL_WIDTH = 640


def detail_choice(calls: list[CallMark], segments: list[SegmentMark]) -> list[CallMark]:
    """A few calls worth a close look: the first with data, then those that lost bytes, read
    unknown ones, took bytes of several segments or left a buffer part empty (earliest first)."""
    with_data = [c for c in calls[:2000] if c.bytes or c.lost]
    if not with_data:
        return []
    starts = sorted(s.offset for s in segments if s.kind in (SegmentKind.DATA, SegmentKind.OUT_OF_ORDER))

    def interest(call: CallMark) -> int:
        score = 8 if call.lost or call.unknown else 0
        if call.offset is not None and bisect_left(starts, call.offset + call.bytes) - bisect_right(starts, call.offset):
            score += 4  # a segment began inside it: bytes of several segments in one call
        if len(call.buffers) > 1 and 0 < call.bytes < sum(call.buffers):
            score += 2
        return score

    first, rest = with_data[0], sorted(with_data[1:], key=lambda c: (-interest(c), c.n))
    return [first, *rest[:DETAIL_CALLS - 1]]


def draw_wsabufs(out: list[str], tl: ReceiverTimeline, call: CallMark, top: float, axis: Axis) -> None:
    """The call's bytes as a strip of the stream (split where segments began), joined to its buffers."""
    total = call.bytes + call.lost
    gap_px = 6
    room = DETAIL_WIDTH
    # One scale for the stream strip and the buffers, so a byte is as wide above as below.
    scale = (DETAIL_WIDTH - (gap_px + 4) * len(call.buffers)) / max(total, sum(call.buffers), 1)
    where = "stream offset " + str(call.offset) if call.offset is not None else "datagram"
    out.append(f'<text class="lane" x="{LEFT - 8}" y="{top + 14}" text-anchor="end">call #{call.n}</text>'
               f'<text class="note" x="{LEFT - 8}" y="{top + 28}" text-anchor="end">{xml_text(where)}</text>'
               f'<text class="note" x="{LEFT + room + 12}" y="{top + 14}">{xml_text(call_tip(call, axis)[1])}</text>'
               f'<text class="note" x="{LEFT + room + 12}" y="{top + 28}">{xml_text(call_tip(call, axis)[2])}</text>')
    stream_y, buf_y = top + 4, top + 50
    for i, (start, stop, label, unknown) in enumerate(_stream_pieces(tl, call)):
        x = LEFT + start * scale
        w = max((stop - start) * scale, 1)
        css = "unknown" if unknown else ("stream", "stream-alt")[i % 2]
        out.append(f'<rect class="{css}" x="{num(x)}" y="{stream_y}" '
                   f'width="{num(w)}" height="18"><title>{xml_text(label)}</title></rect>')
        if w > 60:
            out.append(f'<text x="{num(x + 3)}" y="{stream_y + 13}">{xml_text(label)}</text>')
    if call.lost:
        x = LEFT + call.bytes * scale
        w = max(call.lost * scale, 2)
        out.append(f'<rect class="lost" x="{num(x)}" y="{stream_y}" width="{num(w)}" '
                   f'height="18"><title>{call.lost} bytes lost: no buffer had room</title></rect>')
        if w > 60:
            out.append(f'<text x="{num(x + 3)}" y="{stream_y + 13}">{call.lost} bytes lost</text>')
    x, taken = float(LEFT), 0
    for i, capacity in enumerate(call.buffers):
        filled = call.filled[i] if i < len(call.filled) else 0
        w = max(capacity * scale, 4)
        out.append(f'<rect class="wsabuf" x="{num(x)}" y="{buf_y}" width="{num(w)}" height="18">'
                   f'<title>WSABUF[{i}]: {filled} of {capacity} bytes</title></rect>')
        if filled:
            fw = filled * scale
            sx = LEFT + taken * scale
            out.append(f'<polygon class="flow" points="{num(sx)},{stream_y + 18} {num(sx + fw)},{stream_y + 18} '
                       f'{num(x + fw)},{buf_y} {num(x)},{buf_y}"/>'
                       f'<rect class="filled" x="{num(x)}" y="{buf_y}" width="{num(fw)}" height="18"/>')
        label = f"[{i}] {filled}/{capacity}"
        if w >= 7 * len(label) or i == 0 or len(call.buffers) <= 6:
            out.append(f'<text x="{num(x)}" y="{buf_y + 31}">{label}</text>')
        taken += filled
        x += w + gap_px


def _stream_pieces(tl: ReceiverTimeline, call: CallMark) -> list[tuple[int, int, str, bool]]:
    """The call's byte range cut where captured segments and capture gaps begin and end:
    (start, stop, label, unknown) with start/stop counted from the call's first byte."""
    if call.offset is None:
        return [(0, call.bytes, f"{call.bytes + call.lost} byte message", False)] if call.bytes else []
    lo, hi = call.offset, call.offset + call.bytes
    starts = sorted((s.offset, s.frame) for s in tl.segments if s.kind in (SegmentKind.DATA, SegmentKind.OUT_OF_ORDER))
    holes = [(g.offset, g.offset + g.length) for g in tl.gaps]
    cuts = {lo, hi} | {o for o, _ in starts if lo < o < hi} | {e for h in holes for e in h if lo < e < hi}
    bounds = sorted(cuts)
    pieces = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        if any(h0 <= a < h1 for h0, h1 in holes):
            pieces.append((a - lo, b - lo, f"{b - a} bytes of unknown content (capture gap) @ {a}", True))
            continue
        i = bisect_right(starts, (a, 1 << 62)) - 1
        where = f"frame {starts[i][1]}: " if i >= 0 and starts[i][1] else ""
        pieces.append((a - lo, b - lo, f"{where}{b - a} bytes @ {a}", False))
    return pieces
