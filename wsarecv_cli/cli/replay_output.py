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
from wsarecv_cli.cli.output import Exports
from wsarecv_cli.cli.progress import CaptureProgress
from wsarecv_cli.cli.progress import wanted as progress_wanted
from wsarecv_cli.cli.replay_findings import ReplayFindings, finding_line
from wsarecv_cli.cli.replay_timeline import ReplayTimeline
from wsarecv_cli.diagnose import Finding
from wsarecv_cli.net import Endpoint
from wsarecv_cli.render.calls import CallTable, section_header, table_options_for
from wsarecv_cli.render.records import (
    JsonDocumentWriter,
    NdjsonWriter,
    ReceiverInfo,
    Record,
    RecordOptions,
    Row,
    RowPairer,
    SummaryAccumulator,
    gap_record,
    row_record,
    seconds,
)
from wsarecv_cli.render.summary import summary_panel
from wsarecv_cli.render.timefmt import TimeFormat
from wsarecv_cli.render.timeline_html import timeline_block, write_text
from wsarecv_cli.replay.notices import ReceiverNotice
from wsarecv_cli.replay.session import (
    ReceiverEnd,
    ReceiverGap,
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
    findings: bool = True  # run the detectors (finding records / lines, --fail-on)


def info_for(start: ReceiverStart) -> ReceiverInfo:
    return ReceiverInfo(flow=str(start.key.flow), receiver=endpoint_text(start.key.receiver),
                        peer=endpoint_text(start.peer), protocol=start.protocol.value, platform=start.platform.value,
                        mode=start.mode.value, schedule=str(start.schedule), role=start.role or None,
                        roles_inferred=start.roles_inferred)


_ENDPOINT_TEXT: dict[Endpoint, str] = {}
_ENDPOINT_TEXTS_KEPT = 4096


def endpoint_text(endpoint: Endpoint) -> str:
    """str(endpoint), remembered: the two receivers of a flow name each other, and a capture of
    many short flows reuses its hosts (str goes through the ipaddress module: ~3 us)."""
    text = _ENDPOINT_TEXT.get(endpoint)
    if text is None:
        if len(_ENDPOINT_TEXT) >= _ENDPOINT_TEXTS_KEPT:  # bounded: a scan of every port does not grow it
            _ENDPOINT_TEXT.clear()
        text = _ENDPOINT_TEXT[endpoint] = str(endpoint)
    return text


@dataclass(slots=True)
class _Section:
    """One receiver's pretty output in progress."""

    info: ReceiverInfo
    table: CallTable
    summary: SummaryAccumulator
    records: Callable[[Row], Record]  # rows as records, for the detectors
    pairer: RowPairer = field(default_factory=RowPairer)
    lines: list[Text] = field(default_factory=list)
    continued: bool = False

    def add_findings(self, found: list[Finding], shown: bool) -> None:
        """A finding's line under the call that showed it (not under calls --max-calls hides)."""
        if shown:
            self.lines += [finding_line(finding) for finding in found]


def run_replay(path: str, config: ReplayConfig, output: OutputOptions) -> ReplayFindings:
    """Run the replay and print it with its findings; return them (--fail-on / --strict decide)."""
    exports = (Exports(output.export_svg, output.export_html, title="wsarecv replay")
               if Exports.wanted(output.export_svg, output.export_html) else None)  # before the work
    session = ReplaySession(path, config)
    findings = ReplayFindings.for_config(path, config, output.findings)
    timeline = ReplayTimeline.attach(session) if output.timeline or output.export_html else None
    with _rarer_collections():
        if output.json or output.ndjson:
            _print_records(session, output, findings, timeline)
        else:
            _print_tables(session, output, findings, exports, timeline)
    if output.timeline and timeline is not None:
        write_text(output.timeline, timeline.svg())
    # notices and reality checks inform; they are no findings
    warn(session.warnings + session.notices + [w.text for w in session.reality])
    return findings


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
    """The session's items, with the progress bar on stderr when one may be drawn (cli/progress.py)
    and seen by the timeline when one is drawn."""
    show = output.progress
    if show is None:
        show = progress_wanted(ndjson=output.ndjson)
    if show:  # a layer costs a resume per item: only when it may draw
        stats = lambda: getattr(session.stats, "frames", 0)  # noqa: E731 - frames read, for pipes
        items: Iterator[ReplayItem] = CaptureProgress(session, "replaying", frames=stats).wrap(session, every=512)
    else:
        items = iter(session)
    return timeline.observe(items, replay_records) if timeline is not None else items


def _row_records(info: ReceiverInfo, opts: RecordOptions) -> Callable[[Row], Record]:
    return functools.partial(row_record, info=info, opts=opts)


def replay_records(items: Iterable[ReplayItem], session: ReplaySession, show_data: bool = False,
                   explain: bool = False) -> Iterator[Record]:
    """The records of a replay (flow, call/completion rows, summary per receiver), as produced."""
    receivers: dict[ReceiverKey, tuple[ReceiverInfo, RowPairer, SummaryAccumulator, Callable]] = {}
    opts: RecordOptions | None = None
    for item in items:
        kind = item.__class__
        if kind is ReceiverOutcome:  # the common item first
            _, pairer, summary, row_out = receivers[item.key]
            summary.add(item.outcome)
            yield from outcome_records(item, pairer, row_out)
            continue
        if opts is None:  # the first item comes after the first packet: times count from it
            opts = RecordOptions(base_ns=session.first_ts_ns or 0, show_data=show_data, explain=explain)
        if kind is ReceiverStart:
            info = info_for(item)
            receivers[item.key] = (info, RowPairer(), SummaryAccumulator.for_receiver(info), _row_records(info, opts))
            yield info.record()
        elif kind is ReceiverGap:
            info, _, summary, _ = receivers[item.key]
            summary.add_gap(item.length)
            yield gap_record(info, item.t_ns, item.offset, item.length, item.reason.value, item.evidence.value,
                             item.frames, opts, item.replayed)
        elif kind is ReceiverNotice:
            yield notice_record(item, receivers[item.key][0], opts)
        elif kind is ReceiverEnd:
            info, pairer, summary, row_out = receivers.pop(item.key)
            for row in pairer.finish():
                yield row_out(row)
            summary.framing = item.framing
            yield summary.record()


def outcome_records(item: ReceiverOutcome, pairer: RowPairer, row_out: Callable[[Row], Any]) -> list[Any]:
    """The rows an outcome completes, formatted; with --framing the last one (the row holding the
    outcome's data) carries the messages it delivered."""
    rows = pairer.push(item.outcome)
    records = [row_out(row) for row in rows]
    if item.framing is not None and records:
        records[-1]["framing"] = [piece.as_dict() for piece in item.framing.pieces]
    return records


def notice_record(notice: ReceiverNotice, info: ReceiverInfo, opts: RecordOptions) -> Record:
    rec: Record = {"type": "notice", "flow": info.flow, "receiver": info.receiver,
                   "t": seconds(notice.t_ns, opts.base_ns), "kind": notice.kind.value}
    for name in ("offset", "length", "source"):
        value = getattr(notice, name)
        if value is not None:
            rec["bytes" if name == "length" else name] = value
    return rec


def _print_records(session: ReplaySession, output: OutputOptions, findings: ReplayFindings,
                   timeline: ReplayTimeline | None = None, direct_lines: bool = True) -> None:
    """Records as produced, each followed by the `finding` records it completed. NDJSON is written
    line by line from the outcomes (cli/replay_ndjson.py); with --framing (its pieces are added to
    the dicts), with --json, or without `direct_lines` (the reference tests hold that path to),
    every record is a dict the writer encodes."""
    if output.json:
        writer: JsonDocumentWriter | NdjsonWriter = JsonDocumentWriter(sys.stdout, capture=session.path)
    else:
        writer = NdjsonWriter(sys.stdout)
    items = _items_with_progress(session, output, timeline)
    write = writer.write
    if output.ndjson and direct_lines and session.config.framing is None:
        from wsarecv_cli.cli.replay_ndjson import write_ndjson  # (it imports this module)
        write_ndjson(items, session, output.show_data, output.explain, findings, writer)  # type: ignore[arg-type]
    else:
        feed = findings.feed if output.findings else None
        for record in replay_records(items, session, output.show_data, output.explain):
            write(record)
            if feed is not None:
                for finding in feed(record):
                    write(finding.record())
    for finding in findings.capture_wide(session):
        write(finding.record())
    for warning in session.reality:  # capture-reality checks, with counts (also on stderr)
        write(warning.record())
    if output.json:
        writer.close()  # type: ignore[union-attr]


def _print_tables(session: ReplaySession, output: OutputOptions, findings: ReplayFindings,
                  exports: Exports | None, timeline: ReplayTimeline | None = None) -> None:
    console = make_console(output.color, output.width, exports)
    sections: dict[ReceiverKey, _Section] = {}
    shown = 0
    opts = None
    for item in _items_with_progress(session, output, timeline):
        if isinstance(item, ReceiverStart):
            info = info_for(item)
            opts = opts or RecordOptions(base_ns=session.first_ts_ns or 0)
            table = table_options_for([item.buffers], width=console.width, show_data=output.show_data,
                                      explain=output.explain, max_calls=output.max_calls,
                                      base_ns=session.first_ts_ns or 0, time_format=output.time_format)
            sections[item.key] = _Section(info, CallTable(table), SummaryAccumulator.for_receiver(info),
                                          _row_records(info, opts))
            findings.feed(info.record())
            continue
        section = sections[item.key]
        if isinstance(item, ReceiverGap):
            section.summary.add_gap(item.length)
            section.lines += section.table.annotation(item.t_ns, gap_text(item), "bold magenta")
            section.add_findings(findings.feed(gap_record(
                section.info, item.t_ns, item.offset, item.length, item.reason.value, item.evidence.value,
                item.frames, opts, item.replayed)), True)
            continue
        if isinstance(item, ReceiverOutcome):
            section.summary.add(item.outcome)
            section.lines += section.table.push(item.outcome)
            shows = section.table.hidden_calls == 0
            if item.framing is not None and item.framing.suspicious and shows:
                section.lines.append(Text(f"{'':>6}↳ framing: {item.framing} in one call", style="yellow"))
            for record in outcome_records(item, section.pairer, section.records):
                section.add_findings(findings.feed(record), shows)
            if len(section.lines) >= FLUSH_LINES:
                _flush(console, section)
        elif isinstance(item, ReceiverNotice):
            section.add_findings(findings.feed(notice_record(item, section.info, opts)), True)
        elif isinstance(item, ReceiverEnd):
            section.lines += section.table.finish()
            section.summary.framing = item.framing
            section.add_findings(findings.feed(section.summary.record()), True)
            _flush(console, section)
            console.print(summary_panel(section.summary, open_calls=item.open_calls, idle_polls=item.idle_polls,
                                        findings=findings.receiver_counts(section.info.flow, section.info.receiver)))
            console.print()
            del sections[item.key]
            shown += 1
    findings.capture_wide(session)  # counted for --fail-on; the warnings say them on stderr
    if shown == 0:
        console.print(Text("No receiver got anything: no TCP payload, FIN/RST or UDP datagram in the selected flows.",
                           style="yellow"))
    if exports is not None:  # the HTML report holds the timeline picture after the tables
        exports.close(timeline_block(timeline.svg()) if timeline is not None and output.export_html else "")


def gap_text(gap: ReceiverGap) -> str:
    """The annotation row of a capture gap: what is missing, where, and why it is declared."""
    frames = f", frame {', '.join(map(str, gap.frames))}" if gap.frames else ""
    text = (f"capture gap: {gap.length} B at stream offset {gap.offset} ({gap.reason.value}; declared on "
            f"{_EVIDENCE_WORDS[gap.evidence.value]}{frames}); ")
    if not gap.replayed:
        return text + "longer than --max-gap-bytes: skipped, so the calls below may differ from the application's"
    return text + "the receiver got them: the calls below read them as unknown bytes"


_EVIDENCE_WORDS = {"ack": "the receiver's ACK", "gap-wait": "--gap-wait (no ACKs in the capture)",
                   "rst": "the RST", "end-of-capture": "the end of the capture", "frame": "the cut frame",
                   "limit": "the --max-ooo-bytes limit"}


def _flush(console: Console, section: _Section) -> None:
    header = section_header(section.info)
    if section.continued:
        header.append("  (continued)", style="dim")
    console.print(header)
    for line in section.table.header() + section.lines:
        console.print(line, overflow="ignore", crop=False)
    section.lines = []
    section.continued = True
