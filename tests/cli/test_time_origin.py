"""Times count from the capture's first frame (as Wireshark), whatever its protocol; pcapng Simple
Packet Blocks have no timestamp and say so."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tests.capture.builders import epb, ether, idb, pcap, shb, spb, tcp_frame
from wsarecv_cli.cli.main import cli

ARP = ether(b"\x00\x01\x08\x00\x06\x04\x00\x01" + b"\x00" * 20, ethertype=0x0806)


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    return result.stdout


def arp_first(tmp_path: Path) -> str:
    """Frame 1 is ARP at 1000.000005 s; the TCP segments follow one second apart."""
    path = tmp_path / "arp_first.pcap"
    path.write_bytes(pcap([ARP, tcp_frame(b"hello", seq=100), tcp_frame(b"world", seq=105)]))
    return str(path)


def test_flows_table_counts_from_the_first_frame_not_the_first_tcp_packet(tmp_path: Path) -> None:
    row = next(line for line in run("flows", arp_first(tmp_path)).splitlines() if line.startswith("tcp:0"))
    assert "1.000001" in row and "2.000002" in row


def test_replay_and_follow_count_from_the_first_frame(tmp_path: Path) -> None:
    path = arp_first(tmp_path)
    calls = [json.loads(line) for line in run("replay", path, "--ndjson").splitlines()]
    assert [c["t"] for c in calls if c["type"] == "call"][:1] == [1.000001]
    assert "t=1.000001" in run("follow", path, "--flow", "tcp:0")


def test_simple_packet_blocks_have_no_time_and_the_summary_says_so(tmp_path: Path) -> None:
    path = tmp_path / "spb.pcapng"
    units = 1_600_000_000 * 1_000_000  # microseconds since 1970
    path.write_bytes(shb() + idb() + epb(units=units, data=tcp_frame(b"a", seq=1)) + spb(data=tcp_frame(b"b", seq=2)))
    out = run("flows", str(path))
    row = next(line for line in out.splitlines() if line.startswith("tcp:0"))
    assert "-" not in row.split("│")[2] + row.split("│")[3]  # no negative times (was -1600000000.000000)
    assert "1 frames have no timestamp (pcapng Simple Packet Blocks)" in " ".join(out.split())
