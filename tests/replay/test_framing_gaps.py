"""The framing finder across capture-gap bytes (issue #13 b): which framings keep their boundaries,
which resynchronise, and which cannot — and that it says so."""

from __future__ import annotations

import struct

from wsarecv_cli.replay.framing import FramingAudit, FramingSpec


def audit(spec: str, *calls: tuple[bytes, tuple[tuple[int, int], ...]]) -> FramingAudit:
    a = FramingAudit(FramingSpec.parse(spec))
    for data, unknown in calls:
        a.call(data, unknown)
    return a


def test_fixed_framing_keeps_its_boundaries_through_a_gap():
    a = audit("fixed:4", (b"abcd" + bytes(6) + b"gh", ((4, 10),)), (b"ijkl", ()))
    assert (a.findings.messages, a.findings.unknown_messages, a.findings.error) == (4, 2, "")


def test_a_length_already_read_carries_the_message_across_a_gap():
    message = struct.pack("!H", 6) + b"abcdef"
    a = audit("len:u16be", (message[:3] + bytes(3) + message[6:], ((3, 6),)), (message, ()))
    assert (a.findings.messages, a.findings.unknown_messages, a.findings.error) == (2, 1, "")


def test_a_length_field_inside_a_gap_loses_framing_and_says_why():
    message = struct.pack("!H", 2) + b"ab"
    a = audit("len:u16be", (message + bytes(3), ((4, 7),)), (b"rest", ()))
    assert a.findings.messages == 1
    assert "framing lost" in a.findings.error and "cannot find the next message boundary" in a.findings.resync


def test_delimiter_framing_resynchronises_at_the_next_delimiter():
    a = audit("line", (b"one\ntw" + bytes(5) + b"o\nthree\n", ((6, 11),)))
    assert (a.findings.messages, a.findings.unknown_messages) == (3, 1)
    assert "resynchronised" in a.findings.resync and a.findings.error == ""
