"""Scenario parsing (errors name file, step and field) and the inline builder."""

from __future__ import annotations

import pytest

from wsarecv_cli.errors import ScenarioError
from wsarecv_cli.model import (
    Completion, Event, Fin, Message, Mode, Protocol, RecvFlags, RecvResult, Reset, Status, StreamBytes,
    UrgentByte,
)
from wsarecv_cli.replay.scenario import TICK_NS, inline_scenario, parse_scenario
from wsarecv_cli.replay.simulate import Action, run_scenario

GOOD = '''
title = "t"
about = "a"
[socket]
protocol = "udp"
mode = "overlapped-event"
connected_peer = "10.0.0.2:53"
rcvtimeo_ms = 5
keep_on_reset = true
[[step]]
arrive = { datagram = "x\\u0000", from = "10.0.0.2:53" }
[[step]]
at = 0.5
recv = { buffers = [2, 0, 4], flags = ["MSG_PEEK", "partial"] }
expect = { status = "failed" }
[[step]]
icmp = "port-unreachable"
[[step]]
arrive = { icmp = "time-exceeded" }
'''


def test_parses_a_full_scenario():
    sc = parse_scenario(GOOD)
    assert sc.config.protocol is Protocol.UDP and sc.config.mode is Mode.OVERLAPPED_EVENT
    assert sc.config.rcvtimeo_ms == 5 and sc.config.keep_on_reset
    first, second = sc.steps[:2]
    assert first.arrive == Message(b"x\0", "10.0.0.2:53") and first.t_ns == 0
    assert second.t_ns == 500_000_000 and second.recv.buffers == (2, 0, 4)
    assert second.recv.flags == RecvFlags.MSG_PEEK | RecvFlags.MSG_PARTIAL
    assert sc.steps[2].t_ns == 500_000_000 + TICK_NS


def test_reads_a_path(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(GOOD)
    assert parse_scenario(path).source == str(path)
    assert parse_scenario(str(path)).title == "t"


@pytest.mark.parametrize("text, where", [
    ('bogus = 1', "bogus"),
    ('[socket]\nprotocol = "sctp"', "socket.protocol"),
    ('[socket]\nnagle = true', "socket.nagle"),
    ('[socket]\noobinline = "yes"', "socket.oobinline"),
    ('[socket]\nplatform = "wince"\nmode = "iocp"', "socket"),
    ('[[step]]\nrecv = { buffers = [1], flags = ["MSG_DONTWAIT"] }', "step 1: recv.flags"),
    ('[[step]]\nrecv = { buffers = ["4"] }', "step 1: recv.buffers"),
    ('[[step]]\nrecv = { flags = [] }', "step 1: recv.buffers"),
    ('[[step]]\nrecv = { buffers = [1], sideways = 1 }', "step 1: recv.sideways"),
    ('[[step]]\narrive = "fin"\n[[step]]\narrive = "boom"', "step 2: arrive"),
    ('[[step]]\narrive = { data = "a", datagram = "b" }', "step 1: arrive"),
    ('[[step]]\narrive = { data_hex = "zz" }', "step 1: arrive.data_hex"),
    ('[[step]]\narrive = { urgent = "ab" }', "step 1: arrive.urgent"),
    ('[[step]]\nexpect = { colour = "red" }', "step 1: expect.colour"),
    ('[[step]]\nexpect = { bytes = [1] }', "step 1: expect.bytes"),
    ('[[step]]\nshutdown = "sideways"', "step 1: shutdown"),
    ('[[step]]\nclose = 1', "step 1: close"),
    ('[[step]]\nat = 1.0\n[[step]]\nat = 0.5', "step 2: at"),
    ('[[step]]\njump = true', "step 1: jump"),
    ('title = [', "not valid TOML"),
])
def test_malformed_scenarios_name_the_place(text, where):
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text)
    assert where in str(info.value) and str(info.value).startswith("<scenario>")


def test_missing_file_is_a_scenario_error(tmp_path):
    with pytest.raises(ScenarioError, match="cannot read"):
        parse_scenario(tmp_path / "nope.toml")


def test_run_records_actions_and_failures():
    sc = parse_scenario('''
[socket]
mode = "overlapped-event"
[[step]]
recv = { buffers = [4] }
[[step]]
arrive = { data = "abcdef" }
expect_completion = { n = 1, bytes = 5, data = ["abcd"] }
[[step]]
close = true
''')
    run = run_scenario(sc)
    kinds = [type(o).__name__ if not isinstance(o, Action) else o.kind for o in run.outcomes]
    assert kinds == ["RecvResult", "arrive", "Completion", "close"]
    assert [(f.step, f.field, f.expected, f.actual) for f in run.failures] == [(2, "bytes", 5, 4)]
    assert not run.ok and run.stats.delivered == 4 and run.stats.queued == 2


def test_inline_receives_until_closed():
    sc = inline_scenario([StreamBytes(b"hello"), "fin"], [3, 4])
    run = run_scenario(sc)
    results = [o for o in run.outcomes if isinstance(o, RecvResult)]
    assert [r.data for r in results] == [(b"hel", b"lo"), (b"", b"")]
    assert results[-1].event is Event.GRACEFUL_CLOSE


def test_inline_drains_without_closure_and_counts_calls():
    run = run_scenario(inline_scenario([StreamBytes(b"abcdefgh")], [3]))
    assert [r.bytes for r in run.outcomes if isinstance(r, RecvResult)] == [3, 3, 2]
    run = run_scenario(inline_scenario([StreamBytes(b"abcdefgh")], [3], calls=5, mode=Mode.NONBLOCKING))
    assert [r.error.name if r.error else r.bytes for r in run.outcomes if isinstance(r, RecvResult)] == [
        3, 3, 2, "WSAEWOULDBLOCK", "WSAEWOULDBLOCK"]


def test_inline_udp_reset_and_oob_and_overlapped():
    run = run_scenario(inline_scenario([Message(b"x" * 9), Message(b"yy")], [2, 4], protocol=Protocol.UDP,
                                       mode=Mode.OVERLAPPED_ROUTINE))
    first = next(o for o in run.outcomes if isinstance(o, (RecvResult, Completion)))
    assert first.error.name == "WSAEMSGSIZE" and first.status is Status.FAILED  # at once (R18, Q2)
    run = run_scenario(inline_scenario([StreamBytes(b"ab"), UrgentByte(0x21), Reset()], [10]))
    results = [r for r in run.outcomes if isinstance(r, RecvResult)]
    assert [(r.event, r.lost) for r in results] == [(Event.RESET, 3)]  # R24: data and urgent byte discarded
    run = run_scenario(inline_scenario([StreamBytes(b"ab"), Fin()], [10], mode=Mode.BLOCKING, calls=3))
    assert [r.event for r in run.outcomes if isinstance(r, RecvResult)] == [Event.DATA] + [Event.GRACEFUL_CLOSE] * 2


def test_inline_rejects_bad_options():
    with pytest.raises(ScenarioError):
        inline_scenario([], [1], colour="red")
    with pytest.raises(ScenarioError):
        inline_scenario(["boom"], [1])
