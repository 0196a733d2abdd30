from __future__ import annotations

import pytest

from wsarecv_cli.reassembly import RangeSet
from wsarecv_cli.reassembly.seq import seq_add, seq_diff, seq_gt, seq_le, seq_lt, unwrap


@pytest.mark.parametrize(("a", "b", "diff"), [
    pytest.param(5, 3, 2, id="plain"),
    pytest.param(2, 0xFFFFFFFE, 4, id="across-wrap"),
    pytest.param(0xFFFFFFFE, 2, -4, id="behind-across-wrap"),
    pytest.param(1 << 31, 0, -(1 << 31), id="half-space-is-the-past"),
])
def test_seq_diff(a, b, diff):
    assert seq_diff(a, b) == diff
    assert seq_gt(a, b) == (diff > 0) and seq_lt(a, b) == (diff < 0) and seq_le(a, a)


def test_seq_add_wraps():
    assert seq_add(0xFFFFFFFF, 2) == 1


def test_unwrap_past_2_32():
    base = 0xFFFFFFF0
    assert unwrap(0x10, base, 20) == 0x20
    assert unwrap(base - 5, base, 0) == -5


def test_rangeset_add_ordered_reverse_merge_and_duplicate():
    rs = RangeSet()
    rs.add(10, 20)
    rs.add(0, 5)
    rs.add(30, 40)
    assert list(rs) == [range(0, 5), range(10, 20), range(30, 40)]
    rs.add(5, 10)  # touching neighbours merge
    rs.add(12, 15)  # duplicate inside
    assert list(rs) == [range(0, 20), range(30, 40)]
    rs.add(15, 35)
    assert list(rs) == [range(0, 40)]


def test_rangeset_subtract_and_missing():
    rs = RangeSet([range(0, 10), range(20, 30)])
    rs.subtract(5, 25)
    assert list(rs) == [range(0, 5), range(25, 30)]
    assert rs.missing(0, 40) == [range(5, 25), range(30, 40)]
    assert rs.covers(25, 30) and not rs.covers(4, 6)
    assert 3 in rs and 7 not in rs
    assert rs.shift() == range(0, 5) and len(rs) == 1


def test_rangeset_refuses_truthiness():
    with pytest.raises(NotImplementedError):
        bool(RangeSet())
