"""Findings in `wsarecv replay`: under the calls, in the summary panel, as records; per-call framing
and notices in the records."""

from __future__ import annotations

import json

from click.testing import CliRunner

from tests.conftest import SAMPLES
from wsarecv_cli.cli.main import cli

FRAMED = str(SAMPLES / "framed_messages.pcap")
UDP_BIG = str(SAMPLES / "udp_big_datagrams.pcap")
ZERO = str(SAMPLES / "tcp_zero_window.pcap")


def replay(*args: str):
    result = CliRunner().invoke(cli, ["replay", *args], env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.stderr
    return result.stdout


def records(*args: str) -> list[dict]:
    return [json.loads(line) for line in replay(*args, "--ndjson").splitlines()]


def test_findings_show_under_their_call_and_in_the_summary() -> None:
    lines = replay(UDP_BIG, "--buffers", "1024,1024", "--width", "120").splitlines()
    at = [i for i, line in enumerate(lines) if "↳ WR103 msgsize-lost" in line]
    assert len(at) == 2
    assert lines[at[0]].strip() == "↳ WR103 msgsize-lost: WSAEMSGSIZE: 2048 bytes returned, 952 lost"
    assert "(−952 B" in "".join(lines[at[0] - 3:at[0]])  # under call 2, whose event wraps
    assert any("findings" in line and "2 x WR103 msgsize-lost" in line for line in lines)


def test_no_findings_shows_none() -> None:
    out = replay(UDP_BIG, "--buffers", "1024", "--no-findings", "--width", "120")
    assert "WR103" not in out


def test_finding_records_follow_the_record_that_completed_them() -> None:
    recs = records(UDP_BIG, "--buffers", "1024,1024")
    kinds = [(r["type"], r.get("n"), r.get("code")) for r in recs]
    assert kinds[2:6] == [("call", 2, None), ("finding", 2, "WR103"), ("call", 3, None), ("finding", 3, "WR103")]
    assert recs[3]["capture"] == UDP_BIG


def test_ndjson_without_findings_is_the_same_records_minus_the_findings() -> None:
    with_findings = [r for r in records(UDP_BIG, "--buffers", "1024") if r["type"] != "finding"]
    assert records(UDP_BIG, "--buffers", "1024", "--no-findings") == with_findings


def test_calls_carry_the_messages_they_delivered_with_framing() -> None:
    calls = [r for r in records(FRAMED, "--buffers", "64", "--framing", "len:u16be", "--receiver", "client")
             if r["type"] == "call" and r["bytes"]]
    assert calls[0]["framing"] == [{"message": 1, "offset": 0, "bytes": 3, "whole": False, "end": False}]
    assert calls[2]["framing"] == [
        {"message": 2, "offset": 2, "bytes": 13, "whole": False, "end": True},
        {"message": 3, "offset": 0, "bytes": 3, "whole": True, "end": True},
        {"message": 4, "offset": 0, "bytes": 15, "whole": False, "end": False}]
    for call in calls:
        assert sum(piece["bytes"] for piece in call["framing"]) == call["bytes"]
    assert "framing" not in records(FRAMED, "--buffers", "64")[1]


def test_zero_window_notices() -> None:
    notices = [r for r in records(ZERO) if r["type"] == "notice"]
    assert notices == [
        {"type": "notice", "flow": "tcp:0", "receiver": "10.0.0.1:51004", "t": 0.005, "kind": "zero-window",
         "offset": 2000},
        {"type": "notice", "flow": "tcp:0", "receiver": "10.0.0.1:51004", "t": 0.009, "kind": "window-open",
         "offset": 2000}]


def test_datagram_dropped_notices_name_source_and_size() -> None:
    notices = [r for r in records(UDP_BIG, "--connected-peer", "10.0.0.2:5001") if r["type"] == "notice"]
    assert [(n["kind"], n["bytes"], n["source"]) for n in notices] == [
        ("datagram-dropped", 100, "10.0.0.2:5000"), ("datagram-dropped", 3000, "10.0.0.2:5000"),
        ("datagram-dropped", 9000, "10.0.0.2:5000")]
