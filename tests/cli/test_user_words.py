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
                 "arrive: a udp socket takes datagram", id="stream-data-on-udp"),
    pytest.param('title="t"\n[socket]\nprotocol="tcp"\n[[step]]\narrive={datagram="x"}\n',
                 "arrive: a tcp socket takes data", id="datagram-on-tcp"),
    pytest.param("title=3\n", "title: expected a string, got 3", id="toml-type"),
])
def test_scenario_errors_use_user_words(tmp_path: Path, toml: str, words: str) -> None:
    path = tmp_path / "s.toml"
    path.write_text(toml)
    result = CliRunner().invoke(cli, ["simulate", str(path)])
    assert result.exit_code == 1
    assert words in result.stderr
    assert not INTERNAL.search(result.stderr), result.stderr


def test_zero_length_wsabufs_text_quotes_what_the_scenario_delivers() -> None:
    """The explanation quotes the bytes each buffer gets; they are the expect step's data."""
    from tests.conftest import SAMPLES
    from wsarecv_cli.replay.scenario import parse_scenario

    scenario = parse_scenario(str(SAMPLES / "scenarios" / "zero_length_wsabufs.toml"))
    expected = next(s.expect for s in scenario.steps if s.expect is not None).get("data")
    quoted = " + ".join(f'"{chunk if isinstance(chunk, str) else chunk.decode()}"' for chunk in expected if chunk)
    assert quoted in " ".join(scenario.about.split())
