"""The one sanitiser (render/sanitize.py): control characters from untrusted text are escaped
visibly before they reach a terminal or an export, and exports stay well-formed XML."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.robustness.cli_run import wsarecv
from wsarecv_cli.render.sanitize import json_safe, safe_text

HOSTILE = "\x1b]0;x\x07\x1b[2J <&>"


@pytest.mark.parametrize(("text", "shown"), [
    ("plain title", "plain title"),
    (HOSTILE, "\\x1b]0;x\\x07\\x1b[2J <&>"),
    ("bell\x07", "bell\\x07"),
    ("csi\x9b2J", "csi\\x9b2J"),  # the one-byte C1 CSI
    ("del\x7f", "del\\x7f"),
    ("abc\u202edcba", "abc\\u202edcba"),  # right-to-left override
    ("iso\u2066late\u2069", "iso\\u2066late\\u2069"),
    ("two\nlines\ttab", "two\\x0alines\\x09tab"),
    ("name\udcff.toml", "name\\xff.toml"),  # an undecodable byte of a file name (surrogateescape)
    ("café ← 日本", "café ← 日本"),  # printable non-ASCII stays as it is
], ids=["plain", "osc-title-and-clear", "bel", "c1-csi", "del", "bidi-override", "bidi-isolate", "newline-tab",
        "surrogate-escape", "non-ascii"])
def test_safe_text_escapes_control_characters_visibly(text: str, shown: str) -> None:
    assert safe_text(text) == shown


def test_keep_newlines_keeps_line_structure_only() -> None:
    assert safe_text("a\nb\tc\x1b", keep_newlines=True) == "a\nb\tc\\x1b"


@given(st.text())
def test_json_safe_decodes_to_the_same_value_and_holds_no_c1_or_bidi(text: str) -> None:
    encoded = json_safe(json.dumps({"title": text}, ensure_ascii=False))
    assert json.loads(encoded) == {"title": text}
    assert not any(0x7F <= ord(c) <= 0x9F or 0x202A <= ord(c) <= 0x202E for c in encoded)


@pytest.fixture
def hostile_scenario(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.toml"
    path.write_text('title = "\\u001b]0;x\\u0007\\u001b[2J <&>"\n'
                    'about = "about \\u001b[31m red \\u202e <b>&amp;"\n'
                    '[socket]\nprotocol = "tcp"\n'
                    '[[step]]\narrive = { data = "hi" }\n[[step]]\nrecv = { buffers = [4] }\n')
    return path


def test_simulate_shows_a_hostile_title_escaped(hostile_scenario: Path) -> None:
    run = wsarecv("simulate", str(hostile_scenario), "--color", "never")
    assert run.code == 0, run.stderr
    assert "\x1b" not in run.stdout and "\x07" not in run.stdout and "\u202e" not in run.stdout
    assert "\\x1b]0;x\\x07\\x1b[2J <&>" in run.stdout
    assert "about \\x1b[31m red \\u202e <b>&amp;" in run.stdout


def test_exports_of_a_hostile_title_parse_as_xml(hostile_scenario: Path, tmp_path: Path) -> None:
    svg, html = tmp_path / "x.svg", tmp_path / "x.html"
    run = wsarecv("simulate", str(hostile_scenario), "--export-svg", str(svg), "--export-html", str(html))
    assert run.code == 0, run.stderr
    for path in (svg, html):
        root = ElementTree.fromstring(path.read_text())  # raises on anything not well-formed
        text = "".join(root.itertext()).replace("\xa0", " ")
        assert "\\x1b]0;x\\x07\\x1b[2J <&>" in text, path.name


def test_json_output_keeps_the_title_exactly_but_escaped(hostile_scenario: Path) -> None:
    run = wsarecv("simulate", str(hostile_scenario), "--json")
    assert run.code == 0, run.stderr
    assert "\u202e" not in run.stdout and "\x1b" not in run.stdout
    assert json.loads(run.stdout)["title"] == "\x1b]0;x\x07\x1b[2J <&>"


def test_a_hostile_file_name_is_escaped_in_the_error_line(tmp_path: Path) -> None:
    path = tmp_path / "evil\x1b[2J\u202e.pcap"
    path.write_bytes(b"not a capture at all")
    run = wsarecv("flows", str(path))
    assert run.code == 1
    assert "\x1b" not in run.stderr and "\u202e" not in run.stderr
    assert "evil\\x1b[2J\\u202e.pcap" in run.stderr


def test_check_names_a_hostile_file_escaped_and_its_junit_parses(tmp_path: Path) -> None:
    path = tmp_path / "evil\x1b]0;x\x07\u202e.pcap"
    path.write_bytes(b"not a capture at all")
    junit = tmp_path / "junit.xml"
    run = wsarecv("check", str(path), "--junit", str(junit))
    assert run.code == 1
    assert "\x1b" not in run.stdout + run.stderr and "\u202e" not in run.stdout + run.stderr
    root = ElementTree.fromstring(junit.read_text())
    assert "evil\\x1b]0;x\\x07\\u202e.pcap" in root.find("testsuite").get("name")
