"""`wsarecv play` on the command line: --expect-replies verdicts and exit codes, records, the
loopback-only rule, usage and network errors as one line, Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys

import pytest
from click.testing import CliRunner
from play_apps import Echo, TcpServerApp, UdpServerApp, answer_after
from play_captures import ACK, FIN, Conversation, udp_exchange

from tests.conftest import ROOT, SAMPLES
from wsarecv_cli.cli.main import cli

REQUEST, RESPONSE = b"GET /x\r\n\r\n", b"HTTP/1.0 200 OK\r\n\r\nhello"


@pytest.fixture
def http_capture(tmp_path):
    return (Conversation().handshake().client(REQUEST).server(RESPONSE[:17]).server(RESPONSE[17:])
            .server(flags=FIN | ACK).client(flags=FIN | ACK).write(tmp_path / "http.pcap"))


def run(*args):
    return CliRunner().invoke(cli, ["play", *map(str, args)])


def play_client(capture, app, *extra):
    return run(capture, "--flow", "tcp:0", "--as", "client", "--connect", app.address, "--speed", "0",
               "--timeout", "3", *extra)


def test_expect_replies_match_exits_0_with_a_summary_table(http_capture):
    app = TcpServerApp(answer_after(REQUEST, RESPONSE))
    result = play_client(http_capture, app, "--expect-replies", "--color", "never")
    app.join()
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("tcp:0 played as client: 127.0.0.1:")
    assert [line.split()[:2] + line.split()[-1:] for line in lines[3:]] == [
        ["player", "→", "yes"], ["app", "→", "yes"]]


def test_expect_replies_mismatch_exits_3_and_says_where(http_capture):
    app = TcpServerApp(Echo())  # the echo never reaches the captured reply's length: the wait runs out
    result = play_client(http_capture, app, "--expect-replies", "--color", "never", "--timeout", "0.5")
    app.join()
    assert result.exit_code == 3
    assert "app → player: first difference at byte 0: expected 48 54 54 50" in result.stdout


def test_mismatch_without_expect_replies_exits_0(http_capture):
    app = TcpServerApp(Echo())
    result = play_client(http_capture, app, "--color", "never", "--timeout", "0.5")
    app.join()
    assert result.exit_code == 0
    assert "NO" in result.stdout


def test_ndjson_records(http_capture):
    app = TcpServerApp(answer_after(REQUEST, RESPONSE))
    result = play_client(http_capture, app, "--ndjson")
    app.join()
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["type"] for r in records if r["type"] in ("send", "summary")] == ["send", "summary", "summary"]
    send = records[0]
    assert (send["n"], send["bytes"], send["capture_t"], send["oob"]) == (1, len(REQUEST), 0.003, False)
    recvs = [r for r in records if r["type"] == "recv"]
    assert sum(r["bytes"] for r in recvs) == len(RESPONSE)
    closes = {(r["side"], r["how"]) for r in records if r["type"] == "close"}
    assert closes == {("player", "fin"), ("app", "fin")}
    sent, received = records[-2:]
    assert (sent["direction"], sent["segments"], sent["bytes"], sent["match"]) == ("sent", 1, len(REQUEST), True)
    assert (received["direction"], received["expected_segments"], received["expected_bytes"], received["match"],
            received["difference"]) == ("received", 2, len(RESPONSE), True, None)


def test_udp_expect_replies_mismatch_names_the_datagram(tmp_path):
    cap = udp_exchange(tmp_path / "u.pcap", [("c", b"ping"), ("s", b"pong!")])
    app = UdpServerApp(lambda d: d, quiet=0.3)  # echoes: "ping" instead of "pong!"
    result = run(cap, "--flow", "udp:0", "--as", "client", "--connect", app.address, "--speed", "0",
                 "--timeout", "2", "--expect-replies", "--color", "never")
    app.join()
    assert result.exit_code == 3
    assert "datagram 1 differs: expected 5 bytes 70 6f 6e 67 21, got 4 bytes 70 69 6e 67" in result.stdout


# -- refusals and errors: one line, documented exit codes ----------------------------------------

@pytest.mark.parametrize("role,option,address", [
    ("client", "--connect", "192.0.2.1:80"),
    ("client", "--connect", "[2001:db8::1]:80"),
    ("server", "--listen", "0.0.0.0:9000"),
    ("server", "--listen", "[::]:9000"),
], ids=["connect-v4", "connect-v6", "listen-any-v4", "listen-any-v6"])
def test_non_loopback_needs_allow_remote(role, option, address):
    result = run(SAMPLES / "http_small_segments.pcap", "--flow", "tcp:0", "--as", role, option, address)
    assert result.exit_code == 2
    assert "is not a loopback address" in result.stderr and "--allow-remote" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args,message", [
    (["--as", "client", "--listen", "127.0.0.1:1"], "--as client needs --connect"),
    (["--as", "server", "--connect", "127.0.0.1:1"], "--as server needs --listen"),
    (["--as", "client", "--connect", "127.0.0.1:1", "--slice", "chunky"], "is not a slicing"),
    (["--as", "client", "--connect", "localhost"], "is not HOST:PORT"),
    (["--as", "client", "--connect", "127.0.0.1:1", "--speed", "-1"], "--speed"),
], ids=["client-without-connect", "server-without-listen", "bad-slice", "no-port", "negative-speed"])
def test_usage_errors_exit_2(args, message):
    result = run(SAMPLES / "http_small_segments.pcap", "--flow", "tcp:0", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_slice_on_udp_is_a_usage_error():
    result = run(SAMPLES / "udp_fragments.pcap", "--flow", "udp:0", "--as", "client", "--connect", "127.0.0.1:9",
                 "--slice", "bytewise")
    assert result.exit_code == 2 and "--slice applies to TCP only" in result.stderr


def test_bytes_missing_from_the_capture_cannot_be_played(tmp_path):
    conversation = Conversation().handshake().client(b"GET").server(b"abc")
    conversation.seq["s"] += 10  # ten bytes the tap never saw
    cap = conversation.server(b"def").client(flags=ACK).write(tmp_path / "gap.pcap")
    result = run(cap, "--flow", "tcp:0", "--as", "server", "--listen", "127.0.0.1:0")
    assert result.exit_code == 1
    assert "the capture lacks 10 bytes the server sent (at offset 3)" in result.stderr


def test_no_matching_flow_exits_1():
    result = run(SAMPLES / "http_small_segments.pcap", "--flow", "udp:4", "--as", "client", "--connect",
                 "127.0.0.1:9")
    assert result.exit_code == 1 and "no flow in the capture matches --flow udp:4" in result.stderr


def _closed_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as sock:
        return sock.getsockname()[1]


def test_connection_refused_exits_4():
    result = run(SAMPLES / "http_small_segments.pcap", "--flow", "tcp:0", "--as", "client", "--connect",
                 f"127.0.0.1:{_closed_port()}", "--timeout", "2")
    assert result.exit_code == 4
    assert result.stderr.strip().startswith("Error: connection refused by 127.0.0.1:")
    assert len(result.stderr.strip().splitlines()) == 1


def test_address_in_use_exits_4():
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        result = run(SAMPLES / "http_small_segments.pcap", "--flow", "tcp:0", "--as", "server", "--listen",
                     f"127.0.0.1:{port}")
    assert result.exit_code == 4
    assert f"Error: address 127.0.0.1:{port} is already in use" in result.stderr


def test_nobody_connecting_times_out_with_exit_4():
    result = run(SAMPLES / "http_small_segments.pcap", "--flow", "tcp:0", "--as", "server", "--listen",
                 "127.0.0.1:0", "--timeout", "0.2")
    assert result.exit_code == 4
    assert "no application connected to 127.0.0.1:" in result.stderr and "within 0.2s" in result.stderr


def test_ctrl_c_while_waiting_exits_130():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "wsarecv_cli", "play", str(SAMPLES / "http_small_segments.pcap"),
                             "--flow", "tcp:0", "--as", "server", "--listen", "127.0.0.1:0", "--timeout", "20"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    try:
        assert "waiting on 127.0.0.1:" in proc.stderr.readline()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 130
        assert "Traceback" not in proc.stderr.read()
    finally:
        proc.kill()
        proc.wait()


def test_udp_port_unreachable_exits_4():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run(SAMPLES / "udp_fragments.pcap", "--flow", "udp:0", "--as", "client", "--connect",
                 f"127.0.0.1:{port}", "--speed", "0", "--timeout", "2")
    assert result.exit_code == 4
    assert f"Error: 127.0.0.1:{port} refused a datagram (ICMP port unreachable)" in result.stderr
