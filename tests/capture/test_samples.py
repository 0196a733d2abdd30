"""samples/make_samples.py: re-runnable, byte-identical, small, and decoding to what README says."""

from __future__ import annotations

import importlib.util

import pytest

from tests.conftest import SAMPLES
from wsarecv_cli.capture import read_packets
from wsarecv_cli.net import Transport


def _generator():
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generator_is_byte_identical_to_committed_files(tmp_path):
    written = _generator().make_all(tmp_path)
    assert len(written) == 9
    for path in written:
        committed = SAMPLES / path.name
        assert committed.read_bytes() == path.read_bytes(), path.name
        assert path.stat().st_size < 100_000


@pytest.mark.parametrize("name,udp_lengths", [
    ("udp_fragments.pcap", [40, 3072]),
    ("udp_big_datagrams.pcap", [100, 3000, 9000]),
    ("ipv6_vlan_retrans.pcapng", [14, 14]),
])
def test_udp_samples(name, udp_lengths):
    with read_packets(str(SAMPLES / name)) as stream:
        pkts = [p for p in stream if p.transport is Transport.UDP]
        assert stream.warnings == []
    assert [len(p.payload) for p in pkts] == udp_lengths


def test_pcapng_sample_has_two_link_types():
    with read_packets(str(SAMPLES / "ipv6_vlan_retrans.pcapng")) as stream:
        list(stream)
        assert stream.info.linktypes == (1, 113)


def test_urgent_sample():
    with read_packets(str(SAMPLES / "tcp_urgent.pcap")) as stream:
        urgent = [p for p in stream if p.flags & 0x20]
    assert len(urgent) == 1 and urgent[0].urg == 5 and urgent[0].payload == b"more!"
