"""Every scenario of samples/scenarios runs through `wsarecv simulate` with all its expectations met."""

from __future__ import annotations

import re
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


# Issue 14: the five defects' regressions, and the rules a capture replay cannot reach.
REQUIRED.update({
    "udp_truncation_queued_overlapped": "Q2", "completion_in_last_step": "R28", "msg_waitall_call_mode": "R13",
    "routine_on_completion_port": "R5", "overlapped_result_flags_unchanged": "R34",
    "no_overlapped_attribute": "R1", "null_bytes_pointer": "R2", "state_errors": "R5", "get_overlapped_result": "R34",
    "captured_wsabuf_array": "R37", "readiness_oob": "R43", "oobinline_mid_stream": "Q12",
    "connect_af_unspec": "R21", "hevent_variants": "R30", "cancel_one_call": "R33", "icmp_errors": "R46",
    "shutdown_with_unread_tcp_data": "Q5", "recvmsg_control_truncated": "R18", "hold_until_push": "R14",
})

# Every conformance test the spec cites (sock.c = WT, afd.c = WA), with the scenario that states it.
SOURCE_TESTS = {
    "test_nonblocking_async_recv": "source_wt_test_nonblocking_async_recv",
    "test_valid_handle": "source_wt_test_valid_handle", "test_empty_recv": "source_wt_test_empty_recv",
    "test_read_events": "source_wt_test_read_events", "test_completion_port": "source_wt_test_completion_port",
    "test_connecting_socket": "source_wt_test_connecting_socket", "test_connect_udp": "source_wt_test_connect_udp",
    "test_WSARecv": "source_wt_test_wsarecv", "test_timeout": "source_wt_test_timeout",
    "test_close_events": "source_wt_test_close_events",
    "test_simultaneous_async_recv": "source_wt_test_simultaneous_async_recv",
    "test_ip_pktinfo": "source_wt_test_ip_pktinfo",
    "test_WSAGetOverlappedResult": "source_wt_test_wsagetoverlappedresult",
    "test_shutdown": "source_wt_test_shutdown", "test_tcp_reset": "source_wt_test_tcp_reset",
    "iocp_async_read": "source_wt_iocp_async_read",
    "iocp_async_read_closesocket": "source_wt_iocp_async_read_closesocket",
    "test_connect_completion_port": "source_wt_test_connect_completion_port",
    "test_fionread_siocatmark": "source_wt_test_fionread_siocatmark",
    "test_oob_events": "source_wt_test_oob_events", "test_select": "source_wt_test_select",
    "test_WSAPoll": "source_wt_test_wsapoll", "test_WithoutWSAStartup": "source_wt_test_withoutwsastartup",
    "map_status": "source_wt_map_status", "afd.c test_recv": "source_wa_test_recv",
}


def test_library_is_complete():
    assert {p.stem for p in FILES} >= set(REQUIRED) | set(SOURCE_TESTS.values())
    assert len([p for p in FILES if p.stem.startswith("acceptance_")]) == 25  # spec section 5


@pytest.mark.parametrize("test_name, name", sorted(SOURCE_TESTS.items()))
def test_each_cited_source_test_has_a_scenario_citing_it(test_name, name):
    about = parse_scenario(LIBRARY / f"{name}.toml").about
    assert test_name in " ".join(about.split()) and "tests/" in about


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


def test_every_rule_and_open_question_is_stated_by_a_scenario():
    cited = set()
    for path in FILES:
        cited |= set(re.findall(r"\b([RQ]\d+)\b", parse_scenario(path).about))
    wanted = {f"R{i}" for i in range(1, 50)} | {f"Q{i}" for i in range(1, 14)}
    assert wanted - cited == set()
