"""`wsarecv flows`: table, --json schema, --flow, --strict, -r and stdin, error paths."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from flows_pcap import write_sample

from wsarecv_cli.cli.main import cli


@pytest.fixture
def sample(tmp_path):
    return write_sample(tmp_path / "sample.pcap")


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input)


def test_table_lists_flows_with_initiator_and_anomalies(sample):
    result = run("flows", sample, "--color", "never")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "tcp:0" in out and "udp:0" in out
    assert "10.0.0.1:51000* → 10.0.0.2:80" in out
    assert "1 gap (14 B)" in out
    assert "9 frames read, 9 TCP/UDP packets decoded; 1 TCP and 1 UDP flows" in out
    assert "\x1b[" not in out


def test_color_always_emits_escapes(sample):
    assert "\x1b[" in run("flows", sample, "--color", "always").stdout


def test_json_schema(sample):
    result = run("flows", sample, "--json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert set(doc) == {"capture", "stats", "warnings", "capture_reality", "flows"}
    assert [(w["code"], w["count"]) for w in doc["capture_reality"]] == [("capture-gaps", 1)]
    assert doc["stats"]["frames"] == 9
    tcp, udp = doc["flows"]
    assert set(tcp) >= {"id", "transport", "a", "b", "initiator", "first_ts", "last_ts", "closure", "a_to_b",
                        "b_to_a"}
    assert (tcp["id"], tcp["transport"], tcp["a"], tcp["b"], tcp["initiator"], tcp["closure"]) == \
        ("tcp:0", "tcp", "10.0.0.1:51000", "10.0.0.2:80", "10.0.0.1:51000", "closed")
    assert (tcp["client"], tcp["roles"], udp["client"], udp["roles"]) == \
        ("10.0.0.1:51000", "syn", "10.0.0.1:5353", "inferred")
    assert set(tcp["b_to_a"]) == {"packets", "bytes", "stream_bytes", "anomalies"}
    assert tcp["b_to_a"]["anomalies"]["gaps"] == 1 and tcp["b_to_a"]["anomalies"]["missing_bytes"] == 14
    assert (udp["id"], udp["a_to_b"]["bytes"], udp["b_to_a"]["bytes"]) == ("udp:0", 5, 7)


@pytest.mark.parametrize("selector", ["udp:0", "10.0.0.2:53-10.0.0.1:5353"])
def test_flow_selection(sample, selector):
    doc = json.loads(run("flows", sample, "--json", "--flow", selector).stdout)
    assert [f["id"] for f in doc["flows"]] == ["udp:0"]


def test_flow_that_matches_nothing_is_an_input_error(sample):
    result = run("flows", sample, "--flow", "tcp:7")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "tcp:7 matches no flow" in result.stderr


def test_bad_flow_syntax_is_a_usage_error(sample):
    assert run("flows", sample, "--flow", "bogus").exit_code == 2


def test_strict_exits_3_on_gaps(sample):
    assert run("flows", sample, "--strict").exit_code == 3
    assert run("flows", sample, "--strict", "--flow", "udp:0").exit_code == 0


def test_read_option_and_stdin(sample):
    assert run("flows", "-r", sample, "--json").exit_code == 0
    result = run("flows", "-", "--json", input=sample.read_bytes())
    assert result.exit_code == 0, result.stderr
    assert len(json.loads(result.stdout)["flows"]) == 2


def test_missing_file_one_line_on_stderr_nothing_on_stdout(tmp_path):
    result = run("flows", tmp_path / "nope.pcap")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_capture_argument_is_usage_error():
    assert run("flows").exit_code == 2


def test_truncated_file_warns_on_stderr_and_still_prints(sample, tmp_path):
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(sample.read_bytes()[:-10])
    result = run("flows", cut, "--json")
    assert result.exit_code == 0
    assert "warning:" in result.stderr
    assert json.loads(result.stdout)["warnings"]


def test_help_has_examples():
    assert "Examples:" in run("flows", "--help").stdout


def test_ipv6_addresses_are_not_turned_into_emoji(tmp_path) -> None:
    """rich reads ':a:' as an emoji code; [2001:db8::a:1] must print as written."""
    import socket

    import dpkt
    from click.testing import CliRunner

    from wsarecv_cli.cli.main import cli

    src = socket.inet_pton(socket.AF_INET6, "2001:db8::a:1")
    dst = socket.inet_pton(socket.AF_INET6, "2001:db8::b:2")
    udp = dpkt.udp.UDP(sport=5000, dport=53, data=b"q")
    udp.ulen = len(udp)
    ip6 = dpkt.ip6.IP6(src=src, dst=dst, nxt=dpkt.ip.IP_PROTO_UDP, hlim=64, data=udp, plen=len(udp))
    eth = dpkt.ethernet.Ethernet(src=b"\x00" * 6, dst=b"\x00" * 6, type=dpkt.ethernet.ETH_TYPE_IP6, data=ip6)
    capture = tmp_path / "v6.pcap"
    with capture.open("wb") as handle:
        dpkt.pcap.Writer(handle).writepkt(bytes(eth), ts=1_700_000_000)
    result = CliRunner().invoke(cli, ["flows", str(capture), "--width", "200"])
    assert result.exit_code == 0
    assert "[2001:db8::a:1]:5000" in result.stdout and "🅰" not in result.stdout
