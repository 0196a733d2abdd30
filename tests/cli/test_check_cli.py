"""`wsarecv check` through CliRunner: output, --fail-on, --ndjson, --junit, globs, the profile, errors."""

from __future__ import annotations

import contextlib
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import SAMPLES
from wsarecv_cli.cli.common import run_guarded
from wsarecv_cli.cli.main import cli

GOLDEN = Path(__file__).parent / "golden"
FRAMED = str(SAMPLES / "framed_messages.pcap")
UDP_BIG = str(SAMPLES / "udp_big_datagrams.pcap")
HTTP = str(SAMPLES / "http_small_segments.pcap")
RST = str(SAMPLES / "tcp_rst.pcap")
LOST = str(SAMPLES / "tcp_lost_segment.pcap")


def run(*args: str):
    return CliRunner().invoke(cli, ["check", *args], env={"NO_COLOR": "1"})


def guarded(*args: str) -> tuple[int, str, str]:
    """Through run_guarded, as the installed command runs: errors become one line and an exit code."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run_guarded(cli, ["check", *args])
    return code, out.getvalue(), err.getvalue()


def test_one_line_per_finding_then_counts_golden() -> None:
    result = run(FRAMED, "--buffers", "64", "--framing", "len:u16be")
    assert result.exit_code == 0, result.stderr
    expected = (GOLDEN / "check_framed_64.txt").read_text().replace("{FRAMED}", FRAMED)
    assert result.stdout == expected


def test_a_clean_capture_has_no_finding() -> None:
    result = run(HTTP, "--fail-on", "any")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["", "0 finding(s) in 1 capture(s), 2 receiver(s)"]


@pytest.mark.parametrize("fail_on, code", [
    ("any", 3), ("WR103", 3), ("msgsize-lost", 3), ("MSGSIZE-LOST", 3), ("WR101,WR103", 3),
    ("WR101", 0), ("none", 0), ("strict", 0),
], ids=lambda v: str(v))
def test_fail_on_exits_3_only_for_the_codes_asked(fail_on, code) -> None:
    result = run(UDP_BIG, "--buffers", "1024,1024", "--fail-on", fail_on)
    assert result.exit_code == code, result.stderr
    if code:
        assert result.stderr.strip() == "wsarecv: findings (--fail-on): 2 x WR103 msgsize-lost"
    else:
        assert result.stderr == ""


def test_without_fail_on_findings_do_not_fail() -> None:
    assert run(UDP_BIG, "--buffers", "1024,1024").exit_code == 0


def test_strict_is_the_capture_preset() -> None:
    assert run(LOST).exit_code == 0
    result = run(LOST, "--strict")
    assert result.exit_code == 3 and "WR201 capture-gap" in result.stderr
    assert run(UDP_BIG, "--buffers", "1024", "--strict").exit_code == 0  # WR103 is not a capture problem


def test_replay_takes_fail_on_too() -> None:
    result = CliRunner().invoke(cli, ["replay", UDP_BIG, "--buffers", "1024", "--fail-on", "WR103"])
    assert result.exit_code == 3 and "2 x WR103" in result.stderr
    result = CliRunner().invoke(cli, ["replay", UDP_BIG, "--no-findings", "--strict"])
    assert result.exit_code == 2 and "--no-findings" in result.stderr


def test_ndjson_finding_and_check_records() -> None:
    result = run(UDP_BIG, RST, "--buffers", "1024,1024", "--ndjson")
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["type"] for r in records] == ["finding", "finding", "check", "check"]
    assert records[0] == {
        "type": "finding", "code": "WR103", "name": "msgsize-lost", "capture": UDP_BIG, "flow": "udp:0",
        "receiver": "10.0.0.1:41000", "n": 2, "t": 0.0, "offset": 100, "bytes": 952, "message": 2,
        "text": "WSAEMSGSIZE: 2048 bytes returned, 952 lost"}
    assert records[2] == {"type": "check", "capture": UDP_BIG, "receivers": 1, "counts": {"WR103": 2}}
    assert records[3] == {"type": "check", "capture": RST, "receivers": 2, "counts": {}}


def test_junit_has_a_case_per_capture_and_receiver(tmp_path: Path) -> None:
    junit = tmp_path / "wsarecv.xml"
    result = run(UDP_BIG, RST, HTTP, "--buffers", "1024,1024", "--fail-on", "WR103", "--junit", str(junit))
    assert result.exit_code == 3
    root = ET.parse(junit).getroot()
    assert root.tag == "testsuites" and (root.get("tests"), root.get("failures")) == ("5", "1")
    suites = {suite.get("name"): suite for suite in root}
    assert list(suites) == [UDP_BIG, RST, HTTP]
    (udp_case,) = suites[UDP_BIG]
    assert udp_case.get("name") == "udp:0 10.0.0.1:41000"
    failure = udp_case.find("failure")
    assert failure.get("type") == "WR103" and failure.get("message") == "2 x WR103 msgsize-lost"
    assert failure.text.count("WR103 msgsize-lost") == 2
    assert [case.get("name") for case in suites[RST]] == ["tcp:0 10.0.0.2:7000", "tcp:0 10.0.0.1:51001"]
    assert all(case.find("failure") is None for case in suites[RST])


def test_junit_lists_findings_not_failing_as_output(tmp_path: Path) -> None:
    junit = tmp_path / "out.xml"
    assert run(UDP_BIG, "--buffers", "1024", "--junit", str(junit)).exit_code == 0
    (case,) = ET.parse(junit).getroot().iter("testcase")
    assert case.find("failure") is None and "WR103" in case.find("system-out").text


def test_glob_patterns_are_expanded_in_order() -> None:
    result = run(str(SAMPLES / "tcp_*.pcap"), "--ndjson")
    captures = [json.loads(line)["capture"] for line in result.stdout.splitlines()
                if json.loads(line)["type"] == "check"]
    assert captures == sorted(str(p) for p in SAMPLES.glob("tcp_*.pcap")) and len(captures) == 4


def test_several_captures_get_a_heading_each() -> None:
    result = run(HTTP, RST)
    assert f"== {HTTP}" in result.stdout and f"== {RST}" in result.stdout


@pytest.mark.parametrize("args, code, words", [
    ([], 2, "missing CAPTURE"),
    (["/nonexistent/*.pcap"], 2, "no capture matches"),
    (["/nonexistent.pcap"], 1, "nonexistent"),
    ([HTTP, "--fail-on", "WR999"], 2, "unknown finding 'WR999'"),
    ([HTTP, "--buffers", "x"], 2, "byte counts"),
], ids=["no-capture", "glob-no-match", "missing-file", "unknown-code", "bad-buffers"])
def test_errors_are_one_line_with_the_right_exit_code(args, code, words) -> None:
    exit_code, out, err = guarded(*args)
    assert exit_code == code
    assert words in err and "Traceback" not in err
    assert len([line for line in err.splitlines() if line.startswith("Error")]) == 1


def test_list_prints_the_catalogue() -> None:
    result = run("--list")
    assert result.exit_code == 0
    assert "## WR101 split-message" in result.stdout and "## WR202 capture-incomplete" in result.stdout


# -- the application profile ------------------------------------------------------------------

PROFILE = """
[project]
name = "my-app"

[tool.wsarecv]
buffers = [1024, 1024]
flags = "MSG_PARTIAL"
mode = "iocp"
outstanding = 2
protocol = "udp"
framing = "len:u16be"
fail-on = ["WR103", "WR105"]
"""


def in_project(tmp_path: Path, text: str = PROFILE) -> Path:
    (tmp_path / "pyproject.toml").write_text(text)
    sub = tmp_path / "src" / "pkg"
    sub.mkdir(parents=True)
    return sub


def test_show_profile_reads_pyproject_upward(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(in_project(tmp_path))
    result = run("--show-profile", "--mode", "blocking")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"# profile: {tmp_path / 'pyproject.toml'}"
    assert "buffers = 1024,1024  # profile" in lines
    assert "flags = MSG_PARTIAL  # profile" in lines
    assert "mode = blocking  # command line" in lines  # the command line wins
    assert "outstanding = 2  # profile" in lines
    assert "platform = desktop  # default" in lines
    assert "framing = len:u16be  # profile" in lines
    assert "fail-on = WR103,WR105  # profile" in lines


def test_the_profile_drives_the_check(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(in_project(tmp_path, '[tool.wsarecv]\nbuffers = "1024,1024"\nfail-on = "msgsize-lost"\n'))
    assert run(UDP_BIG).exit_code == 3
    assert run(UDP_BIG, "--buffers", "9000").exit_code == 0
    assert run(UDP_BIG, "--fail-on", "none").exit_code == 0


def test_profile_file_option_takes_a_plain_table(tmp_path: Path) -> None:
    profile = tmp_path / "receiver.toml"
    profile.write_text('buffers = 2048\nprotocol = "partial-msg"\n')
    result = run(UDP_BIG, "--profile", str(profile), "--ndjson")
    codes = [json.loads(line).get("code") for line in result.stdout.splitlines()]
    assert codes == ["WR104", "WR104", None]


def test_no_profile_outside_a_project(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("--show-profile")
    assert result.stdout.splitlines()[:2] == ["# profile: no profile found", "buffers = 4096  # default"]


@pytest.mark.parametrize("text, words", [
    ("[tool.wsarecv]\nbufers = 10\n", "unknown profile key 'bufers'"),
    ("[tool.wsarecv]\nmode = \"fast\"\n", "mode = 'fast'"),
    ("[tool.wsarecv]\nbuffers = [\n", "not valid TOML"),
    ("[tool.wsarecv]\nfail-on = \"WR999\"\n", "unknown finding"),
], ids=["unknown-key", "bad-value", "bad-toml", "bad-fail-on"])
def test_a_bad_profile_is_an_input_error(tmp_path: Path, monkeypatch, text, words) -> None:
    monkeypatch.chdir(in_project(tmp_path, text))
    code, out, err = guarded(HTTP)
    assert code == 1 and words in err and "Traceback" not in err


def test_an_unreadable_capture_is_an_error_and_the_others_are_still_checked(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pcap"
    broken.write_bytes(b"not a capture at all, not even close")
    junit = tmp_path / "out.xml"
    code, out, err = guarded(str(broken), UDP_BIG, "--buffers", "1024", "--ndjson", "--junit", str(junit))
    assert code == 1
    assert err.splitlines()[0].startswith(f"Error: {broken}") and "1 capture(s) could not be checked" in err
    checks = [json.loads(line) for line in out.splitlines() if json.loads(line)["type"] == "check"]
    assert [c["capture"] for c in checks] == [str(broken), UDP_BIG] and "error" in checks[0]
    assert checks[1]["counts"] == {"WR103": 2}
    root = ET.parse(junit).getroot()
    assert (root.get("tests"), root.get("errors")) == ("2", "1")
    assert root.find("testsuite/testcase/error") is not None
