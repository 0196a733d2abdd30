"""Containers: classic pcap variants, pcapng sections/interfaces/resolutions, gzip, stdin, damage."""

from __future__ import annotations

import io
import sys

import pytest

from tests.capture import builders as b
from wsarecv_cli.capture import open_capture
from wsarecv_cli.errors import CaptureError

F1, F2 = b.tcp_frame(b"one"), b.tcp_frame(b"two!")


def write(tmp_path, data: bytes, name="cap.pcap") -> str:
    p = tmp_path / name
    p.write_bytes(data)
    return str(p)


def frames(path):
    with open_capture(path) as src:
        return list(src), src


@pytest.mark.parametrize("endian,nano,modified,ts0", [
    pytest.param("<", False, False, 1000 * 10**9 + 5000, id="pcap-le-us"),
    pytest.param(">", False, False, 1000 * 10**9 + 5000, id="pcap-be-us"),
    pytest.param("<", True, False, 1000 * 10**9 + 5, id="pcap-le-ns"),
    pytest.param(">", True, False, 1000 * 10**9 + 5, id="pcap-be-ns"),
    pytest.param("<", False, True, 1000 * 10**9 + 5000, id="pcap-modified"),
])
def test_classic_pcap_variants(tmp_path, endian, nano, modified, ts0):
    got, src = frames(write(tmp_path, b.pcap([F1, F2], endian=endian, nano=nano, modified=modified)))
    assert [f.data for f in got] == [F1, F2]
    assert [f.index for f in got] == [1, 2]
    assert got[0].ts_ns == ts0 and got[0].linktype == 1 and got[0].wire_len == len(F1)
    assert src.info.container == "pcap"
    assert src.info.byte_order == ("little" if endian == "<" else "big")
    assert src.info.ts_resolution == ("ns" if nano else "us")
    assert src.warnings == []
    assert src.total_bytes == src.bytes_read


@pytest.mark.parametrize("tsresol,units,expected_ns", [
    pytest.param(None, 1_500_000, 1_500_000_000, id="default-us"),
    pytest.param(9, 1_500_000_123, 1_500_000_123, id="ns"),
    pytest.param(3, 1500, 1_500_000_000, id="ms"),
    pytest.param(12, 1_500_000_000_123_456, 1_500_000_000_123, id="ps-floors"),
    pytest.param(0x80 | 20, 3 << 20, 3_000_000_000, id="pow2-20"),
    pytest.param(0x80 | 1, 3, 1_500_000_000, id="pow2-1"),
])
def test_pcapng_tsresol(tmp_path, tsresol, units, expected_ns):
    data = b.shb() + b.idb(tsresol=tsresol) + b.epb(units=units, data=F1)
    got, _ = frames(write(tmp_path, data, "x.pcapng"))
    assert got[0].ts_ns == expected_ns


def test_pcapng_tsoffset(tmp_path):
    data = b.shb() + b.idb(tsresol=9, tsoffset=100) + b.epb(units=7, data=F1)
    got, _ = frames(write(tmp_path, data, "x.pcapng"))
    assert got[0].ts_ns == 100 * 10**9 + 7


def test_pcapng_two_interfaces_two_sections_both_byte_orders(tmp_path):
    sll = b"\x00" * 14 + b"\x08\x00" + b.ipv4(b.tcp_hdr() + b"x")
    data = (b.shb("<") + b.idb("<", 1) + b.idb("<", 113, tsresol=9) + b.epb("<", 0, 1, F1)
            + b.epb("<", 1, 2, sll) + b.block("<", 5, b"\x00" * 12)  # ISB: skipped
            + b.shb(">") + b.idb(">", 101) + b.epb(">", 0, 3, b.ipv4(b.tcp_hdr()))
            + b.spb(">", b.ipv4(b.tcp_hdr())) + b.obsolete_pb(">", 0, 4, b.ipv4(b.tcp_hdr())))
    got, src = frames(write(tmp_path, data, "x.pcapng"))
    assert [(f.index, f.linktype) for f in got] == [(1, 1), (2, 113), (3, 101), (4, 101), (5, 101)]
    assert got[1].ts_ns == 2 and got[0].ts_ns == 1000
    info = src.info
    assert info.container == "pcapng" and info.byte_order == "mixed" and info.sections == 2
    assert info.linktypes == (1, 113, 101) and len(info.interfaces) == 3
    assert src.warnings == []


def test_gzip_file(tmp_path):
    got, src = frames(write(tmp_path, b.gz(b.pcap([F1, F2])), "c.pcap.gz"))
    assert [f.data for f in got] == [F1, F2]
    assert src.total_bytes is None and src.info.compressed


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_stdin(monkeypatch, compress):
    data = b.pcap([F1, F2])
    fake = io.TextIOWrapper(io.BufferedReader(io.BytesIO(b.gz(data) if compress else data)))
    monkeypatch.setattr(sys, "stdin", fake)
    with open_capture("-") as src:
        assert [f.data for f in src] == [F1, F2]
        assert src.total_bytes is None and src.name == "<stdin>"


def test_stdin_pipe(tmp_path):
    import subprocess
    path = write(tmp_path, b.pcap([F1] * 50))
    code = "import sys; from wsarecv_cli.capture import open_capture; print(sum(1 for _ in open_capture('-')))"
    with open(path, "rb") as f:
        out = subprocess.run([sys.executable, "-c", code], stdin=f, capture_output=True, check=True)
    assert out.stdout.strip() == b"50"


@pytest.mark.parametrize("data,message", [
    pytest.param(b"", "empty file", id="empty"),
    pytest.param(b"\xd4\xc3", "too short", id="two-bytes"),
    pytest.param(b"GET / HTTP/1.1\r\n\r\n", "not a pcap or pcapng", id="text"),
    pytest.param(b.pcap([F1])[:20], "global header cut short", id="pcap-header-cut"),
    pytest.param(b.pcap([F1], version=(1, 4)), "version 1.4 is not supported", id="pcap-v1"),
    pytest.param(b.shb(major=0, minor=1) + b.idb(), "pcapng version 0.1", id="pcapng-v0"),
    pytest.param(b.shb()[:16], "section header cut short", id="shb-cut"),
    pytest.param(b.gz(b"")[:-3], "gzip", id="gzip-broken"),
    pytest.param(b.pcap([F1])[:30], "damaged before the first frame", id="first-record-cut"),
    pytest.param(b.shb() + b.idb() + b.epb(iface=0, data=F1)[:-8], "damaged before the first frame", id="pcapng-first-block-cut"),
])
def test_header_level_errors(tmp_path, data, message):
    path = write(tmp_path, data)
    with pytest.raises(CaptureError, match=message) as exc:
        open_capture(path)
    assert str(exc.value).startswith(path + ":")


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(CaptureError, match="no such file"):
        open_capture(str(tmp_path / "nope.pcap"))
    with pytest.raises(CaptureError, match="is a directory"):
        open_capture(str(tmp_path))


def _damaged(tmp_path, data):
    got, src = frames(write(tmp_path, data))
    return [f.data for f in got], src.warnings


def test_pcap_cut_short_keeps_prefix(tmp_path):
    data = b.pcap([F1, F2, F1])[:-5]
    got, warnings = _damaged(tmp_path, data)
    assert got == [F1, F2]
    assert len(warnings) == 1 and "file cut short in frame 3" in warnings[0] and "2 frames read" in warnings[0]


def test_pcap_absurd_record_length(tmp_path):
    data = b.pcap([F1, F2]) + b"\x00" * 8 + (3925868813).to_bytes(4, "little") * 2 + b"junk"
    got, warnings = _damaged(tmp_path, data)
    assert got == [F1, F2]
    assert "record length 3925868813" in warnings[0] and "frame 3" in warnings[0]


def test_pcap_caplen_above_small_snaplen_is_accepted(tmp_path):
    got, warnings = _damaged(tmp_path, b.pcap([F1], snaplen=1))  # as tshark does
    assert got == [F1] and warnings == []


@pytest.mark.parametrize("tail,expect", [
    pytest.param(b"\x06\x00\x00\x00\x0d\x00\x00\x00" + b"\x00" * 24, "block length 13 is invalid", id="bad-length"),
    pytest.param(b.epb(data=F2)[:-4] + b"\x00\x00\x00\x00", "differs from its trailing copy", id="trailer-mismatch"),
    pytest.param(b.epb(data=F2)[:-6], "file cut short", id="cut-short"),
])
def test_pcapng_damage_after_frames(tmp_path, tail, expect):
    data = b.shb() + b.idb() + b.epb(data=F1) + tail
    got, warnings = _damaged(tmp_path, data)
    assert got == [F1]
    assert expect in warnings[0] and "1 frames read before the damage" in warnings[0]


def test_pcapng_unknown_interface_block_is_skipped(tmp_path):
    data = b.shb() + b.idb() + b.epb(data=F1) + b.epb(iface=5, data=F2) + b.epb(data=F2)
    got, warnings = _damaged(tmp_path, data)
    assert got == [F1, F2]
    assert "names interface 5 of 1" in warnings[0]


def test_big_record_is_read_in_chunks_not_preallocated(tmp_path):
    big = b.ether(b.ipv4(b.udp_hdr(payload_len=60000) + b"z" * 60000, proto=17))
    got, warnings = _damaged(tmp_path, b.pcap([big, F1]))
    assert got == [big, F1] and warnings == []
