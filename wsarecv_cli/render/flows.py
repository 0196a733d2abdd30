"""`wsarecv flows`: the flow table, its summary line and the stable JSON document.

JSON document (field names are stable; new ones may be added, none renamed):

    {"capture": {"path", "container", "linktypes", "interfaces", "snaplen"},
     "stats": {"frames", "tcp", "udp", "truncated", "skipped": {reason: n}, "skip_lines": [...]},
     "warnings": [...],
     "capture_reality": [{"type": "warning", "code", "count", "text"}],   (the checks that fired)
     "flows": [{"id": "tcp:0", "transport": "tcp", "a": "ADDR:PORT", "b": "ADDR:PORT",
                "initiator": "ADDR:PORT" | null, "client": "ADDR:PORT", "roles": "syn" | "inferred",
                "first_ts": s, "last_ts": s, "closure": "open" |
                "half-closed" | "closed" | "reset",
                "a_to_b": {"packets", "bytes", "stream_bytes", "anomalies": {...}}, "b_to_a": {...}}]}

Times are seconds since the epoch (floats). `bytes` is the payload on the wire (every copy),
`stream_bytes` the unique bytes rebuilt (TCP). `anomalies` holds every DirectionStats counter that
is not a volume (retransmitted, out_of_order, gaps, missing_bytes, truncated, fragments, rst, fin,
overlap_conflicts, keepalives, zero_window_probes, limit_hits, ...).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TextIO

from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from wsarecv_cli.reassembly import DirectionStats, FlowInfo
from wsarecv_cli.render import fit
from wsarecv_cli.render.timefmt import Clock, TimeFormat

_VOLUMES = ("packets", "payload_bytes", "stream_bytes")

# (counter, singular label, plural label); shown in this order when non-zero.
_ANOMALIES = (
    ("retransmitted", "retrans", "retrans"),
    ("out_of_order", "out-of-order", "out-of-order"),
    ("duplicates", "dup frame", "dup frames"),
    ("overlap_conflicts", "overlap conflict", "overlap conflicts"),
    ("truncated", "truncated", "truncated"),
    ("fragments", "IP-reassembled", "IP-reassembled"),
    ("keepalives", "keep-alive", "keep-alives"),
    ("zero_window_probes", "zero-window probe", "zero-window probes"),
    ("urgent", "urgent byte", "urgent bytes"),
    ("limit_hits", "limit hit", "limit hits"),
    ("evicted", "evicted (--max-flows)", "evicted (--max-flows)"),
    ("rst_ignored", "out-of-window RST", "out-of-window RSTs"),
    ("large_segments", "TSO/GRO-sized", "TSO/GRO-sized"),
)


def seconds(ts_ns: int) -> float:
    return ts_ns / 1e9


def anomalies_text(info: FlowInfo) -> str:
    """'3 retrans, 1 gap (14 B)' over both directions; '' when nothing happened."""
    both = (info.a_to_b, info.b_to_a)
    parts = []
    gaps = sum(d.gaps for d in both)
    if gaps:
        missing = sum(d.missing_bytes for d in both)
        parts.append(f"{gaps} gap{'s' if gaps > 1 else ''} ({missing:,} B)")
    for name, one, many in _ANOMALIES:
        n = sum(getattr(d, name) for d in both)
        if n:
            parts.append(f"{n} {one if n == 1 else many}")
    if any(d.midstream and d.stream_bytes for d in both) and not any(d.syn for d in both):
        parts.append("no handshake")
    return ", ".join(parts)


def _direction_cell(d: DirectionStats) -> str:
    return f"{d.packets:,} pkt / {d.payload_bytes:,} B"


# Above this many flows the table is printed as pre-formatted fixed-width lines (`PlainFlowTable`):
# rich measures and lays out every cell of a Table, which took 41 % of `wsarecv flows` at 500
# flows and 84 % at 20,000. Smaller tables keep rich's layout exactly.
PLAIN_TABLE_ROWS = 200

ENDS_HEADER = "A → B  (* client, ~ inferred)"
_HEADERS = ("flow", ENDS_HEADER, "first s", "last s", "A→B", "B→A", "state", "anomalies")
_RIGHT = (False, False, True, True, True, True, False, False)


def ends_text(f: FlowInfo) -> str:
    """'A* → B': * marks the client the SYN shows; ~ the client inferred from the ports (no SYN)."""
    mark = "*" if f.initiator is not None else "~"
    client = f.client
    return f"{f.a}{mark if client == f.a else ''} → {f.b}{mark if client == f.b else ''}"


def headers_for(fmt: TimeFormat) -> tuple[str, ...]:
    """The column titles; the time columns say ' s' only when they hold seconds."""
    last = "duration s" if fmt is TimeFormat.DELTA else f"last{fmt.unit}"
    return (*_HEADERS[:2], f"first{fmt.unit}", last, *_HEADERS[4:])


def _times(f: FlowInfo, clock: Clock) -> tuple[str, str]:
    """first / last as -t asks; with `d` first is since the previous flow's, last its duration."""
    if clock.fmt is TimeFormat.DELTA:
        return clock.text(f.first_ts), f"{seconds(f.last_ts - f.first_ts):.6f}"
    return clock.text(f.first_ts), clock.text(f.last_ts)


def _cells(f: FlowInfo, clock: Clock | int) -> tuple[tuple[str, ...], str]:
    """The text of one row and the state column's style (an int clock: seconds from that origin)."""
    if not isinstance(clock, Clock):
        clock = Clock(TimeFormat.RELATIVE, clock)
    state = f.closure if f.transport.label == "tcp" else ""
    style = "red" if f.closure == "reset" else "green" if f.closure == "closed" else ""
    return (str(f.id), ends_text(f), *_times(f, clock), _direction_cell(f.a_to_b), _direction_cell(f.b_to_a),
            state, anomalies_text(f)), style


class PlainFlowTable:
    """The flow table as fixed-width lines in rich's no-edge layout (same columns, same cell
    text), without per-cell measurement: columns are as wide as their widest cell; the
    anomalies column takes the rest of the width and wraps at ", " like rich does.

    rich renders a whole renderable into a list of Segments before writing it, so a big table is
    printed in pieces of PIECE_ROWS rows that share the column widths (`plain_table_pieces`): the
    output is the same, the memory is one piece's (100 rows: with 500 a piece's Segments and text
    were ~2 MB more peak memory on a 5,000-flow capture than on a 1,000-flow one)."""

    PIECE_ROWS = 100

    def __init__(self, rows: list[tuple[tuple[str, ...], str]], widths: list[int] | None = None,
                 header: bool = True, headers: tuple[str, ...] = _HEADERS) -> None:
        self.rows = rows
        self.widths = widths
        self.header = header
        self.headers = headers

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        widths = self.widths or plain_widths(self.rows, options.max_width, self.headers)
        bold, yellow = Style(bold=True), Style(color="yellow")
        states = {"red": Style(color="red"), "green": Style(color="green"), "": None}
        new_line = Segment.line()
        if self.header:
            header = [Segment(_pad(h, w, right), bold) for h, w, right in zip(self.headers, widths, _RIGHT)]
            yield from _joined(header, Segment(" ┃ "))
            yield new_line
            rule = ["━" * (widths[0] + 1)] + ["━" * (w + 2) for w in widths[1:7]] + ["━" * (widths[7] + 1)]
            yield Segment("╇".join(rule))
            yield new_line
        sep, blank = Segment(" │ "), [" " * w for w in widths[:7]]
        anomaly_width = widths[7]
        for cells, style in self.rows:
            text = " │ ".join(_pad(cells[i], widths[i], _RIGHT[i]) for i in range(6))
            yield Segment(text)
            yield sep
            yield Segment(_pad(cells[6], widths[6], False), states[style])
            yield sep
            lines = _wrap(cells[7], anomaly_width)
            yield Segment(lines[0].ljust(anomaly_width), yellow)
            yield new_line
            for more in lines[1:]:
                yield Segment(" │ ".join(blank))
                yield sep
                yield Segment(more.ljust(anomaly_width), yellow)
                yield new_line


def plain_widths(rows: Iterable[tuple[tuple[str, ...], str]], max_width: int,
                 headers: tuple[str, ...] = _HEADERS) -> list[int]:
    """Column widths of the plain table: the widest cell of each fixed column; the anomalies
    column gets the rest of max_width (at least 10), no wider than its widest cell."""
    widths = [len(h) for h in headers]
    widest_anomaly = 0
    for cells, _ in rows:
        for i in range(7):
            if len(cells[i]) > widths[i]:
                widths[i] = len(cells[i])
        widest_anomaly = max(widest_anomaly, len(cells[7]))
    fixed = sum(widths[:7]) + 3 * 7  # each fixed column: its cells, a pad each side, a separator
    widths[7] = max(len(_HEADERS[7]), min(widest_anomaly, max(10, max_width - fixed)))
    return widths


def plain_table_pieces(flows: Callable[[], Iterable[FlowInfo]], origin_ns: int,
                       max_width: int, time_format: TimeFormat = TimeFormat.RELATIVE) -> Iterator[PlainFlowTable]:
    """The plain table of `flows()` in pieces of PIECE_ROWS rows, in two passes over the flows
    (widths, then rows), so neither the flows nor the rows are ever all in memory."""
    headers = headers_for(time_format)
    sizing = Clock(time_format, origin_ns)
    widths = plain_widths((_cells(f, sizing) for f in flows()), max_width, headers)
    rows: list[tuple[tuple[str, ...], str]] = []
    first = True
    clock = Clock(time_format, origin_ns)
    for f in flows():
        rows.append(_cells(f, clock))
        if len(rows) == PlainFlowTable.PIECE_ROWS:
            yield PlainFlowTable(rows, widths, header=first, headers=headers)
            rows, first = [], False
    if rows or first:
        yield PlainFlowTable(rows, widths, header=first, headers=headers)


def _pad(text: str, width: int, right: bool) -> str:
    return text.rjust(width) if right else text.ljust(width)


def _joined(segments: list[Segment], sep: Segment) -> list[Segment]:
    out = [segments[0]]
    for segment in segments[1:]:
        out += (sep, segment)
    return out


def _wrap(text: str, width: int) -> list[str]:
    """Greedy word wrap at spaces (the anomalies are 'n label, n label, ...')."""
    if len(text) <= width:
        return [text]
    lines, line = [], ""
    for word in text.split(" "):
        while len(word) > width:  # a word longer than the column: cut it, as rich folds it
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:width])
            word = word[width:]
        if not line:
            line = word
        elif len(line) + 1 + len(word) <= width:
            line += " " + word
        else:
            lines.append(line)
            line = word
    lines.append(line)
    return lines


def flows_table(flows: list[FlowInfo], origin_ns: int, time_format: TimeFormat = TimeFormat.RELATIVE,
                width: int | None = None) -> Table | PlainFlowTable | Group:
    """One row per flow; times in seconds from the capture's first frame (origin_ns), or as -t says.

    Given a terminal `width`, the table fits it in this order (render/fit.py): the A → B cell
    breaks after the arrow and the volume cells after the slash (addresses and numbers stay
    whole), anomalies wrap at commas; when even that is too wide, each flow becomes a block of
    labelled lines. No column is ever dropped or cut with an ellipsis."""
    clock, headers = Clock(time_format, origin_ns), headers_for(time_format)
    if len(flows) > PLAIN_TABLE_ROWS:
        return PlainFlowTable([_cells(f, clock) for f in flows], headers=headers)
    rows = [_cells(f, clock) for f in flows]
    cells_only = [cells for cells, _ in rows]
    layout = fit.flow_layout(cells_only, headers, width)
    if layout is fit.Layout.BLOCKS:
        return fit.blocks(headers, rows)
    broken = layout is fit.Layout.BROKEN
    widths = fit.flow_widths(cells_only, headers, broken)
    table = Table(show_edge=False, header_style="bold", pad_edge=False)
    for i, title in enumerate(headers):
        table.add_column(title, justify="right" if _RIGHT[i] else "left", no_wrap=i != 7,
                         style="yellow" if i == 7 else None, min_width=widths[i] if i != 7 else None)
    for cells, style in rows:
        shown = list(cells)
        if broken:
            shown[1] = shown[1].replace(" → ", " →\n", 1)
            shown[4], shown[5] = shown[4].replace(" / ", "\n", 1), shown[5].replace(" / ", "\n", 1)
        table.add_row(*shown[:6], Text(shown[6], style=style), shown[7])
    return table


def natural_width(flows: list[FlowInfo], origin_ns: int, time_format: TimeFormat = TimeFormat.RELATIVE) -> int:
    """The width the flow table takes with every cell on one line (what a pipe gets)."""
    headers = headers_for(time_format)
    clock = Clock(time_format, origin_ns)
    return fit.needed(fit.flow_widths([_cells(f, clock)[0] for f in flows], headers, False))


def summary_line(frames: int, decoded: int, tcp: int, udp: int, skip_lines: list[str], untimed: int = 0) -> str:
    text = f"{frames:,} frames read, {decoded:,} TCP/UDP packets decoded; {tcp} TCP and {udp} UDP flows"
    if untimed:
        text += (f"; {untimed:,} frames have no timestamp (pcapng Simple Packet Blocks): "
                 "shown at the time of the frame before them")
    if skip_lines:
        text += "; skipped: " + "; ".join(skip_lines)
    return text


def _direction_dict(d: DirectionStats) -> dict[str, Any]:
    counters = d.as_dict()
    return {
        "packets": d.packets,
        "bytes": d.payload_bytes,
        "stream_bytes": d.stream_bytes,
        "anomalies": {k: v for k, v in counters.items() if k not in _VOLUMES},
    }


def flow_dict(f: FlowInfo) -> dict[str, Any]:
    return {
        "id": str(f.id),
        "transport": f.transport.label,
        "a": str(f.a),
        "b": str(f.b),
        "initiator": None if f.initiator is None else str(f.initiator),
        "client": str(f.client),
        "roles": "inferred" if f.roles_inferred else "syn",
        "first_ts": seconds(f.first_ts),
        "last_ts": seconds(f.last_ts),
        "closure": f.closure,
        "a_to_b": _direction_dict(f.a_to_b),
        "b_to_a": _direction_dict(f.b_to_a),
    }


def capture_dict(path: str, info: Any) -> dict[str, Any]:
    if info is None:
        return {"path": path}
    return {
        "path": path,
        "container": info.container,
        "linktypes": list(info.linktypes),
        "interfaces": len(info.interfaces),
        "snaplen": info.snaplen,
    }


def stats_dict(stats: Any) -> dict[str, Any]:
    return {
        "frames": stats.frames,
        "tcp": stats.tcp,
        "udp": stats.udp,
        "truncated": stats.truncated,
        "skipped": {reason.value: n for reason, n in stats.skipped.items() if n},
        "skip_lines": stats.skip_lines(),
    }


def flows_document(path: str, info: Any, stats: Any, warnings: list[str], flows: list[FlowInfo],
                   reality: list[dict] | None = None) -> dict[str, Any]:
    return {
        "capture": capture_dict(path, info),
        "stats": stats_dict(stats),
        "warnings": list(warnings),
        "capture_reality": list(reality or ()),
        "flows": [flow_dict(f) for f in flows],
    }


def write_flows_document(out: TextIO, path: str, info: Any, stats: Any, warnings: list[str],
                         flows: Iterable[FlowInfo], reality: list[dict] | None = None) -> None:
    """`flows_document` as `json.dumps(doc, indent=2)` writes it, plus a newline, one flow at a
    time: the whole document (a dict per flow and one string) was most of `flows --json`'s
    memory with many flows. `reality`: the capture-reality checks as records (code, count, text)."""
    head = json.dumps(flows_document(path, info, stats, warnings, [], reality), indent=2)  # flows: the last "[]"
    opening, closing = head.rsplit("[]", 1)
    out.write(opening + "[")
    written = 0
    for flow in flows:
        out.write(("\n    " if not written else ",\n    ") + json.dumps(flow_dict(flow), indent=2).replace("\n", "\n    "))
        written += 1
    out.write(("\n  ]" if written else "]") + closing + "\n")
