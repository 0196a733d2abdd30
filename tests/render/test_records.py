"""The stable records of DESIGN.md "Records" built from hand-made outcomes."""

from __future__ import annotations

import hashlib
import io
import json

from render_outcomes import completion, done, failed, mixed_outcomes, pending

from wsarecv_cli.model.types import Delivery, Event, RecvFlags, WsaError
from wsarecv_cli.render.records import (
    JsonDocumentWriter,
    NdjsonWriter,
    ReceiverInfo,
    RecordOptions,
    SummaryAccumulator,
    pair_outcomes,
    receiver_records,
    row_record,
)

INFO = ReceiverInfo(flow="udp:0", receiver="10.0.0.1:5000", peer="10.0.0.2:53", protocol="udp")
CALL_FIELDS = {"type", "flow", "receiver", "n", "t", "buffers", "flags_in", "status", "ret", "error",
               "error_code", "bytes", "filled", "flags_out", "lost", "event", "rules"}


def records(outcomes, **opts):
    return list(receiver_records(INFO, outcomes, RecordOptions(**opts)))


def test_truncated_datagram_call_record():
    rec = records([failed(1, 12.3, (2, 4), WsaError.WSAEMSGSIZE, Event.TRUNCATED, "R17",
                          data=(b"mo", b"reda"), lost=3)], show_data=True)[1]
    assert CALL_FIELDS <= rec.keys()
    assert rec | {} == rec and {k: rec[k] for k in ("t", "status", "ret", "error", "error_code",
                                                     "bytes", "filled", "lost", "event")} == {
        "t": 0.0123, "status": "failed", "ret": -1, "error": "WSAEMSGSIZE", "error_code": 10040,
        "bytes": 6, "filled": [2, 4], "lost": 3, "event": "truncated"}
    assert rec["data_hex"] == ["6d6f", "72656461"]


def test_pending_call_then_completion_with_same_n():
    recs = records([pending(1, 0, (10,)),
                    completion(1, 2, (10,), (b"abc",), Event.DATA, Delivery.EVENT, "R30")])
    call, comp = recs[1], recs[2]
    assert (call["status"], call["ret"], call["error"], call["bytes"]) == (
        "pending", -1, "WSA_IO_PENDING", None)
    assert comp["type"] == "completion" and comp["n"] == 1
    assert (comp["bytes"], comp["delivery"], comp["t"]) == (3, "event", 0.002)


def test_blocking_call_is_one_record_with_return_time():
    outcomes = mixed_outcomes()[5:7]
    (rec,) = records(outcomes)[1:-1]
    assert rec["type"] == "call" and rec["t_done"] == 0.009
    assert (rec["status"], rec["error"], rec["bytes"], rec["lost"]) == (
        "failed", "WSAECONNRESET", None, 5)


def test_immediate_overlapped_completion_carries_delivery():
    rec = records([done(1, 0, (10,), (b"abc",), Event.DATA, "R47",
                        delivery=Delivery.EVENT_NOT_SIGNALLED)])[1]
    assert rec["delivery"] == "event-not-signalled"


def test_explain_adds_reason_only_when_asked():
    outcome = done(1, 0, (4,), (b"abcd",), Event.DATA, "R8", reason="why")
    assert "reason" not in records([outcome])[1]
    assert records([outcome], explain=True)[1]["reason"] == "why"


def test_summary_hashes_delivered_bytes_only():
    """Peeked copies and OOB bytes are not part of the stream; truncated copies are."""
    outcomes = [
        done(1, 0, (4,), (b"dead",), Event.DATA, "R11", flags=RecvFlags.MSG_PEEK),
        done(2, 0, (4,), (b"dead",), Event.DATA, "R8"),
        done(3, 0, (1,), (b"!",), Event.OOB, "R40", flags=RecvFlags.MSG_OOB),
        failed(4, 0, (2,), WsaError.WSAEMSGSIZE, Event.TRUNCATED, "R17", data=(b"mo",), lost=7),
        done(5, 0, (4,), (b"",), Event.ZERO_BYTE, "R16"),
    ]
    summary = records(outcomes)[-1]
    assert summary["bytes"] == 6
    assert summary["stream_sha256"] == hashlib.sha256(b"deadmo").hexdigest()
    assert (summary["calls"], summary["messages"], summary["msgsize_errors"], summary["bytes_lost"]) == (
        5, 3, 1, 7)


def test_reliable_provider_retained_message_is_not_counted_twice():
    outcomes = [
        failed(1, 0, (4,), WsaError.WSAEMSGSIZE, Event.TRUNCATED, "R19", data=(b"0123",)),
        done(2, 0, (16,), (b"0123456789",), Event.DATA, "R19"),
    ]
    summary = records(outcomes)[-1]
    assert (summary["bytes"], summary["messages"], summary["bytes_lost"]) == (10, 1, 0)


def test_partial_messages_count_once():
    outcomes = [
        done(1, 0, (4,), (b"0123",), Event.PARTIAL, "R19", flags_out=RecvFlags.MSG_PARTIAL),
        done(2, 0, (4,), (b"4567",), Event.PARTIAL, "R19", flags_out=RecvFlags.MSG_PARTIAL),
        done(3, 0, (4,), (b"89",), Event.DATA, "R19"),
    ]
    summary = records(outcomes)[-1]
    assert (summary["messages"], summary["msg_partial"], summary["bytes"]) == (1, 2, 10)


def test_closure_follows_the_last_closing_event():
    tcp = ReceiverInfo(protocol="tcp")
    summary = SummaryAccumulator.for_receiver(tcp)
    summary.add(done(1, 0, (4,), (b"",), Event.GRACEFUL_CLOSE, "R22"))
    assert summary.record()["closure"] == "graceful"
    summary.add(failed(2, 0, (4,), WsaError.WSAECONNABORTED, Event.ABORTED, "R25"))
    assert summary.record()["closure"] == "aborted"


def test_udp_icmp_reset_is_not_a_closure():
    summary = SummaryAccumulator.for_receiver(INFO)
    summary.add(failed(1, 0, (4,), WsaError.WSAECONNRESET, Event.RESET, "R46"))
    assert summary.record()["closure"] == "open"


def test_ndjson_writes_one_line_per_record_as_produced():
    stream = io.StringIO()
    writer = NdjsonWriter(stream)
    for rec in records(mixed_outcomes()):
        writer.write(rec)
    lines = stream.getvalue().splitlines()
    assert [json.loads(line)["type"] for line in lines] == [
        "flow", "call", "call", "call", "completion", "call", "call", "call", "summary"]


def test_json_document_holds_the_same_records():
    stream = io.StringIO()
    writer = JsonDocumentWriter(stream, scenario="x.toml")
    recs = records(mixed_outcomes())
    for rec in recs:
        writer.write(rec)
    writer.close()
    assert json.loads(stream.getvalue()) == {"scenario": "x.toml", "records": recs}


def test_row_records_match_pairing():
    rows = list(pair_outcomes(mixed_outcomes()))
    assert [row_record(r, INFO, RecordOptions())["n"] for r in rows] == [1, 2, 3, 3, 4, 5, 6]
