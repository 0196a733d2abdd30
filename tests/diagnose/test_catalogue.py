"""The findings catalogue: stable, complete, and the same as docs/FINDINGS.md."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT, SAMPLES
from wsarecv_cli.diagnose import CATALOGUE, STRICT_CODES, lookup, parse_fail_on
from wsarecv_cli.diagnose.catalogue import markdown
from wsarecv_cli.model.rules import RULES

# Codes and names are a public interface (CI configurations name them): this list only grows.
STABLE = {
    "WR101": "split-message", "WR102": "multi-message-call", "WR103": "msgsize-lost", "WR104": "msg-partial",
    "WR105": "reset-discarded", "WR106": "urgent-unread", "WR107": "recv-after-end", "WR108": "zero-window",
    "WR109": "connected-udp-drop", "WR201": "capture-gap", "WR202": "capture-incomplete",
}


def test_codes_and_names_never_change() -> None:
    current = {c.code: c.name for c in CATALOGUE}
    assert {code: current.get(code) for code in STABLE} == STABLE


def test_codes_and_names_are_unique_and_well_formed() -> None:
    assert len({c.code for c in CATALOGUE}) == len({c.name for c in CATALOGUE}) == len(CATALOGUE)
    for c in CATALOGUE:
        assert re.fullmatch(r"WR[12]\d\d", c.code) and re.fullmatch(r"[a-z]+(-[a-z]+)*", c.name)


@pytest.mark.parametrize("code", CATALOGUE, ids=lambda c: c.code)
def test_every_entry_is_complete(code) -> None:
    assert code.title and code.what and code.why and code.fix and code.shown_by
    known = {rule.id for rule in RULES}
    assert set(code.rules) <= known
    if code.scenario:
        assert (SAMPLES / "scenarios" / code.scenario).is_file()
    for path in re.findall(r"samples/\S+\.(?:pcapng?|toml)", code.shown_by):
        assert (ROOT / path).is_file(), path


def test_the_docs_page_is_the_catalogue() -> None:
    """Regenerate with: python -m wsarecv_cli.diagnose.catalogue > docs/FINDINGS.md"""
    assert (ROOT / "docs" / "FINDINGS.md").read_text() == markdown()


@pytest.mark.parametrize("text, codes", [
    ("WR101", {"WR101"}), ("split-message,WR103", {"WR101", "WR103"}), (" wr105 , ", {"WR105"}),
    ("any", {c.code for c in CATALOGUE}), ("strict", set(STRICT_CODES)), ("none", set()), ("", set()),
    ("strict,zero-window", {"WR201", "WR202", "WR108"}),
], ids=repr)
def test_fail_on_values(text, codes) -> None:
    assert parse_fail_on(text) == codes


def test_unknown_codes_are_named() -> None:
    with pytest.raises(ValueError, match="unknown finding 'WR1'.*WR101"):
        parse_fail_on("WR1")
    assert lookup("Zero-Window").code == "WR108"
