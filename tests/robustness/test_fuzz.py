"""Mutation fuzzing in the test suite (hypothesis, bounded: a few seconds in CI).

The samples are mutated — bit flips, truncation, random record/block length fields, records spliced
in from another sample — and the whole input path (read_packets -> FlowTracker -> replay session) must
end with results or the package's own error (WsarecvError), never anything else. Cutting a file
after record K must leave the first K records' results unchanged. The long, coverage-guided run is
fuzz/fuzz_capture.py (atheris); see fuzz/README.md.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SAMPLES
from wsarecv_cli.capture import CaptureLimits, open_capture, read_packets
from wsarecv_cli.errors import CaptureError, WsarecvError
from wsarecv_cli.model.types import Mode, Protocol
from wsarecv_cli.reassembly import FlowTracker, ReassemblyLimits
from wsarecv_cli.replay.framing import FramingSpec
from wsarecv_cli.replay.schedule import ScheduleSpec
from wsarecv_cli.replay.session import ReplayConfig, ReplaySession

SAMPLE_BYTES = {p.name: p.read_bytes() for p in sorted(SAMPLES.glob("*.pcap*"))}
NAMES = sorted(SAMPLE_BYTES)
SMALL_CAPTURE = CaptureLimits(fragment_bytes=2048, fragment_sets=4)
SMALL_REASSEMBLY = ReassemblyLimits(max_held_bytes=2048, max_flows=3)
CONFIGS = [
    ReplayConfig(capture_limits=SMALL_CAPTURE, reassembly_limits=SMALL_REASSEMBLY),
    ReplayConfig(buffers=(3, 0, 5), schedule=ScheduleSpec.parse("drain")),
    ReplayConfig(protocol=Protocol.RELIABLE_MSG, framing=FramingSpec.parse("len:u16be"), max_message_bytes=512),
    ReplayConfig(mode=Mode.IOCP, outstanding=2, framing=FramingSpec.parse("line")),
]
FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def record_ends(data: bytes) -> list[int]:
    """Byte offsets where each record (pcap) or block (pcapng) ends; the samples are little-endian."""
    if data[:4] == b"\x0a\x0d\x0d\x0a":
        pos, ends, fmt = 0, [], "<I"
        while pos + 8 <= len(data):
            blen = struct.unpack_from(fmt, data, pos + 4)[0]
            if blen < 12:
                break
            pos += blen
            ends.append(pos)
        return ends[1:]  # after the section header
    rec_hdr = 24 if data[:4] == b"\x34\xcd\xb2\xa1" else 16
    pos, ends = 24, []
    while pos + rec_hdr <= len(data):
        pos += rec_hdr + struct.unpack_from("<I", data, pos + 8)[0]
        ends.append(pos)
    return ends


def run_pipeline(path: str, config: ReplayConfig) -> list:
    """flows' and replay's path over one file; returns the flow snapshots (or raises WsarecvError)."""
    tracker = FlowTracker(config.reassembly_limits, events=False)
    with read_packets(path, config.capture_limits) as packets:
        for packet in packets:
            tracker.feed(packet)
        tracker.finish()
        infos = tracker.flows
    for _ in ReplaySession(path, config):
        pass
    return infos


@st.composite
def mutated(draw) -> bytes:
    name = draw(st.sampled_from(NAMES))
    data = bytearray(SAMPLE_BYTES[name])
    ends = record_ends(bytes(data))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "truncate", "length", "splice", "bytes"]))
        if not data:
            break
        if kind == "flip":
            pos = draw(st.integers(0, len(data) - 1))
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif kind == "truncate":
            del data[draw(st.integers(0, len(data))):]
        elif kind == "length" and ends:
            # a random value in a length field: a record's caplen/wire length or a block's length
            start = draw(st.sampled_from([24, *ends[:-1]]))
            field = draw(st.sampled_from([4, 8, 12]))
            value = draw(st.one_of(st.integers(0, 0xFFFFFFFF), st.integers(0, 128)))
            if start + field + 4 <= len(data):
                data[start + field:start + field + 4] = struct.pack("<I", value)
        elif kind == "splice":
            other = SAMPLE_BYTES[draw(st.sampled_from(NAMES))]
            cuts = record_ends(other)
            if len(cuts) >= 2:
                i = draw(st.integers(0, len(cuts) - 2))
                piece = other[cuts[i]:cuts[i + 1]]
                at = draw(st.sampled_from([24, *ends])) if ends else 24
                data[at:at] = piece
        else:
            pos = draw(st.integers(0, len(data)))
            data[pos:pos] = draw(st.binary(min_size=1, max_size=64))
    return bytes(data)


@FUZZ
@given(data=mutated(), config=st.sampled_from(CONFIGS))
def test_mutated_samples_end_in_results_or_our_own_error(data: bytes, config: ReplayConfig, tmp_path: Path) -> None:
    path = tmp_path / "mutated.pcap"
    path.write_bytes(data)
    try:
        run_pipeline(str(path), config)
    except WsarecvError:
        pass  # the documented outcome for an unreadable capture; anything else fails the test


def frames_before(data: bytes, end: int) -> int:
    """How many packet records lie wholly before byte `end` (pcap records; pcapng EPB/SPB/PB blocks)."""
    if data[:4] != b"\x0a\x0d\x0d\x0a":
        return sum(1 for e in record_ends(data) if e <= end)
    count, pos = 0, 0
    while pos + 8 <= end:
        btype, blen = struct.unpack_from("<II", data, pos)
        if blen < 12 or pos + blen > end:
            break
        count += btype in (2, 3, 6)
        pos += blen
    return count


@FUZZ
@given(name=st.sampled_from(NAMES), cut=st.integers(0, 10_000), garbage=st.binary(max_size=40))
def test_cutting_after_record_k_keeps_the_first_k_results(name: str, cut: int, garbage: bytes, tmp_path: Path) -> None:
    full = SAMPLE_BYTES[name]
    boundaries = record_ends(full)
    if full[:4] != b"\x0a\x0d\x0d\x0a":
        boundaries = [24, *boundaries]
    k_end = boundaries[cut % len(boundaries)]
    k = frames_before(full, k_end)
    whole, part = tmp_path / "whole", tmp_path / "part"
    whole.write_bytes(full)
    part.write_bytes(full[:k_end] + garbage)
    with open_capture(str(whole)) as src:
        frames = list(src)
    try:
        with open_capture(str(part)) as src:
            kept = list(src)
    except CaptureError:
        assert k == 0 and garbage  # only garbage in place of the first record may refuse the file
        return
    assert kept[:k] == frames[:k]  # the prefix is untouched whatever follows it
    if garbage:
        return
    assert len(kept) == k
    with read_packets(str(whole)) as packets:
        expected = [p for p in packets if max(p.frames) <= k]
    with read_packets(str(part)) as packets:
        got = list(packets)
    assert got == expected
    # the prefix's flows keep their numbers and endpoints
    tracker, whole_tracker = FlowTracker(events=False), FlowTracker(events=False)
    for p in got:
        tracker.feed(p)
    with read_packets(str(whole)) as packets:
        for p in packets:
            whole_tracker.feed(p)
    known = {(f.id, f.a, f.b) for f in whole_tracker.flows}
    assert {(f.id, f.a, f.b) for f in tracker.flows} <= known


@pytest.mark.parametrize("name", NAMES)
def test_every_cut_of_every_sample_is_handled(name: str, tmp_path: Path) -> None:
    """Exhaustive where it is cheap: the sample cut at every record boundary and one byte inside it."""
    full = SAMPLE_BYTES[name]
    path = tmp_path / "cut"
    for end in record_ends(full)[:40]:
        for cut in (end, end - 1):
            path.write_bytes(full[:cut])
            try:
                run_pipeline(str(path), CONFIGS[0])
            except WsarecvError:
                pass
