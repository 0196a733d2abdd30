"""`wsarecv replay` through click's CliRunner: one test per option family, errors, golden text."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.cli.flows_pcap import write_sample
from tests.conftest import SAMPLES
from wsarecv_cli.cli.common import warn
from wsarecv_cli.cli.main import cli

GOLDEN = Path(__file__).parent / "golden"
HTTP = str(SAMPLES / "http_small_segments.pcap")
FRAMED = str(SAMPLES / "framed_messages.pcap")
UDP_BIG = str(SAMPLES / "udp_big_datagrams.pcap")


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(cli, ["replay", *args], env=env or {"NO_COLOR": "1"})


def records(*args: str) -> list[dict]:
    result = run(*args, "--ndjson")
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def summaries(*args: str) -> dict[str, dict]:
    return {r["receiver"]: r for r in records(*args) if r["type"] == "summary"}


def test_default_table_has_a_section_and_summary_per_receiver() -> None:
    result = run(HTTP, "--width", "120")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.count("summary") == 2 and "graceful close" in out
    assert "tcp:0  10.0.0.1:51000 (client) ← 10.0.0.2:80" in out and "tcp:0  10.0.0.2:80 (server) ← 10.0.0.1:51000" in out
    assert "\x1b[" not in out  # no color into a pipe


def test_golden_table_for_small_buffers() -> None:
    result = run(HTTP, "--width", "120", "--buffers", "100,0,50", "--receiver", "client")
    assert result.exit_code == 0, result.stderr
    golden = GOLDEN / "replay_http_client_100_0_50.txt"
    if not golden.exists():  # first run writes it; review it, then it guards the rendering
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(result.stdout)
    assert result.stdout == golden.read_text()


def test_ndjson_records_follow_the_design_schema() -> None:
    recs = records(HTTP, "--buffers", "64,64")
    assert [r["type"] for r in recs if r["type"] != "call"][:1] == ["flow"]
    call = next(r for r in recs if r["type"] == "call")
    for field in ("flow", "receiver", "n", "t", "buffers", "flags_in", "status", "ret", "error", "error_code",
                  "bytes", "filled", "flags_out", "lost", "event", "rules"):
        assert field in call
    summary = next(r for r in recs if r["type"] == "summary")
    for field in ("calls", "bytes", "stream_sha256", "messages", "msg_partial", "msgsize_errors", "bytes_lost",
                  "gaps", "closure"):
        assert field in summary


def test_json_is_one_document_with_the_same_records() -> None:
    result = run(HTTP, "--json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    ndjson = records(HTTP)
    assert [r["type"] for r in document["records"]] == [r["type"] for r in ndjson]


def test_receiver_selection() -> None:
    client = summaries(HTTP, "--receiver", "client")
    server = summaries(HTTP, "--receiver", "server")
    assert list(client) == ["10.0.0.1:51000"] and list(server) == ["10.0.0.2:80"]
    assert list(summaries(HTTP, "--receiver", "10.0.0.2:80")) == ["10.0.0.2:80"]


@pytest.mark.parametrize("schedule", ["eager", "drain", "bytewise", "random:5", "interval:2ms"])
def test_every_schedule_delivers_the_same_stream(schedule: str) -> None:
    expected = {receiver: (s["bytes"], s["stream_sha256"]) for receiver, s in summaries(HTTP).items()}
    got = summaries(HTTP, "--schedule", schedule, "--buffers", "10,0,5")
    assert {receiver: (s["bytes"], s["stream_sha256"]) for receiver, s in got.items()} == expected


def test_drain_coalesces_into_fewer_calls_than_bytewise() -> None:
    drain = summaries(HTTP, "--schedule", "drain")["10.0.0.1:51000"]["calls"]
    bytewise = summaries(HTTP, "--schedule", "bytewise")["10.0.0.1:51000"]["calls"]
    assert drain == 2  # all 333 bytes, then the graceful close (R9, R22)
    assert bytewise == 333 + 1  # one byte a call (R9), then the close


def test_interval_poller_shows_would_block(tmp_path: Path) -> None:
    recs = records(HTTP, "--mode", "nonblocking", "--schedule", "interval:500us", "--receiver", "client")
    events = [r["event"] for r in recs if r["type"] == "call"]
    assert "would-block" in events and events[-1] == "graceful-close"


def test_overlapped_iocp_with_two_outstanding_receives() -> None:
    recs = records(HTTP, "--mode", "iocp", "--outstanding", "2", "--receiver", "client")
    pending = [r for r in recs if r["type"] == "call" and r["status"] == "pending"]
    completions = [r for r in recs if r["type"] == "completion"]
    assert len(pending) >= 2 and all(r["error"] == "WSA_IO_PENDING" for r in pending)
    assert completions and all(c["delivery"] == "iocp" for c in completions)


def test_udp_buffers_too_small_report_msgsize_and_lost_bytes() -> None:
    summary = summaries(UDP_BIG, "--buffers", "1024,1024")["10.0.0.1:41000"]
    assert (summary["messages"], summary["msgsize_errors"], summary["bytes_lost"]) == (3, 2, (3000 - 2048) + (9000 - 2048))


def test_platform_and_protocol_options_reach_the_flow_record() -> None:
    flow = next(r for r in records(HTTP, "--platform", "wince", "--mode", "overlapped-event") if r["type"] == "flow")
    assert (flow["platform"], flow["mode"], flow["protocol"]) == ("wince", "overlapped-event", "tcp")


def test_framing_counts_split_and_coalesced_messages_exactly() -> None:
    """Eager reader, big buffer: one call per segment, so the counts follow from the segment layout."""
    recs = records(FRAMED, "--framing", "len:u16be", "--receiver", "client")
    calls = [r for r in recs if r["type"] == "call" and r["bytes"]]
    summary = next(r for r in recs if r["type"] == "summary")
    # Rebuild the stream from the calls' data and find the message ends by hand.
    delivered = [c["bytes"] for c in calls]
    data = b"".join(bytes.fromhex("".join(c["data_hex"])) for c in records(
        FRAMED, "--receiver", "client", "--show-data") if c["type"] == "call" and c["bytes"])
    ends, offset = [], 0
    while offset < len(data):
        (length,) = struct.unpack_from(">H", data, offset)
        offset += 2 + length
        ends.append(offset)
    cuts, position = [], 0
    for size in delivered:
        cuts.append((position, position + size))
        position += size
    split = sum(1 for i, end in enumerate(ends) if not any(a <= (ends[i - 1] if i else 0) and end <= b
                                                             for a, b in cuts))
    multi = sum(1 for a, b in cuts if sum(1 for i, end in enumerate(ends)
                                          if (ends[i - 1] if i else 0) < b and end > a) > 1)
    framing = summary["framing"]
    assert (framing["messages"], framing["split_messages"], framing["multi_message_calls"]) == (len(ends), split, multi)
    assert split > 0 and multi > 0  # the sample is built to show both


def test_framing_drain_puts_every_message_in_one_call() -> None:
    framing = summaries(FRAMED, "--framing", "len:u16be", "--schedule", "drain", "--receiver", "client")[
        "10.0.0.1:51002"]["framing"]
    assert (framing["messages"], framing["split_messages"], framing["multi_message_calls"]) == (8, 0, 1)


def test_message_protocol_on_tcp_capture_takes_framed_messages_as_messages() -> None:
    summary = summaries(FRAMED, "--framing", "len:u16be", "--protocol", "reliable-msg", "--receiver", "client",
                        "--buffers", "256")["10.0.0.1:51002"]
    assert summary["messages"] == 8 and summary["closure"] == "discon"


def test_max_calls_caps_the_table_not_the_summary() -> None:
    result = run(HTTP, "--schedule", "bytewise", "--max-calls", "3", "--receiver", "client")
    assert result.exit_code == 0
    assert "more calls not shown" in result.stdout and "334" in result.stdout


def test_show_data_and_explain_add_bytes_and_rules() -> None:
    result = run(HTTP, "--show-data", "--explain", "--receiver", "server", "--width", "160")
    assert result.exit_code == 0
    assert "GET" in result.stdout and "R9" in result.stdout


def test_exports_write_svg_and_html(tmp_path: Path) -> None:
    svg, html = tmp_path / "r.svg", tmp_path / "r.html"
    result = run(HTTP, "--export-svg", str(svg), "--export-html", str(html))
    assert result.exit_code == 0
    assert svg.read_text().startswith("<svg") and "<html" in html.read_text().lower()


def test_strict_exits_3_when_the_capture_has_gaps(tmp_path: Path) -> None:
    capture = write_sample(tmp_path / "gap.pcap")
    assert run(str(capture)).exit_code == 0
    result = run(str(capture), "--strict")
    assert result.exit_code == 3 and "gap" in result.stderr


@pytest.mark.parametrize(
    "args, code, words",
    [
        (["/nonexistent.pcap"], 1, "nonexistent"),
        ([HTTP, "--flow", "tcp:99"], 1, "no flow matches"),
        ([HTTP, "--buffers", "a,b"], 2, "byte counts"),
        ([HTTP, "--flags", "MSG_BOGUS"], 2, "unknown flag"),
        ([HTTP, "--schedule", "sometimes"], 2, "not a schedule"),
        ([HTTP, "--framing", "json"], 2, "not a framing"),
        ([HTTP, "--json", "--ndjson"], 2, "choose one"),
        ([HTTP, "--schedule", "script:/nonexistent.toml"], 1, "nonexistent"),
        ([], 2, "missing CAPTURE"),
    ],
    ids=["missing-file", "no-flow", "bad-buffers", "bad-flag", "bad-schedule", "bad-framing", "json-and-ndjson",
         "missing-script", "no-capture"],
)
def test_errors_are_one_line_with_the_right_exit_code(args, code, words, tmp_path: Path) -> None:
    from wsarecv_cli.cli.common import run_guarded
    import contextlib, io
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        exit_code = run_guarded(cli, ["replay", *args])
    assert exit_code == code
    assert words in err.getvalue() and "Traceback" not in err.getvalue()
    assert out.getvalue() == ""


def test_reliable_provider_retains_a_message_too_big_for_the_buffers() -> None:
    """R19: WSAEMSGSIZE keeps the message; a reader that never grows its buffer is stuck on it."""
    summary = summaries(FRAMED, "--framing", "len:u16be", "--protocol", "reliable-msg", "--receiver", "client",
                        "--buffers", "64")["10.0.0.1:51002"]
    assert summary["messages"] == 5 and summary["msgsize_errors"] > 0 and summary["bytes_lost"] == 0
    assert summary["closure"] == "open"


def test_a_file_cut_short_still_replays_with_a_warning(tmp_path: Path) -> None:
    capture = tmp_path / "cut.pcap"
    capture.write_bytes(Path(HTTP).read_bytes()[:-7])  # cut inside the last record
    result = run(str(capture), "--receiver", "client")
    assert result.exit_code == 0 and "summary" in result.stdout
    assert "warning: file cut short" in result.stderr


def test_warnings_are_printed_as_written_not_as_rich_markup(capsys) -> None:
    """Warnings quote [IPv6]:port and [n bytes]; flows, follow and replay share this printer."""
    warn(["flow [2001:db8::a:1]:80 [bold]x[/bold]"])
    assert "warning: flow [2001:db8::a:1]:80 [bold]x[/bold]" in capsys.readouterr().err
