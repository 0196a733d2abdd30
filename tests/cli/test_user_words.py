"""Scenario errors speak of the file and the wire, never of the model's classes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from wsarecv_cli.cli.main import cli

INTERNAL = re.compile(r"StreamBytes|UrgentByte|CaptureGap|Message\(|IcmpError|\bdict\b|\bstr\b|\bint\b")


@pytest.mark.parametrize(("toml", "words"), [
    pytest.param('title="t"\n[socket]\nprotocol="udp"\n[[step]]\narrive={data="x"}\n',
                 "input: stream data does not fit this provider", id="stream-data-on-udp"),
    pytest.param('title="t"\n[socket]\nprotocol="tcp"\n[[step]]\narrive={datagram="x"}\n',
                 "input: a message does not fit this provider", id="datagram-on-tcp"),
    pytest.param("title=3\n", "title: expected a string, got 3", id="toml-type"),
])
def test_scenario_errors_use_user_words(tmp_path: Path, toml: str, words: str) -> None:
    path = tmp_path / "s.toml"
    path.write_text(toml)
    result = CliRunner().invoke(cli, ["simulate", str(path)])
    assert result.exit_code == 1
    assert words in result.stderr
    assert not INTERNAL.search(result.stderr), result.stderr
