"""Every command shown in docs/TUTORIAL.md still runs with exit 0."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from wsarecv_cli.cli.main import cli

ROOT = Path(__file__).resolve().parents[2]
TUTORIAL = ROOT / "docs" / "TUTORIAL.md"


def tutorial_commands() -> list[str]:
    text = TUTORIAL.read_text(encoding="utf-8")
    blocks = re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S)
    return [line.removeprefix("$ ").strip() for block in blocks for line in block.splitlines()
            if line.removeprefix("$ ").startswith("wsarecv ")]


def test_tutorial_has_commands():
    assert len(tutorial_commands()) >= 20


@pytest.mark.parametrize("command", tutorial_commands())
def test_tutorial_command_runs(command, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, shlex.split(command)[1:])
    assert result.exit_code == 0, result.stderr
