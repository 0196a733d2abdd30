"""rules.py holds every rule, the error table, the mode table and the decisions, faithfully."""

from __future__ import annotations

import pytest

from wsarecv_cli.model import (
    DECISIONS, ERROR_TABLE, MODE_TABLE, PROFILES, RULES, Protocol, RecvFlags, RecvMode, WsaError, decision,
    r15_mode, rule,
)
from wsarecv_cli.model.provider import XP1, Profile


def test_every_rule_id_is_present_in_order():
    assert [r.id for r in RULES] == [f"R{i}" for i in range(1, 50)]


@pytest.mark.parametrize("r", RULES, ids=lambda r: r.id)
def test_rule_is_complete(r):
    assert r.title and r.text and r.sources
    assert all(s.strip() for s in r.sources)
    if r.modelled:
        assert r.reason_not_modelled == ""
    else:
        assert len(r.reason_not_modelled) > 20


def test_every_rule_is_modelled_and_limits_say_what_a_capture_replay_cannot_reach():
    assert {r.id for r in RULES if not r.modelled} == set()
    for rule_id in ("R1", "R2", "R5", "R34", "R37", "R43"):  # not modelled before issue 14
        assert rule(rule_id).limits, rule_id


def test_rule_lookup():
    assert rule("R17").title.startswith("oversize datagram")
    assert rule("r17") is rule("R17")
    with pytest.raises(KeyError):
        rule("R50")


def test_error_table_in_ce_page_order_with_real_values():
    ce = [(row.error.name, int(row.error)) for row in ERROR_TABLE if row.ce_page]
    assert ce == [
        ("WSANOTINITIALISED", 10093), ("WSAENETDOWN", 10050), ("WSAENOTCONN", 10057), ("WSAEINTR", 10004),
        ("WSAEINPROGRESS", 10036), ("WSAENETRESET", 10052), ("WSAENOTSOCK", 10038), ("WSAEFAULT", 10014),
        ("WSAEOPNOTSUPP", 10045), ("WSAESHUTDOWN", 10058), ("WSAEWOULDBLOCK", 10035), ("WSAEMSGSIZE", 10040),
        ("WSAEINVAL", 10022), ("WSAECONNABORTED", 10053), ("WSAECONNRESET", 10054), ("WSAEDISCON", 10101),
        ("WSA_IO_PENDING", 997), ("WSA_OPERATION_ABORTED", 995)]
    desktop = [row.error for row in ERROR_TABLE if not row.ce_page]
    assert desktop == [WsaError.WSAETIMEDOUT, WsaError.WSA_IO_INCOMPLETE]
    assert all(row.description for row in ERROR_TABLE)


def test_flag_values_are_the_windows_ones():
    assert (RecvFlags.MSG_OOB, RecvFlags.MSG_PEEK, RecvFlags.MSG_WAITALL, RecvFlags.MSG_PUSH_IMMEDIATE,
            RecvFlags.MSG_PARTIAL) == (0x1, 0x2, 0x8, 0x20, 0x8000)


def test_decisions_cover_section_6():
    assert {d.id for d in DECISIONS} >= {"Q1", "Q2", "Q3", "Q5", "Q6", "Q7", "Q8", "Q9", "Q10", "Q13"}
    assert decision("Q7").switch == "keep_on_reset"
    assert decision("Q2").switch == "pend_on_queued_truncation"


@pytest.mark.parametrize("row", MODE_TABLE, ids=lambda r: f"{r.message_oriented}-{r.pseudo_stream}-{r.msg_partial_in}")
def test_mode_table_agrees_with_r15_function(row):
    for mo in ([row.message_oriented] if row.message_oriented is not None else [False, True]):
        for ps in ([row.pseudo_stream] if row.pseudo_stream is not None else [False, True]):
            for partial in ([row.msg_partial_in] if row.msg_partial_in is not None else [False, True]):
                xp1 = XP1(0) | (XP1.MESSAGE_ORIENTED if mo else 0) | (XP1.PSEUDO_STREAM if ps else 0)
                flags = RecvFlags.MSG_PARTIAL if partial else RecvFlags.NONE
                assert r15_mode(Profile(Protocol.TCP, xp1, "x"), flags).value == row.result


def test_stock_catalog_flags():
    assert not PROFILES[Protocol.TCP].message_oriented and PROFILES[Protocol.TCP].expedited
    assert PROFILES[Protocol.UDP].message_oriented and not PROFILES[Protocol.UDP].partial_message
    assert PROFILES[Protocol.RELIABLE_MSG].graceful_close and PROFILES[Protocol.RELIABLE_MSG].reliable
    assert PROFILES[Protocol.PARTIAL_MSG].partial_message
    assert r15_mode(PROFILES[Protocol.UDP], RecvFlags.NONE) is RecvMode.MESSAGE
