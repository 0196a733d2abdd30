"""The limit warning counts the captured bytes dropped at --max-ooo-bytes, not the sequence space
their gaps span (a sender whose sequence numbers jump by 2**31 made it claim gigabytes)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.robustness.cli_run import wsarecv
from tests.robustness.corpus import write_pcap
from tests.robustness.hostile import seq_jump_frames

SEGMENTS, PAYLOAD = 3000, 16  # seq_jump_frames sends 16 bytes a segment


@pytest.fixture(scope="module")
def seq_jump(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("limit-bytes") / "seq-jump.pcap"
    write_pcap(path, seq_jump_frames(SEGMENTS))
    return path


def _dropped(stderr: str) -> int:
    found = re.search(r"dropped at the limit, (\d+) captured bytes", " ".join(stderr.split()))
    assert found, stderr
    return int(found.group(1))


@pytest.mark.parametrize("command", [("flows", "--json"), ("follow", "--json"), ("replay", "--ndjson")],
                         ids=["flows", "follow", "replay"])
def test_dropped_bytes_are_captured_bytes(seq_jump: Path, command: tuple[str, ...]) -> None:
    run = wsarecv(*command, str(seq_jump), "--max-ooo-bytes", "4k")
    assert run.code == 0, run.stderr
    dropped = _dropped(run.stderr)
    assert 0 < dropped <= SEGMENTS * PAYLOAD
    assert dropped % PAYLOAD == 0  # whole segments


def test_every_command_reports_the_same_count(seq_jump: Path) -> None:
    counts = {_dropped(wsarecv(*cmd, str(seq_jump), "--max-ooo-bytes", "4k").stderr)
              for cmd in (("flows", "--json"), ("follow", "--json"), ("replay", "--ndjson"))}
    assert len(counts) == 1
