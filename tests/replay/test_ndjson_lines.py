"""`--ndjson` records written straight as lines (render/record_lines.py: rows, flow and summary
records) are byte for byte what NdjsonWriter writes for the record dict, for every kind of row
and field, hostile strings included."""

from __future__ import annotations

import io
import json

from hypothesis import given, settings, strategies as st

from wsarecv_cli.model.types import (
    Completion, Delivery, Event, NtStatus, RecvCall, RecvFlags, RecvResult, Status, Win32Error, WsaError,
)
from wsarecv_cli.render import record_lines
from wsarecv_cli.render.record_lines import RowLines
from wsarecv_cli.render.records import (
    NdjsonWriter, ReceiverInfo, RecordOptions, Row, RowKind, SummaryAccumulator, row_record,
)


def _written(record) -> str:
    stream = io.StringIO()
    NdjsonWriter(stream).write(record)
    return stream.getvalue()


text = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)  # quotes, controls, non-ASCII
flags = st.sampled_from(list(RecvFlags)).flatmap(lambda a: st.sampled_from([a, a | RecvFlags.MSG_PEEK]))
rules = st.lists(st.sampled_from(["R7", "R8", "R9", "R16", "R30", "Q1", "capture-gap"]), max_size=3).map(tuple)
calls = st.builds(RecvCall, st.lists(st.integers(0, 5000), min_size=1, max_size=3).map(tuple), flags)
datas = st.lists(st.binary(max_size=4), min_size=1, max_size=3).map(tuple)
times = st.integers(0, 10**13)
errors = st.one_of(st.none(), st.sampled_from(list(WsaError)))
common = dict(n=st.integers(1, 10**6), t_ns=times, call=calls, error=errors, data=datas, lost=st.integers(0, 99),
              event=st.sampled_from(list(Event)), rules=rules, gap=st.integers(0, 9),
              notes=st.lists(text, max_size=2).map(tuple), reason=text)
# builds() through a lambda: hypothesis would resolve the classes' own type hints, and in their
# namespace `bytes` is the field, not the type.
results = st.builds(lambda **fields: RecvResult(**fields), status=st.sampled_from(list(Status)),
                    ret=st.sampled_from([0, -1]), bytes=st.one_of(st.none(), st.integers(0, 10**6)),
                    flags_out=st.one_of(st.none(), flags),
                    delivery=st.one_of(st.none(), st.sampled_from(list(Delivery))), **common)
completions = st.builds(lambda **fields: Completion(**fields), bytes=st.integers(0, 10**6), flags_out=flags,
                        delivery=st.sampled_from(list(Delivery)), status=st.sampled_from(list(NtStatus)),
                        win32_error=st.sampled_from(list(Win32Error)), **common)
rows = st.one_of(
    results.map(lambda result: Row(RowKind.CALL, result)),
    st.tuples(results, completions).map(lambda pair: Row(RowKind.BLOCKING, *pair)),
    completions.map(lambda done: Row(RowKind.COMPLETION, completion=done)),
)
infos = st.builds(ReceiverInfo, flow=st.one_of(st.none(), st.just("tcp:3"), text),
                  receiver=st.one_of(st.none(), st.just("10.0.0.1:51000"), text))
options = st.builds(RecordOptions, base_ns=times, show_data=st.booleans(), explain=st.booleans())


@settings(max_examples=800, deadline=None)
@given(info=infos, opts=options, some_rows=st.lists(rows, min_size=1, max_size=4))
def test_a_row_line_is_the_row_record_as_ndjson(info, opts, some_rows):
    lines = RowLines(info, opts)  # one per receiver, reused for its rows (the WSABUF part is remembered)
    for row in some_rows:
        assert lines(row) == _written(row_record(row, info, opts))


def test_a_blocking_row_line_reads_as_documented():
    call = RecvCall((4096,))
    waited = RecvResult(7, 1_000, call, Status.WAITING, -1, None, None, (b"",), None, 0, Event.PENDING, ("R7",))
    done = Completion(7, 2_500_000, call, None, 3, (b"abc",), RecvFlags.NONE, 0, Event.DATA, Delivery.RETURN,
                      ("R8", "R9", "R7"))
    line = RowLines(ReceiverInfo("tcp:0", "10.0.0.2:80"), RecordOptions())(Row(RowKind.BLOCKING, waited, done))
    assert line == ('{"type":"call","flow":"tcp:0","receiver":"10.0.0.2:80","n":7,"t":1e-06,"t_done":0.0025,'
                    '"buffers":[4096],"flags_in":[],"status":"completed","ret":0,"error":null,"error_code":null,'
                    '"bytes":3,"filled":[3],"flags_out":[],"lost":0,"event":"data","rules":["R8","R9","R7"],'
                    '"unknown_bytes":0}\n')


def test_unknown_bytes_are_counted_spanned_and_never_shown_as_data():
    call = RecvCall((4, 4))
    result = RecvResult(1, 0, call, Status.COMPLETED, 0, None, 6, (b"ab\0\0", b"\0c"), RecvFlags.NONE, 0, Event.DATA,
                        ("R8", "R9"), gap=3, unknown=((2, 5),))
    info, opts = ReceiverInfo("tcp:0", "10.0.0.2:80"), RecordOptions(show_data=True)
    line = RowLines(info, opts)(Row(RowKind.CALL, result))
    assert line.endswith('"gap":3,"unknown_bytes":3,"unknown":[[2,5]],"data_hex":["6162????","??63"]}\n')
    assert json.loads(line) == row_record(Row(RowKind.CALL, result), info, opts)


# ---- flow and summary records, and the string escaping every line relies on -------------------

# Everything json escapes or might: quotes, backslashes, every control character, DEL, non-ASCII,
# the JavaScript line separators, astral characters and lone surrogates (Python strings hold them).
HOSTILE = ['"', "\\", '\\"', "\x00", "\x1f", "\x7f", "\b\f\n\r\t", "\u2028\u2029", "é", "😀", "\ud800", "\udfff",
           "</script>", "a\"b\\c\nd"] + [chr(code) for code in range(0x20)]
hostile = st.one_of(st.sampled_from(HOSTILE),
                    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=()),
                            max_size=8))


@settings(max_examples=500, deadline=None)
@given(value=hostile)
def test_encode_basestring_is_what_the_writer_writes_for_a_string(value):
    assert record_lines.encode_basestring(value) + "\n" == _written(value)


def test_the_escaping_test_sees_surrogates_and_controls():
    assert _written("\ud800\x01") == '"\ud800\\u0001"\n'  # (so the property above compares those too)


infos_full = st.builds(ReceiverInfo, flow=st.one_of(st.none(), hostile), receiver=st.one_of(st.none(), hostile),
                       peer=st.one_of(st.none(), hostile), protocol=hostile, platform=hostile, mode=hostile,
                       schedule=st.one_of(st.none(), hostile), role=st.one_of(st.none(), hostile),
                       roles_inferred=st.booleans())


@settings(max_examples=400, deadline=None)
@given(info=infos_full)
def test_a_flow_line_is_the_flow_record_as_ndjson(info):
    assert record_lines.flow_line(info) == _written(info.record())


@settings(max_examples=400, deadline=None)
@given(info=infos_full, outcomes=st.lists(st.one_of(results, completions), max_size=6),
       gaps=st.integers(0, 3), closure=st.sampled_from(["open", "graceful", "reset", "aborted", "discon"]),
       closure_error=errors)
def test_a_summary_line_is_the_summary_record_as_ndjson(info, outcomes, gaps, closure, closure_error):
    summary = SummaryAccumulator.for_receiver(info)
    summary.add_all(outcomes)
    for _ in range(gaps):
        summary.add_gap(5)
    summary.closure, summary.closure_error = closure, closure_error
    assert record_lines.summary_line(summary) == _written(summary.record())


def test_a_summary_with_framing_findings_is_left_to_the_writer():
    summary = SummaryAccumulator.for_receiver(ReceiverInfo("tcp:0", "10.0.0.2:80"))
    summary.framing = object()
    assert record_lines.summary_line(summary) is None
