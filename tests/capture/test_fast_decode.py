"""decode.fast_decode (the readers' no-copy path for common Ethernet frames) agrees with
decode_frame: the same Packet, or None and decode_frame takes it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.capture import builders as b
from wsarecv_cli.capture import DecodeStats, decode_frame
from wsarecv_cli.capture.decode import fast_decode
from wsarecv_cli.net import RawFrame

TCP4 = b.ipv4(b.tcp_hdr(seq=7, ack=9, flags=0x18, win=99) + b"payload")
UDP4 = b.ipv4(b.udp_hdr(payload_len=24) + b"ping" * 6, proto=17)
TCP6 = b.ipv6(b.tcp_hdr(seq=1 << 31) + b"six")
UDP6 = b.ipv6(b.udp_hdr(payload_len=24) + b"dns?" * 6, nh=17)

COMMON = [
    pytest.param(b.ether(TCP4), id="ipv4-tcp"),
    pytest.param(b.ether(UDP4), id="ipv4-udp"),
    pytest.param(b.ether(TCP4) + b"\x00" * 6, id="ipv4-tcp-padded"),
    pytest.param(b.ether(TCP4, tags=[(0x8100, 42)]), id="vlan-ipv4-tcp"),
    pytest.param(b.ether(UDP4, tags=[(0x8100, 42)]), id="vlan-ipv4-udp"),
    pytest.param(b.ether(TCP6, 0x86DD), id="ipv6-tcp"),
    pytest.param(b.ether(UDP6, 0x86DD), id="ipv6-udp"),
]

UNCOMMON = [  # fast_decode declines; decode_frame decides (a Packet, a Fragment or a skip)
    pytest.param(b.ether(TCP4)[:50], id="short-frame"),
    # the one-call header read needs a TCP header's worth after the IP header: a tiny UDP
    # datagram in an unpadded frame (captured on the sending host) takes the general path
    pytest.param(b.ether(b.ipv4(b.udp_hdr(payload_len=2) + b"hi", proto=17)), id="tiny-unpadded-udp"),
    pytest.param(b.ether(TCP4)[:-2], id="snaplen-cut"),
    pytest.param(b.ether(TCP4, tags=[(0x88A8, 1), (0x8100, 42)]), id="qinq"),
    pytest.param(b.ether(TCP6, 0x86DD, tags=[(0x8100, 42)]), id="vlan-ipv6"),
    pytest.param(b.ether(b.ipv4(b.tcp_hdr() + b"x" * 20, ihl=6)), id="ipv4-options"),
    pytest.param(b.ether(b.ipv4(b.udp_hdr(payload_len=30) + b"x" * 30, proto=17, frag=0x2000)), id="ipv4-fragment"),
    pytest.param(b.ether(b.ipv4(b"\x08\x00" + b"\x00" * 40, proto=1)), id="icmp"),
    pytest.param(b.ether(b.ipv4(b.udp_hdr(ulen=200) + b"x" * 30, proto=17)), id="udp-length-beyond-ip"),
    pytest.param(b.ether(b.ipv4(b.udp_hdr(ulen=4) + b"x" * 30, proto=17)), id="udp-length-4"),
    pytest.param(b.ether(b.ipv6(b.tcp_hdr() + b"x", nh=0, ext=b.ext_hdr(6)), 0x86DD), id="ipv6-hop-by-hop"),
    pytest.param(b.ether(b"\x00" * 60, 0x0806), id="arp"),
]


def _slow(frame: bytes):
    return decode_frame(RawFrame(5, 77, 1, frame, len(frame)), DecodeStats())


@pytest.mark.parametrize("frame", COMMON)
def test_common_frames_decoded_as_decode_frame_does(frame: bytes) -> None:
    fast = fast_decode(frame, 0, len(frame), 5, 77)
    assert fast is not None
    assert fast == _slow(frame)


@pytest.mark.parametrize("frame", COMMON)
def test_frame_inside_a_bigger_buffer(frame: bytes) -> None:
    """The readers pass their whole read buffer and the record's span; nothing outside counts."""
    buf = b"\xee" * 13 + frame + b"\xff" * 40
    assert fast_decode(buf, 13, 13 + len(frame), 5, 77) == _slow(frame)


@pytest.mark.parametrize("frame", UNCOMMON)
def test_uncommon_frames_left_to_decode_frame(frame: bytes) -> None:
    assert fast_decode(frame, 0, len(frame), 5, 77) is None


@settings(max_examples=400, deadline=None)
@given(base=st.sampled_from([p.values[0] for p in COMMON]),
       edits=st.lists(st.tuples(st.integers(0, 90), st.integers(0, 255)), max_size=4),
       cut=st.integers(0, 30))
def test_mutated_frames_fast_is_none_or_same(base: bytes, edits, cut: int) -> None:
    frame = bytearray(base)
    for at, value in edits:
        if at < len(frame):
            frame[at] = value
    frame = bytes(frame[:len(frame) - cut])
    fast = fast_decode(frame, 0, len(frame), 5, 77)
    if fast is not None:
        assert fast == _slow(frame)
