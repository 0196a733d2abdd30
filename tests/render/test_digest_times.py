"""follow --json's segment times: DirectionDigest.add skips round(., 9) where it changes nothing
(render/follow.py EXACT_NS). Checked against round() on both sides of the bound, on generated
and on the worst-placed values, and through add itself."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wsarecv_cli.net import Endpoint
from wsarecv_cli.reassembly import StreamData
from wsarecv_cli.render.follow import EXACT_NS, DirectionDigest

SECOND_2_23 = 2**23 * 10**9  # the bound as written, not read from the module (a wrong one must fail)
A, B = Endpoint.parse("10.0.0.1:1"), Endpoint.parse("10.0.0.2:2")


def digest_time(ns: int, origin: int = 0) -> float:
    digest = DirectionDigest(A, B, origin)
    digest.add(StreamData(0, b"x", origin + ns, (1,), False, origin + ns))
    return digest.segments()[0]["t"]


@settings(max_examples=3000)
@given(st.one_of(st.integers(-SECOND_2_23, SECOND_2_23), st.integers(SECOND_2_23 - 10**12, 2**26 * 10**9),
                 st.integers(-2**70, 2**70)), st.integers(0, 2**64))
def test_times_are_rounded_as_before(ns: int, origin: int) -> None:
    assert repr(digest_time(ns, origin)) == repr(round(ns / 1e9, 9))


@pytest.mark.parametrize("ns", [0, 1, -1, 5, 999_999_999, 10**9 + 1, EXACT_NS - 1, -(EXACT_NS - 1), EXACT_NS,
                                EXACT_NS + 1, 2**53 - 1, 2**53 + 1, 123_456_789_123_456_789],
                         ids=lambda ns: str(ns))
def test_edges(ns: int) -> None:
    assert repr(digest_time(ns)) == repr(round(ns / 1e9, 9))


def test_windows_near_the_bound_and_at_large_offsets() -> None:
    """Where a float's spacing is largest below the bound and just above it: every 7th ns of a few windows."""
    assert EXACT_NS <= SECOND_2_23
    for start in (SECOND_2_23 - 50_000, 2**22 * 10**9 - 50_000, 86_400 * 10**9 * 90, 2**24 * 10**9 - 50_000):
        for ns in range(start, start + 50_000, 7):
            assert repr(digest_time(ns)) == repr(round(ns / 1e9, 9))
