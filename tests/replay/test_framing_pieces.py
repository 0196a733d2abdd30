"""FramingAudit's per-call pieces: which messages a call delivered, where in each, whole or not."""

from __future__ import annotations

import pytest

from wsarecv_cli.replay.framing import FramingAudit, FramingSpec, MessagePiece


def pieces(spec: str, calls: list[bytes]) -> list[list[tuple]]:
    audit = FramingAudit(FramingSpec.parse(spec))
    return [[(p.message, p.offset, p.length, p.whole, p.end) for p in audit.call(c).pieces] for c in calls]


@pytest.mark.parametrize("spec, calls, expected", [
    ("fixed:4", [b"abcd"], [[(1, 0, 4, True, True)]]),
    ("fixed:4", [b"ab", b"cdefgh"], [[(1, 0, 2, False, False)], [(1, 2, 2, False, True), (2, 0, 4, True, True)]]),
    ("fixed:4", [b"abcdef", b"gh"], [[(1, 0, 4, True, True), (2, 0, 2, False, False)], [(2, 2, 2, False, True)]]),
    ("fixed:10", [b"abc", b"def", b"ghij"],
     [[(1, 0, 3, False, False)], [(1, 3, 3, False, False)], [(1, 6, 4, False, True)]]),
    ("line", [b"a\nbb\nc"], [[(1, 0, 2, True, True), (2, 0, 3, True, True), (3, 0, 1, False, False)]]),
    ("len:u16be", [b"\x00", b"\x02hi\x00\x00"],
     [[(1, 0, 1, False, False)], [(1, 1, 3, False, True), (2, 0, 2, True, True)]]),
], ids=["one-whole", "split-then-whole", "whole-then-head", "middle-of-a-long-one", "lines", "length-prefix-cut"])
def test_pieces(spec, calls, expected) -> None:
    assert pieces(spec, calls) == expected


def test_a_piece_as_a_record() -> None:
    assert MessagePiece(3, 2, 10, True).as_dict() == {"message": 3, "offset": 2, "bytes": 10, "whole": False,
                                                      "end": True}
