"""The capture-reality rules one by one (docs/CAPTURE_REALITY.md): overlap policies, roles without
a SYN, checksum verdicts, the MSS as the super-segment threshold, gap evidence."""

from __future__ import annotations

import struct

import pytest
from reasm_builders import CLIENT, ISN_C, ISN_S, SERVER, Capture, run

from wsarecv_cli.capture.checksums import ChecksumVerdict, ones_complement_sum, verdict
from wsarecv_cli.net import Endpoint
from wsarecv_cli.reassembly import GapEvidence, ReassemblyLimits, StreamData, StreamGap
from wsarecv_cli.reassembly.roles import inferred_client
from wsarecv_cli.reassembly.stats import OverlapPolicy

S1 = ISN_S + 1


# -- overlap policies (Suricata's target-based rules for bytes held out of order) ---------------

def _overlap_stream(policy: OverlapPolicy, first: tuple[int, bytes], second: tuple[int, bytes]) -> bytes:
    """A hole at 0..2, then `first` and `second` held over it, then the hole filled."""
    c = Capture()
    c.handshake()
    c.tcp(S1 + first[0], first[1])
    c.tcp(S1 + second[0], second[1])
    c.tcp(S1, b"00")
    events, _ = run(c.packets, ReassemblyLimits(overlap=policy))
    return b"".join(e.data for e in events if isinstance(e, StreamData))


# (new starts before / same start & ends after / same start & ends before / starts after)
CASES = {
    "new-starts-before": ((3, b"oooo"), (2, b"NNNNN")),
    "same-start-longer": ((2, b"oooo"), (2, b"NNNNNN")),
    "same-start-shorter": ((2, b"oooo"), (2, b"NN")),
    "new-starts-after": ((2, b"oooo"), (3, b"NNNNN")),
}
EXPECTED = {  # the bytes at offsets 2.. after the hole is filled
    "first": {"new-starts-before": b"Noooo", "same-start-longer": b"ooooNN", "same-start-shorter": b"oooo",
              "new-starts-after": b"ooooNN"},
    "last": {"new-starts-before": b"NNNNN", "same-start-longer": b"NNNNNN", "same-start-shorter": b"NNoo",
             "new-starts-after": b"oNNNNN"},
    "windows": {"new-starts-before": b"NNNNN", "same-start-longer": b"ooooNN", "same-start-shorter": b"oooo",
                "new-starts-after": b"ooooNN"},
    "linux": {"new-starts-before": b"NNNNN", "same-start-longer": b"NNNNNN", "same-start-shorter": b"oooo",
              "new-starts-after": b"ooooNN"},
}


@pytest.mark.parametrize("policy", ["first", "last", "windows", "linux"])
@pytest.mark.parametrize("case", list(CASES))
def test_overlap_policy(policy, case):
    stream = _overlap_stream(OverlapPolicy(policy), *CASES[case])
    assert stream == b"00" + EXPECTED[policy][case]


def test_delivered_bytes_are_never_replaced_whatever_the_policy():
    c = Capture()
    c.handshake()
    c.tcp(S1, b"abcd")
    c.tcp(S1 + 2, b"XYef")
    events, tracker = run(c.packets, ReassemblyLimits(overlap=OverlapPolicy.LAST))
    assert b"".join(e.data for e in events if isinstance(e, StreamData)) == b"abcdef"
    assert tracker.flows[0].direction(SERVER).overlap_conflicts == 1


# -- roles without a SYN -----------------------------------------------------------------------

@pytest.mark.parametrize(("a", "b", "client"), [
    ("10.0.0.1:51000", "10.0.0.2:80", "10.0.0.1:51000"),  # well-known port: the server
    ("10.0.0.2:443", "10.0.0.1:51000", "10.0.0.1:51000"),  # first packet from the server
    ("10.0.0.2:8080", "10.0.0.1:50000", "10.0.0.1:50000"),  # registered vs ephemeral
    ("10.0.0.1:5000", "10.0.0.2:6000", "10.0.0.2:6000"),  # neither: the lower port is the server
    ("10.0.0.1:40000", "10.0.0.2:40001", "10.0.0.2:40001"),  # both ephemeral: lower port again
    ("10.0.0.1:7000", "10.0.0.2:7000", "10.0.0.1:7000"),  # equal ports: the first sender is the client
], ids=["well-known", "server-first", "ephemeral", "lower-port", "both-ephemeral", "equal-ports"])
def test_inferred_client(a, b, client):
    assert inferred_client(Endpoint.parse(a), Endpoint.parse(b)) == Endpoint.parse(client)


def test_syn_decides_even_against_the_ports():
    c = Capture()
    c.tcp(ISN_C, flags="S", sender=SERVER)  # the port-80 side opens the connection
    _, tracker = run(c.packets)
    info = tracker.flows[0]
    assert (info.client, info.roles_inferred) == (SERVER, False)


# -- the MSS is the super-segment threshold ----------------------------------------------------

def test_mss_from_the_syn_sets_the_large_segment_threshold():
    c = Capture()
    c.handshake()
    c.packets[0] = c.packets[0]._replace(mss=536)  # the client announced MSS 536
    c.tcp(S1, b"x" * 600)  # larger than 536, smaller than an Ethernet MTU
    _, tracker = run(c.packets)
    stats = tracker.flows[0].direction(SERVER)
    assert (stats.large_segments, stats.mss) == (1, 536)


def test_resegment_splits_back_to_the_mss():
    c = Capture()
    c.handshake()
    c.packets[0] = c.packets[0]._replace(mss=500)
    c.tcp(S1, bytes(range(256)) * 5, flags="AP")
    events, tracker = run(c.packets, ReassemblyLimits(resegment=True))
    data = [e for e in events if isinstance(e, StreamData)]
    assert [len(e.data) for e in data] == [500, 500, 280] and [e.push for e in data] == [False, False, True]
    assert tracker.flows[0].direction(SERVER).resegmented == 1


# -- gap evidence ------------------------------------------------------------------------------

def test_rst_declares_an_open_hole_at_its_time():
    c = Capture()
    c.handshake()
    c.tcp(S1 + 10, b"behind")
    rst = c.tcp(S1 + 16, flags="R")
    events, _ = run(c.packets)
    (gap,) = [e for e in events if isinstance(e, StreamGap)]
    assert (gap.length, gap.evidence, gap.ts_ns) == (10, GapEvidence.RST, rst.ts_ns)


def test_receiver_acks_not_covering_the_hole_mean_a_real_loss_not_a_gap_wait():
    c = Capture()
    c.handshake()
    c.tcp(S1 + 10, b"behind")  # 10 bytes lost on the network: the client keeps acking S1
    for _ in range(3):
        c.tcp(ISN_C + 1, flags="A", ack=S1, sender=CLIENT)
    late = c.tcp(S1, b"0123456789")  # the retransmission fills it
    events, _ = run(c.packets, ReassemblyLimits(gap_wait_ns=0))
    assert not [e for e in events if isinstance(e, StreamGap)]
    behind = [e for e in events if isinstance(e, StreamData) and e.data == b"behind"]
    assert behind[0].ready_ns == late.ts_ns


# -- checksums ---------------------------------------------------------------------------------

def _frame(checksum: int | None, payload: bytes = b"hello") -> bytes:
    """Ethernet + IPv4 + TCP with the given TCP checksum (None: the correct one)."""
    src, dst = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
    tcp = struct.pack("!HHIIBBHHH", 1234, 80, 1, 0, 5 << 4, 0x18, 512, 0, 0) + payload
    pseudo = src + dst + bytes((0, 6)) + len(tcp).to_bytes(2, "big")
    partial = ones_complement_sum(pseudo)
    value = {None: ~ones_complement_sum(pseudo + tcp) & 0xFFFF, "partial": partial}.get(checksum, checksum)
    tcp = tcp[:16] + value.to_bytes(2, "big") + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, src, dst)
    return b"\x02" * 6 + b"\x04" * 6 + b"\x08\x00" + ip + tcp


@pytest.mark.parametrize(("checksum", "expected"), [
    (None, ChecksumVerdict.OK), (0, ChecksumVerdict.OFFLOAD), ("partial", ChecksumVerdict.OFFLOAD),
    (0x1234, ChecksumVerdict.BAD),
], ids=["correct", "zero", "pseudo-header-only", "wrong"])
def test_checksum_verdicts(checksum, expected):
    frame = _frame(checksum)
    assert verdict(1, frame, len(frame)) is expected


def test_a_frame_cut_by_the_snaplen_is_not_judged():
    frame = _frame(0x1234)
    assert verdict(1, frame[:-2], len(frame)) is ChecksumVerdict.UNKNOWN


def test_a_udp_datagram_logged_twice_is_one_datagram_but_one_sent_twice_is_two():
    c = Capture()
    first = c.udp(b"query")
    c.packets.append(first._replace(frame=2, ts_ns=first.ts_ns + 20_000, frames=(2,)))  # 20 us later: pktmon
    c.udp(b"query")  # 1 ms later: the application sent it again
    events, tracker = run(c.packets)
    assert [e.data for e in events] == [b"query", b"query"]
    assert tracker.flows[0].direction(SERVER).duplicates == 1
