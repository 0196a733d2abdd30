"""`replay --ndjson` written line by line (cli/replay_ndjson.py) is byte for byte the general path:
every record a dict, the detectors fed the dicts, NdjsonWriter encoding them
(`_print_records(..., direct_lines=False)`), over the samples and the shared captures."""

from __future__ import annotations

import functools

import pytest
from click.testing import CliRunner

from tests.conftest import SAMPLES, corpus_params
from wsarecv_cli.cli import replay_output
from wsarecv_cli.cli.main import cli

SAMPLE_CAPTURES = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".pcap", ".pcapng"))

OPTIONS = {
    "default": [],
    "no-findings": ["--no-findings"],
    "iocp-small-buffers-data-explain": ["--buffers", "3,4", "--mode", "iocp", "--show-data", "--explain"],
    "routine-drain-zero-wsabuf": ["--mode", "overlapped-routine", "--schedule", "drain", "--buffers", "100,0,50"],
    "nonblocking-interval": ["--mode", "nonblocking", "--schedule", "interval:1ms", "--buffers", "512"],
    "random-event-outstanding": ["--schedule", "random:7", "--buffers", "100,50", "--mode", "overlapped-event",
                                 "--outstanding", "3"],
    "reliable-msg-wince": ["--protocol", "reliable-msg", "--buffers", "200", "--platform", "wince"],
    "partial-msg-peek": ["--protocol", "partial-msg", "--buffers", "10", "--flags", "MSG_PEEK"],
    "oobinline-keep-on-reset": ["--oobinline", "--keep-on-reset", "--buffers", "1,1"],
}


def _both(capture: str, options: list[str], monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    args = ["replay", capture, "--ndjson", *options]
    direct = CliRunner().invoke(cli, args)
    with monkeypatch.context() as patch:
        patch.setattr(replay_output, "_print_records",
                      functools.partial(replay_output._print_records, direct_lines=False))
        general = CliRunner().invoke(cli, args)
    assert direct.exit_code == general.exit_code, (direct.stderr, general.stderr)
    return direct.stdout, general.stdout


@pytest.mark.parametrize("options", OPTIONS.values(), ids=OPTIONS.keys())
@pytest.mark.parametrize("capture", SAMPLE_CAPTURES, ids=[p.stem for p in SAMPLE_CAPTURES])
def test_sample_lines_are_the_general_paths_bytes(capture, options, monkeypatch):
    direct, general = _both(str(capture), options, monkeypatch)
    assert direct == general
    assert direct.count("\n") > 2  # records were written: the comparison compares something


@pytest.mark.parametrize("options", [[], ["--buffers", "7,0,9", "--mode", "iocp", "--explain"]], ids=["default", "iocp"])
@pytest.mark.parametrize("capture", corpus_params())
def test_corpus_lines_are_the_general_paths_bytes(capture, options, monkeypatch):
    direct, general = _both(str(capture), options, monkeypatch)
    assert direct == general


def test_the_general_path_is_really_another_path(monkeypatch):
    """The reference must not be the direct writer again: break the direct writer's call lines and
    only the direct output changes."""
    from wsarecv_cli.render import record_lines

    capture = str(SAMPLES / "http_small_segments.pcap")
    monkeypatch.setattr(record_lines.RowLines, "__call__", lambda self, row: "changed\n")
    monkeypatch.setattr(record_lines.RowLines, "blocking", lambda self, result, done: "changed\n")
    direct, general = _both(capture, [], monkeypatch)
    assert "changed" in direct and "changed" not in general


# ---- the plain-row shortcut (RowLines.plain + the summary's add_*_bytes + handed_over) ----------

def _direct(capture: str, options: list[str]) -> str:
    result = CliRunner().invoke(cli, ["replay", capture, "--ndjson", *options])
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("options", [[], ["--no-findings"], ["--buffers", "512"], ["--protocol", "reliable-msg"]],
                         ids=["default", "no-findings", "small-buffer", "reliable-msg"])
@pytest.mark.parametrize("capture", SAMPLE_CAPTURES, ids=[p.stem for p in SAMPLE_CAPTURES])
def test_the_plain_row_shortcut_changes_no_byte(capture, options, monkeypatch):
    """The direct writer with the shortcut off (every row through SummaryAccumulator.add,
    RowLines.blocking and plain_outcome) writes what it writes with it on."""
    from wsarecv_cli.render import record_lines

    shortcut = _direct(str(capture), options)
    monkeypatch.setattr(record_lines.RowLines, "plain", lambda self, result, done: None)
    assert shortcut == _direct(str(capture), options)


def test_the_plain_row_shortcut_is_taken_on_tcp_and_udp(monkeypatch):
    """With the shortcut's lines changed, the direct output shows them (on a TCP and a UDP capture)
    and the general path does not: the comparisons above compare two paths."""
    from wsarecv_cli.render import record_lines

    plain = record_lines.RowLines.plain

    def marked(self, result, done):
        made = plain(self, result, done)
        return None if made is None else ("plain\n", made[1])

    monkeypatch.setattr(record_lines.RowLines, "plain", marked)
    for name in ("http_small_segments.pcap", "udp_big_datagrams.pcap"):
        direct, general = _both(str(SAMPLES / name), [], monkeypatch)
        assert "plain\n" in direct and "plain" not in general, name
