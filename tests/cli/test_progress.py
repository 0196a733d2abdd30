"""The progress bar: after a second, on a terminal only, never with --ndjson or --quiet."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from click.testing import CliRunner
from rich.console import Console

from tests.conftest import SAMPLES
from wsarecv_cli.cli import progress
from wsarecv_cli.cli.main import cli
from wsarecv_cli.cli.progress import CaptureProgress, wanted


@dataclass
class FakeCapture:
    total_bytes: int | None
    bytes_read: int = 0

    def batches(self):
        for i in range(5):
            self.bytes_read = (i + 1) * 1000
            yield [object()] * 100


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def terminal_console() -> tuple[Console, io.StringIO]:
    out = Terminal()
    return Console(file=out, force_terminal=True, width=100, color_system=None), out


@pytest.mark.parametrize(("total", "shows"), [
    pytest.param(5000, "reading", id="file-bytes-of-total"),
    pytest.param(None, "packets", id="pipe-packets"),
])
def test_a_slow_read_shows_progress_on_a_terminal(monkeypatch, total, shows: str) -> None:
    monkeypatch.setattr(progress, "DELAY", 0.0)
    console, out = terminal_console()
    source = FakeCapture(total)
    bar = CaptureProgress(source, "reading", console=console)
    assert sum(1 for _ in bar.packets(source)) == 500  # every packet still comes through, in order
    assert bar.shown and shows in out.getvalue()


def test_a_quick_read_stays_silent() -> None:
    console, out = terminal_console()
    source = FakeCapture(5000)
    bar = CaptureProgress(source, "reading", console=console)
    assert sum(1 for _ in bar.packets(source)) == 500
    assert not bar.shown and out.getvalue() == ""


@pytest.mark.parametrize(("quiet", "ndjson", "stream", "expected"), [
    pytest.param(False, False, Terminal(), True, id="terminal"),
    pytest.param(True, False, Terminal(), False, id="quiet"),
    pytest.param(False, True, Terminal(), False, id="ndjson"),
    pytest.param(False, False, io.StringIO(), False, id="pipe"),
])
def test_when_progress_is_wanted(quiet: bool, ndjson: bool, stream, expected: bool) -> None:
    assert wanted(quiet, ndjson, stream) is expected


@pytest.mark.parametrize("command", ["flows", "follow", "replay", "check"])
def test_commands_take_quiet_and_print_nothing_extra(command: str) -> None:
    result = CliRunner().invoke(cli, [command, str(SAMPLES / "http_small_segments.pcap"), "--quiet"])
    assert result.exit_code == 0 and result.stderr == ""
