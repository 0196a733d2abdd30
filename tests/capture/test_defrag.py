"""IPv4/IPv6 reassembly: every arrival order, duplicates, overlaps, incomplete sets, limits."""

from __future__ import annotations

import itertools

import pytest

from tests.capture import builders as b
from wsarecv_cli.capture import CaptureLimits, DecodeStats, Defragmenter, Fragment, decode_frame
from wsarecv_cli.net import RawFrame, Transport

DATAGRAM = b.udp_hdr(payload_len=40) + bytes(range(40))  # 48 bytes: fragments of 16


def v4_frags(data=DATAGRAM, size=16, ident=9):
    out = []
    for off in range(0, len(data), size):
        more = 0x2000 if off + size < len(data) else 0
        out.append(b.ether(b.ipv4(data[off:off + size], proto=17, ident=ident, frag=more | off // 8)))
    return out


def v6_frags(data=DATAGRAM, size=16, ident=9):
    out = []
    for off in range(0, len(data), size):
        more = off + size < len(data)
        out.append(b.ether(b.ipv6(data[off:off + size], nh=44, ext=b.frag6(17, off, more, ident)), 0x86DD))
    return out


def run(frames, limits=CaptureLimits(), ts_step=1):
    stats, warnings = DecodeStats(), []
    defrag = Defragmenter(stats, limits, warnings)
    out = []
    for i, data in enumerate(frames, 1):
        res = decode_frame(RawFrame(i, i * ts_step, 1, data, len(data)), stats)
        if isinstance(res, Fragment):
            res = defrag.add(res)
        if res is not None:
            out.append(res)
    defrag.flush()
    return out, stats, warnings


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))), ids=lambda o: "".join(map(str, o)))
@pytest.mark.parametrize("builder", [v4_frags, v6_frags], ids=["ipv4", "ipv6"])
def test_every_order_reassembles(order, builder):
    frags = builder()
    pkts, stats, warnings = run([frags[i] for i in order])
    assert len(pkts) == 1 and warnings == []
    pkt = pkts[0]
    assert pkt.transport is Transport.UDP and pkt.payload == bytes(range(40)) and pkt.missing == 0
    assert pkt.frame == 3 and pkt.ts_ns == 3 and pkt.frames == (1, 2, 3)
    assert stats.reassembled == 1 and stats.fragments == 3


@pytest.mark.parametrize("order", list(itertools.permutations(range(4)))[::5], ids=lambda o: "".join(map(str, o)))
def test_four_fragments_with_a_duplicate(order):
    data = b.udp_hdr(payload_len=56) + bytes(range(56))
    frags = v4_frags(data)
    seq = [frags[i] for i in order[:2]] + [frags[order[0]]] + [frags[i] for i in order[2:]]
    pkts, stats, _ = run(seq)
    assert len(pkts) == 1 and pkts[0].payload == bytes(range(56))
    assert stats.fragment_duplicates == 1 and len(pkts[0].frames) == 5


def test_duplicate_counted_first_copy_wins():
    f = v4_frags()
    forged = b.ether(b.ipv4(b"X" * 16, proto=17, ident=9, frag=0x2000 | 2))
    pkts, stats, _ = run([f[1], forged, f[0], f[2]])
    assert pkts[0].payload == bytes(range(40))
    assert stats.fragment_duplicates == 1


def test_overlap_first_copy_wins():
    f = v4_frags()
    overlap = b.ether(b.ipv4(b"Y" * 16, proto=17, ident=9, frag=0x2000 | 1))  # bytes 8..24
    pkts, stats, _ = run([f[0], overlap, f[1], f[2]])
    assert pkts[0].payload == DATAGRAM[8:16] + b"Y" * 8 + DATAGRAM[24:]
    assert stats.fragment_overlaps == 2  # the Y fragment, then f[1] whose first half Y already claimed


def test_incomplete_set_dropped_at_end():
    f = v4_frags()
    pkts, stats, warnings = run([f[0], f[2]])
    assert pkts == [] and stats.fragments_incomplete == 1
    assert "incomplete IP fragment set dropped (end of capture): frames 1,2" in warnings[0]


def test_incomplete_set_times_out():
    f = v4_frags()
    other = v4_frags(ident=10)
    limits = CaptureLimits(fragment_timeout_ns=25)
    pkts, stats, warnings = run([f[0], f[1]] + other, limits, ts_step=10)
    assert len(pkts) == 1 and stats.fragments_incomplete == 1 and "timed out" in warnings[0]


def test_set_limit_evicts_oldest():
    frames = [v4_frags(ident=i)[0] for i in range(10)]
    pkts, stats, _ = run(frames, CaptureLimits(fragment_sets=3))
    assert stats.fragment_sets_evicted == 7


def test_byte_limit_evicts():
    frames = [v4_frags(ident=i)[0] for i in range(10)]
    _, stats, _ = run(frames, CaptureLimits(fragment_bytes=40))
    assert stats.fragment_sets_evicted >= 7


def test_truncated_fragment_reports_missing():
    f = v4_frags()
    cut = f[1][:-6]
    pkts, _, _ = run([f[0], cut, f[2]])
    assert pkts[0].payload == bytes(range(40))[:18] and pkts[0].missing == 22


def test_fragment_beyond_64k_is_malformed():
    bad = b.ether(b.ipv4(b"z" * 16, proto=17, ident=1, frag=0x1FFF))
    _, stats, _ = run([bad])
    assert stats.skipped
