"""Terminal and pipe rules (render/fit.py): golden output at 60, 80, 120, 200 columns and piped.

A narrow terminal gets the documented shrink order (break after the arrow / slash, then one
block per flow), never a dropped column or an ellipsis; a pipe gets whole lines, whatever their
width. Regenerate with `UPDATE_GOLDEN=1 python -m pytest tests/cli/test_terminal_fit.py`.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import SAMPLES
from wsarecv_cli.cli.common import make_console, wants_color
from wsarecv_cli.cli.main import cli
from wsarecv_cli.render.fit import PIPE_WIDTH

GOLDEN = Path(__file__).parent / "golden"
RETRANS = str(SAMPLES / "ipv6_vlan_retrans.pcapng")
HTTP = str(SAMPLES / "http_small_segments.pcap")
WIDTHS = ["60", "80", "120", "200", "piped"]


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), env={"NO_COLOR": "1", "COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    return result.stdout


def golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") or not path.exists():
        path.write_text(text)
    assert text == path.read_text(), f"{name} differs from the golden file"


def widths(width: str) -> list[str]:
    return [] if width == "piped" else ["--width", width]


@pytest.mark.parametrize("width", WIDTHS)
def test_flows_table_fits_or_stays_whole(width: str) -> None:
    out = run("flows", RETRANS, *widths(width))
    golden(f"flows_fit_{width}.txt", out)
    assert "…" not in out
    for needed in ("[2001:db8::1]:52000", "[2001:db8::2]:443", "10.0.0.1:5353", "1 retrans, 1 out-of-order"):
        assert needed in out.replace("\n", " ") or needed in out, needed
    if width != "piped":
        assert max(len(line) for line in out.splitlines()) <= int(width)


@pytest.mark.parametrize("width", WIDTHS)
def test_replay_summary_keeps_the_sha256_whole_in_a_pipe(width: str) -> None:
    out = run("replay", HTTP, "--receiver", "server", *widths(width))
    golden(f"replay_fit_{width}.txt", out)
    sha = "c9600bd6c01beb7bdcf1c1331e9f4a01db7f5471116cadc0fe0a1286dff118b5"
    if width == "piped" or int(width) >= 100:
        assert sha in out  # on one line: copyable
    else:
        assert sha not in out and sha[:30] in out  # a narrow terminal folds it, still all there


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("choice", "env", "tty", "colored"), [
    pytest.param("auto", {}, True, True, id="terminal"),
    pytest.param("auto", {}, False, False, id="pipe"),
    pytest.param("auto", {"NO_COLOR": "1"}, True, False, id="no-color"),
    pytest.param("auto", {"TERM": "dumb"}, True, False, id="dumb-terminal"),
    pytest.param("always", {"NO_COLOR": "1"}, False, True, id="always-wins"),
    pytest.param("never", {}, True, False, id="never"),
])
def test_color_rules(monkeypatch, choice: str, env: dict, tty: bool, colored: bool) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert wants_color(choice, _Tty() if tty else io.StringIO()) is colored


def test_a_pipe_gets_wide_lines_and_a_terminal_its_width(monkeypatch) -> None:
    monkeypatch.setattr("sys.stdout", io.StringIO())
    assert make_console("auto").width == PIPE_WIDTH
    assert make_console("auto", 70).width == 70
