"""The lean pass (capture/lean.py) against the general path (PacketStream): the same packets in
the same order, field for field (frame numbers, times, payloads, snaplen-missing bytes, MSS), the
same DecodeStats and warnings, and the same `flows --json` and `follow --json`: on every sample
and corpus capture, and on generated pcap and pcapng captures mixing link types, VLAN tags, IPv6,
fragments, options, truncation, Simple Packet Blocks. Deliberately wrong fields must be caught.

The lean pass takes over from the second read buffer, so each capture is also read with tiny
buffers (source.CHUNK patched): then nearly every frame goes the lean way.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.capture import builders as b
from tests.conftest import SAMPLES, corpus_params
from wsarecv_cli.capture import lean, read_packets, source
from wsarecv_cli.cli import flows as flows_cli
from wsarecv_cli.cli.main import cli
from wsarecv_cli.errors import CaptureError
from wsarecv_cli.net import Transport
from wsarecv_cli.parallel import follow as parallel_follow

CHUNKS = [pytest.param(64, id="chunk-64"), pytest.param(4096, id="chunk-4k"),
          pytest.param(source.CHUNK, id="chunk-default")]
SAMPLE_CAPTURES = [pytest.param(p, id=p.name) for p in sorted(SAMPLES.glob("*.pcap*"))]


def counted(stream, packets: list[tuple]) -> tuple:
    """What a pass over `stream` leaves to compare: its packets, counters, warnings, first time."""
    return (packets, stream.stats.snapshot(), stream.stats.untimed, list(stream.warnings), stream.first_ts_ns,
            stream.bytes_read)


def read_general(path: Path) -> tuple:
    """What PacketStream hands out: packets, counters, warnings (or the error opening it)."""
    try:
        with read_packets(str(path)) as stream:
            packets = [tuple(p) for batch in stream.batches() for p in batch]
            return counted(stream, packets)
    except CaptureError as exc:
        return ("error", str(exc))


def read_lean(path: Path) -> tuple:
    """The same through lean_batches: the packets it hands out and those it feeds, in order."""
    try:
        with read_packets(str(path)) as stream:
            packets: list[tuple] = []
            record = packets.append
            for batch in lean.lean_batches(stream, record):
                packets.extend(tuple(p) for p in batch)
            return counted(stream, packets)
    except CaptureError as exc:
        return ("error", str(exc))


def assert_same(path: Path) -> None:
    general, lean_result = read_general(path), read_lean(path)
    assert lean_result[0] == general[0]  # the packets first: the readable difference
    assert lean_result == general


def run_cli(command: str, path: Path) -> str:
    result = CliRunner().invoke(cli, [command, "--json", str(path)])
    return f"exit {result.exit_code}\n{result.stdout}\n{result.stderr}"


def _general_batches(stream, feed):
    return stream.batches()


@pytest.mark.parametrize("chunk", CHUNKS)
@pytest.mark.parametrize("capture", SAMPLE_CAPTURES + corpus_params())
def test_lean_reads_every_capture_as_the_general_path(capture: Path, chunk: int, monkeypatch) -> None:
    monkeypatch.setattr(source, "CHUNK", chunk)
    assert_same(capture)


@pytest.mark.parametrize("command", ["flows", "follow"])
@pytest.mark.parametrize("capture", SAMPLE_CAPTURES + corpus_params())
def test_json_output_is_the_general_paths(capture: Path, command: str, monkeypatch) -> None:
    """`flows --json` and `follow --json` (stdout, stderr, exit status) with and without the lean pass."""
    monkeypatch.setattr(source, "CHUNK", 256)
    lean_out = run_cli(command, capture)
    monkeypatch.setattr(flows_cli, "lean_batches", _general_batches)
    assert lean_out == run_cli(command, capture)


# ------------------------------------------------------------------ generated captures

SLL_HEAD = struct.pack("!HHH8s", 0, 1, 6, b"\x02" * 8)  # packet type, ARPHRD, address length, address
SLL2_HEAD_REST = struct.pack("!HIHBB8s", 0, 3, 1, 0, 6, b"\x02" * 8)  # after the protocol field


def link(linktype: int, l3: bytes, ethertype: int, tags: tuple) -> bytes:
    """The IP packet `l3` framed for the link type (tags: Ethernet only)."""
    if linktype == 1:
        return b.ether(l3, ethertype, tags)
    if linktype == 113:
        return SLL_HEAD + struct.pack("!H", ethertype) + l3
    if linktype == 276:
        return struct.pack("!H", ethertype) + SLL2_HEAD_REST + l3
    if linktype == 0:  # BSD loopback: the address family in the writer's byte order
        return struct.pack("<I", 2 if ethertype == 0x0800 else 30) + l3
    return l3  # raw IP (101)


ports = st.sampled_from([(40000, 80), (80, 40000), (5353, 53), (53, 5353), (40001, 443)])


@st.composite
def ip_packet(draw) -> tuple[bytes, int]:
    """(IP packet, its Ethertype): TCP or UDP over IPv4 or IPv6, sometimes odd."""
    sport, dport = draw(ports)
    payload = draw(st.binary(max_size=40))
    kind = draw(st.sampled_from(["tcp", "udp", "tcp-mss", "icmp"]))
    if kind.startswith("tcp"):
        flags = draw(st.sampled_from([0x02, 0x12, 0x10, 0x18, 0x11, 0x04, 0x30]))
        options = b"\x02\x04\x05\xb4" if kind == "tcp-mss" else b""
        l4 = b.tcp_hdr(sport, dport, seq=draw(st.sampled_from([0, 1000, 0xFFFFFFF0])),
                       ack=draw(st.integers(0, 3000)), flags=flags, win=draw(st.sampled_from([0, 512])),
                       options=options) + payload
        proto = 6
    elif kind == "udp":
        ulen = draw(st.sampled_from([None, None, None, 4, 8 + len(payload) + 30]))
        l4, proto = b.udp_hdr(sport, dport, len(payload), ulen) + payload, 17
    else:
        l4, proto = b"\x03\x03\x00\x00\x00\x00\x00\x00" + b.ipv4(b.udp_hdr(dport, sport), proto=17), 1
    if draw(st.booleans()):
        six_proto = 58 if proto == 1 else proto
        ext = b.ext_hdr(six_proto) if draw(st.integers(0, 4)) == 0 else b""
        return b.ipv6(l4, nh=0 if ext else six_proto, ext=ext), 0x86DD
    shape = draw(st.sampled_from(["plain"] * 5 + ["options", "first-fragment", "last-fragment", "tso"]))
    if shape == "options":
        return b.ipv4(l4, proto=proto, ihl=6), 0x0800
    if shape == "first-fragment":
        cut = len(l4) // 16 * 8 or 8
        return b.ipv4(l4[:cut], proto=proto, frag=0x2000, ident=9), 0x0800
    if shape == "last-fragment":
        cut = len(l4) // 16 * 8 or 8
        return b.ipv4(l4[cut:], proto=proto, frag=cut // 8, ident=9), 0x0800
    return b.ipv4(l4, proto=proto, total=0 if shape == "tso" else None), 0x0800


@st.composite
def capture(draw) -> tuple[int, list[bytes], list[int]]:
    """(link type, frames, wire lengths)."""
    linktype = draw(st.sampled_from([1, 1, 1, 113, 276, 101, 0]))
    frames, wires = [], []
    for _ in range(draw(st.integers(1, 40))):
        l3, ethertype = draw(ip_packet())
        tags = ()
        if linktype == 1:
            tags = draw(st.sampled_from([(), (), (), ((0x8100, 42),), ((0x88A8, 1), (0x8100, 42))]))
            if draw(st.integers(0, 9)) == 0:
                l3, ethertype = b"\x00" * 28, 0x0806  # ARP
        frame = link(linktype, l3, ethertype, tags)
        wire = len(frame)
        if draw(st.integers(0, 7)) == 0:
            frame = frame[:draw(st.integers(0, len(frame) - 1))]  # cut by the snaplen
        elif linktype == 1 and draw(st.booleans()):
            frame += b"\x00" * draw(st.integers(1, 8))  # Ethernet padding
            wire = len(frame)
        frames.append(frame)
        wires.append(wire)
    return linktype, frames, wires


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cap=capture(), chunk=st.sampled_from([16, 100, 1 << 20]))
def test_generated_pcaps_read_the_same(cap, chunk, tmp_path, monkeypatch) -> None:
    linktype, frames, wires = cap
    path = tmp_path / "gen.pcap"
    path.write_bytes(b.pcap(frames, linktype=linktype, wire=wires))
    monkeypatch.setattr(source, "CHUNK", chunk)
    assert_same(path)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(caps=st.lists(capture(), min_size=1, max_size=3), simple=st.sets(st.integers(0, 40), max_size=4),
       chunk=st.sampled_from([16, 100, 1 << 20]))
def test_generated_pcapngs_read_the_same(caps, simple, chunk, tmp_path, monkeypatch) -> None:
    """Interfaces of several link types, their frames interleaved; some frames as Simple Packet
    Blocks (no time: the previous frame's), which belong to interface 0."""
    blocks = [b.shb()] + [b.idb(linktype=linktype) for linktype, _, _ in caps]
    queues = [list(zip(frames, wires, strict=True)) for _, frames, wires in caps]
    n = 0
    while any(queues):
        for iface, queue in enumerate(queues):
            if queue:
                frame, wire = queue.pop(0)
                n += 1
                if iface == 0 and n in simple and wire == len(frame):
                    blocks.append(b.spb(data=frame))
                else:
                    blocks.append(b.epb(iface=iface, units=1_000_000 + n * 7, data=frame, wire=wire))
    path = tmp_path / "gen.pcapng"
    path.write_bytes(b"".join(blocks))
    monkeypatch.setattr(source, "CHUNK", chunk)
    assert_same(path)


# ------------------------------------------------------------------ the test can fail

def _broken(decode, field: int = 12):
    """A decoder that hands the tracker one field of sixteen wrong for TCP: the window, or another
    (8: seq, which moves follow's offsets)."""
    def wrong(buf, start, end, index, ts, feed):
        def feed_wrong(packet):
            fields = list(packet)
            fields[field] += 1
            return feed(tuple(fields))
        return decode(buf, start, end, index, ts, feed_wrong)
    return wrong


def test_a_wrong_transport_is_caught(tmp_path, monkeypatch) -> None:
    frames = [b.tcp_frame(b"x" * 10, seq=100 + 10 * i, flags=0x18) for i in range(20)]
    path = tmp_path / "plain.pcap"
    path.write_bytes(b.pcap(frames))
    monkeypatch.setattr(source, "CHUNK", 64)
    assert_same(path)
    monkeypatch.setattr(lean, "_TCP", Transport.UDP)  # the inline Ethernet/IPv4 path's field
    with pytest.raises(AssertionError):
        assert_same(path)


def test_a_wrong_window_is_caught(tmp_path, monkeypatch) -> None:
    frames = [link(113, b.ipv4(b.tcp_hdr(seq=100 + 10 * i) + b"x" * 10), 0x0800, ()) for i in range(20)]
    path = tmp_path / "sll.pcap"
    path.write_bytes(b.pcap(frames, linktype=113))
    monkeypatch.setattr(source, "CHUNK", 64)
    assert_same(path)
    monkeypatch.setitem(lean.DECODERS, 113, _broken(lean.DECODERS[113]))
    with pytest.raises(AssertionError):
        assert_same(path)


def plain_pcapng(frames: list[bytes]) -> bytes:
    return b.shb() + b.idb() + b"".join(b.epb(units=1000 + i, data=f) for i, f in enumerate(frames))


def test_a_wrong_window_is_caught_in_pcapng(tmp_path, monkeypatch) -> None:
    path = tmp_path / "plain.pcapng"
    path.write_bytes(plain_pcapng([b.tcp_frame(b"x" * 10, seq=100 + 10 * i) for i in range(20)]))
    monkeypatch.setattr(source, "CHUNK", 64)
    assert_same(path)
    monkeypatch.setitem(lean.DECODERS, 1, _broken(lean.DECODERS[1]))
    with pytest.raises(AssertionError):
        assert_same(path)


@pytest.mark.parametrize("container", [b.pcap, plain_pcapng])
def test_the_lean_way_is_taken(container, tmp_path, monkeypatch) -> None:
    """Not a vacuous comparison: with small buffers nearly every frame goes the lean way."""
    frames = [b.tcp_frame(b"x" * 10, seq=100 + 10 * i, flags=0x18) for i in range(50)]
    path = tmp_path / "plain.cap"
    path.write_bytes(container(frames))
    monkeypatch.setattr(source, "CHUNK", 64)
    fed: list[tuple] = []
    with read_packets(str(path)) as stream:
        handed = [p for batch in lean.lean_batches(stream, fed.append) for p in batch]
    assert len(fed) >= 45 and len(fed) + len(handed) == 50


# ------------------------------------------------------------------ follow --json --jobs workers

def _follow_jobs(path: Path) -> str:
    result = CliRunner().invoke(cli, ["follow", "--json", "--jobs", "2", str(path)])
    return f"exit {result.exit_code}\n{result.stdout}\n{result.stderr}"


@pytest.mark.parametrize("capture", SAMPLE_CAPTURES + corpus_params())
def test_follow_jobs_workers_read_as_the_general_path(capture: Path, monkeypatch) -> None:
    """The workers (forked: they see the patches) read through the lean pass: the same document
    as through PacketStream."""
    monkeypatch.setattr(source, "CHUNK", 256)
    lean_out = _follow_jobs(capture)
    monkeypatch.setattr(parallel_follow, "lean_batches", _general_batches)
    assert lean_out == _follow_jobs(capture)


def test_follow_jobs_workers_take_the_lean_way(tmp_path, monkeypatch) -> None:
    """Not vacuous: a decoder giving a wrong window shows in the workers' document."""
    frames = [b.tcp_frame(b"x" * 10, seq=100 + 10 * i, flags=0x18) for i in range(50)]
    path = tmp_path / "plain.pcap"
    path.write_bytes(b.pcap(frames))
    monkeypatch.setattr(source, "CHUNK", 64)
    right = _follow_jobs(path)
    monkeypatch.setitem(lean.DECODERS, 1, _broken(lean.DECODERS[1], 8))
    assert _follow_jobs(path) != right
