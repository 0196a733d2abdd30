"""UDP: every datagram (after IP reassembly) is one `Datagram` event, in capture order.

Nothing is merged, split or dropped; zero-length datagrams are kept (they are real receives).
"""

from __future__ import annotations

from collections.abc import Callable

from wsarecv_cli.net import Endpoint
from wsarecv_cli.reassembly.events import Datagram, StreamEvent
from wsarecv_cli.reassembly.stats import DirectionStats

_new = tuple.__new__


class UdpDirection:
    __slots__ = ("stats", "source", "_emit")

    def __init__(self, stats: DirectionStats, source: Endpoint, emit: Callable[[StreamEvent], None] | None) -> None:
        self.stats = stats
        self.source = source
        self._emit = emit

    def datagram(self, payload: bytes, missing: int, ts: int, frames: tuple[int, ...]) -> None:
        st = self.stats
        wire = len(payload) + missing
        st.payload_bytes += wire
        if missing:
            st.truncated += 1
        if not wire:
            st.datagrams_empty += 1
        if self._emit is not None:
            self._emit(_new(Datagram, (payload, self.source, ts, frames, wire)))
