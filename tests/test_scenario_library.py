"""Every scenario of samples/scenarios runs through `wsarecv simulate` with all its expectations met."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from wsarecv_cli.cli.main import cli
from wsarecv_cli.replay.scenario import parse_scenario

LIBRARY = Path(__file__).resolve().parent.parent / "samples" / "scenarios"
FILES = sorted(LIBRARY.glob("*.toml"))

# The behaviours the spec names (and the CE-vs-desktop differences), each with its scenario.
REQUIRED = {
    "scatter_order": "R8", "zero_length_wsabufs": "R4", "coalesce_and_split": "R9",
    "one_byte_guarantee": "R9", "zero_byte_receive": "R12", "msg_peek_stream": "R11",
    "udp_peek_truncated": "R20", "urgent_out_of_line": "R40", "urgent_inline": "R42",
    "udp_truncation": "R17", "udp_truncation_overlapped": "R18", "udp_zero_length_datagram": "R16",
    "partial_msg_provider": "R19", "reliable_msgsize_retention": "R19",
    "connected_udp_filter": "R21", "graceful_close": "R22", "wsaediscon": "R27",
    "rst_data_lost": "R24", "rst_after_fin": "R25", "overlapped_pending_order": "R32",
    "pending_then_rst": "R23", "close_with_pending": "R33", "close_with_pending_tcp": "R33",
    "nonblocking_wouldblock": "R7", "msg_waitall": "R13", "ce_immediate_completion": "R47",
    "ce_completion_routine": "R48", "desktop_routine_needs_alertable_wait": "R30",
    "ce_msg_waitall": "R13", "ce_no_msg_partial": "R49", "ce_msg_peek_overlapped": "R49",
}


def test_library_is_complete():
    assert {p.stem for p in FILES} >= set(REQUIRED)


@pytest.mark.parametrize("name, rule", sorted(REQUIRED.items()))
def test_about_cites_its_rule(name, rule):
    scenario = parse_scenario(LIBRARY / f"{name}.toml")
    assert scenario.title and rule in scenario.about


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_scenario_expectations_hold(path):
    scenario = parse_scenario(path)
    assert any(s.expect or s.expect_completion or s.expect_result for s in scenario.steps), \
        f"{path.name} has no expect"
    result = CliRunner().invoke(cli, ["simulate", str(path), "--width", "120"])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert scenario.title in result.stdout


def test_a_wrong_expectation_fails_naming_step_and_field(tmp_path):
    text = (LIBRARY / "udp_truncation.toml").read_text().replace("lost = 3", "lost = 4")
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    result = CliRunner().invoke(cli, ["simulate", str(bad)])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"Error: expect failed: {bad}: step 3: lost: expected 4, got 3"]
