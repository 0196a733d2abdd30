"""A message-oriented --protocol over a TCP capture with a capture gap or an urgent byte: the replay
goes on (it used to stop with "CaptureGap/UrgentByte does not fit this provider")."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.cli.flows_pcap import write_sample
from tests.conftest import SAMPLES
from wsarecv_cli.cli.main import cli


def _replay(path, *args: str) -> tuple[int, list[dict], str]:
    result = CliRunner().invoke(cli, ["replay", str(path), "--ndjson", "--show-data", *args])
    records = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    return result.exit_code, records, result.stderr


def _received(records: list[dict]) -> list[bytes]:
    return [bytes.fromhex("".join(r["data_hex"])) for r in records
            if r["type"] == "call" and r.get("bytes") and r.get("data_hex")]


@pytest.mark.parametrize("protocol", ["reliable-msg", "partial-msg"])
def test_urgent_byte_is_a_message_of_its_own_without_framing(protocol: str) -> None:
    code, records, err = _replay(SAMPLES / "tcp_urgent.pcap", "--protocol", protocol, "--receiver", "server")
    assert code == 0, err
    assert _received(records) == [b"normal data ", b"more", b"!", b" after"]


def test_urgent_byte_stays_in_the_framed_stream() -> None:
    code, records, err = _replay(SAMPLES / "tcp_urgent.pcap", "--protocol", "reliable-msg", "--receiver", "server",
                                 "--framing", "fixed:23")
    assert code == 0, err
    assert _received(records) == [b"normal data more! after"]


def test_capture_gap_drops_the_missing_bytes_and_ends_framing(tmp_path) -> None:
    path = write_sample(tmp_path / "gap.pcap")  # the server's response lacks 14 bytes
    code, records, err = _replay(path, "--protocol", "reliable-msg", "--flow", "tcp:0", "--receiver", "client")
    assert code == 0, err
    assert _received(records) == [b"HTTP/1.0 200 OK\r\n\r\n", b"tail"]
    code, records, err = _replay(path, "--protocol", "reliable-msg", "--flow", "tcp:0", "--receiver", "client",
                                 "--framing", "line")
    assert code == 0, err
    # lines until the gap; framing ends there, later segments are a message each (as without it)
    assert _received(records) == [b"HTTP/1.0 200 OK\r\n", b"\r\n", b"tail"]
    assert "message framing lost" in json.dumps(records)
