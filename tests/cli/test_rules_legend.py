"""`wsarecv rules` explains its source column: every tag a rule cites has a line in the legend."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner

from wsarecv_cli.cli.main import cli
from wsarecv_cli.model import rules as spec


def test_every_tag_cited_by_a_rule_is_in_the_legend() -> None:
    legend = {tag for tag, _ in (*spec.EVIDENCE_KINDS, *spec.SOURCES)}
    cited = {m for rule in spec.RULES for source in rule.sources
             for m in re.findall(r"\[[A-Z]\]|\b[A-Z]{2}\b", source)}
    assert cited - legend == set()
    assert {"MR", "MV", "WA", "WT", "RA", "WS"} <= legend


def test_rules_prints_the_legend_and_one_rule_its_own_tags() -> None:
    everything = CliRunner().invoke(cli, ["rules", "--width", "160"], env={"NO_COLOR": "1"}).stdout
    assert "Sources (spec section 0)" in everything
    assert "MR   Microsoft docs: WSARecv" in everything
    one = CliRunner().invoke(cli, ["rules", "R17", "--width", "160"], env={"NO_COLOR": "1"}).stdout
    assert "RA   reactos/reactos drivers/network/afd/afd/read.c" in one
    assert "MC   " not in one  # only the tags R17 cites


def test_rules_json_has_the_legend() -> None:
    doc = json.loads(CliRunner().invoke(cli, ["rules", "--json"]).stdout)
    assert {"tag": "WT", "meaning": dict(spec.SOURCES)["WT"]} in doc["sources"]
