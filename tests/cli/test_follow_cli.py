"""`wsarecv follow`: text, --hex, --raw, --json, gaps visible, errors."""

from __future__ import annotations

import hashlib
import json

import pytest
from click.testing import CliRunner
from flows_pcap import BODY, write_sample

from wsarecv_cli.cli.main import cli


@pytest.fixture
def sample(tmp_path):
    return write_sample(tmp_path / "sample.pcap")


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


def test_text_shows_both_directions_and_the_gap(sample):
    result = run("follow", sample, "--flow", "tcp:0", "--color", "never")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.index("GET / HTTP/1.0") < out.index("HTTP/1.0 200 OK") < out.index("[14 bytes missing in capture]")
    assert "[FIN at offset" in out
    assert "udp:0" not in out


def test_default_is_every_flow(sample):
    out = run("follow", sample, "--color", "never").stdout
    assert "tcp:0" in out and "answer!" in out


def test_hex(sample):
    out = run("follow", sample, "--flow", "udp:0", "--hex", "--color", "never").stdout
    assert "00000000  61 6e 73 77 65 72 21" in out


@pytest.mark.parametrize(("direction", "expected"), [
    ("server", BODY[:19] + BODY[33:]),
    ("10.0.0.2:80", BODY[:19] + BODY[33:]),
    ("client", b"GET / HTTP/1.0\r\n\r\n"),
])
def test_raw_writes_one_direction(sample, direction, expected):
    result = run("follow", sample, "--flow", "tcp:0", "--raw", direction)
    assert result.exit_code == 0
    assert result.stdout_bytes == expected


def test_raw_reports_gaps_on_stderr(sample):
    result = run("follow", sample, "--flow", "tcp:0", "--raw", "server")
    assert "14 bytes not-captured at offset 19" in result.stderr


def test_raw_needs_one_flow(sample):
    assert run("follow", sample, "--raw", "server").exit_code == 2


def test_json(sample):
    result = run("follow", sample, "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    tcp = doc["flows"][0]
    client, server = tcp["directions"]
    assert (client["sender"], server["sender"]) == ("10.0.0.1:51000", "10.0.0.2:80")
    data = BODY[:19] + BODY[33:]
    assert (server["bytes"], server["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())
    assert server["gaps"] == [[19, 14]] and server["gap_reasons"] == ["not-captured"]
    assert [(s["offset"], s["length"], s["frames"]) for s in server["segments"]] == [(0, 19, [5]), (33, 4, [6])]
    assert server["fin"] and client["fin"]
    udp = doc["flows"][1]
    assert [d["bytes"] for d in udp["directions"]] == [5, 7]


def test_strict(sample):
    assert run("follow", sample, "--flow", "tcp:0", "--strict", "--json").exit_code == 3
    assert run("follow", sample, "--flow", "udp:0", "--strict", "--json").exit_code == 0


def test_no_match_and_missing_file(sample, tmp_path):
    result = run("follow", sample, "--flow", "udp:3", "--json")
    assert result.exit_code == 1 and "udp:3 matches no flow" in result.stderr
    missing = run("follow", tmp_path / "nope.pcap")
    assert missing.exit_code == 1 and missing.stdout == ""
