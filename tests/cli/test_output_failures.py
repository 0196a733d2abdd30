"""Output failures, as a shell produces them (real processes, real file descriptors):
a closed pipe ends quietly with 0; closed stdout, a full disk and an unwritable export path are one
line on stderr and exit 1; an export that cannot apply is a usage error (2)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTTP = str(ROOT / "samples" / "http_small_segments.pcap")
SCENARIO = str(ROOT / "samples" / "scenarios" / "scatter_order.toml")

COMMANDS = {
    "flows": ("flows", HTTP),
    "flows-json": ("flows", HTTP, "--json"),
    "follow": ("follow", HTTP),
    "follow-json": ("follow", HTTP, "--json"),
    "replay": ("replay", HTTP),
    "replay-json": ("replay", HTTP, "--json"),
    "replay-ndjson": ("replay", HTTP, "--ndjson"),
    "simulate": ("simulate", SCENARIO),
    "rules": ("rules",),
    "diff": ("diff", SCENARIO, "--a", "", "--b", "--platform wince"),
    "check": ("check", HTTP),
}


def _argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "wsarecv_cli", *args]


def _run(args: tuple[str, ...], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(_argv(*args), stderr=subprocess.PIPE, text=True, timeout=120, **kwargs)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_pipe_closed_by_its_reader_ends_quietly_with_0(name: str) -> None:
    """The reader is gone before the first byte is written: every write meets EPIPE."""
    proc = subprocess.Popen(_argv(*COMMANDS[name]), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    assert (proc.returncode, err.decode()) == (0, "")


def test_head_1_on_a_long_replay_exits_0_without_a_word() -> None:
    """`wsarecv replay ... | head -1` through a shell: more output than a pipe buffer holds."""
    cmd = " ".join(_argv("simulate", "--tcp", "20000", "--buffers", "1", "--width", "120")) + " | head -1"
    proc = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stderr == ""
    assert proc.stdout.count("\n") == 1


@pytest.mark.parametrize("name", list(COMMANDS))
def test_closed_stdout_is_one_line_and_exit_1(name: str) -> None:
    proc = _run(COMMANDS[name], preexec_fn=lambda: os.close(1))
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        "Error: standard output is closed (nothing could be printed); redirect it to a file or a pipe"]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_full_disk_is_one_line_and_exit_1(name: str) -> None:
    with open("/dev/full", "w") as full:
        proc = _run(COMMANDS[name], stdout=full)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == ["Error: cannot write to standard output: No space left on device"]


@pytest.mark.parametrize("command", [("replay", HTTP), ("simulate", SCENARIO)], ids=["replay", "simulate"])
@pytest.mark.parametrize("option", ["--export-html", "--export-svg"])
def test_an_export_into_a_missing_folder_fails_before_the_work(tmp_path: Path, command, option: str) -> None:
    target = tmp_path / "nodir" / "x.out"
    proc = _run((*command, option, str(target)), stdout=subprocess.PIPE)
    assert (proc.returncode, proc.stdout) == (1, "")
    assert proc.stderr.splitlines() == [f"Error: cannot write export {target}: folder does not exist"]


@pytest.mark.parametrize("command", [("replay", HTTP), ("simulate", SCENARIO)], ids=["replay", "simulate"])
def test_an_export_onto_a_folder_fails_before_the_work(tmp_path: Path, command) -> None:
    proc = _run((*command, "--export-svg", str(tmp_path)), stdout=subprocess.PIPE)
    assert (proc.returncode, proc.stdout) == (1, "")
    assert proc.stderr.splitlines() == [f"Error: cannot write export {tmp_path}: Is a directory"]


@pytest.mark.parametrize("records", ["--json", "--ndjson"])
@pytest.mark.parametrize("command", [("replay", HTTP), ("simulate", SCENARIO)], ids=["replay", "simulate"])
def test_an_export_beside_records_is_a_usage_error(tmp_path: Path, command, records: str) -> None:
    target = tmp_path / "x.html"
    proc = _run((*command, records, "--export-html", str(target)), stdout=subprocess.PIPE)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines()[-1] == ("Error: --export-svg/--export-html save the tables; they cannot be "
                                            "combined with --json or --ndjson")
    assert not target.exists()


def test_html_export_is_written_as_it_goes_and_parses(tmp_path: Path) -> None:
    """More prints than one HTML chunk: the streamed fragments still make one valid document."""
    html = tmp_path / "x.html"
    proc = _run(("simulate", "--tcp", "3000", "--buffers", "1", "--export-html", str(html)),
                stdout=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    text = html.read_text()
    root = ElementTree.fromstring(text)  # well-formed XML
    shown = "".join(root.itertext())
    assert shown.count("\n") > 3000 and "closure          still open" in shown  # the calls, then the summary


def test_svg_export_keeps_the_first_lines_and_says_how_many_are_left_out(tmp_path: Path) -> None:
    svg = tmp_path / "x.svg"
    proc = _run(("simulate", "--tcp", "6000", "--buffers", "1", "--export-svg", str(svg)),
                stdout=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr
    root = ElementTree.fromstring(svg.read_text())
    text = "".join(root.itertext()).replace("\xa0", " ")
    assert "(the first 5,000 lines; --export-html keeps all)" in text
    assert text.count("│") // 2 < 5000  # table rows, each with two bars at most
