"""Model outcomes -> the stable records of DESIGN.md "Records" (`--ndjson` / `--json`).

Theory of operation: the model emits `RecvResult`s (what a call returned at once) and
`Completion`s (the later result of a call that pended or blocked). `pair_outcomes` turns that
stream into `Row`s: a blocking call that waited (Status.WAITING) is held until its completion and
becomes one row, because from the application's side it was one call that returned later; an
overlapped call that pended stays two rows (the call, then its completion), because other calls
may run in between. Rows feed both the pretty table (render/calls.py) and the records here.

Field names are stable; fields are only ever added. Additions to the DESIGN list: `t_done` (a
blocking call's return time), `reason` (with explain), `gap`, `notes`, `win32_error` (completions),
status "waiting" (a blocking call that never returned before the end of input), `unknown_bytes`
(bytes of the call whose content the capture lacks; every call and completion), `unknown`
([[start, stop]] of those bytes in the call's data, when any), the `gap` record (a capture gap:
an annotation, never a call) and the summary's `gap_bytes`. With --show-data, unknown bytes are
"??" in `data_hex`, never invented.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TextIO

from wsarecv_cli.model.types import (
    Completion,
    Event,
    RecvFlags,
    RecvResult,
    Status,
    Win32Error,
    WsaError,
)
from wsarecv_cli.render.sanitize import json_needs_escapes, json_safe

Outcome = RecvResult | Completion
Record = dict[str, Any]

_new = tuple.__new__  # a NamedTuple built without its keyword-parsing __new__ (one Row per call)


class RowKind(enum.Enum):
    CALL = "call"  # a call that returned at once (completed, failed or pending)
    BLOCKING = "blocking"  # a blocking call and its return, merged
    COMPLETION = "completion"  # the later completion of an overlapped call that pended


class Row(NamedTuple):
    """One line of the call table / one record: a call, a merged blocking call, or a completion.
    (A NamedTuple rather than a frozen dataclass: replay makes one per call.)"""

    kind: RowKind
    result: RecvResult | None = None
    completion: Completion | None = None

    @property
    def n(self) -> int:
        return self.result.n if self.result is not None else self.completion.n  # type: ignore[union-attr]


# Members the per-outcome code tests, as module constants: on Python 3.11 every `Enum.MEMBER`
# lookup takes EnumType.__getattr__'s slow path (~100 ns against ~25 ns for a global).
_BLOCKING, _CALL, _COMPLETION = RowKind.BLOCKING, RowKind.CALL, RowKind.COMPLETION
_WAITING, _MSGSIZE = Status.WAITING, WsaError.WSAEMSGSIZE
_DATA, _GAP, _TRUNCATED, _ZERO_BYTE = Event.DATA, Event.GAP, Event.TRUNCATED, Event.ZERO_BYTE


class RowPairer:
    """Push-based pairing: feed outcomes in order, get rows; holds at most one waiting call."""

    def __init__(self) -> None:
        self.waiting: RecvResult | None = None  # a blocking call not returned yet (read by replay_ndjson)

    def push(self, outcome: Outcome) -> list[Row] | tuple[Row, ...]:
        waiting = self.waiting
        is_completion = outcome.__class__ is Completion
        if waiting is None:  # (the general case below, shortened for the two commonest outcomes)
            if is_completion:
                return (_new(Row, (_COMPLETION, None, outcome)),)
            if outcome.status is _WAITING:
                self.waiting = outcome  # type: ignore[assignment]
                return ()
        if waiting is not None:
            self.waiting = None
            if is_completion and outcome.n == waiting.n:
                return [_new(Row, (_BLOCKING, waiting, outcome))]
            rows = [_new(Row, (_CALL, waiting, None))]  # the blocked thread did more: unusual
        else:
            rows = []
        if is_completion:
            rows.append(_new(Row, (_COMPLETION, None, outcome)))
        elif outcome.status is _WAITING:
            self.waiting = outcome  # type: ignore[assignment]
        else:
            rows.append(_new(Row, (_CALL, outcome, None)))
        return rows

    def finish(self) -> list[Row]:
        """A blocking call still waiting at the end of input stays a row of its own."""
        rows = [Row(RowKind.CALL, self.waiting)] if self.waiting is not None else []
        self.waiting = None
        return rows


def pair_outcomes(outcomes: Iterable[Outcome]) -> Iterator[Row]:
    """Outcomes -> rows, merging each WAITING call with its completion."""
    pairer = RowPairer()
    for outcome in outcomes:
        yield from pairer.push(outcome)
    yield from pairer.finish()


# ---- records ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReceiverInfo:
    """Who receives: the `flow` record, and the header of a receiver section in the pretty output."""

    flow: str | None = None  # "tcp:3"; None for a scenario
    receiver: str | None = None  # "10.0.0.1:51000"
    peer: str | None = None
    protocol: str = "tcp"
    platform: str = "desktop"
    mode: str = "blocking"
    schedule: str | None = None  # "eager", "script:FILE"; None for a scenario
    title: str | None = None  # scenario title (pretty output only)
    role: str | None = None  # "client" | "server" (captures only)
    roles_inferred: bool = False  # no SYN: the role was inferred from the ports

    def record(self) -> Record:
        return {
            "type": "flow",
            "flow": self.flow,
            "receiver": self.receiver,
            "peer": self.peer,
            "protocol": self.protocol,
            "platform": self.platform,
            "mode": self.mode,
            "schedule": self.schedule,
            **({} if self.role is None else {"role": self.role, "roles": "inferred" if self.roles_inferred else "syn"}),
        }


@dataclass(frozen=True, slots=True)
class RecordOptions:
    base_ns: int = 0  # `t` is seconds from this timestamp (the first frame, or 0 for scenarios)
    show_data: bool = False
    explain: bool = False


def seconds(t_ns: int, base_ns: int) -> float:
    return round((t_ns - base_ns) / 1e9, 9)


_FLAG_NAMES: dict[int, tuple[str, ...]] = {}


def flag_names(flags: RecvFlags | None) -> list[str] | None:
    if flags is None:
        return None
    names = _FLAG_NAMES.get(flags)  # type: ignore[call-overload]
    if names is None:
        names = _FLAG_NAMES[int(flags)] = tuple(RecvFlags(flags).names())
    return list(names)


def error_fields(error: WsaError | None) -> dict[str, Any]:
    return {"error": error.name if error else None, "error_code": int(error) if error else None}


def _filled(data: tuple[bytes, ...]) -> list[int]:
    return [len(data[0])] if len(data) == 1 else [len(chunk) for chunk in data]


def unknown_per_buffer(data: tuple[bytes, ...],
                       unknown: tuple[tuple[int, int], ...]) -> list[tuple[tuple[int, int], ...]]:
    """For each WSABUF, the [start, stop) of its bytes the capture lacks, counted in that WSABUF
    (`unknown` counts in the call's data)."""
    out, start = [], 0
    for chunk in data:
        end = start + len(chunk)
        out.append(tuple((max(a, start) - start, min(b, end) - start) for a, b in unknown if a < end and b > start))
        start = end
    return out


def data_hex(data: tuple[bytes, ...], unknown: tuple[tuple[int, int], ...]) -> list[str]:
    """One hex string per WSABUF; bytes whose content the capture lacks are "??"."""
    if not unknown:
        return [chunk.hex() for chunk in data]
    out = []
    for chunk, spans in zip(data, unknown_per_buffer(data, unknown)):
        text = chunk.hex()
        for a, b in spans:
            text = text[:2 * a] + "??" * (b - a) + text[2 * b:]
        out.append(text)
    return out


def known_chunks(data: tuple[bytes, ...], unknown: tuple[tuple[int, int], ...]) -> Iterator[bytes]:
    """The call's data without the bytes the capture lacks (what stream_sha256 hashes)."""
    if not unknown:
        yield from data
        return
    joined = b"".join(data)
    pos = 0
    for a, b in unknown:
        yield joined[pos:a]
        pos = b
    yield joined[pos:]


def _add_tail(rec: Record, outcome: Outcome, opts: RecordOptions) -> Record:
    """Fields every call/completion record ends with (added to `rec` in place)."""
    rec["event"] = outcome.event.value
    rec["rules"] = list(outcome.rules)
    if outcome.gap:
        rec["gap"] = outcome.gap
    rec["unknown_bytes"] = outcome.gap
    if outcome.unknown:
        rec["unknown"] = [list(span) for span in outcome.unknown]
    if outcome.notes:
        rec["notes"] = list(outcome.notes)
    if outcome.source is not None:  # WSARecvFrom / WSARecvMsg (scenarios only)
        rec["source"] = outcome.source
    if outcome.msg_flags is not None:  # WSARecvMsg: WSAMSG.dwFlags
        rec["msg_flags"] = flag_names(outcome.msg_flags)
    if opts.show_data:
        rec["data_hex"] = data_hex(outcome.data, outcome.unknown)
    if opts.explain and outcome.reason:
        rec["reason"] = outcome.reason
    return rec


def _head(kind: str, info: ReceiverInfo, n: int, t_ns: int, opts: RecordOptions) -> Record:
    return {"type": kind, "flow": info.flow, "receiver": info.receiver, "n": n,
            "t": seconds(t_ns, opts.base_ns)}


# The records are built as one dict literal each, keys in the documented order: replay writes
# one per call, and merging partial dicts cost a quarter of a replay.


def call_record(result: RecvResult, info: ReceiverInfo, opts: RecordOptions) -> Record:
    error = result.error
    base = opts.base_ns
    rec: Record = {
        "type": "call", "flow": info.flow, "receiver": info.receiver, "n": result.n,
        "t": round((result.t_ns - base) / 1e9, 9),
        "buffers": list(result.call.buffers),
        "flags_in": flag_names(result.call.flags),
        "status": result.status.value,
        "ret": result.ret,
        "error": error.name if error else None,
        "error_code": int(error) if error else None,
        "bytes": result.bytes,
        "filled": _filled(result.data),
        "flags_out": flag_names(result.flags_out),
        "lost": result.lost,
    }
    if result.delivery is not None:
        rec["delivery"] = result.delivery.value
    return _add_tail(rec, result, opts)


def blocking_record(result: RecvResult, done: Completion, info: ReceiverInfo,
                    opts: RecordOptions) -> Record:
    """A blocking call that waited: one call record carrying the return (R6 for failures)."""
    error = done.error
    failed = error is not None
    wrote_count = not failed or error is WsaError.WSAEMSGSIZE  # Q1 / R6
    base = opts.base_ns
    rec: Record = {
        "type": "call", "flow": info.flow, "receiver": info.receiver, "n": result.n,
        "t": round((result.t_ns - base) / 1e9, 9),
        "t_done": round((done.t_ns - base) / 1e9, 9),
        "buffers": list(result.call.buffers),
        "flags_in": flag_names(result.call.flags),
        "status": "failed" if failed else "completed",
        "ret": -1 if failed else 0,
        "error": error.name if error else None,
        "error_code": int(error) if error else None,
        "bytes": done.bytes if wrote_count else None,
        "filled": _filled(done.data),
        "flags_out": flag_names(done.flags_out) if wrote_count else None,
        "lost": done.lost,
    }
    return _add_tail(rec, done, opts)


def completion_record(done: Completion, info: ReceiverInfo, opts: RecordOptions) -> Record:
    error = done.error
    rec: Record = {
        "type": "completion", "flow": info.flow, "receiver": info.receiver, "n": done.n,
        "t": round((done.t_ns - opts.base_ns) / 1e9, 9),
        "error": error.name if error else None,
        "error_code": int(error) if error else None,
        "bytes": done.bytes,
        "filled": _filled(done.data),
        "flags_out": flag_names(done.flags_out),
        "lost": done.lost,
        "delivery": done.delivery.value,
    }
    if done.win32_error is not Win32Error.ERROR_SUCCESS:
        rec["win32_error"] = done.win32_error.name
    return _add_tail(rec, done, opts)


def gap_record(info: ReceiverInfo, t_ns: int, offset: int, length: int, reason: str, evidence: str,
               frames: tuple[int, ...], opts: RecordOptions, replayed: bool = True) -> Record:
    """A capture gap in the receiver's stream: where, how long, when and on what evidence it was
    declared. Its bytes are in the calls that read them (`unknown_bytes`), unless `replayed` is
    false (longer than --max-gap-bytes: skipped)."""
    return {"type": "gap", "flow": info.flow, "receiver": info.receiver,
            "t": seconds(t_ns, opts.base_ns), "offset": offset, "length": length, "reason": reason,
            "evidence": evidence, "frames": list(frames), "replayed": replayed}


def row_record(row: Row, info: ReceiverInfo, opts: RecordOptions) -> Record:
    if row.kind is RowKind.CALL:
        return call_record(row.result, info, opts)  # type: ignore[arg-type]
    if row.kind is RowKind.BLOCKING:
        return blocking_record(row.result, row.completion, info, opts)  # type: ignore[arg-type]
    return completion_record(row.completion, info, opts)  # type: ignore[arg-type]


# ---- summary ---------------------------------------------------------------------------------

_CLOSURE = {
    Event.GRACEFUL_CLOSE: "graceful",
    Event.RESET: "reset",
    Event.ABORTED: "aborted",
    Event.DISCON: "discon",
}


_PEEK_OR_OOB = int(RecvFlags.MSG_PEEK | RecvFlags.MSG_OOB)
_MSG_PARTIAL = int(RecvFlags.MSG_PARTIAL)


def _counts_as_stream(outcome: Outcome) -> bool:
    """Bytes that reach the application as normal data: not peeks (read again later), not OOB."""
    if int(outcome.call.flags) & _PEEK_OR_OOB:
        return False
    # A reliable provider's WSAEMSGSIZE keeps the message queued (R19): it is delivered again later.
    return not (outcome.event is _TRUNCATED and outcome.lost == 0)


def _ends_message(outcome: Outcome) -> bool:
    if int(outcome.call.flags) & _PEEK_OR_OOB:
        return False
    if outcome.event is _TRUNCATED:
        return outcome.lost > 0  # UDP: the datagram is consumed (R17); reliable: retained (R19)
    return outcome.event in (_DATA, _ZERO_BYTE) and not (
        outcome.flags_out and int(outcome.flags_out) & _MSG_PARTIAL)


@dataclass(slots=True)
class SummaryAccumulator:
    """Consumes outcomes (in order) and yields the `summary` record; constant memory."""

    info: ReceiverInfo = field(default_factory=ReceiverInfo)
    message_oriented: bool = False  # count datagrams/messages (udp, reliable-msg, partial-msg)
    calls: int = 0
    bytes: int = 0
    messages: int = 0
    msg_partial: int = 0
    msgsize_errors: int = 0
    bytes_lost: int = 0
    gaps: int = 0
    gap_bytes: int = 0
    closure: str = "open"
    closure_error: WsaError | None = None  # the code the closing call reported (10053 or 995 when aborted...)
    framing: Any = None  # replay.framing.FramingFindings (has as_dict()), set by the replay
    _sha: Any = field(default_factory=hashlib.sha256)

    @classmethod
    def for_receiver(cls, info: ReceiverInfo) -> SummaryAccumulator:
        return cls(info=info, message_oriented=info.protocol != "tcp")

    def detach_hash(self) -> Any:
        """The running stream hash, taken out (a hash object cannot be pickled; replay_quiet.py)."""
        sha, self._sha = self._sha, None
        return sha

    def attach_hash(self, sha: Any) -> None:
        self._sha = sha

    def add_gap(self, length: int) -> None:
        """A capture gap in this receiver's stream (a `gap` record)."""
        self.gaps += 1

    def add(self, outcome: Outcome) -> None:
        event = outcome.event
        if outcome.__class__ is RecvResult:
            self.calls += 1
            if outcome.status is _WAITING:  # nothing returned yet: its Completion carries the rest
                return
        if outcome.lost:
            self.bytes_lost += outcome.lost
        if outcome.error is _MSGSIZE:
            self.msgsize_errors += 1
        flags_out = outcome.flags_out
        if flags_out and int(flags_out) & _MSG_PARTIAL:
            self.msg_partial += 1
        data = outcome.data
        if len(data) == 1 and event is _DATA and not outcome.unknown and not self.message_oriented \
                and not int(outcome.call.flags) & _PEEK_OR_OOB:  # _add_data's commonest case, written out
            self._sha.update(data[0])
            self.bytes += len(data[0])
            return
        if (data[0] if len(data) == 1 else any(data)) or event is _ZERO_BYTE:
            self._add_data(outcome)
        if event in _CLOSURE:
            self._add_closure(outcome)

    def add_stream_bytes(self, chunk: bytes) -> None:
        """add() of a returned call whose data is one WSABUF of normal bytes (event data, nothing
        unknown or lost, no error, no MSG_PEEK/MSG_OOB in, no MSG_PARTIAL out) on a stream
        protocol: the commonest outcome, for a writer that has tested that already
        (cli/replay_ndjson.py, with RowLines.plain; tests/render/test_plain_lines.py)."""
        self._sha.update(chunk)
        self.bytes += len(chunk)

    def add_message_bytes(self, chunk: bytes) -> None:
        """add_stream_bytes for a message-oriented receiver: the call returned a whole message
        (no MSG_PARTIAL out), counted when it has bytes (add() counts an empty one only as a
        zero-byte event)."""
        self._sha.update(chunk)
        if chunk:
            self.bytes += len(chunk)
            self.messages += 1

    def add_all(self, outcomes: Iterable[Outcome]) -> None:
        for outcome in outcomes:
            self.add(outcome)

    def _add_data(self, outcome: Outcome) -> None:
        """Bytes that reached a WSABUF (or a zero-byte message)."""
        data = outcome.data
        if _counts_as_stream(outcome):
            if outcome.unknown:  # capture-gap bytes: counted, not hashed (as follow and tshark)
                self.gap_bytes += outcome.gap
                for chunk in known_chunks(data, outcome.unknown):
                    self._sha.update(chunk)
                self.bytes += sum(len(chunk) for chunk in data)
                return self._count_message(outcome)
            for chunk in data:
                self._sha.update(chunk)
                self.bytes += len(chunk)
        self._count_message(outcome)

    def _count_message(self, outcome: Outcome) -> None:
        if self.message_oriented and _ends_message(outcome):
            self.messages += 1

    def _add_closure(self, outcome: Outcome) -> None:
        closure = _CLOSURE.get(outcome.event)
        if closure is None:
            return
        if self.info.protocol == "udp" and outcome.event is Event.RESET:
            return  # ICMP port-unreachable (R46): the socket stays usable
        self.closure = closure
        self.closure_error = outcome.error

    @property
    def stream_sha256(self) -> str:
        return self._sha.hexdigest()

    def record(self) -> Record:
        rec: Record = {
            "type": "summary", "flow": self.info.flow, "receiver": self.info.receiver,
            "calls": self.calls, "bytes": self.bytes, "stream_sha256": self.stream_sha256,
            "messages": self.framing.messages if self.framing is not None
            and not self.message_oriented else self.messages,
            "msg_partial": self.msg_partial, "msgsize_errors": self.msgsize_errors,
            "bytes_lost": self.bytes_lost, "gaps": self.gaps, "closure": self.closure,
        }
        if self.closure_error is not None:
            rec["closure_error"] = self.closure_error.name
            rec["closure_error_code"] = int(self.closure_error)
        rec["gap_bytes"] = self.gap_bytes
        if self.framing is not None:
            rec["framing"] = self.framing.as_dict()
        return rec


# ---- writers ---------------------------------------------------------------------------------


class NdjsonWriter:
    """One JSON object a line, written as each record is produced; flushed per line only on a
    terminal (a flush per record into a pipe costs a system call each and a third of a replay)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
        isatty = getattr(stream, "isatty", None)
        self._flush = bool(isatty and isatty())

    def write(self, record: Record) -> None:
        self.write_line(self._dumps(record) + "\n")

    def write_line(self, line: str) -> None:
        """A record already encoded as its line (render.record_lines.RowLines), newline included."""
        self._stream.write(line)
        if self._flush:
            self._stream.flush()

    @property
    def line_writer(self) -> Callable[[str], Any]:
        """`write_line`, or the stream's own write when lines need no flush (one call less a line)."""
        return self.write_line if self._flush else self._stream.write


class JsonDocumentWriter:
    """`--json`: the same records gathered in one document, written at `close()`."""

    def __init__(self, stream: TextIO, **meta: Any) -> None:
        self._stream = stream
        self._meta = meta
        self._records: list[Record] = []

    def write(self, record: Record) -> None:
        self._records.append(record)

    def close(self) -> None:
        document = {**self._meta, "records": self._records}
        if json_needs_escapes(json.dumps(self._meta, ensure_ascii=False)):  # an untrusted title or path
            for chunk in json.JSONEncoder(indent=2, ensure_ascii=False).iterencode(document):
                self._stream.write(json_safe(chunk))
        else:
            json.dump(document, self._stream, indent=2, ensure_ascii=False)
        self._stream.write("\n")
        self._stream.flush()


def receiver_records(info: ReceiverInfo, outcomes: Iterable[Outcome],
                     opts: RecordOptions = RecordOptions()) -> Iterator[Record]:
    """flow record, one record per row, then the summary: the whole record stream of one receiver."""
    summary = SummaryAccumulator.for_receiver(info)
    yield info.record()

    def counted() -> Iterator[Outcome]:
        for outcome in outcomes:
            summary.add(outcome)
            yield outcome

    for row in pair_outcomes(counted()):
        yield row_record(row, info, opts)
    yield summary.record()
