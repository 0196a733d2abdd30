"""Detectors on hand-written records: one situation per test, plus a framing property."""

from __future__ import annotations

import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from wsarecv_cli.diagnose import FindingDetector, detect
from wsarecv_cli.replay.framing import FramingAudit, FramingSpec

FLOW = {"type": "flow", "flow": "tcp:0", "receiver": "10.0.0.1:5000", "protocol": "tcp"}
UDP_FLOW = {**FLOW, "flow": "udp:0", "protocol": "udp"}
WHO = {"flow": "tcp:0", "receiver": "10.0.0.1:5000"}


def call(n: int, t: float, nbytes: int | None, event: str = "data", **fields) -> dict:
    return {"type": "call", **WHO, "n": n, "t": t, "flags_in": [], "status": "completed", "error": None,
            "bytes": nbytes, "flags_out": [], "lost": 0, "event": event, **fields}


def summary() -> dict:
    return {"type": "summary", **WHO}


def codes(records, flags=()) -> list[str]:
    return [f.code for f in detect(records, flags)]


def test_a_gap_record_is_a_capture_gap_with_its_reason() -> None:
    gap = {"type": "gap", **WHO, "t": 0.5, "offset": 100, "length": 22, "reason": "not-captured",
           "evidence": "ack"}
    (found,) = detect([FLOW, call(1, 0.1, 100), gap, call(2, 0.6, 50, unknown_bytes=22), summary()])
    assert (found.code, found.offset, found.length, found.t) == ("WR201", 100, 22, 0.5)
    assert "not-captured" in found.text


def test_a_gap_call_of_older_records_is_a_capture_gap_too() -> None:
    (found,) = detect([FLOW, call(1, 0.1, 100), call(2, 0.2, 0, event="gap", gap=22), summary()])
    assert (found.code, found.n, found.offset, found.length) == ("WR201", 2, 100, 22)


def test_records_of_an_unknown_receiver_are_ignored() -> None:
    assert codes([call(1, 0.1, None, event="reset", error="WSAECONNRESET", lost=5)]) == []


def test_reset_with_unread_bytes_then_another_receive() -> None:
    records = [FLOW, call(1, 0.1, 10), call(2, 0.2, None, event="reset", error="WSAECONNRESET", lost=5),
               call(3, 0.3, None, event="reset", error="WSAECONNRESET"), summary()]
    found = detect(records)
    assert [(f.code, f.n, f.offset) for f in found] == [("WR105", 2, 10), ("WR107", 3, 10)]


def test_a_udp_socket_outlives_an_icmp_reset() -> None:
    who = {"flow": "udp:0", "receiver": "10.0.0.1:5000"}
    records = [UDP_FLOW, {**call(1, 0.1, None, event="reset", error="WSAECONNRESET"), **who},
               {**call(2, 0.2, 10), **who}]
    assert codes(records) == []


def test_overlapped_receives_posted_before_the_fin_are_not_late() -> None:
    pending = dict(status="pending", event="pending", bytes=None, error="WSA_IO_PENDING")
    records = [FLOW, call(1, 0.1, None, **pending), call(2, 0.1, None, **pending),
               {"type": "completion", **WHO, "n": 1, "t": 0.2, "bytes": 0, "lost": 0, "event": "graceful-close"},
               {"type": "completion", **WHO, "n": 2, "t": 0.2, "bytes": 0, "lost": 0, "event": "graceful-close"},
               summary()]
    assert codes(records) == []


def test_a_receive_after_shutdown_is_late() -> None:
    assert codes([FLOW, call(1, 0.1, None, event="shutdown", error="WSAESHUTDOWN")]) == ["WR107"]


def test_the_applications_own_oob_reads_are_not_findings() -> None:
    oob = call(2, 0.2, 1, event="oob", flags_in=["MSG_OOB"], flags_out=["MSG_OOB"])
    assert codes([FLOW, call(1, 0.1, 4), oob]) == ["WR106"]
    assert codes([FLOW, call(1, 0.1, 4), oob], flags={"MSG_OOB"}) == []


def test_oob_and_peek_bytes_do_not_move_the_stream_offset() -> None:
    records = [FLOW, call(1, 0.1, 4, flags_in=["MSG_PEEK"]), call(2, 0.1, 1, event="oob", flags_in=["MSG_OOB"]),
               call(3, 0.2, None, event="reset", error="WSAECONNRESET", lost=3)]
    assert [(f.code, f.offset) for f in detect(records)] == [("WR106", 0), ("WR105", 0)]


def test_msg_partial_is_one_finding_per_message() -> None:
    partial = dict(flags_out=["MSG_PARTIAL"], event="partial")
    who = {"flow": "udp:0", "receiver": "10.0.0.1:5000"}
    flow = {**UDP_FLOW, "protocol": "partial-msg"}
    records = [flow] + [{**r, **who} for r in (
        call(1, 0.1, 10), call(2, 0.2, 1024, **partial), call(3, 0.2, 1024, **partial), call(4, 0.2, 5),
        call(5, 0.3, 1024, **partial), call(6, 0.3, 1))]
    found = detect(records)
    assert [(f.code, f.n, f.message) for f in found] == [("WR104", 2, 2), ("WR104", 5, 3)]


def test_a_zero_window_still_closed_at_the_end_lasts_to_the_last_record() -> None:
    notice = {"type": "notice", **WHO, "t": 1.0, "kind": "zero-window", "offset": 300}
    (found,) = detect([FLOW, call(1, 0.5, 300), notice, call(2, 3.5, None, status="waiting", event="pending"),
                       summary()])
    assert (found.code, found.t, found.duration, found.offset) == ("WR108", 1.0, 2.5, 300)
    assert "still closed" in found.text


def test_a_datagram_the_filter_dropped() -> None:
    notice = {"type": "notice", "flow": "udp:0", "receiver": "10.0.0.1:5000", "t": 0.2,
              "kind": "datagram-dropped", "bytes": 40, "source": "10.0.0.3:53"}
    (found,) = detect([UDP_FLOW, notice])
    assert (found.code, found.length, found.n) == ("WR109", 40, None) and "10.0.0.3:53" in found.text


def test_state_is_dropped_at_the_summary() -> None:
    detector = FindingDetector()
    for record in (FLOW, call(1, 0.1, 10), summary()):
        detector.feed(record)
    assert detector._receivers == {}


# -- framing: the detector agrees with the audit's counts, whatever the chunking ----------------

def framed_records(bodies: list[bytes], cuts: list[int]) -> tuple[list[dict], FramingAudit]:
    stream = b"".join(struct.pack("!H", len(b)) + b for b in bodies)
    audit = FramingAudit(FramingSpec.parse("len:u16be"))
    records, start, n = [FLOW], 0, 0
    for end in sorted({c % (len(stream) + 1) for c in cuts} | {len(stream)}):
        if end <= start:
            continue
        n += 1
        framing = audit.call(stream[start:end])
        records.append(call(n, n / 10, end - start, framing=[p.as_dict() for p in framing.pieces]))
        start = end
    records.append(summary())
    return records, audit


@settings(max_examples=150, deadline=None)
@given(st.lists(st.binary(max_size=40), min_size=1, max_size=12), st.lists(st.integers(0, 600), max_size=20))
def test_framing_findings_match_the_audit(bodies, cuts) -> None:
    records, audit = framed_records(bodies, cuts)
    found = detect(records)
    splits = [f for f in found if f.code == "WR101"]
    multi = [f for f in found if f.code == "WR102"]
    assert len(splits) == audit.findings.split_messages
    assert len(multi) == audit.findings.multi_message_calls
    sizes = [2 + len(b) for b in bodies]
    starts = [sum(sizes[:i]) for i in range(len(sizes))]
    for split in splits:
        i = split.message - 1
        assert split.byte_range == (starts[i], starts[i] + sizes[i]) and len(split.calls) > 1
    for call_record in records[1:-1]:
        assert sum(piece["bytes"] for piece in call_record["framing"]) == call_record["bytes"]


def test_diagnose_reads_records_only() -> None:
    """diagnose/ imports the standard library and itself: detectors know records, not the model."""
    import ast
    import sys
    from pathlib import Path

    import wsarecv_cli.diagnose as package

    for path in Path(package.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            for name in names:
                top = name.split(".")[0]
                assert name.startswith("wsarecv_cli.diagnose") or top in sys.stdlib_module_names \
                    or top == "__future__", f"{path.name} imports {name}"
