"""`wsarecv diff`: two configurations of one scenario (or capture), call by call."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from wsarecv_cli.cli.main import cli

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = ROOT / "samples" / "scenarios"


def run(*args: str):
    return CliRunner().invoke(cli, ["diff", *args])


def as_json(*args: str) -> dict:
    result = run(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_wince_vs_desktop_immediate_completion_delivery():
    doc = as_json(str(LIBRARY / "ce_immediate_completion.toml"),
                  "--a", "--platform desktop", "--b", "--platform wince")
    assert doc["summary"] == "1 of 1 calls differ: delivery in 1"
    (diff,) = doc["diffs"]
    assert diff["n"] == 1
    assert diff["fields"] == {"delivery": {"a": "event", "b": "event-not-signalled"}}


def test_udp_vs_partial_msg_on_an_oversized_message():
    doc = as_json("--udp", "10", "--buffers", "4", "--a", "--protocol udp",
                  "--b", "--protocol partial-msg")
    first = doc["diffs"][0]["fields"]
    assert first["status"] == {"a": "failed", "b": "completed"}
    assert first["flags_out"] == {"a": [], "b": ["MSG_PARTIAL"]}
    assert first["lost"] == {"a": 6, "b": 0}
    assert doc["calls"] == 3 and doc["fields"]["only in b"] == 2


def test_inline_tcp_reset_vs_keep_on_reset():
    doc = as_json("--tcp", "hello", "--rst", "--a", "", "--b", "--option keep_on_reset=true")
    assert doc["diffs"][0]["fields"]["bytes"] == {"a": None, "b": 5}


def test_same_config_has_no_difference_and_pretty_output():
    result = run(str(LIBRARY / "scatter_order.toml"), "--a", "", "--b", "--platform desktop",
                 "--width", "120")
    assert result.exit_code == 0
    assert "no difference in 1 call" in result.stdout and "\x1b[" not in result.stdout


def test_buffers_override_changes_the_scatter():
    result = run(str(LIBRARY / "scatter_order.toml"), "--a", "", "--b", "--buffers 2,7",
                 "--width", "120")
    assert "1 of 1 calls differ: filled in 1" in result.stdout


def test_strict_exits_3_when_runs_differ():
    result = run(str(LIBRARY / "ce_immediate_completion.toml"), "--a", "--platform desktop",
                 "--b", "--platform wince", "--strict")
    assert result.exit_code == 3 and result.stderr.startswith("Error: 1 of 1 calls differ")


def test_bad_side_options_are_a_usage_error():
    result = run(str(LIBRARY / "scatter_order.toml"), "--a", "--platform mars", "--b", "")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("Error: --a:") and result.stderr.count("\n") == 1


def test_model_refusal_is_an_input_error():
    result = run("--tcp", "x", "--a", "", "--b", "--platform wince --mode iocp")
    assert result.exit_code == 1 and result.stderr.startswith("Error:")


def test_capture_goes_through_replay():
    doc = as_json(str(ROOT / "samples" / "udp_big_datagrams.pcap"), "--a", "--buffers 1024,1024",
                  "--b", "--buffers 1024,1024 --protocol partial-msg")
    assert doc["differing"] >= 1
    assert all(d["flow"].startswith("udp:") for d in doc["diffs"])


def test_help_has_examples():
    result = run("--help")
    assert result.exit_code == 0 and "--a \"--platform desktop\"" in result.stdout


def test_capture_diff_names_each_receiver_and_shows_both_sides_buffers() -> None:
    from tests.conftest import SAMPLES

    result = CliRunner().invoke(cli, ["diff", str(SAMPLES / "http_small_segments.pcap"), "--a", "--buffers 3,5",
                                      "--b", "--buffers 8", "--width", "120"], env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "tcp:0  receiver 10.0.0.2:80 ← 10.0.0.1:51000" in out
    assert "tcp:0  receiver 10.0.0.1:51000 ← 10.0.0.2:80" in out
    assert "buffers A | B" in out and "3,5 | 8" in out
