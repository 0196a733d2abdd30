"""follow --json's segments spooled to disk (render/follow_spool.py): a digest holds at most
SPOOL_AT segments, and the entry written from the spool is byte for byte the entry encoded at
once — on made-up digests and on every sample and corpus capture (one process and --jobs 2)."""

from __future__ import annotations

import io
import types
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import SAMPLES, corpus_params
from wsarecv_cli.cli.main import cli
from wsarecv_cli.net import Endpoint, FlowId, Transport
from wsarecv_cli.reassembly import Datagram, GapReason, StreamData, StreamFin, StreamGap, UrgentData
from wsarecv_cli.render import follow as render_follow
from wsarecv_cli.render.follow import DirectionDigest, encode_compact, flow_entry, write_entry
from wsarecv_cli.spool import Spool

A = Endpoint(bytes([10, 0, 0, 1]), 1000)
B = Endpoint(bytes([10, 0, 0, 2]), 80)
ORIGIN = 1_700_000_000_000_000_000
INFO = types.SimpleNamespace(id=FlowId(Transport.TCP, 7), transport=Transport.TCP, a=A, b=B, initiator=A,
                             client=A, roles_inferred=False)

frames = st.lists(st.integers(1, 10**9), min_size=1, max_size=4).map(tuple)
events = st.lists(st.one_of(
    st.tuples(st.just("data"), st.binary(max_size=5), st.integers(0, 10**12), frames),
    st.tuples(st.just("datagram"), st.binary(max_size=5), st.integers(0, 10**12), frames),
    st.tuples(st.just("gap"), st.integers(1, 99), st.integers(0, 10**12), frames),
    st.tuples(st.just("urgent"), st.integers(0, 255), st.integers(0, 10**12), frames),
), max_size=60)


def digest_of(items: list[tuple], sender: Endpoint, receiver: Endpoint, spool: Spool | None) -> DirectionDigest:
    d = DirectionDigest(sender, receiver, ORIGIN)
    d.spool = spool
    offset = 0
    for kind, value, dt, fr in items:
        ts = ORIGIN + dt
        if kind == "data":
            d.add(StreamData(offset, value, ts, fr))
            offset += len(value)
        elif kind == "datagram":
            d.add(Datagram(value, sender, ts, fr, len(value)))
        elif kind == "gap":
            d.add(StreamGap(offset, value, ts, fr, GapReason.NOT_CAPTURED))
            offset += value
        else:
            d.add(UrgentData(offset, value, ts, fr))
            offset += 1
    d.add(StreamFin(offset, ORIGIN, ()))
    return d


@settings(max_examples=200, deadline=None)
@given(a_to_b=events, b_to_a=events, spool_at=st.integers(1, 7))
def test_the_spooled_entry_is_the_entry(a_to_b, b_to_a, spool_at: int) -> None:
    plain = {A: digest_of(a_to_b, A, B, None), B: digest_of(b_to_a, B, A, None)}
    expected = encode_compact(flow_entry(INFO, plain))
    original = render_follow.SPOOL_AT
    render_follow.SPOOL_AT = spool_at
    spool = Spool()
    try:
        spooled = {A: digest_of(a_to_b, A, B, spool), B: digest_of(b_to_a, B, A, spool)}
    finally:
        render_follow.SPOOL_AT = original
    assert all(len(d._times or ()) < spool_at for d in spooled.values())  # the rest is on disk
    out = io.StringIO()
    write_entry(out.write, INFO, spooled)
    assert out.getvalue() == expected
    assert [d.segments() for d in spooled.values()] == [d.segments() for d in plain.values()]
    spool.close()


def test_a_long_flow_holds_at_most_spool_at_segments() -> None:
    spool = Spool()
    d = DirectionDigest(A, B, ORIGIN)
    d.spool = spool
    for n in range(100_000):
        d.add(StreamData(n, b"x", ORIGIN + n, (n + 1,) if n % 7 else (n + 1, n + 2)))
    assert len(d._times) < render_follow.SPOOL_AT
    segments = d.segments()
    assert len(segments) == 100_000
    assert segments[-1] == {"offset": 99_999, "length": 1, "t": 9.9999e-05, "frames": [100_000]}
    assert segments[7]["frames"] == [8, 9]
    spool.close()


CAPTURES = [pytest.param(p, id=p.name) for p in sorted(SAMPLES.glob("*.pcap*"))] + corpus_params()


@pytest.mark.parametrize("jobs", [1, 2], ids=["one-process", "jobs-2"])
@pytest.mark.parametrize("path", CAPTURES)
def test_follow_json_is_the_same_spooled(monkeypatch: pytest.MonkeyPatch, path: Path, jobs: int) -> None:
    args = ["follow", str(path), "--json", "--jobs", str(jobs)]
    monkeypatch.setattr(render_follow, "SPOOL_AT", 1 << 60)
    unspooled = CliRunner().invoke(cli, args)
    monkeypatch.setattr(render_follow, "SPOOL_AT", 2)
    spooled = CliRunner().invoke(cli, args)
    assert (spooled.exit_code, spooled.stdout, spooled.stderr) == \
        (unspooled.exit_code, unspooled.stdout, unspooled.stderr)
