"""The call table: one fixed-width line per WSARecv call (or completion), produced as outcomes arrive.

Why fixed-width `Text` lines instead of one rich `Table`: a replay may hold a million calls, and a
Table is measured and rendered as a whole. Here the column widths are fixed up front from a
`TableLayout` (console width, how many WSABUF columns, the largest buffer), so every line can be
printed the moment its outcome arrives and all lines stay aligned. The last column (the event)
takes the remaining width and wraps onto indented continuation lines.

Use: `table = CallTable(TableOptions(...))`; print `table.header()`, then every `Text` from
`table.push(outcome)`, then `table.finish()`. render/ never prints: the cli owns the Console.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from rich.text import Text

from wsarecv_cli.model.types import Completion, Delivery, Event, RecvFlags, RecvResult, WsaError
from wsarecv_cli.render.records import Outcome, ReceiverInfo, Row, RowKind, RowPairer, seconds, unknown_per_buffer
from wsarecv_cli.render.timefmt import Clock, TimeFormat
from wsarecv_cli.render.sanitize import escape_bytes, safe_text

BAR = 4  # blocks in a WSABUF fill bar
EVENT_MIN = 12
EVENT_WANT = 21

EVENT_STYLE = {
    Event.DATA: "green",
    Event.PARTIAL: "yellow",
    Event.TRUNCATED: "bold red",
    Event.OOB: "magenta",
    Event.ZERO_BYTE: "cyan",
    Event.GRACEFUL_CLOSE: "bold cyan",
    Event.DISCON: "bold cyan",
    Event.RESET: "bold red",
    Event.ABORTED: "red",
    Event.WOULD_BLOCK: "dim",
    Event.PENDING: "blue",
    Event.SHUTDOWN: "red",
    Event.GAP: "bold magenta",
    Event.ERROR: "red",
}

DELIVERY_TEXT = {
    Delivery.EVENT: "event signalled",
    Delivery.EVENT_NOT_SIGNALLED: "event NOT signalled",
    Delivery.ROUTINE: "APC routine",
    Delivery.ROUTINE_THREAD: "routine on own thread",
    Delivery.IOCP: "IOCP packet",
    Delivery.NONE: "no IOCP packet",
}

SHORT_FLAGS = {"MSG_PUSH_IMMEDIATE": "PUSH_IMM"}


@dataclass(frozen=True, slots=True)
class TableOptions:
    width: int = 120  # the console width; the event column takes what the others leave
    buffer_columns: int = 2  # WSABUF columns; a call with more folds the rest into the last one
    max_buffer_len: int = 9999  # the largest WSABUF length expected (sizes the buffer cells)
    show_data: bool = False  # a line under each row with the first bytes of each buffer
    explain: bool = False  # a line under each row with the rule ids and the one-line reason
    max_calls: int | None = None  # show only the first N calls (and their completions)
    base_ns: int = 0  # times are seconds from this timestamp
    time_format: TimeFormat = TimeFormat.RELATIVE  # -t: how call / done times are shown


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    width: int
    right: bool = False


class TableLayout:
    """Column widths, fixed once so streamed lines line up.

    When the console is narrow the layout gives up detail in this order so the event column keeps
    at least EVENT_WANT characters: the result column writes SOCKET_ERROR as its value, -1
    ("-1 WSAEMSGSIZE"), then flag names lose their MSG_ prefix ("PEEK|OOB"); only when the event
    column would still be narrower than EVENT_MIN do the last WSABUF columns fold into one.
    """

    def __init__(self, opts: TableOptions) -> None:
        self.time_width = 9 if opts.time_format is TimeFormat.RELATIVE else opts.time_format.width
        digits = len(str(max(opts.max_buffer_len, 1)))
        self.buf_width = max(len("buf[0]"), BAR + 2 + 2 * digits)
        self.ncols = max(opts.buffer_columns, 1)
        self.short_flags = self.short_result = False
        self._build(opts.width)
        if self.event_width < EVENT_WANT:
            self.short_result = True
            self._build(opts.width)
        if self.event_width < EVENT_WANT:
            self.short_flags = True
            self._build(opts.width)
        while self.event_width < EVENT_MIN and self.ncols > 1:
            self.ncols -= 1  # the last buffer column then sums the rest: "+3:12/16"
            self._build(opts.width)

    def _build(self, width: int) -> None:
        flags = 9 if self.short_flags else 11
        self.columns = [
            Column("#", 4, right=True),
            Column("call t", self.time_width, right=True),
            Column("done t", self.time_width, right=True),
            Column("flags in", flags),
            *[Column(f"buf[{i}]", self.buf_width) for i in range(self.ncols)],
            Column("bytes", 5, right=True),
            Column("flags out", flags),
            Column("result", 18 if self.short_result else 28),
        ]
        self.indent = sum(c.width + 1 for c in self.columns)
        self.event_width = max(EVENT_MIN, width - self.indent)

    def header(self) -> Text:
        text = Text(style="bold")
        for col in self.columns:
            text.append(_pad(col.title, col.width, col.right) + " ")
        text.append("event")
        return text

    def rule(self) -> Text:
        return Text("─" * (self.indent + self.event_width), style="dim")


def _pad(value: str, width: int, right: bool = False) -> str:
    if len(value) > width:
        value = value[: width - 1] + "…"
    return value.rjust(width) if right else value.ljust(width)


def format_time(t: float) -> str:
    """Seconds with microseconds, fewer decimals when large so the column stays 9 wide."""
    for decimals in (6, 3, 0):
        text = f"{t:.{decimals}f}"
        if len(text) <= 9:
            return text
    return text


def format_flags(flags: RecvFlags | None, short: bool = False) -> str:
    if not flags:
        return ""
    names = RecvFlags(flags).names()
    if len(names) == 1 and not short:
        return SHORT_FLAGS.get(names[0], names[0])
    return "|".join(SHORT_FLAGS.get(n, n).removeprefix("MSG_") for n in names)


def buffer_cell(length: int, filled: int | None) -> tuple[str, str]:
    """(text, style) for one WSABUF: a fill bar and `filled/length`; None = not written yet."""
    if length == 0:
        return "—".ljust(BAR) + " 0/0", "dim"
    if filled is None:
        return "·" * BAR + f" –/{length}", "dim"
    blocks = round(BAR * filled / length)
    blocks = min(BAR - 1, max(1, blocks)) if 0 < filled < length else blocks
    style = "green" if filled == length else ("yellow" if filled else "dim")
    return "█" * blocks + "░" * (BAR - blocks) + f" {filled}/{length}", style


def event_text(outcome: Outcome) -> str:
    """The event cell in words (without the delivery suffix)."""
    event, lost = outcome.event, outcome.lost
    if event is Event.TRUNCATED:
        return f"truncated (−{lost} B lost)" if lost else "truncated (message kept)"
    if event is Event.GAP:
        return f"capture gap ({outcome.gap} B missing)"
    if outcome.gap and event is Event.DATA:
        return f"data ({outcome.gap} B unknown: not in the capture)"
    words = {
        Event.DATA: "data",
        Event.PARTIAL: "partial (more follows)",
        Event.OOB: "urgent byte (MSG_OOB)",
        Event.ZERO_BYTE: "zero-byte",
        Event.GRACEFUL_CLOSE: "graceful close",
        Event.DISCON: "WSAEDISCON",
        Event.RESET: "WSAECONNRESET",
        Event.WOULD_BLOCK: "would block",
        Event.PENDING: "pending",
        Event.SHUTDOWN: "WSAESHUTDOWN",
    }.get(event)
    if words is None:  # ABORTED / ERROR: the code says which
        words = _abort_words(outcome.error) if event is Event.ABORTED else (
            outcome.error.name if outcome.error else "error")
    return f"{words} (−{lost} B lost)" if lost else words


def _abort_words(error: WsaError | None) -> str:
    if error is WsaError.WSA_OPERATION_ABORTED:
        return "aborted (995)"
    if error is WsaError.WSAEINTR:
        return "interrupted (WSAEINTR)"
    return error.name if error else "aborted"


def result_text(row: Row, short: bool = False) -> str:
    """`0`, `SOCKET_ERROR WSAEMSGSIZE`; a completion row shows its WSAGetOverlappedResult code."""
    prefix = "-1 " if short else "SOCKET_ERROR "
    if row.kind is RowKind.COMPLETION:
        error = row.completion.error  # type: ignore[union-attr]
        return "→ " + (error.name if error else "0")
    if row.kind is RowKind.BLOCKING:
        error = row.completion.error  # type: ignore[union-attr]
        return f"{prefix}{error.name}" if error else "0"
    result = row.result
    if result.status.value == "waiting":  # type: ignore[union-attr]
        return "(still blocked)"
    if result.ret == 0:  # type: ignore[union-attr]
        return "0"
    name = result.error.name if result.error else "SOCKET_ERROR"  # type: ignore[union-attr]
    return f"{prefix}{name}" if result.error else name  # type: ignore[union-attr]


def escape_with_unknown(chunk: bytes, spans: tuple[tuple[int, int], ...], width: int) -> str:
    """escape_bytes, with the bytes the capture lacks (`spans` of this chunk, as
    records.unknown_per_buffer gives them) shown as ⟨N B unknown⟩, never as data."""
    if not spans:
        return escape_bytes(chunk, width)
    parts, pos = [], 0
    for a, b in spans:
        if a > pos:
            parts.append(escape_bytes(chunk[pos:a], width))
        parts.append(f"⟨{b - a} B unknown⟩")
        pos = b
    if pos < len(chunk):
        parts.append(escape_bytes(chunk[pos:], width))
    text = " ".join(parts)
    return text if len(text) <= width else text[: width - 1] + "…"


class CallTable:
    """Streams the call table: `header()`, then `push(outcome)` per outcome, then `finish()`."""

    def __init__(self, opts: TableOptions = TableOptions()) -> None:
        self.opts = opts
        self.layout = TableLayout(opts)
        self._pairer = RowPairer()
        self._shown: set[int] = set()
        self.hidden_calls = 0
        self._clock = Clock(opts.time_format, opts.base_ns)

    def header(self) -> list[Text]:
        return [self.layout.header(), self.layout.rule()]

    def push(self, outcome: Outcome) -> list[Text]:
        return [line for row in self._pairer.push(outcome) for line in self._row_lines(row)]

    def finish(self) -> list[Text]:
        lines = [line for row in self._pairer.finish() for line in self._row_lines(row)]
        if self.hidden_calls:
            lines.append(Text(f"… {self.hidden_calls} more calls not shown "
                              f"(--max-calls {self.opts.max_calls}); the summary covers all",
                              style="dim italic"))
        return lines

    def action(self, t_ns: int, text: str) -> list[Text]:
        """A line between rows for what is not a call: an arrival, shutdown, close, an alertable
        wait (simulate shows them so a reader sees *why* the next row looks the way it does)."""
        t = self._time(t_ns)
        cols = self.layout.columns
        lead = _pad("·", cols[0].width, True) + " " + _pad(t, cols[1].width, True) + " "
        width = max(20, self.layout.indent + self.layout.event_width - len(lead))
        body = textwrap.shorten(text, width, placeholder="…")
        return [Text(lead + body, style="dim")]

    def annotation(self, t_ns: int, text: str, style: str) -> list[Text]:
        """A line between rows for something the capture shows that is not a call (a capture
        gap): wrapped, never shortened (it says what the rows after it mean)."""
        t = format_time(seconds(t_ns, self.opts.base_ns))
        cols = self.layout.columns
        lead = _pad("!", cols[0].width, True) + " " + _pad(t, cols[1].width, True) + " "
        width = max(20, self.layout.indent + self.layout.event_width - len(lead))
        lines = textwrap.wrap(text, width) or [""]
        return [Text(lead + lines[0], style=style)] + [Text(" " * len(lead) + line, style=style) for line in lines[1:]]

    def render(self, outcomes: Iterable[Outcome]) -> Iterator[Text]:
        """Convenience: the whole table for an iterable of outcomes, line by line."""
        yield from self.header()
        for outcome in outcomes:
            yield from self.push(outcome)
        yield from self.finish()

    # ---- rows ------------------------------------------------------------------------------

    def _visible(self, row: Row) -> bool:
        if row.kind is RowKind.COMPLETION:
            return row.n in self._shown
        cap = self.opts.max_calls
        if cap is not None and len(self._shown) >= cap:
            self.hidden_calls += 1
            return False
        self._shown.add(row.n)
        return True

    def _row_lines(self, row: Row) -> list[Text]:
        if not self._visible(row):
            return []
        final = row.completion if row.kind is not RowKind.CALL else row.result
        lines = [self._main_line(row, final)]  # type: ignore[arg-type]
        if self.opts.show_data and any(final.data):  # type: ignore[union-attr]
            lines.append(self._data_line(row, final))  # type: ignore[arg-type]
        if final.notes:  # type: ignore[union-attr]
            lines.append(self._side_line("note: " + "; ".join(final.notes), "yellow"))  # type: ignore[union-attr]
        if self.opts.explain:
            lines.append(self._side_line(_explanation(final), "dim"))  # type: ignore[arg-type]
        return lines

    def _time(self, t_ns: int) -> str:
        if self._clock.fmt is TimeFormat.RELATIVE:
            return format_time(seconds(t_ns, self.opts.base_ns))  # fewer decimals when large: 9 wide
        return self._clock.text(t_ns)

    def _times(self, row: Row) -> tuple[str, str]:
        if row.kind is RowKind.COMPLETION:
            return "", self._time(row.completion.t_ns)  # type: ignore[union-attr]
        call_t = self._time(row.result.t_ns)  # type: ignore[union-attr]
        if row.kind is RowKind.BLOCKING:
            return call_t, self._time(row.completion.t_ns)  # type: ignore[union-attr]
        return call_t, ""

    def _main_line(self, row: Row, final: Outcome) -> Text:
        cols = self.layout.columns
        call = final.call
        call_t, done_t = self._times(row)
        text = Text()
        n = f"↳{row.n}" if row.kind is RowKind.COMPLETION else str(row.n)
        short = self.layout.short_flags
        flags_in = "" if row.kind is RowKind.COMPLETION else format_flags(call.flags, short)
        for col, value in zip(cols[:4], (n, call_t, done_t, flags_in)):
            text.append(_pad(value, col.width, col.right) + " ")
        self._append_buffers(text, row, final)
        nbytes = _bytes_shown(row, final)
        text.append(_pad(nbytes, cols[-3].width, True) + " ")
        flags_out = _flags_out_shown(row, final, short)
        partial = "PARTIAL" in flags_out
        text.append(_pad(flags_out, cols[-2].width) + " ", style="bold yellow" if partial else "")
        result = result_text(row, self.layout.short_result)
        failed = result not in ("0", "→ 0")
        text.append(_pad(result, cols[-1].width) + " ", style="red" if failed else "")
        self._append_event(text, row, final)
        return text

    def _append_buffers(self, text: Text, row: Row, final: Outcome) -> None:
        lengths = final.call.buffers
        pending = row.kind is RowKind.CALL and row.result.status.value in ("pending", "waiting")  # type: ignore[union-attr]
        filled = final.filled
        ncols = self.layout.ncols
        for i in range(ncols):
            if i >= len(lengths):
                text.append(" " * self.layout.buf_width + " ")
                continue
            if i == ncols - 1 and len(lengths) > ncols:  # fold the rest into the last column
                cell, style = _folded_cell(lengths[i:], None if pending else filled[i:])
            else:
                fill = None if pending else (filled[i] if i < len(filled) else 0)
                cell, style = buffer_cell(lengths[i], fill)
            text.append(_pad(cell, self.layout.buf_width), style=style)
            text.append(" ")

    def _append_event(self, text: Text, row: Row, final: Outcome) -> None:
        words = event_text(final)
        if row.kind is RowKind.COMPLETION:
            words = "→ " + words
        delivery = final.delivery if row.kind is not RowKind.BLOCKING else None
        if delivery in DELIVERY_TEXT:
            words += f" [{DELIVERY_TEXT[delivery]}]"
        wrapped = textwrap.wrap(words, self.layout.event_width) or [""]
        cell = Text(("\n" + " " * self.layout.indent).join(wrapped),
                    style=EVENT_STYLE.get(final.event, ""))
        cell.highlight_regex(r"\[[^\]]*\]", "dim")  # the delivery note is secondary ...
        cell.highlight_words(["NOT signalled"], "bold yellow")  # ... except R47's missing signal
        text.append_text(cell)

    def _data_line(self, row: Row, final: Outcome) -> Text:
        cols = self.layout.columns
        width = self.layout.buf_width
        line = " " * sum(c.width + 1 for c in cols[:3]) + _pad("data:", cols[3].width, True) + " "
        chunks = final.data[: self.layout.ncols]
        spans = unknown_per_buffer(chunks, final.unknown)
        cells = [_pad(escape_with_unknown(chunk, unknown, width), width)
                 for chunk, unknown in zip(chunks[:-1], spans)]
        room = max(width, self.layout.indent + self.layout.event_width - len(line)
                   - (width + 1) * len(cells))
        cells.append(escape_with_unknown(chunks[-1], spans[-1], room) if chunks else "")
        return Text((line + " ".join(cells)).rstrip(), style="dim italic")

    def _side_line(self, words: str, style: str) -> Text:
        indent = self.layout.columns[0].width + 1
        width = max(20, self.layout.indent + self.layout.event_width - indent)
        lines = textwrap.wrap(words, width) or [""]
        return Text("\n".join(" " * indent + line for line in lines), style=style)


def _explanation(outcome: Outcome) -> str:
    rules = " ".join(outcome.rules) or "—"
    return f"{rules}: {outcome.reason}" if outcome.reason else rules


def _bytes_shown(row: Row, final: Outcome) -> str:
    if row.kind is RowKind.CALL:
        nbytes = row.result.bytes  # type: ignore[union-attr]
        return "–" if nbytes is None else str(nbytes)
    if row.kind is RowKind.BLOCKING and final.error not in (None, WsaError.WSAEMSGSIZE):
        return "–"  # R6: a failed call leaves the count untouched
    return str(final.bytes)


def _flags_out_shown(row: Row, final: Outcome, short: bool) -> str:
    if row.kind is RowKind.CALL:
        return format_flags(row.result.flags_out, short)  # type: ignore[union-attr]
    return format_flags(final.flags_out, short)


def _folded_cell(lengths: tuple[int, ...], filled: tuple[int, ...] | None) -> tuple[str, str]:
    total = sum(lengths)
    got = None if filled is None else sum(filled)
    text = f"{len(lengths)}× {'–' if got is None else got}/{total}"
    return text, "dim" if not got else "yellow"


# ---- receiver sections -----------------------------------------------------------------------


def section_header(info: ReceiverInfo) -> Text:
    """The heading of one receiver's table: flow, receiver ← peer, and how it was replayed."""
    text = Text()
    if info.title:
        text.append(safe_text(info.title), style="bold")
        text.append("\n")
    if info.flow:
        text.append(f"{info.flow}  ", style="bold")
    if info.receiver:
        text.append(info.receiver, style="bold")
        if info.role:
            text.append(f" ({info.role}{', inferred from the ports: no SYN' if info.roles_inferred else ''})")
        if info.peer:
            text.append(f" ← {info.peer}")
        text.append("  ")
    parts = [info.protocol, info.platform, info.mode]
    if info.schedule:
        parts.append(f"schedule {info.schedule}")
    text.append(" · ".join(parts), style="dim")
    return text


def table_options_for(buffers: Iterable[tuple[int, ...]], **kwargs) -> TableOptions:
    """TableOptions sized for the given WSABUF lists (a scenario's recv steps, a schedule's buffers)."""
    lists = [tuple(b) for b in buffers] or [(0,)]
    return TableOptions(buffer_columns=min(max(len(b) for b in lists), 6),
                        max_buffer_len=max((max(b) if b else 0) for b in lists), **kwargs)


def recv_result_of(row: Row) -> RecvResult | Completion:
    """The outcome a row reports (the completion for merged and completion rows)."""
    return row.result if row.kind is RowKind.CALL else row.completion  # type: ignore[return-value]
