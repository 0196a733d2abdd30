"""`replay --ndjson` written straight as lines, without a record dict per call.

Theory of operation: the general path (replay_output.replay_records) turns every row into its
record dict, the findings detectors read the dict, and NdjsonWriter encodes it: ~9 us a call on
a long flow, more than the model spends deciding the call. Here each receiver's lines are made
from the model's outcomes by render/record_lines.py (call, completion, flow and summary records),
and the detectors are told what a row of plain data does (FindingDetector.handed_over: its bytes
are handed over, no finding can come of it). Only the rows that may complete a finding (an error,
lost bytes, MSG_PARTIAL, urgent data, a closure, a pending call) and the rare items (capture gaps,
notices, a summary with framing findings) are still built as dicts, for the detectors and the writer.

The output is byte for byte the general path's: tests/cli/test_replay_ndjson.py runs both over
the sample and shared captures with several options and compares them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wsarecv_cli.cli.replay_findings import ReplayFindings
from wsarecv_cli.cli.replay_output import info_for, notice_record
from wsarecv_cli.cli.replay_quiet import QuietReceivers
from wsarecv_cli.diagnose.detect import FindingDetector
from wsarecv_cli.model.types import Completion, Event, RecvFlags, RecvResult, Status
from wsarecv_cli.render.record_lines import RowLines, flow_line, summary_line
from wsarecv_cli.render.records import (
    NdjsonWriter, ReceiverInfo, RecordOptions, Row, RowKind, RowPairer, SummaryAccumulator, gap_record, row_record,
)
from wsarecv_cli.replay.notices import ReceiverNotice
from wsarecv_cli.replay.session import (
    ReceiverEnd, ReceiverGap, ReceiverOutcome, ReceiverQuiet, ReceiverStart, ReplayItem, ReplaySession,
)

# Module constants: Enum.MEMBER lookups are slow on Python 3.11 (see render/records.py).
_BLOCKING, _COMPLETION, _WAITING = RowKind.BLOCKING, RowKind.COMPLETION, Status.WAITING
_DATA, _GRACEFUL_CLOSE = Event.DATA, Event.GRACEFUL_CLOSE
_new = tuple.__new__  # a Row built without its keyword-parsing __new__
_NOT_PLAIN_IN = int(RecvFlags.MSG_PEEK | RecvFlags.MSG_OOB)  # not stream bytes for the detectors
_MSG_PARTIAL = int(RecvFlags.MSG_PARTIAL)


class _Receiver:
    """One receiver's writing state: its rows paired, counted and formatted."""

    __slots__ = ("info", "pairer", "summary", "line", "state", "plain", "add_plain")

    def __init__(self, info: ReceiverInfo, opts: RecordOptions, detector: FindingDetector | None) -> None:
        self.info = info
        self.pairer = RowPairer()
        self.summary = SummaryAccumulator.for_receiver(info)
        self.line = RowLines(info, opts)
        self.state = None if detector is None else detector.open(info.flow, info.receiver, info.protocol)
        # The commonest row's steps (RowLines.plain says whether a row is one), and what it adds
        # to the summary: stream bytes, or a message on a message-oriented receiver.
        self.plain = self.line.plain
        summary = self.summary
        self.add_plain = summary.add_message_bytes if summary.message_oriented else summary.add_stream_bytes

    def detach(self, detector: FindingDetector | None) -> Any:
        """What must not be pickled with this state (set aside while the receiver is quiet): the
        running stream hash. The detector's state for it goes with it, out of the detector."""
        if self.state is not None and detector is not None:
            detector.set_aside(self.state)
        return self.summary.detach_hash()

    def attach(self, sha: Any, detector: FindingDetector | None) -> None:
        self.summary.attach_hash(sha)
        if self.state is not None and detector is not None:
            detector.take_back(self.state)


def plain_data(row: Row) -> tuple[bool, int, int, bool] | None:
    """(a call record?, its `t` in ns, its `bytes`, a graceful close?) of a row whose record is
    plain data or a graceful close for the detectors (FindingDetector.handed_over says which);
    None for any other row."""
    kind = row.kind
    if kind is _COMPLETION:
        return plain_outcome(row.completion, None)  # type: ignore[arg-type]  # (a completion record has no flags_in)
    if kind is _BLOCKING:
        return plain_outcome(row.completion, row.result)  # type: ignore[arg-type]
    return plain_outcome(row.result, row.result)  # type: ignore[arg-type]


def plain_outcome(outcome: RecvResult | Completion, started: RecvResult | None) -> tuple[bool, int, int, bool] | None:
    """plain_data of the row whose outcome is `outcome`, made by the call `started` (None: a
    completion record)."""
    event = outcome.event
    if event is not _DATA and event is not _GRACEFUL_CLOSE or outcome.error is not None or outcome.lost:
        return None
    flags_out = outcome.flags_out
    if flags_out and int(flags_out) & _MSG_PARTIAL:
        return None
    if started is None:
        return False, outcome.t_ns, outcome.bytes, event is _GRACEFUL_CLOSE  # type: ignore[return-value]
    if int(started.call.flags) & _NOT_PLAIN_IN:
        return None
    return True, started.t_ns, outcome.bytes or 0, event is _GRACEFUL_CLOSE


def write_ndjson(items: Iterable[ReplayItem], session: ReplaySession, show_data: bool, explain: bool,
                 findings: ReplayFindings, writer: NdjsonWriter) -> None:
    """The replay's records (flow, calls and completions, gaps, notices, summary per receiver, each
    followed by the findings it completed) written as `replay_output.replay_records` + the
    detectors + `writer.write` would write them. Not for --framing (its pieces are dicts)."""
    detector = findings.detector if findings.enabled else None
    handed_over = FindingDetector.handed_over
    write, write_line = writer.write, writer.line_writer
    # Each receiver's writing state; a quiet one's on disk until its next item (replay_quiet.py).
    receivers = QuietReceivers(lambda receiver: receiver.detach(detector),
                               lambda receiver, sha: receiver.attach(sha, detector))
    opts: RecordOptions | None = None
    base = 0
    last_key = current = None

    def found(record_findings) -> None:
        for finding in record_findings:
            write(finding.record())

    def row_written(current: _Receiver, row: Row) -> None:
        kind = row.kind
        write_line(current.line.blocking(row.result, row.completion) if kind is _BLOCKING else current.line(row))
        if detector is None:
            return
        plain = plain_data(row)
        if plain is not None:
            call, t_ns, count, closes = plain
            if handed_over(current.state, call, round((t_ns - base) / 1e9, 9), count, closes):
                return
        found(findings.feed(row_record(row, current.info, opts)))  # type: ignore[arg-type]

    def blocking_written(current: _Receiver, waiting: RecvResult, done: Completion) -> None:
        """row_written for the commonest row, a blocking call and its return: the Row is built
        only when the detectors need its record."""
        write_line(current.line.blocking(waiting, done))
        if detector is None:
            return
        plain = plain_outcome(done, waiting)
        if plain is not None and handed_over(current.state, True, round((plain[1] - base) / 1e9, 9), plain[2],
                                             plain[3]):
            return
        found(findings.feed(row_record(_new(Row, (_BLOCKING, waiting, done)), current.info, opts)))  # type: ignore[arg-type]

    for item in items:
        if item.__class__ is ReceiverOutcome:  # the common item first
            key = item.key
            if key is not last_key:
                current, last_key = receivers[key], key
            outcome, pairer = item.outcome, current.pairer  # type: ignore[union-attr]
            # RowPairer.push's two commonest steps written out: a blocking call starts waiting (it
            # only counts as a call), and it returns (one row); anything else goes through push.
            waiting = pairer.waiting
            if waiting is None:
                if outcome.__class__ is RecvResult and outcome.status is _WAITING:
                    pairer.waiting = outcome
                    current.summary.calls += 1  # type: ignore[union-attr]
                    continue
            elif outcome.__class__ is Completion and outcome.n == waiting.n:
                pairer.waiting = None
                made = current.plain(waiting, outcome)  # type: ignore[union-attr]
                if made is not None:  # the commonest row: SummaryAccumulator.add and blocking_written fused
                    current.add_plain(outcome.data[0])  # type: ignore[union-attr]
                    write_line(made[0])
                    state = current.state  # type: ignore[union-attr]
                    if state is None or handed_over(state, True, made[1], outcome.bytes):
                        continue
                    found(findings.feed(row_record(_new(Row, (_BLOCKING, waiting, outcome)), current.info, opts)))  # type: ignore[arg-type,union-attr]
                    continue
                current.summary.add(outcome)  # type: ignore[union-attr]
                blocking_written(current, waiting, outcome)  # type: ignore[arg-type]
                continue
            current.summary.add(outcome)  # type: ignore[union-attr]
            for row in pairer.push(outcome):
                row_written(current, row)  # type: ignore[arg-type]
            continue
        if opts is None:  # the first item comes after the first packet: times count from it
            base = session.first_ts_ns or 0
            opts = RecordOptions(base_ns=base, show_data=show_data, explain=explain)
        kind = item.__class__
        if kind is ReceiverStart:
            info = info_for(item)  # type: ignore[arg-type]
            receivers[item.key] = _Receiver(info, opts, detector)
            write_line(flow_line(info))
            continue
        if kind is ReceiverQuiet:
            receivers.set_aside(item.key)
            last_key = None  # `current` may be the state just set aside
            continue
        receiver: _Receiver = receivers[item.key]
        if kind is ReceiverGap:
            receiver.summary.add_gap(item.length)  # type: ignore[union-attr]
            record = gap_record(receiver.info, item.t_ns, item.offset, item.length, item.reason.value,  # type: ignore[union-attr]
                                item.evidence.value, item.frames, opts, item.replayed)  # type: ignore[union-attr]
            write(record)
            found(findings.feed(record))
        elif kind is ReceiverNotice:
            record = notice_record(item, receiver.info, opts)  # type: ignore[arg-type]
            write(record)
            found(findings.feed(record))
        elif kind is ReceiverEnd:
            del receivers[item.key]
            last_key = None
            for row in receiver.pairer.finish():
                row_written(receiver, row)
            summary = receiver.summary
            summary.framing = item.framing  # type: ignore[union-attr]
            line = summary_line(summary)
            if line is None:
                record = summary.record()
                write(record)
                found(findings.feed(record))
            else:
                write_line(line)
                if detector is not None:
                    found(findings.placed(detector.close(receiver.info.flow, receiver.info.receiver)))
    receivers.close()
