"""Application framing: boundaries found in any chunking, and how calls cut across messages."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wsarecv_cli.replay.framing import (
    CallFraming,
    FramingAudit,
    FramingError,
    FramingSpec,
    Framer,
    MessageAssembler,
)


def u16_messages(*bodies: bytes) -> bytes:
    return b"".join(struct.pack(">H", len(b)) + b for b in bodies)


@pytest.mark.parametrize(
    "text, stream, ends",
    [
        pytest.param("len:u16be", u16_messages(b"abc", b"", b"de"), [5, 7, 11], id="u16be-with-empty-body"),
        pytest.param("len:u32le", struct.pack("<I", 2) + b"xy", [6], id="u32le"),
        pytest.param("len:u8+2", b"HD\x01Z" + b"HD\x00", [4, 7], id="field-after-2-byte-header"),
        pytest.param("len:u16be=incl", b"\x00\x03Z\x00\x02", [3, 5], id="inclusive-length"),
        pytest.param("line", b"GET /\nHost: x\n\ntail", [6, 14, 15], id="lines"),
        pytest.param("delim:0d0a", b"a\r\nbc\r\n\r", [3, 7], id="crlf"),
        pytest.param("fixed:4", b"abcdefghij", [4, 8], id="fixed"),
    ],
)
def test_framer_finds_message_ends(text: str, stream: bytes, ends: list[int]) -> None:
    assert Framer(FramingSpec.parse(text)).feed(stream) == ends


@pytest.mark.parametrize("text", ["len:u24", "delim:zz", "fixed:0", "json", "len:u16be+x"])
def test_bad_framing_specs_are_rejected_with_the_accepted_forms(text: str) -> None:
    with pytest.raises(ValueError, match="len:u16be"):
        FramingSpec.parse(text)


@given(bodies=st.lists(st.binary(max_size=40), max_size=12), cuts=st.lists(st.integers(0, 600), max_size=20))
def test_boundaries_do_not_depend_on_chunking(bodies: list[bytes], cuts: list[int]) -> None:
    stream = u16_messages(*bodies)
    whole = Framer(FramingSpec.parse("len:u16be")).feed(stream)
    framer = Framer(FramingSpec.parse("len:u16be"))
    points = sorted({0, len(stream), *(c for c in cuts if c < len(stream))})
    chunked = [end for a, b in zip(points, points[1:]) for end in framer.feed(stream[a:b])]
    assert chunked == whole
    assert len(whole) == len(bodies)


def test_audit_counts_split_and_coalesced_messages() -> None:
    stream = u16_messages(b"AAAA", b"BB", b"CCCCCC")  # ends at 6, 10, 18
    audit = FramingAudit(FramingSpec.parse("len:u16be"))
    calls = [stream[0:3], stream[3:10], stream[10:14], stream[14:18]]
    per_call = [audit.call(c) for c in calls]
    assert per_call == [
        CallFraming(whole=0, fragments=1),  # first half of A
        CallFraming(whole=1, fragments=1),  # end of A, all of B
        CallFraming(whole=0, fragments=1),  # start of C
        CallFraming(whole=0, fragments=1),  # end of C
    ]
    findings = audit.findings
    assert (findings.messages, findings.split_messages, findings.multi_message_calls, findings.fragment_calls) == (3, 2, 1, 4)


def test_audit_one_call_per_message_is_clean() -> None:
    audit = FramingAudit(FramingSpec.parse("line"))
    assert [audit.call(c) for c in (b"a\n", b"bb\n")] == [CallFraming(1, 0), CallFraming(1, 0)]
    assert not CallFraming(1, 0).suspicious and CallFraming(2, 0).suspicious and CallFraming(0, 1).suspicious
    assert audit.findings.split_messages == 0 and audit.findings.multi_message_calls == 0


def test_audit_middle_of_a_long_message_is_one_fragment() -> None:
    audit = FramingAudit(FramingSpec.parse("fixed:10"))
    assert [audit.call(c) for c in (b"abc", b"def", b"ghij")] == [
        CallFraming(0, 1), CallFraming(0, 1), CallFraming(0, 1)]  # the last one ends it: still a part
    assert audit.findings.messages == 1 and audit.findings.split_messages == 1


def test_audit_reports_a_length_that_cannot_be_framed_and_stops() -> None:
    audit = FramingAudit(FramingSpec.parse("len:u16be=incl"))
    assert audit.call(b"\x00\x01zz") is None
    assert "does not fit" in audit.findings.error
    assert audit.call(b"more") is None


def test_message_assembler_cuts_messages_across_chunks() -> None:
    assembler = MessageAssembler(FramingSpec.parse("len:u16be"))
    stream = u16_messages(b"hello", b"", b"world!")
    out = assembler.feed(stream[:4]) + assembler.feed(stream[4:10]) + assembler.feed(stream[10:])
    assert out == [b"\x00\x05hello", b"\x00\x00", b"\x00\x06world!"]
    assert assembler.held_bytes == 0


def test_message_assembler_refuses_a_message_beyond_its_limit() -> None:
    assembler = MessageAssembler(FramingSpec.parse("len:u32be"), limit=100)
    with pytest.raises(FramingError, match="limit"):
        assembler.feed(struct.pack(">I", 1000) + b"x" * 50)
