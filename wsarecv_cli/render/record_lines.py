"""Call and completion rows as finished NDJSON lines, without building the record dict.

`--ndjson` writes one record per call; building the dict (records.row_record) and running it
through json.JSONEncoder cost ~6.7 us a record, more than the model spends deciding the call.
`RowLines` writes the same line directly (~1.9 us): the receiver's part of the line is made once,
the call's WSABUF part once per RecvCall object (drivers reuse one), rule lists once per tuple.

The output is byte for byte `NdjsonWriter`'s for `row_record(row, info, opts)`: same keys in the
same order, strings escaped by json's own encode_basestring (ensure_ascii=False), floats and ints
by their repr as json writes them. The layout is the one of records.call_record /
blocking_record / completion_record; tests/replay/test_ndjson_lines.py compares the two on random
rows, so a field added to one and not the other fails there.
"""

from __future__ import annotations

import enum
from json.encoder import encode_basestring

from wsarecv_cli.model.types import Completion, Event, RecvCall, RecvFlags, RecvResult, Win32Error, WsaError
from wsarecv_cli.render.records import (
    ReceiverInfo, RecordOptions, Row, RowKind, SummaryAccumulator, data_hex, flag_names,
)


def _str(value: str | None) -> str:
    return "null" if value is None else encode_basestring(value)


def _strs(values) -> str:
    return "[" + ",".join([encode_basestring(value) for value in values]) + "]"


def _ints(values) -> str:
    return "[" + ",".join([int.__repr__(value) for value in values]) + "]"


# The same few values recur on every line: their JSON text is made once (an enum's .value is a
# Python-level property, and the lists need joining).
_ENUM: dict[enum.Enum, str] = {}
_FLAGS: dict[RecvFlags | None, str] = {}
_ERROR: dict[WsaError | None, str] = {None: '"error":null,"error_code":null'}
_RULES: dict[tuple[str, ...], str] = {}
_COMPLETED = '"status":"completed","ret":0,' + _ERROR[None]
# The tail of a line without gap, notes, data or reason, by (event, rules) (see RowLines._tail).
_PLAIN_TAIL: dict[tuple[enum.Enum, tuple[str, ...]], str] = {}
# Members tested per line, as module constants (see records.py: Enum.MEMBER is slow on 3.11).
_BLOCKING, _CALL = RowKind.BLOCKING, RowKind.CALL
_MSGSIZE, _WIN32_OK = WsaError.WSAEMSGSIZE, Win32Error.ERROR_SUCCESS
_FAILED = '"status":"failed","ret":-1,'
_DATA, _NO_FLAGS = Event.DATA, RecvFlags.NONE


def _value(member: enum.Enum) -> str:
    text = _ENUM.get(member)
    if text is None:
        text = _ENUM[member] = encode_basestring(member.value)
    return text


def _flags(flags: RecvFlags | None) -> str:
    text = _FLAGS.get(flags)
    if text is None:
        names = flag_names(flags)
        text = _FLAGS[flags] = "null" if names is None else _strs(names)
    return text


def _error(error: WsaError | None) -> str:
    text = _ERROR.get(error)
    if text is None:
        assert error is not None
        text = _ERROR[error] = f'"error":{encode_basestring(error.name)},"error_code":{int(error)}'
    return text


_NO_FLAGS_OUT = _flags(_NO_FLAGS)


def _filled(data: tuple[bytes, ...]) -> str:
    return f"[{len(data[0])}]" if len(data) == 1 else _ints([len(chunk) for chunk in data])


# Below this many ns (2**22 s) a float's ulp is under 1e-9, so a time of whole ns has one nearest
# float, round(x, 9) is x itself and its repr is the decimal digits of the ns count (checked by
# tests/render/test_plain_lines.py); from 1e-4 s on, repr writes no exponent.
_EXACT_NS = 4 * 10**15


def seconds_text(delta_ns: int) -> str:
    """`float.__repr__(round(delta_ns / 1e9, 9))` (records.seconds as json writes it), from the
    integer: round() and float repr cost ~0.9 us a time, and every call has two."""
    if 100_000 <= delta_ns < _EXACT_NS:
        text = ("%d.%09d" % divmod(delta_ns, 1_000_000_000)).rstrip("0")
        return text + "0" if text[-1] == "." else text
    return float.__repr__(round(delta_ns / 1e9, 9))


def _seconds(t_ns: int, base_ns: int) -> str:
    """records.seconds as json writes the float (its repr)."""
    return seconds_text(t_ns - base_ns)


class RowLines:
    """`row_record(row, info, opts)` as its NDJSON line (with the newline), for one receiver."""

    def __init__(self, info: ReceiverInfo, opts: RecordOptions) -> None:
        who = f'"flow":{_str(info.flow)},"receiver":{_str(info.receiver)},"n":'
        self._call_head = '{"type":"call",' + who
        self._completion_head = '{"type":"completion",' + who
        self._base = opts.base_ns
        self._show_data = opts.show_data
        self._explain = opts.explain
        self._call: RecvCall | None = None
        self._call_text = ""
        # plain(): the last return's time (ns, and its `t` as text) and the last plain tail.
        self._done_ns: int | None = None
        self._done_text = ""
        self._rules: tuple[str, ...] | None = None
        self._rules_tail = ""
        self._plain = not (opts.show_data or opts.explain)  # plain() writes no data_hex, no reason

    def __call__(self, row: Row) -> str:
        kind = row.kind
        if kind is _BLOCKING:
            return self.blocking(row.result, row.completion)  # type: ignore[arg-type]
        if kind is _CALL:
            return self._result(row.result)  # type: ignore[arg-type]
        return self._completion(row.completion)  # type: ignore[arg-type]

    def _buffers(self, call: RecvCall) -> str:
        """',"buffers":[..],"flags_in":[..]' of a call, remembered for the last RecvCall object."""
        if call is not self._call:
            self._call = call
            self._call_text = f',"buffers":{_ints(call.buffers)},"flags_in":{_flags(call.flags)},'
        return self._call_text

    def blocking(self, result: RecvResult, done: Completion) -> str:
        """records.blocking_record's line. The row of nearly every call of a blocking receiver:
        _seconds, _buffers and _filled are written out here (a call each per line adds up)."""
        error = done.error
        if error is None or error is _MSGSIZE:  # the count is written (WSAEMSGSIZE: Q1)
            count, flags_out = done.bytes, _flags(done.flags_out)
        else:  # count and lpFlags untouched (R6)
            count, flags_out = "null", "null"
        status = _COMPLETED if error is None else _FAILED + _error(error)
        call, base, data = result.call, self._base, done.data
        if call is not self._call:
            self._buffers(call)
        return (f'{self._call_head}{result.n},"t":{seconds_text(result.t_ns - base)},'
                f'"t_done":{seconds_text(done.t_ns - base)}{self._call_text}{status},"bytes":{count},'
                f'"filled":{f"[{len(data[0])}]" if len(data) == 1 else _filled(data)},"flags_out":{flags_out},'
                f'"lost":{done.lost}{self._tail(done)}')

    def plain(self, result: RecvResult, done: Completion) -> tuple[str, float] | None:
        """blocking()'s line for the commonest row, and the call's `t` (for the detectors): a call
        that returned one WSABUF of data with event data, no error, nothing lost, lpFlags 0 in
        and out, no gap, unknown bytes or notes, on a receiver written without --show-data and
        --explain. None for any other row (blocking() writes it). A blocking receiver calls again
        as soon as a call returns, so a call's `t` is nearly always the last return's `t_done`:
        kept, not written again. tests/render/test_plain_lines.py holds it to blocking()."""
        if not (done.event is _DATA and done.flags_out is _NO_FLAGS and done.error is None and len(done.data) == 1
                and result.call.flags is _NO_FLAGS and self._plain
                and not (done.lost or done.gap or done.notes or done.unknown)):
            return None
        t_ns = result.t_ns
        t_text = self._done_text if t_ns == self._done_ns else seconds_text(t_ns - self._base)
        self._done_ns = t_ns = done.t_ns
        self._done_text = done_text = seconds_text(t_ns - self._base)
        call, rules = result.call, done.rules
        if call is not self._call:
            self._buffers(call)
        if rules is not self._rules:
            self._rules, self._rules_tail = rules, self._tail(done)
        return (f'{self._call_head}{result.n},"t":{t_text},"t_done":{done_text}{self._call_text}{_COMPLETED},'
                f'"bytes":{done.bytes},"filled":[{len(done.data[0])}],"flags_out":{_NO_FLAGS_OUT},"lost":0'
                f'{self._rules_tail}'), float(t_text)  # (the text is round()'s float's repr: it reads back as that float)

    def _result(self, result: RecvResult) -> str:
        """records.call_record's line (with small buffers, most calls complete at once: _seconds
        and _buffers are written out as in _blocking)."""
        count, delivery, call = result.bytes, result.delivery, result.call
        if call is not self._call:
            self._buffers(call)
        return (f'{self._call_head}{result.n},"t":{seconds_text(result.t_ns - self._base)}'
                f'{self._call_text}"status":{_value(result.status)},'
                f'"ret":{result.ret},{_error(result.error)},"bytes":{"null" if count is None else count},'
                f'"filled":{_filled(result.data)},"flags_out":{_flags(result.flags_out)},"lost":{result.lost}'
                + ("" if delivery is None else f',"delivery":{_value(delivery)}')
                + self._tail(result))

    def _completion(self, done: Completion) -> str:
        win32 = done.win32_error
        return (f'{self._completion_head}{done.n},"t":{_seconds(done.t_ns, self._base)},{_error(done.error)},'
                f'"bytes":{done.bytes},"filled":{_filled(done.data)},"flags_out":{_flags(done.flags_out)},'
                f'"lost":{done.lost},"delivery":{_value(done.delivery)}'
                + ("" if win32 is _WIN32_OK else f',"win32_error":{encode_basestring(win32.name)}')
                + self._tail(done))

    def _tail(self, outcome: RecvResult | Completion) -> str:
        """The fields every call/completion record ends with, as records._add_tail adds them.
        Most outcomes have only an event and rules: that tail is made once per pair of them."""
        rules = outcome.rules
        if not (outcome.gap or outcome.notes or self._show_data or self._explain):
            text = _PLAIN_TAIL.get((outcome.event, rules))
            if text is not None:
                return text
            text = _PLAIN_TAIL[(outcome.event, rules)] = self._full_tail(outcome)
            return text
        return self._full_tail(outcome)

    def _full_tail(self, outcome: RecvResult | Completion) -> str:
        rules = outcome.rules
        rules_text = _RULES.get(rules)
        if rules_text is None:
            rules_text = _RULES[rules] = _strs(rules)
        text = f',"event":{_value(outcome.event)},"rules":{rules_text}'
        gap = outcome.gap
        if gap:
            text += f',"gap":{gap},"unknown_bytes":{gap}'
            if outcome.unknown:
                text += ',"unknown":[' + ",".join(f"[{a},{b}]" for a, b in outcome.unknown) + "]"
        else:
            text += ',"unknown_bytes":0'
        if outcome.notes:
            text += f',"notes":{_strs(outcome.notes)}'
        if self._show_data:
            text += f',"data_hex":{_strs(data_hex(outcome.data, outcome.unknown))}'
        if self._explain and outcome.reason:
            text += f',"reason":{encode_basestring(outcome.reason)}'
        return text + "}\n"


# ---- the records written once per receiver -----------------------------------------------------
# A capture of many short flows writes a flow and a summary record for every call or two; through
# json.JSONEncoder they cost more than the calls' lines (tests/replay/test_ndjson_lines.py).


def flow_line(info: ReceiverInfo) -> str:
    """`info.record()` as its NDJSON line (ReceiverInfo.record's keys, in its order)."""
    role = "" if info.role is None else (f',"role":{encode_basestring(info.role)},"roles":'
                                         + ('"inferred"' if info.roles_inferred else '"syn"'))
    return (f'{{"type":"flow","flow":{_str(info.flow)},"receiver":{_str(info.receiver)},"peer":{_str(info.peer)},'
            f'"protocol":{_str(info.protocol)},"platform":{_str(info.platform)},"mode":{_str(info.mode)},'
            f'"schedule":{_str(info.schedule)}{role}}}\n')


def summary_line(summary: SummaryAccumulator) -> str | None:
    """`summary.record()` as its NDJSON line; None with framing findings (a nested dict: the
    writer encodes that record)."""
    if summary.framing is not None:
        return None
    info, error = summary.info, summary.closure_error
    closure_error = "" if error is None else f',"closure_error":{encode_basestring(error.name)},' \
                                             f'"closure_error_code":{int(error)}'
    return (f'{{"type":"summary","flow":{_str(info.flow)},"receiver":{_str(info.receiver)},"calls":{summary.calls},'
            f'"bytes":{summary.bytes},"stream_sha256":"{summary.stream_sha256}","messages":{summary.messages},'
            f'"msg_partial":{summary.msg_partial},"msgsize_errors":{summary.msgsize_errors},'
            f'"bytes_lost":{summary.bytes_lost},"gaps":{summary.gaps},"closure":{encode_basestring(summary.closure)}'
            f'{closure_error},"gap_bytes":{summary.gap_bytes}}}\n')
