"""Printing a replay: receiver sections as streamed tables, or NDJSON / JSON records.

Pretty output groups rows by receiver although the session produces them interleaved in capture
order: each live receiver buffers its lines until it ends (closure, or end of capture). A receiver
that buffers more than FLUSH_LINES lines prints what it has and continues in a new "(continued)"
section, so memory never grows with the number of calls.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.text import Text

from wsarecv_cli.cli.common import make_console, warn
from wsarecv_cli.cli.progress import CaptureProgress
from wsarecv_cli.cli.progress import wanted as progress_wanted
from wsarecv_cli.cli.replay_timeline import ReplayTimeline
from wsarecv_cli.render.calls import CallTable, section_header, table_options_for
from wsarecv_cli.render.record_lines import RowLines
from wsarecv_cli.render.records import (
    JsonDocumentWriter,
    NdjsonWriter,
    ReceiverInfo,
    Record,
    RecordOptions,
    Row,
    RowPairer,
    SummaryAccumulator,
    row_record,
)
from wsarecv_cli.render.summary import summary_panel
from wsarecv_cli.render.timefmt import TimeFormat
from wsarecv_cli.render.timeline_html import embed_timeline, write_text
from wsarecv_cli.replay.session import (
    ReceiverEnd,
    ReceiverKey,
    ReceiverOutcome,
    ReceiverStart,
    ReplayConfig,
    ReplayItem,
    ReplaySession,
)

FLUSH_LINES = 2000
GC_THRESHOLD = 10_000  # see _rarer_collections


@dataclass(frozen=True, slots=True)
class OutputOptions:
    json: bool = False
    ndjson: bool = False
    show_data: bool = False
    explain: bool = False
    max_calls: int | None = None
    export_svg: str | None = None
    export_html: str | None = None
    width: int | None = None
    color: str = "auto"
    progress: bool | None = None
    timeline: str | None = None  # --timeline FILE.svg
    time_format: TimeFormat = TimeFormat.RELATIVE  # -t: how the tables show times (records keep seconds)


def info_for(start: ReceiverStart) -> ReceiverInfo:
    return ReceiverInfo(flow=str(start.key.flow), receiver=str(start.key.receiver), peer=str(start.peer),
                        protocol=start.protocol.value, platform=start.platform.value, mode=start.mode.value,
                        schedule=str(start.schedule))


@dataclass(slots=True)
class _Section:
    """One receiver's pretty output in progress."""

    info: ReceiverInfo
    table: CallTable
    summary: SummaryAccumulator
    lines: list[Text] = field(default_factory=list)
    continued: bool = False


@dataclass(slots=True)
class _Findings:
    """What --strict turns into exit code 3."""

    gaps: int = 0
    warnings: int = 0
    truncated_frames: int = 0

    def __str__(self) -> str:
        parts = []
        if self.gaps:
            parts.append(f"{self.gaps} capture gap(s)")
        if self.truncated_frames:
            parts.append(f"{self.truncated_frames} frame(s) cut by the snaplen")
        if self.warnings:
            parts.append(f"{self.warnings} warning(s)")
        return ", ".join(parts)


def run_replay(path: str, config: ReplayConfig, output: OutputOptions) -> str:
    """Run the replay and print it; return the findings that --strict reports ('' when none)."""
    session = ReplaySession(path, config)
    findings = _Findings()
    timeline = ReplayTimeline.attach(session) if output.timeline or output.export_html else None
    with _rarer_collections():
        if output.json or output.ndjson:
            _print_records(session, output, findings, timeline)
        else:
            _print_tables(session, config, output, findings, timeline)
    if output.timeline and timeline is not None:
        write_text(output.timeline, timeline.svg())
    warn(session.warnings)
    findings.warnings = len(session.warnings)
    findings.truncated_frames = getattr(session.stats, "truncated", 0)
    return str(findings)


@contextlib.contextmanager
def _rarer_collections() -> Iterator[None]:
    """The cyclic garbage collector run every 10,000 container allocations instead of 700 while
    replaying. A replay makes about ten short-lived tuples and lists per packet, freed at once by
    reference counting; at the default the collector runs every ~70 packets to find nothing
    (~5% of `replay --ndjson` on bench-100k). The thresholds are restored afterwards."""
    thresholds = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def _items_with_progress(session: ReplaySession, output: OutputOptions,
                         timeline: ReplayTimeline | None = None) -> Iterator[ReplayItem]:
    """The session's items, with a byte-based progress bar on stderr for big captures on a TTY
    (and seen by the timeline when one is drawn)."""
    show = output.progress
    if show is None:
        show = progress_wanted(ndjson=output.ndjson)
    if show:  # a layer costs a resume per item: only when it may draw
        stats = lambda: getattr(session.stats, "frames", 0)  # noqa: E731 - frames read, for pipes
        items: Iterator[ReplayItem] = CaptureProgress(session, "replaying", frames=stats).wrap(session, every=512)
    else:
        items = iter(session)
    return timeline.observe(items, replay_records) if timeline is not None else items


RowFormat = Callable[[ReceiverInfo, RecordOptions], Callable[[Row], Any]]


def _row_records(info: ReceiverInfo, opts: RecordOptions) -> Callable[[Row], Record]:
    return functools.partial(row_record, info=info, opts=opts)


def replay_records(items: Iterable[ReplayItem], session: ReplaySession, show_data: bool = False,
                   explain: bool = False, row_format: RowFormat = _row_records) -> Iterator[Any]:
    """The records of a replay (flow, call/completion rows, summary per receiver), as produced.

    `row_format(info, opts)` makes a receiver's row formatter: by default rows become
    `row_record` dicts; NDJSON output passes `RowLines`, which makes each row its finished line.
    """
    receivers: dict[ReceiverKey, tuple[ReceiverInfo, RowPairer, SummaryAccumulator, Callable]] = {}
    opts: RecordOptions | None = None
    for item in items:
        kind = item.__class__
        if kind is ReceiverOutcome:  # the common item first
            _, pairer, summary, row_out = receivers[item.key]
            outcome = item.outcome
            summary.add(outcome)
            for row in pairer.push(outcome):
                yield row_out(row)
            continue
        if opts is None:  # the first item comes after the first packet: times count from it
            opts = RecordOptions(base_ns=session.first_ts_ns or 0, show_data=show_data, explain=explain)
        if kind is ReceiverStart:
            info = info_for(item)
            receivers[item.key] = (info, RowPairer(), SummaryAccumulator.for_receiver(info), row_format(info, opts))
            yield info.record()
        elif kind is ReceiverEnd:
            info, pairer, summary, row_out = receivers.pop(item.key)
            for row in pairer.finish():
                yield row_out(row)
            summary.framing = item.framing
            yield summary.record()


def _print_records(session: ReplaySession, output: OutputOptions, findings: _Findings,
                   timeline: ReplayTimeline | None) -> None:
    if output.json:
        writer: JsonDocumentWriter | NdjsonWriter = JsonDocumentWriter(sys.stdout, capture=session.path)
        row_format = _row_records
    else:
        writer, row_format = NdjsonWriter(sys.stdout), RowLines
    items = _items_with_progress(session, output, timeline)
    for record in replay_records(items, session, output.show_data, output.explain, row_format):
        if record.__class__ is str:  # a row already written as its NDJSON line
            writer.write_line(record)  # type: ignore[union-attr]
            continue
        if record["type"] == "summary":
            findings.gaps += record["gaps"]
        writer.write(record)
    if output.json:
        writer.close()  # type: ignore[union-attr]


def _print_tables(session: ReplaySession, config: ReplayConfig, output: OutputOptions, findings: _Findings,
                  timeline: ReplayTimeline | None) -> None:
    console = make_console(output.color, output.width,
                           record=bool(output.export_svg or output.export_html))
    sections: dict[ReceiverKey, _Section] = {}
    shown = 0
    for item in _items_with_progress(session, output, timeline):
        if isinstance(item, ReceiverStart):
            info = info_for(item)
            opts = table_options_for([item.buffers], width=console.width, show_data=output.show_data,
                                     explain=output.explain, max_calls=output.max_calls,
                                     base_ns=session.first_ts_ns or 0, time_format=output.time_format)
            sections[item.key] = _Section(info, CallTable(opts), SummaryAccumulator.for_receiver(info))
            continue
        section = sections[item.key]
        if isinstance(item, ReceiverOutcome):
            section.summary.add(item.outcome)
            section.lines += section.table.push(item.outcome)
            if item.framing is not None and item.framing.suspicious and section.table.hidden_calls == 0:
                section.lines.append(Text(f"{'':>6}↳ framing: {item.framing} in one call", style="yellow"))
            if len(section.lines) >= FLUSH_LINES:
                _flush(console, section)
        elif isinstance(item, ReceiverEnd):
            section.lines += section.table.finish()
            section.summary.framing = item.framing
            findings.gaps += section.summary.gaps
            _flush(console, section)
            console.print(summary_panel(section.summary, open_calls=item.open_calls, idle_polls=item.idle_polls))
            console.print()
            del sections[item.key]
            shown += 1
    if shown == 0:
        console.print(Text("No receiver got anything: no TCP payload, FIN/RST or UDP datagram in the selected flows.",
                           style="yellow"))
    _export(console, output, timeline)


def _flush(console: Console, section: _Section) -> None:
    header = section_header(section.info)
    if section.continued:
        header.append("  (continued)", style="dim")
    console.print(header)
    for line in section.table.header() + section.lines:
        console.print(line, overflow="ignore", crop=False)
    section.lines = []
    section.continued = True


def _export(console: Console, output: OutputOptions, timeline: ReplayTimeline | None) -> None:
    if output.export_svg:
        console.save_svg(output.export_svg, title="wsarecv replay", clear=False)
    if output.export_html:
        html = console.export_html(clear=False)
        write_text(output.export_html, embed_timeline(html, timeline.svg()) if timeline is not None else html)
