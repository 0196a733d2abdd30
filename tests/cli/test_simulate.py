"""`wsarecv simulate`: scenario files, inline scenarios, output families, errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from wsarecv_cli.cli.main import cli

LIBRARY = Path(__file__).resolve().parents[2] / "samples" / "scenarios"


def run(*args: str):
    return CliRunner().invoke(cli, ["simulate", *args])


def ndjson(*args: str) -> list[dict]:
    result = run(*args, "--ndjson")
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def calls(records: list[dict]) -> list[dict]:
    return [r for r in records if r["type"] == "call"]


# ---- scenario files --------------------------------------------------------------------------


def test_file_shows_title_about_table_and_summary():
    result = run(str(LIBRARY / "udp_truncation.toml"), "--width", "120")
    assert result.exit_code == 0
    out = result.stdout
    assert out.index("UDP datagram larger than the buffers") < out.index("R17, Q1") < out.index("call t")
    assert "truncated (−3 B lost)" in out and re.search(r"bytes lost +3", out)
    assert "\x1b[" not in out  # not a terminal: no ANSI


def test_color_always_colors():
    result = run(str(LIBRARY / "udp_truncation.toml"), "--color", "always")
    assert "\x1b[" in result.stdout


def test_explain_and_show_data():
    result = run(str(LIBRARY / "scatter_order.toml"), "--explain", "--show-data", "--width", "120")
    assert "R8" in result.stdout and '"dead"' in result.stdout and '"beefs"' in result.stdout


def test_max_calls_keeps_the_summary_complete():
    result = run(str(LIBRARY / "graceful_close.toml"), "--max-calls", "1", "--width", "120")
    assert "3 more calls not shown" in result.stdout
    assert "calls            4" in result.stdout


def test_failed_expectation_exits_1_with_step_and_field(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('title = "t"\n[[step]]\narrive = { data = "abc" }\n[[step]]\n'
                   'recv = { buffers = [2] }\n[[step]]\nexpect = { bytes = 3 }\n')
    result = run(str(bad))
    assert result.exit_code == 1
    assert result.stderr == f"Error: expect failed: {bad}: step 3: bytes: expected 3, got 2\n"
    assert "call t" in result.stdout  # the table is still shown


def test_failed_expectations_are_records_too(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[step]]\narrive = { data = "abc" }\n[[step]]\nrecv = { buffers = [2] }\n'
                   '[[step]]\nexpect = { bytes = 3 }\n')
    result = run(str(bad), "--ndjson")
    assert result.exit_code == 1
    last = json.loads(result.stdout.splitlines()[-1])
    assert last == {"type": "expect_failure", "step": 3, "field": "bytes", "expected": 3, "actual": 2}


@pytest.mark.parametrize("content, needle", [
    ("not toml [", "not valid TOML"),
    ('[socket]\nprotocol = "sctp"\n', "socket.protocol"),
])
def test_bad_scenario_is_an_input_error(tmp_path, content, needle):
    path = tmp_path / "s.toml"
    path.write_text(content)
    result = run(str(path))
    assert result.exit_code == 1 and result.stdout == ""
    assert needle in result.stderr and result.stderr.count("\n") == 1


def test_missing_file_is_an_input_error():
    result = run("no/such/file.toml")
    assert result.exit_code == 1 and "cannot read scenario" in result.stderr


# ---- inline scenarios ------------------------------------------------------------------------


def test_inline_tcp_coalesces_then_closes():
    recs = calls(ndjson("--tcp", "hello", "--tcp", "world", "--fin", "--buffers", "3,4"))
    assert [(c["bytes"], c["event"]) for c in recs] == [(7, "data"), (3, "data"), (0, "graceful-close")]


def test_inline_arrivals_keep_their_order():
    recs = calls(ndjson("--tcp", "data", "--urgent", "!", "--tcp", "more", "--buffers", "16",
                        "--show-data"))
    assert [bytes.fromhex(c["data_hex"][0]) for c in recs] == [b"data", b"more"]


def test_inline_udp_pattern_on_wince():
    (call,) = calls(ndjson("--udp", "3000", "--buffers", "1024,1024", "--platform", "wince"))
    assert (call["error"], call["bytes"], call["lost"]) == ("WSAEMSGSIZE", 2048, 952)


def test_inline_partial_msg_protocol():
    recs = calls(ndjson("--udp", "10", "--protocol", "partial-msg", "--buffers", "4"))
    assert [c["flags_out"] for c in recs] == [["MSG_PARTIAL"], ["MSG_PARTIAL"], []]


def test_inline_calls_and_flags():
    recs = calls(ndjson("--tcp", "peek", "--flags", "MSG_PEEK", "--calls", "2", "--buffers", "4"))
    assert [c["flags_in"] for c in recs] == [["MSG_PEEK"], ["MSG_PEEK"]]


def test_inline_rst_loses_data_and_keep_on_reset_switch():
    lost = calls(ndjson("--tcp", "hello", "--rst", "--buffers", "10"))
    assert (lost[0]["error"], lost[0]["lost"]) == ("WSAECONNRESET", 5)
    kept = calls(ndjson("--tcp", "hello", "--rst", "--buffers", "10", "--option", "keep_on_reset=true"))
    assert kept[0]["bytes"] == 5


def test_inline_overlapped_mode():
    recs = ndjson("--tcp", "abc", "--mode", "overlapped-event", "--platform", "wince", "--calls", "1")
    assert calls(recs)[0]["delivery"] == "event-not-signalled"


def test_json_document():
    result = run("--tcp", "abc", "--json")
    doc = json.loads(result.stdout)
    assert [r["type"] for r in doc["records"]][0] == "flow"
    assert doc["records"][-1]["type"] == "summary" and doc["records"][-1]["bytes"] == 3


@pytest.mark.parametrize("args, needle", [
    ([], "give a SCENARIO file"),
    (["--tcp", "a", "--json", "--ndjson"], "choose one of --json and --ndjson"),
    (["--tcp", "a", "--buffers", "x"], "--buffers"),
    (["--tcp", "a", "--flags", "MSG_NOPE"], "unknown flag MSG_NOPE"),
    (["--tcp", "a", "--option", "nope=1"], "--option"),
    (["--tcp", "a", "--urgent", "ab"], "--urgent"),
])
def test_usage_errors_are_one_line_exit_2(args, needle):
    result = run(*args)
    assert result.exit_code == 2 and result.stdout == ""
    assert needle in result.stderr and result.stderr.count("\n") == 1


def test_file_and_inline_together_is_a_usage_error():
    result = run(str(LIBRARY / "scatter_order.toml"), "--tcp", "x")
    assert result.exit_code == 2 and "not both" in result.stderr


def test_model_refusal_is_an_input_error():
    result = run("--tcp", "abc", "--platform", "wince", "--mode", "iocp")
    assert result.exit_code == 1 and result.stdout == "" and result.stderr.startswith("Error:")


# ---- exports ---------------------------------------------------------------------------------


def test_export_svg_and_html(tmp_path):
    svg, html = tmp_path / "out.svg", tmp_path / "out.html"
    result = run(str(LIBRARY / "scatter_order.toml"), "--export-svg", str(svg), "--export-html", str(html))
    assert result.exit_code == 0
    assert svg.read_text().lstrip().startswith("<svg") and "<html" in html.read_text().lower()


def test_export_to_missing_folder_fails_before_running(tmp_path):
    result = run(str(LIBRARY / "scatter_order.toml"), "--export-svg", str(tmp_path / "no" / "x.svg"))
    assert result.exit_code == 1 and result.stdout == ""


def test_help_has_examples():
    result = run("--help")
    assert result.exit_code == 0 and "wsarecv simulate --tcp" in result.stdout
