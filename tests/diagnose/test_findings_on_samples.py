"""Each finding code where it must be and nowhere else: the project's samples and scenarios,
checked through `wsarecv check --ndjson` (captures) and `wsarecv simulate --ndjson` (scenarios)."""

from __future__ import annotations

import json
import shlex
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import ROOT, SAMPLES
from wsarecv_cli.cli.main import cli
from wsarecv_cli.diagnose import CATALOGUE, detect

SCENARIOS = SAMPLES / "scenarios"


def check_records(*args: str) -> list[dict]:
    result = CliRunner().invoke(cli, ["check", *args, "--ndjson"], env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def findings(*args: str) -> list[dict]:
    return [r for r in check_records(*args) if r["type"] == "finding"]


def codes(*args: str) -> Counter:
    return Counter(f["code"] for f in findings(*args))


def sample(name: str) -> str:
    return str(SAMPLES / name)


CASES = [
    ("http-clean", ["http_small_segments.pcap"], {}),
    ("framed-whole-buffers", ["framed_messages.pcap", "--framing", "len:u16be", "--schedule", "drain"],
     {"WR102": 1}),
    ("framed-64-byte-buffers", ["framed_messages.pcap", "--buffers", "64", "--framing", "len:u16be"],
     {"WR101": 5, "WR102": 5}),
    ("framed-without-framing", ["framed_messages.pcap", "--buffers", "64"], {}),
    ("udp-two-datagrams-too-big", ["udp_big_datagrams.pcap", "--buffers", "1024,1024"], {"WR103": 2}),
    ("udp-one-datagram-too-big", ["udp_big_datagrams.pcap", "--buffers", "4096"], {"WR103": 1}),
    ("udp-buffers-big-enough", ["udp_big_datagrams.pcap", "--buffers", "9000"], {}),
    ("udp-peek-loses-nothing", ["udp_big_datagrams.pcap", "--buffers", "1024", "--flags", "MSG_PEEK"], {}),
    ("udp-partial-provider", ["udp_big_datagrams.pcap", "--protocol", "partial-msg", "--buffers", "1024"],
     {"WR104": 2}),
    ("rst-read-in-time", ["tcp_rst.pcap"], {}),
    ("rst-unread-data", ["tcp_rst.pcap", "--schedule", "drain"], {"WR105": 1}),
    ("rst-keep-on-reset", ["tcp_rst.pcap", "--schedule", "drain", "--keep-on-reset"], {}),
    ("rst-receive-after-end", ["tcp_rst.pcap", "--receiver", "client", "--schedule",
                               f"script:{SCENARIOS / 'recv_after_reset.toml'}"], {"WR105": 1, "WR107": 1}),
    ("urgent-unread", ["tcp_urgent.pcap"], {"WR106": 1}),
    ("urgent-inline", ["tcp_urgent.pcap", "--oobinline"], {}),
    ("zero-window", ["tcp_zero_window.pcap"], {"WR108": 1}),
    ("connected-udp-other-peer", ["udp_big_datagrams.pcap", "--buffers", "9000", "--connected-peer",
                                  "10.0.0.2:5001"], {"WR109": 3}),
    ("connected-udp-its-peer", ["udp_big_datagrams.pcap", "--buffers", "9000", "--connected-peer",
                                "10.0.0.2:5000"], {}),
    ("capture-gap", ["tcp_lost_segment.pcap"], {"WR201": 1}),
    ("fragment-limit", ["udp_fragments.pcap", "--max-fragment-bytes", "1000"], {"WR202": 2}),
    ("pcapng-clean", ["ipv6_vlan_retrans.pcapng"], {}),
]


@pytest.mark.parametrize("args, expected", [pytest.param([sample(a[0]), *a[1]], e, id=name)
                                            for name, a, e in [(c[0], (c[1][0], c[1][1:]), c[2]) for c in CASES]])
def test_codes_on_the_samples(args, expected) -> None:
    assert codes(*args) == Counter(expected)


def test_every_code_is_covered_by_a_sample_case() -> None:
    covered = {code for _, _, expected in CASES for code in expected}
    assert covered == {c.code for c in CATALOGUE}


@pytest.mark.parametrize("code", CATALOGUE, ids=lambda c: c.code)
def test_the_catalogue_command_shows_its_code(code) -> None:
    """docs/FINDINGS.md's 'Shown by' command reports that code (run from the repository root)."""
    argv = shlex.split(code.shown_by)
    assert argv[:2] == ["wsarecv", "check"]
    args = [str(ROOT / a) if a.startswith("samples/") else a for a in argv[2:]]
    args = [a.replace("script:samples/", f"script:{ROOT}/samples/") for a in args]
    assert code.code in codes(*args)


def test_one_msgsize_finding_per_datagram_larger_than_the_buffers() -> None:
    found = findings(sample("udp_big_datagrams.pcap"), "--buffers", "1024,1024")
    assert [(f["n"], f["message"], f["bytes"]) for f in found] == [(2, 2, 952), (3, 3, 6952)]


def test_split_message_names_message_range_and_calls() -> None:
    found = [f for f in findings(sample("framed_messages.pcap"), "--buffers", "64", "--framing", "len:u16be")
             if f["code"] == "WR101"]
    # messages are 2 + len(body) bytes: alpha 7, bravo-charlie 15, d 3, echo*10 42, foxtrot 9, golf*30 122
    assert [(f["message"], f["range"], f["calls"]) for f in found] == [
        (1, [0, 7], [1, 2]), (2, [7, 22], [2, 3]), (4, [25, 67], [3, 4, 5, 6]),
        (6, [76, 198], [6, 7, 8, 9, 10]), (7, [198, 205], [10, 11])]
    assert all(f["offset"] == f["range"][0] and f["bytes"] == f["range"][1] - f["range"][0] for f in found)


def test_zero_window_says_how_long() -> None:
    (found,) = findings(sample("tcp_zero_window.pcap"))
    assert (found["receiver"], found["t"], found["duration"], found["offset"]) == ("10.0.0.1:51004", 0.005, 0.004, 2000)


def test_every_finding_names_its_place() -> None:
    for found in findings(sample("framed_messages.pcap"), sample("tcp_rst.pcap"), sample("tcp_urgent.pcap"),
                          "--buffers", "64", "--framing", "len:u16be", "--schedule", "drain"):
        assert {"capture", "flow", "receiver", "n", "t", "offset", "text"} <= set(found), found


# -- scenarios: the same detectors over `simulate --ndjson` records ---------------------------


def scenario_codes(name: str, app_flags=()) -> Counter:
    result = CliRunner().invoke(cli, ["simulate", str(SCENARIOS / name), "--ndjson"])
    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    return Counter(f.code for f in detect(records, app_flags))


@pytest.mark.parametrize("name, expected", [
    ("udp_truncation.toml", {"WR103": 1}),
    ("udp_peek_truncated.toml", {}),  # peeked: nothing lost, the next call gets it all
    ("partial_msg_provider.toml", {"WR104": 1}),
    ("rst_data_lost.toml", {"WR105": 1, "WR107": 1}),
    ("recv_after_reset.toml", {"WR105": 1, "WR107": 1}),
    ("graceful_close.toml", {"WR107": 1}),  # its last receive shows 0 again after the end
    ("coalesce_and_split.toml", {}),
    ("scatter_order.toml", {}),
    ("urgent_out_of_line.toml", {"WR106": 1}),
    ("reliable_msgsize_retention.toml", {}),
], ids=lambda v: v if isinstance(v, str) else None)
def test_codes_on_the_scenarios(name, expected) -> None:
    assert scenario_codes(name) == Counter(expected)


def test_an_application_reading_oob_itself_has_no_urgent_finding() -> None:
    assert scenario_codes("urgent_out_of_line.toml", app_flags={"MSG_OOB"}) == Counter()
