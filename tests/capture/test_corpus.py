"""The public corpus and our samples: open/damage behaviour vs tshark, differential vs dpkt, UDP counts."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from tests.conftest import SAMPLES, corpus_params, reference_for
from wsarecv_cli.capture import DecodeStats, Fragment, decode_frame, open_capture, read_packets
from wsarecv_cli.capture.fallback import reference_decode
from wsarecv_cli.errors import CaptureError
from wsarecv_cli.net import Transport

HEADER_DAMAGED = {  # tshark read nothing: we refuse them with a CaptureError
    "corrupt_libpcap_invalid_version", "corrupt_libpcap_pcapng_invalid_version", "corrupt_libpcap_shb_option_too_long",
}
# UDP length field larger than the IP payload: tshark reports udp.length - 8 (65000); we bound the
# datagram by the IP header (payload + missing = 65000 as well, because IP total length also says
# 65028), so the datagram length agrees. Listed for the record; no exception needed today.
SAMPLE_FILES = sorted(p for p in SAMPLES.glob("*.pcap*")) if SAMPLES.is_dir() else []


@pytest.mark.parametrize("capture", corpus_params())
def test_corpus_opens_like_tshark(capture: Path):
    ref = reference_for(capture)
    if capture.stem in HEADER_DAMAGED:
        with pytest.raises(CaptureError, match=str(capture)):
            open_capture(str(capture))
        return
    with open_capture(str(capture)) as src:
        last = 0
        for frame in src:
            last = frame.index
        warnings = src.warnings
    assert last == ref["features"]["packets"]  # frame numbers match tshark's count (custom blocks too)
    if ref.get("tshark_read_stderr"):
        assert len(warnings) == 1 and f"{last} frames read before the damage" in warnings[0]
    else:
        assert warnings == []
    fmt = ref["format"]
    info = src.info
    assert info.container == fmt["container"]
    assert sorted(set(info.linktypes)) == sorted(set(fmt["link_types"]))


def _udp_lengths(capture: Path) -> dict[tuple[str, str], list[int]]:
    lengths: dict[tuple[str, str], list[int]] = defaultdict(list)
    with read_packets(str(capture)) as stream:
        for p in stream:
            if p.transport is Transport.UDP:
                lengths[(str(p.src), str(p.dst))].append(len(p.payload) + p.missing)
    return lengths


@pytest.mark.parametrize("capture", corpus_params())
def test_corpus_udp_datagrams_match_tshark(capture: Path):
    ref = reference_for(capture)
    if capture.stem in HEADER_DAMAGED or not ref["udp_conversations"]:
        return
    ours = _udp_lengths(capture)
    for conv in ref["udp_conversations"]:
        a, c = conv["node0"], conv["node1"]
        if c is None:
            # tshark gave no peer (several conversations can share node0): each expected length
            # must be among node0's datagrams.
            mine = [n for (src, _), ls in ours.items() if src == a for n in ls]
            for n in conv["node0_to_node1"]["datagram_payload_lengths"]:
                assert n in mine
            continue
        assert ours.get((a, c), []) == conv["node0_to_node1"]["datagram_payload_lengths"], (a, c)
        assert ours.get((c, a), []) == conv["node1_to_node0"]["datagram_payload_lengths"], (c, a)


def _differential(path: Path) -> int:
    """Hot path (read_packets' inline decode and decode_frame) vs a pure-dpkt decode, frame by frame."""
    checked = 0
    with open_capture(str(path)) as src:
        frames = {f.index: f for f in src}
    with read_packets(str(path)) as stream:
        fast = {p.frame: p for p in stream if len(p.frames) == 1}
    for index, frame in frames.items():
        mine = decode_frame(frame, DecodeStats())
        ref = reference_decode(frame.linktype, frame.data, frame.index, frame.ts_ns)
        if isinstance(ref, str) or isinstance(mine, Fragment) or mine is None:
            # dpkt gave up, or a fragment (dpkt does not reassemble): nothing to compare but
            # our own consistency; a frame we skip must be one dpkt cannot decode either.
            if mine is None and not isinstance(ref, str):
                pytest.fail(f"frame {index}: dpkt decodes it but we skipped it: {ref}")
            continue
        assert mine == ref, f"frame {index}"
        if index in fast:
            assert fast[index] == mine, f"frame {index} (stream hot path)"
        checked += 1
    return checked


@pytest.mark.parametrize("capture", corpus_params())
def test_corpus_differential_vs_dpkt(capture: Path):
    if capture.stem in HEADER_DAMAGED:
        return
    _differential(capture)


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=lambda p: p.name)
def test_samples_differential_vs_dpkt(sample: Path):
    assert _differential(sample) > 0
