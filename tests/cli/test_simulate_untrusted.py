"""Scenario files are untrusted input (issue 19 item 2, issue 14): `simulate`, `diff` and
`replay --schedule script:FILE` read them safely and answer with one line naming file, step and
key — the allowed keys, never an internal class name; scenario text never reaches the terminal raw."""

from __future__ import annotations

import json
import os
import xml.dom.minidom
from pathlib import Path

import pytest
from click.testing import CliRunner

from wsarecv_cli.cli.main import cli
from tests.robustness.cli_run import wsarecv
from wsarecv_cli.replay.scenario_source import MAX_SCENARIO_BYTES

LIBRARY = Path(__file__).resolve().parents[2] / "samples" / "scenarios"
SAMPLES = LIBRARY.parent


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def one_error_line(result, exit_code: int = 1) -> str:
    assert result.exit_code == exit_code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "internal error" not in lines[0] and "Traceback" not in result.stderr
    return lines[0]


def test_any_file_name_is_read_as_a_file(tmp_path):
    path = tmp_path / "scenario.txt"
    path.write_text((LIBRARY / "graceful_close.toml").read_text())
    result = run("simulate", str(path))
    assert result.exit_code == 0, result.stderr
    assert "Graceful close" in result.stdout


@pytest.mark.parametrize("command", [["simulate"], ["diff", "--a", "platform=wince", "--b", "platform=desktop"]],
                         ids=["simulate", "diff"])
def test_dev_zero_is_refused_before_reading(command):
    line = one_error_line(run(*command, "/dev/zero"))
    assert line == "Error: /dev/zero: cannot read scenario: not a regular file"


def test_replay_script_schedule_refuses_dev_zero():
    done = wsarecv("replay", str(SAMPLES / "tcp_rst.pcap"), "--schedule", "script:/dev/zero")
    assert done.code == 1
    assert done.error_lines == ["Error: /dev/zero: cannot read scenario: not a regular file"]


def test_a_fifo_does_not_hang(tmp_path):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    assert "not a regular file" in one_error_line(run("simulate", str(fifo)))


@pytest.mark.parametrize("content, needle", [
    (b"#" * (MAX_SCENARIO_BYTES + 1), "scenario too large"),
    (b'title = "\xff\xfe"\n', "not UTF-8 text (byte 9)"),
], ids=["too-large", "not-utf8"])
def test_size_cap_and_encoding(tmp_path, content, needle):
    path = tmp_path / "s.toml"
    path.write_bytes(content)
    assert needle in one_error_line(run("simulate", str(path)))


@pytest.mark.parametrize("text, expected", [
    ("[[step]]\nat = inf", "step 1: at: inf is not a finite number of seconds"),
    ("[[step]]\nat = nan", "step 1: at: nan is not a finite number of seconds"),
    ("[[step]]\nat = 1e308", "step 1: at: 1e+308 is out of range (0 to 1e+07 seconds)"),
    ("[[step]]\nat = -1", "step 1: at: -1 is out of range"),
    ("[[step]]\nat = " + "9" * 5000, "TOML: not a usable number: Exceeds the limit (4300 digits)"),
    ("[[step]]\nrecv = { buffers = [1e308] }", "step 1: recv.buffers: expected an integer, got 1e+308"),
    ("[[step]]\nrecv = { buffers = [4294967296] }", "step 1: recv.buffers: 4294967296 is out of range"),
    ("[[step]]\nrecv = { buffers = [1], repeat = 1000000000 }", "step 1: recv.repeat: 1000000000 is out of range"),
    ("[socket]\nrcvtimeo_ms = -5", "socket.rcvtimeo_ms: -5 is out of range"),
    ("[[step]]\narrive = { datagram = \"x\", wire_length = 1e9 }", "step 1: arrive.wire_length: expected an integer"),
], ids=["inf", "nan", "1e308", "negative", "5000-digits", "float-length", "ulong-overflow", "repeat", "rcvtimeo", "wire"])
def test_numbers_are_finite_and_ranged(tmp_path, text, expected):
    path = tmp_path / "n.toml"
    path.write_text(text)
    line = one_error_line(run("simulate", str(path)))
    assert line.startswith(f"Error: {path}: ") and expected in line


@pytest.mark.parametrize("text, expected", [
    ("[socket]\ncolour = 1", "socket.colour: unknown socket key (allowed: completion_port, connected_peer,"),
    ("[[step]]\nrecv = { buffers = [1], bar = 1 }", "step 1: recv.bar: unknown recv key (allowed: api, buffers,"),
    ("[[step]]\narrive = { data = \"x\", foo = 1 }", "step 1: arrive.foo: unknown arrival key (allowed: data,"),
    ("[[step]]\nsetsockopt = { nagle = true }", "step 1: setsockopt.nagle: unknown option (allowed: oobinline,"),
    ("[[step]]\nget_result = { m = 1 }", "step 1: get_result.m: unknown get_result key (allowed: n, wait)"),
    ("[[step]]\nexpect_result = { ok = true }", "step 1: expect_result: needs get_result in the same step"),
    ("[[step]]\nrecv = { buffers = [1], api = \"recvmmsg\" }",
     "step 1: recv.api: unknown value 'recvmmsg' (allowed: WSARecv, WSARecvFrom, WSARecvMsg)"),
    ("[[step]]\narrive = { datagram = \"x\" }", "step 1: arrive: a tcp socket takes data, data_hex, urgent, gap"),
    ("[socket]\nprotocol = \"udp\"\n[[step]]\narrive = { urgent = \"x\" }",
     "step 1: arrive: a udp socket takes datagram"),
    ("[[step]]\nrecv = { buffers = [1] }\n[[step]]\nrecv = { buffers = [1] }",
     "step 2: recv: another non-overlapped recv (a blocking receive is still waiting)"),
    ("[socket]\nplatform = \"wince\"\nmode = \"iocp\"", "socket: mode iocp (the CE model has no completion ports)"),
], ids=["socket", "recv", "arrive", "setsockopt", "get_result", "expect_result", "api", "datagram-on-tcp",
        "urgent-on-udp", "second-blocking-call", "ce-iocp"])
def test_errors_name_the_key_and_the_allowed_values(tmp_path, text, expected):
    path = tmp_path / "e.toml"
    path.write_text(text)
    line = one_error_line(run("simulate", str(path)))
    assert expected in line
    for class_name in ("Message", "UrgentByte", "StreamBytes", "RecvCall", "SocketConfig", "state: "):
        assert class_name not in line


def test_control_characters_in_scenario_text_are_escaped(tmp_path):
    path = tmp_path / "ctl.toml"
    path.write_text('title = "a\\u001b]0;pwned\\u0007b"\nabout = "x\\u001b[2Jy"\n'
                    '[[step]]\narrive = { data = "q" }\n[[step]]\nrecv = { buffers = [4] }\n')
    svg = tmp_path / "out.svg"
    result = run("simulate", str(path), "--export-svg", str(svg))
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "a\\x1b]0;pwned\\x07b" in result.stdout and "x\\x1b[2Jy" in result.stdout
    xml.dom.minidom.parse(str(svg))  # valid XML


def test_control_characters_in_a_file_name_are_escaped_in_errors(tmp_path):
    path = tmp_path / "bad\x1b[2Jname.toml"
    path.write_text("[[step]]\nat = inf")
    line = one_error_line(run("simulate", str(path)))
    assert "\x1b" not in line and "bad\\x1b[2Jname.toml" in line


def test_a_completion_of_the_last_step_is_printed_and_counted():
    """Issue 14 defect 2: the completion produced inside the last recv step."""
    result = run("simulate", str(LIBRARY / "completion_in_last_step.toml"), "--ndjson")
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    (done,) = [r for r in records if r["type"] == "completion"]
    assert (done["error"], done["bytes"], done["flags_out"]) == ("WSAEMSGSIZE", 6, None)
    summary = records[-1]
    assert (summary["bytes"], summary["msgsize_errors"]) == (6, 1)


def test_queued_completion_routines_are_shown_after_the_end_marker(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text('[socket]\nmode = "overlapped-routine"\n[[step]]\nrecv = { buffers = [4] }\n'
                    '[[step]]\narrive = { data = "abc" }\n')
    result = run("simulate", str(path), "--width", "140")
    assert result.exit_code == 0, result.stderr
    assert "1 completion routine(s) queued as APCs have not run" in result.stdout


def test_failed_expectations_show_plain_values_not_class_names(tmp_path):
    path = tmp_path / "f.toml"
    path.write_text('[socket]\nprotocol = "udp"\nmode = "overlapped-event"\n[[step]]\nrecv = { buffers = [2, 4] }\n'
                    '[[step]]\narrive = { datagram = "moredata" }\n'
                    'expect_completion = { flags_out = [], data = ["mx", "reda"] }\n')
    result = run("simulate", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: expect failed: {path}: step 2: flags_out: expected [], got 'untouched'",
        f"Error: expect failed: {path}: step 2: data: expected ['mx', 'reda'], got ['mo', 'reda']"]


def test_the_number_of_receives_is_bounded(tmp_path):
    path = tmp_path / "many.toml"
    path.write_text('[socket]\nmode = "nonblocking"\n' + '[[step]]\nrecv = { buffers = [1], repeat = 100000 }\n' * 3)
    line = one_error_line(run("simulate", str(path)))
    assert "step 3: recv: more receives than a scenario may make (at most 200000)" in line


@pytest.mark.parametrize("text", ["title = " + "[" * 50000 + "]" * 50000, "x = " + "{a=" * 5000 + "1" + "}" * 5000],
                         ids=["arrays", "tables"])
def test_deep_nesting_is_a_one_line_error(tmp_path, text):
    path = tmp_path / "deep.toml"
    path.write_text(text)
    assert "TOML: arrays or tables nested too deeply" in one_error_line(run("simulate", str(path)))


def test_wsarecvmsg_records_carry_source_and_msg_flags():
    result = run("simulate", str(LIBRARY / "source_wt_test_ip_pktinfo.toml"), "--ndjson")
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    outputs = [(r["type"], r.get("source"), r.get("msg_flags")) for r in records if r.get("source")]
    assert outputs == [("call", "127.0.0.1:4000", ["MSG_CTRUNC"]), ("completion", "127.0.0.1:4000", ["MSG_CTRUNC"]),
                       ("completion", "127.0.0.1:4000", [])]
