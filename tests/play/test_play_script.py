"""Pure parts of play: the script a capture gives, re-slicing, the reply comparison, addresses,
and the summary table's text."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from play_captures import ACK, FIN, RST, Conversation
from rich.console import Console

from tests.conftest import SAMPLES
from wsarecv_cli.net import FlowSelector
from wsarecv_cli.play import AddressError, CloseKind, Role, Send, SliceKind, SliceSpec, load_script, reslice, resolve
from wsarecv_cli.play.compare import compare_datagrams, compare_stream
from wsarecv_cli.render.play import difference_lines, summary_table


def script_of(path, flow: str, role: Role):
    return load_script(str(path), FlowSelector.parse(flow), role).script


# -- scripts from captures ----------------------------------------------------------------------

@pytest.mark.parametrize("sample,flow,role,sizes,waits,close,app_close", [
    ("http_small_segments.pcap", "tcp:0", Role.SERVER, [37] * 9, {43}, CloseKind.FIN, CloseKind.FIN),
    ("http_small_segments.pcap", "tcp:0", Role.CLIENT, [43], {0}, CloseKind.FIN, CloseKind.FIN),
    ("tcp_rst.pcap", "tcp:0", Role.SERVER, [129, 16], {5}, CloseKind.RST, CloseKind.OPEN),
    ("tcp_urgent.pcap", "tcp:0", Role.CLIENT, [12, 4, 1, 6], {0}, CloseKind.FIN, CloseKind.FIN),
    ("udp_fragments.pcap", "udp:0", Role.SERVER, [3072], {1}, CloseKind.OPEN, CloseKind.OPEN),
    ("udp_big_datagrams.pcap", "udp:0", Role.CLIENT, [100, 3000, 9000], {0}, CloseKind.OPEN, CloseKind.OPEN),
], ids=["http-server", "http-client", "rst-server", "urgent-client", "udp-server", "udp-client"])
def test_sample_scripts(sample, flow, role, sizes, waits, close, app_close):
    script = script_of(SAMPLES / sample, flow, role)
    assert [len(s.data) for s in script.sends] == sizes
    assert {s.wait_for for s in script.sends} == waits
    assert (script.close, script.app_close) == (close, app_close)


def test_urgent_byte_is_its_own_oob_send():
    sends = script_of(SAMPLES / "tcp_urgent.pcap", "tcp:0", Role.CLIENT).sends
    assert [(s.data, s.oob) for s in sends if s.oob] == [(b"!", True)]


def test_half_close_is_a_fin_followed_by_the_other_side_s_data(tmp_path):
    cap = (Conversation().handshake().client(b"q").client(flags=FIN | ACK).server(b"a")
           .server(flags=FIN | ACK).write(tmp_path / "h.pcap"))
    assert script_of(cap, "tcp:0", Role.CLIENT).close is CloseKind.HALF_CLOSE
    assert script_of(cap, "tcp:0", Role.SERVER).close is CloseKind.FIN


def test_roles_follow_the_syn_not_the_first_packet(tmp_path):
    # the capture starts with the server's SYN-ACK: its receiver is still the client
    conversation = Conversation().handshake().client(b"hi")
    conversation.frames = conversation.frames[1:]
    cap = conversation.write(tmp_path / "late.pcap")
    script = script_of(cap, "tcp:0", Role.CLIENT)
    assert str(script.player) == "192.0.2.1:40000" and [s.data for s in script.sends] == [b"hi"]


def test_capture_times_are_from_the_flow_s_first_packet(tmp_path):
    cap = Conversation(step=0.25).handshake().client(b"a").server(b"b").client(b"c").write(tmp_path / "t.pcap")
    script = script_of(cap, "tcp:0", Role.CLIENT)
    assert [(s.data, s.capture_ns, s.wait_for) for s in script.sends] == [(b"a", 750_000_000, 0),
                                                                          (b"c", 1_250_000_000, 1)]
    assert script.replies[0].capture_ns == 1_000_000_000


def test_a_reset_by_the_app_is_expected_not_played(tmp_path):
    cap = Conversation().handshake().client(b"x").server(flags=RST | ACK).write(tmp_path / "r.pcap")
    script = script_of(cap, "tcp:0", Role.CLIENT)
    assert (script.close, script.app_close) == (CloseKind.OPEN, CloseKind.RST)


# -- slicing ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,kind,size,seed", [
    ("captured", SliceKind.CAPTURED, 0, 0),
    ("bytewise", SliceKind.BYTEWISE, 0, 0),
    ("fixed:16", SliceKind.FIXED, 16, 0),
    ("random:42", SliceKind.RANDOM, 0, 42),
])
def test_slice_parse(text, kind, size, seed):
    spec = SliceSpec.parse(text)
    assert (spec.kind, spec.size, spec.seed) == (kind, size, seed)
    assert str(spec) == text


@pytest.mark.parametrize("text", ["fixed:0", "fixed:", "random:x", "bytes", ""])
def test_slice_parse_rejects(text):
    with pytest.raises(ValueError, match="is not a slicing"):
        SliceSpec.parse(text)


SENDS = (Send(b"abcdef", 10, 0), Send(b"ghi", 20, 0), Send(b"!", 25, 0, oob=True), Send(b"jk", 30, 0),
         Send(b"lmnop", 40, 3))


def test_fixed_slices_stay_inside_bursts_and_keep_times():
    out = reslice(SENDS, SliceSpec.parse("fixed:4"))
    assert [(s.data, s.capture_ns, s.wait_for, s.oob) for s in out] == [
        (b"abcd", 10, 0, False), (b"efgh", 10, 0, False), (b"i", 20, 0, False), (b"!", 25, 0, True),
        (b"jk", 30, 0, False), (b"lmno", 40, 3, False), (b"p", 40, 3, False)]


sends_strategy = st.lists(st.tuples(st.binary(min_size=1, max_size=40), st.integers(0, 3), st.booleans()),
                          min_size=1, max_size=12)


@given(sends_strategy, st.sampled_from(["bytewise", "fixed:3", "random:1", "random:99"]))
def test_reslice_keeps_bytes_order_waits_and_urgent_bytes(raw, text):
    waits = sorted(w for _, w, _ in raw)  # waits never go down along a script
    sends = tuple(Send(data[:1] if oob else data, i, w, oob)
                  for i, ((data, _, oob), w) in enumerate(zip(raw, waits, strict=True)))
    out = reslice(sends, SliceSpec.parse(text))
    assert b"".join(s.data for s in out) == b"".join(s.data for s in sends)
    assert [s.data for s in out if s.oob] == [s.data for s in sends if s.oob]
    assert [s.wait_for for s in out] == sorted(s.wait_for for s in out)
    assert all(s.data for s in out)
    if text == "bytewise":
        assert all(len(s.data) == 1 for s in out)
    assert reslice(sends, SliceSpec.parse(text)) == out  # reproducible


# -- comparison ---------------------------------------------------------------------------------

@pytest.mark.parametrize("expected,got,match,text", [
    (b"hello", b"hello", True, ""),
    (b"hello", b"help!", False, "first difference at byte 3: expected 6c 6f, got 70 21"),
    (b"hello", b"hel", False, "fewer bytes than captured: got 3, expected 5 (equal up to byte 3)"),
    (b"hel", b"hello", False, "more bytes than captured: got 5, expected 3 (equal up to byte 3)"),
    (b"", b"", True, ""),
], ids=["equal", "differs", "short", "long", "empty"])
def test_compare_stream(expected, got, match, text):
    check = compare_stream(expected, got, 1, 1)
    assert (check.match, check.describe()) == (match, text)


def test_compare_stream_shows_sixteen_bytes_then_an_ellipsis():
    check = compare_stream(b"A" * 40, b"B" * 40, 1, 1)
    assert check.describe().endswith("got " + " ".join(["42"] * 16) + "…")


def test_compare_stream_without_every_expected_byte_has_no_verdict():
    check = compare_stream(b"abc", b"xyz", 1, 1, complete=False)
    assert check.match is None and "no comparison" in check.describe()


@pytest.mark.parametrize("expected,got,match,text", [
    ([b"a", b"bb"], [b"a", b"bb"], True, ""),
    ([b"a", b"bb"], [b"a", b"b"], False, "datagram 2 differs: expected 2 bytes 62 62, got 1 bytes 62"),
    ([b"a", b"bb"], [b"a"], False, "1 datagrams received, the capture has 2"),
    ([b""], [b""], True, ""),
], ids=["equal", "size-differs", "missing", "zero-length"])
def test_compare_datagrams(expected, got, match, text):
    check = compare_datagrams(expected, got)
    assert (check.match, check.describe()) == (match, text)


# -- addresses ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text,host", [
    ("127.0.0.1:9000", "127.0.0.1"), ("127.1.2.3:9000", "127.1.2.3"), ("[::1]:9000", "::1"),
    ("localhost:9000", None),
])
def test_loopback_is_allowed(text, host):
    address = resolve(text, allow_remote=False)
    assert address.port == 9000 and (host is None or address.host == host)


@pytest.mark.parametrize("text", ["10.0.0.1:80", "[2001:db8::2]:80", "0.0.0.0:80"])
def test_remote_needs_allow_remote(text):
    with pytest.raises(AddressError, match="--allow-remote"):
        resolve(text, allow_remote=False, passive=True)
    assert resolve(text, allow_remote=True, passive=True).port == 80


@pytest.mark.parametrize("text,message", [
    ("127.0.0.1", "is not HOST:PORT"), ("127.0.0.1:70000", "above 65535"), ("127.0.0.1:0", "port 0"),
    ("no-such-host.invalid:80", "cannot resolve"),
])
def test_bad_addresses(text, message):
    with pytest.raises(AddressError, match=message):
        resolve(text, allow_remote=False)


# -- the summary table (golden text) ------------------------------------------------------------

SUMMARIES = [
    {"direction": "sent", "sender": "127.0.0.1:9000", "segments": 9, "bytes": 333, "expected_segments": 9,
     "expected_bytes": 333, "close": "fin", "expected_close": "fin", "match": True, "difference": None},
    {"direction": "received", "sender": "127.0.0.1:51000", "segments": 2, "bytes": 40, "expected_segments": 1,
     "expected_bytes": 43, "close": "rst", "expected_close": "fin", "match": False,
     "difference": "fewer bytes than captured: got 40, expected 43 (equal up to byte 40)"},
]

GOLDEN = """\
tcp:0 played as server: 127.0.0.1:9000 ⇄ 127.0.0.1:51000
direction    ┃ segments ┃ bytes ┃  captured ┃ close               ┃ match
━━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━╇━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━╇━━━━━━
player → app │        9 │   333 │ 9 / 333 B │ fin                 │ yes
app → player │        2 │    40 │  1 / 43 B │ rst (captured: fin) │ NO
app → player: fewer bytes than captured: got 40, expected 43 (equal up to byte 40)
"""


def test_summary_table_golden():
    console = Console(width=100, record=True, color_system=None, file=io.StringIO())
    console.print(summary_table("tcp:0", "server", SUMMARIES))
    for line in difference_lines(SUMMARIES):
        console.print(line, soft_wrap=True)
    text = "\n".join(line.rstrip() for line in console.export_text().splitlines()) + "\n"
    assert text == GOLDEN
