"""`wsarecv rules`: the error table against the spec, one rule, unknown ids, JSON."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from wsarecv_cli.cli.main import cli

# spec/WSARECV.md section 1, in the order of the Windows Mobile 6.5 WSARecv page
SPEC_ERRORS = [
    ("WSANOTINITIALISED", 10093), ("WSAENETDOWN", 10050), ("WSAENOTCONN", 10057),
    ("WSAEINTR", 10004), ("WSAEINPROGRESS", 10036), ("WSAENETRESET", 10052),
    ("WSAENOTSOCK", 10038), ("WSAEFAULT", 10014), ("WSAEOPNOTSUPP", 10045),
    ("WSAESHUTDOWN", 10058), ("WSAEWOULDBLOCK", 10035), ("WSAEMSGSIZE", 10040),
    ("WSAEINVAL", 10022), ("WSAECONNABORTED", 10053), ("WSAECONNRESET", 10054),
    ("WSAEDISCON", 10101), ("WSA_IO_PENDING", 997), ("WSA_OPERATION_ABORTED", 995),
]
DESKTOP_ADDITIONS = [("WSAETIMEDOUT", 10060), ("WSA_IO_INCOMPLETE", 996)]


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_json_lists_the_18_ce_codes_in_page_order_then_desktop_additions():
    result = run("rules", "--json")
    assert result.exit_code == 0, result.stderr
    errors = json.loads(result.stdout)["errors"]
    ce = [(e["name"], e["value"]) for e in errors if e["ce_page"]]
    desktop = [(e["name"], e["value"]) for e in errors if not e["ce_page"]]
    assert ce == SPEC_ERRORS
    assert desktop == DESKTOP_ADDITIONS


def test_json_has_every_rule_and_decision():
    doc = json.loads(run("rules", "--json").stdout)
    assert [r["id"] for r in doc["rules"]] == [f"R{i}" for i in range(1, 50)]
    assert all(r["reason_not_modelled"] for r in doc["rules"] if not r["modelled"])
    assert {d["id"] for d in doc["decisions"]} >= {"Q1", "Q2", "Q7", "Q8", "Q13"}
    assert [m["result"] for m in doc["modes"]] == [
        "byte stream", "byte stream", "byte stream", "message oriented"]


def test_all_sections_in_pretty_output():
    result = run("rules", "--width", "160")
    assert result.exit_code == 0
    out = result.stdout
    assert "not modelled:" not in out  # every rule is modelled; limits say what a replay cannot reach
    for needle in ("WSARecv error codes", "R15 mode table", "Rules (section 2)",
                   "Model decisions (section 6)", "WSA_OPERATION_ABORTED", "limits:"):
        assert needle in out
    assert "\x1b[" not in out


@pytest.mark.parametrize("key, needle", [
    ("R17", "R17 — oversize datagram"),
    ("r17", "R17 — oversize datagram"),
    ("Q7", "keep_on_reset"),
    ("WSAEDISCON", "WSAEDISCON = 10101"),
    ("10040", "WSAEMSGSIZE = 10040"),
])
def test_one_entry(key, needle):
    result = run("rules", key)
    assert result.exit_code == 0
    assert needle in result.stdout


def test_one_rule_as_json():
    result = run("rules", "R47", "--json")
    assert json.loads(result.stdout)["id"] == "R47"


def test_unknown_id_is_a_usage_error_on_one_line():
    result = run("rules", "R99")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "R1..R49" in result.stderr


def test_help_leads_with_examples():
    result = run("rules", "--help")
    assert result.exit_code == 0 and "wsarecv rules R17" in result.stdout
