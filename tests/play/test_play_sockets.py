"""play over real loopback sockets: the app receives exactly the captured bytes, cut as captured,
and sees the connection end as captured (FIN, half-close, RST); UDP keeps datagram boundaries.

Recv sizes are checked under TCP_NODELAY + --pace: PACE between sends lets the app's recv return
each segment on its own (a reader thread blocked in recv wakes within microseconds on loopback;
PACE leaves a wide margin on a busy machine)."""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import replace

import pytest
from play_apps import Echo, TcpClientApp, TcpServerApp, UdpClientApp, UdpServerApp, answer_after
from play_captures import ACK, FIN, RST, Conversation, udp_exchange

from tests.conftest import SAMPLES, SHARED_CAPTURES
from wsarecv_cli.net import FlowSelector, Transport
from wsarecv_cli.play import Pacing, Player, Role, SliceSpec, load_script, open_channel, reslice, resolve

PACE = 0.05
FAST = Pacing(speed=0, pace=PACE, timeout=5)


def play(path, flow: str, role: Role, app, pacing: Pacing = FAST, slicing: str = "captured"):
    """Play `role`'s side of `flow` against `app` (a *ServerApp for a client, a *ClientApp for a server)."""
    script = load_script(str(path), FlowSelector.parse(flow), role).script
    script = replace(script, sends=reslice(script.sends, SliceSpec.parse(slicing)))
    as_client = role is Role.CLIENT
    address = resolve(app.address if as_client else "127.0.0.1:0", False, passive=not as_client)
    channel = open_channel(script.transport, as_client, address, 5, on_listen=getattr(app, "start", None))
    result = Player(script, channel, pacing).run()
    return script, result, app.join()


def sent_sizes(script) -> list[int]:
    return [len(s.data) for s in script.sends]


# -- boundaries ---------------------------------------------------------------------------------

@pytest.mark.parametrize("sample", ["framed_messages.pcap", "http_small_segments.pcap"])
def test_app_client_receives_the_captured_segments_one_recv_each(sample):
    request = b"GET /index.html HTTP/1.1\r\nHost: example\r\n\r\n" if sample.startswith("http") else b""
    script, result, seen = play(SAMPLES / sample, "tcp:0", Role.SERVER, TcpClientApp(request))
    assert seen.data == b"".join(s.data for s in script.sends)
    assert seen.sizes == sent_sizes(script)
    assert len(seen.sizes) > 5
    assert seen.ended == "eof"
    assert result.summaries[0].check.match is True


def test_app_server_receives_the_client_segments_and_its_reply_is_compared(tmp_path):
    cap = (Conversation().handshake().client(b"LEN 5\n").client(b"ab").client(b"cde").server(b"OK abcde\n")
           .client(flags=FIN | ACK).server(flags=FIN | ACK).write(tmp_path / "c.pcap"))
    app = TcpServerApp(answer_after(b"LEN 5\nabcde", b"OK abcde\n"))
    _script, result, seen = play(cap, "tcp:0", Role.CLIENT, app)
    assert seen.sizes == [6, 2, 3]
    assert result.received == [b"OK abcde\n"]
    assert result.matches


# -- closing as captured ------------------------------------------------------------------------

def test_rst_is_reproduced_and_seen_by_the_app():
    # tcp_rst.pcap: the client sends 5 bytes, the server 129 + 16 bytes, then a RST.
    _script, result, seen = play(SAMPLES / "tcp_rst.pcap", "tcp:0", Role.SERVER, TcpClientApp(b"x" * 5))
    assert seen.ended == "reset"
    assert seen.sizes == [129, 16]
    assert result.summaries[0].close == "rst"


def test_half_close_then_keep_reading(tmp_path):
    # The client shuts down its sending side, then reads the answer the server writes after EOF.
    cap = (Conversation().handshake().client(b"sum 1 2 3").client(flags=FIN | ACK).server(b"6\n")
           .server(flags=FIN | ACK).client(flags=ACK).write(tmp_path / "half.pcap"))
    app = TcpServerApp(after_eof=b"6\n")
    _script, result, seen = play(cap, "tcp:0", Role.CLIENT, app)
    assert seen.ended == "eof" and seen.data == b"sum 1 2 3"
    assert result.received == [b"6\n"]  # read after the player's FIN
    sent, received = result.summaries
    assert (sent.close, received.close) == ("half-close", "fin")
    assert result.matches


def test_player_fin_then_the_app_closes_too(tmp_path):
    cap = (Conversation().handshake().client(b"hi").server(b"bye").client(flags=FIN | ACK)
           .server(flags=FIN | ACK).write(tmp_path / "c.pcap"))
    _script, result, _seen = play(cap, "tcp:0", Role.CLIENT, TcpServerApp(answer_after(b"hi", b"bye")))
    assert [(s.close, s.expected_close) for s in result.summaries] == [("fin", "fin"), ("fin", "fin")]
    assert result.matches


def test_app_reset_stops_the_play_and_is_recorded(tmp_path):
    conversation = Conversation().handshake()
    for i in range(5):
        conversation.client(b"part %d;" % i)
    cap = conversation.client(flags=FIN | ACK).server(flags=FIN | ACK).write(tmp_path / "c.pcap")
    _script, result, seen = play(cap, "tcp:0", Role.CLIENT, TcpServerApp(abort=True), replace(FAST, pace=0.1))
    assert seen.ended == "aborted" and seen.sizes == [7]
    sent, received = result.summaries
    assert received.close == "rst"
    assert sent.units < 5 and sent.check.match is False  # what the capture had left was not sent


def test_captured_rst_from_the_app_side_is_only_expected(tmp_path):
    cap = (Conversation().handshake().client(b"hi").server(flags=RST | ACK).write(tmp_path / "r.pcap"))
    script, _result, seen = play(cap, "tcp:0", Role.CLIENT, TcpServerApp())
    assert script.app_close.value == "rst"
    assert seen.data == b"hi" and seen.ended == "eof"


# -- UDP ----------------------------------------------------------------------------------------

def test_udp_datagrams_keep_their_sizes():
    # udp_big_datagrams.pcap: 100, 3000 and 9000 bytes from the first sender (the "client").
    app = UdpServerApp(quiet=0.5)
    script, _result, seen = play(SAMPLES / "udp_big_datagrams.pcap", "udp:0", Role.CLIENT, app,
                                replace(FAST, pace=0))
    assert seen.sizes == [100, 3000, 9000]
    assert seen.data == b"".join(s.data for s in script.sends)


def test_udp_server_answers_where_the_app_asked(tmp_path):
    cap = udp_exchange(tmp_path / "u.pcap", [("c", b"q1"), ("s", b"a" * 700), ("s", b""), ("c", b"q2"),
                                            ("s", b"b" * 30)])
    app = UdpClientApp([b"q1", b"q2"], quiet=0.5)
    _script, result, seen = play(cap, "udp:0", Role.SERVER, app, replace(FAST, pace=0))
    assert seen.sizes == [700, 0, 30]
    assert result.received == [b"q1", b"q2"]
    assert result.matches


# -- slicing ------------------------------------------------------------------------------------

@pytest.mark.parametrize("slicing,expected", [
    ("fixed:4", [4, 4, 3]),
    ("bytewise", [1] * 11),
    ("random:7", None),  # whatever reslice made, recv for recv
])
def test_slicing_reaches_the_app_as_cut(tmp_path, slicing, expected):
    cap = (Conversation().handshake().client(b"hello").client(b" world").client(flags=FIN | ACK)
           .server(flags=FIN | ACK).write(tmp_path / "s.pcap"))
    script, _result, seen = play(cap, "tcp:0", Role.CLIENT, TcpServerApp(), replace(FAST, pace=0.03), slicing)
    assert seen.data == b"hello world"
    assert seen.sizes == (expected or sent_sizes(script))


def test_echo_app_replies_are_recorded():
    _script, result, seen = play(SAMPLES / "framed_messages.pcap", "tcp:0", Role.SERVER,
                                TcpClientApp(respond=Echo()), replace(FAST, timeout=1))
    assert b"".join(result.received) == seen.data  # the app echoed everything back
    assert result.summaries[1].check.match is False  # the captured client sent nothing


# -- both sides of a real capture, played against each other -------------------------------------

def _self_play(path, flow: str):
    """The captured server and client, each played by a Player, talking to each other on loopback."""
    server_script = load_script(str(path), FlowSelector.parse(flow), Role.SERVER).script
    client_script = load_script(str(path), FlowSelector.parse(flow), Role.CLIENT).script
    listening: queue.Queue = queue.Queue()
    results: dict[str, object] = {}

    def serve() -> None:
        address = resolve("127.0.0.1:0", False, passive=True)
        channel = open_channel(server_script.transport, False, address, 5, on_listen=listening.put)
        results["server"] = Player(server_script, channel, Pacing(speed=0, timeout=3)).run()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    bound = listening.get(timeout=5)
    if client_script.transport is Transport.UDP and not client_script.sends:
        pytest.skip("the captured client sends nothing: a UDP server cannot learn where to answer")
    channel = open_channel(client_script.transport, True, bound, 5)
    results["client"] = Player(client_script, channel, Pacing(speed=0, timeout=3)).run()
    thread.join(10)
    assert not thread.is_alive()
    return results["server"], results["client"]


SELF_PLAY = [pytest.param(SAMPLES / name, flow, id=name) for name, flow in [
    ("http_small_segments.pcap", "tcp:0"), ("framed_messages.pcap", "tcp:0"), ("tcp_rst.pcap", "tcp:0"),
    ("udp_fragments.pcap", "udp:0"), ("ipv6_vlan_retrans.pcapng", "tcp:0"),
    ("tcp_urgent.pcap", "tcp:0")]]  # the urgent byte: sent with MSG_OOB, read inline (SO_OOBINLINE)
SELF_PLAY += [pytest.param(SHARED_CAPTURES / name, "tcp:0", id=name, marks=pytest.mark.skipif(
    not (SHARED_CAPTURES / name).exists(), reason=f"public capture corpus not found at {SHARED_CAPTURES}"))
    for name in ("dpkt_http.pcap", "suricata_rst_with_data.pcap", "suricata_sll2_tcp_bulk.pcap")]


@pytest.mark.parametrize("path,flow", SELF_PLAY)
def test_both_sides_played_against_each_other_match_the_capture(path, flow):
    server, client = _self_play(path, flow)
    for result in (server, client):
        assert [s.check.match for s in result.summaries] == [True, True], result.summaries
    assert client.summaries[1].size == server.summaries[0].size
    assert server.summaries[1].size == client.summaries[0].size
    assert server.summaries[0].size + client.summaries[0].size > 0


# -- timing options (loose bounds: accuracy is measured in bench/play_timing.py, not tested) -----

def test_max_gap_cuts_long_captured_pauses(tmp_path):
    cap = (Conversation(step=1.0).handshake().client(b"a").client(b"b").client(b"c").client(flags=FIN | ACK)
           .server(flags=FIN | ACK).write(tmp_path / "slow.pcap"))
    started = time.monotonic()
    _script, _result, seen = play(cap, "tcp:0", Role.CLIENT, TcpServerApp(), Pacing(speed=1, timeout=5, max_gap=0.05))
    assert seen.data == b"abc"
    assert time.monotonic() - started < 2.0  # the captured pauses add up to 5 s


def test_ipv6_loopback():
    app = TcpClientApp(b"GET /index.html HTTP/1.1\r\nHost: example\r\n\r\n")
    script = load_script(str(SAMPLES / "http_small_segments.pcap"), FlowSelector.parse("tcp:0"), Role.SERVER).script
    channel = open_channel(script.transport, False, resolve("[::1]:0", False, passive=True), 5, on_listen=app.start)
    result = Player(script, channel, FAST).run()
    assert app.join().sizes == [37] * 9
    assert result.summaries[0].sender.startswith("[::1]:")


def test_bulk_data_to_an_echo_app_does_not_deadlock(tmp_path):
    # 12 MB each way at once, more than loopback's socket buffers hold: the player must read the
    # echo while it sends, or both sides' buffers fill and each waits for the other to read.
    conversation = Conversation().handshake()
    for i in range(200):
        conversation.server(bytes([i]) * 60_000)
    cap = conversation.server(flags=FIN | ACK).client(flags=FIN | ACK).write(tmp_path / "bulk.pcap")
    _script, result, seen = play(cap, "tcp:0", Role.SERVER, TcpClientApp(respond=Echo()),
                                 Pacing(speed=0, timeout=3))
    assert len(seen.data) == 12_000_000 and seen.ended == "eof"
    assert b"".join(result.received) == seen.data
    assert result.summaries[0].check.match is True
