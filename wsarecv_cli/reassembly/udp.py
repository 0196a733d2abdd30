"""UDP: every datagram (after IP reassembly) is one `Datagram` event, in capture order.

Nothing is merged or split; zero-length datagrams are kept (they are real receives). A datagram
identical to the direction's previous one within `limits.duplicate_window_ns` is the same frame
captured twice (pktmon, two interfaces): counted as a duplicate and dropped, as for TCP.
"""

from __future__ import annotations

from collections.abc import Callable

from wsarecv_cli.net import Endpoint
from wsarecv_cli.reassembly.events import Datagram, StreamEvent
from wsarecv_cli.reassembly.stats import DirectionStats

_new = tuple.__new__


class UdpDirection:
    __slots__ = ("stats", "source", "_emit", "_window", "_last", "_last_ts")

    def __init__(self, stats: DirectionStats, source: Endpoint, emit: Callable[[StreamEvent], None] | None,
                 duplicate_window_ns: int = 100_000) -> None:
        self.stats = stats
        self.source = source
        self._emit = emit
        self._window = duplicate_window_ns
        self._last: tuple[bytes, int] | None = None
        self._last_ts = 0

    def quiet(self, keep_emit: bool) -> None:
        """The flow is parked (parking.py): after seconds of silence the next datagram cannot be
        the last one captured twice, so the last one is not kept; nor the event route, unless it
        is a consumer's sink (the tracker's own is made again by `awake`)."""
        self._last = None
        if not keep_emit:
            self._emit = None

    def awake(self, emit: Callable[[StreamEvent], None] | None) -> None:
        """Out of parking with the tracker's event route made again (`quiet` dropped it)."""
        self._emit = emit

    def datagram(self, payload: bytes, missing: int, ts: int, frames: tuple[int, ...]) -> None:
        st = self.stats
        wire = len(payload) + missing
        st.payload_bytes += wire
        if missing:
            st.truncated += 1
        if not wire:
            st.datagrams_empty += 1
        last = (payload, missing)
        if last == self._last and ts - self._last_ts <= self._window:
            st.duplicates += 1
            return
        self._last, self._last_ts = last, ts
        if self._emit is not None:
            self._emit(_new(Datagram, (payload, self.source, ts, frames, wire)))
