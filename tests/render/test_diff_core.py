"""diff_runs over hand-built records: matching by call number, folding completions, the summary."""

from __future__ import annotations

from render_outcomes import completion, done, failed, pending

from wsarecv_cli.model.types import Delivery, Event, RecvFlags, WsaError
from wsarecv_cli.render.diff import diff_runs, diff_table, outcome_words
from wsarecv_cli.render.records import ReceiverInfo, receiver_records

INFO = ReceiverInfo(protocol="tcp")


def recs(outcomes):
    return list(receiver_records(INFO, outcomes))


def test_same_runs_have_no_difference():
    run = recs([done(1, 0, (4,), (b"abcd",), Event.DATA, "R8")])
    report = diff_runs(run, run)
    assert report.summary_line() == "no difference in 1 call"


def test_delivery_differs_on_immediate_completion():
    a = recs([done(1, 0, (10,), (b"abc",), Event.DATA, "R30", delivery=Delivery.EVENT)])
    b = recs([done(1, 0, (10,), (b"abc",), Event.DATA, "R47", delivery=Delivery.EVENT_NOT_SIGNALLED)])
    report = diff_runs(a, b)
    assert report.summary_line() == "1 of 1 calls differ: delivery in 1"
    (diff,) = report.differing
    assert (diff.fields[0].a, diff.fields[0].b) == ("event", "event-not-signalled")


def test_pended_vs_immediate_compares_the_completion_too():
    a = recs([pending(1, 0, (2, 4)),
              completion(1, 1, (2, 4), (b"mo", b"reda"), Event.TRUNCATED, Delivery.EVENT, "R18",
                         error=WsaError.WSAEMSGSIZE, lost=3),
              done(2, 2, (4,), (b"data",), Event.DATA, "R8")])
    b = recs([failed(1, 0, (2, 4), WsaError.WSAEMSGSIZE, Event.TRUNCATED, "R17",
                     data=(b"mo", b"reda"), lost=3),
              done(2, 2, (4,), (b"data",), Event.DATA, "R8")])
    report = diff_runs(a, b)
    assert report.summary_line().startswith("1 of 2 calls differ: ")
    fields = {f.field for f in report.differing[0].fields}
    assert {"status", "error", "bytes", "completion.bytes"} <= fields


def test_partial_vs_truncated_counts_fields():
    a = recs([failed(1, 0, (4,), WsaError.WSAEMSGSIZE, Event.TRUNCATED, "R17", data=(b"0123",), lost=6)])
    b = recs([done(1, 0, (4,), (b"0123",), Event.PARTIAL, "R19", flags_out=RecvFlags.MSG_PARTIAL),
              done(2, 0, (4,), (b"4567",), Event.PARTIAL, "R19", flags_out=RecvFlags.MSG_PARTIAL)])
    report = diff_runs(a, b)
    assert len(report.calls) == 2 and len(report.differing) == 2
    assert report.field_counts() == {"status": 1, "error": 1, "flags_out": 1, "lost": 1, "event": 1, "only in b": 1}
    assert report.summary_line() == (
        "2 of 2 calls differ: status in 1, error in 1, flags_out in 1, lost in 1, event in 1, only in b in 1")
    assert outcome_words(report.calls[1].a) == "(no such call)"
    assert diff_table(report, "a", "b").row_count == 2
