"""Idle UDP flows parked: their live state made light while they are quiet, woken by the next datagram.

UDP has no close, so a streaming consumer (follow, replay) would keep every UDP conversation live
to the end of the capture: on a long capture the live flows grow with its length, not with what
is open. A flow parked here keeps its identity and everything it has counted (the same `_Flow`
object: id, a/b, DirectionStats, the consumer's sinks) but leaves the live table, the eviction
sweep and the packet path, and drops what only a live flow needs (each direction's last datagram,
kept to spot a frame captured twice within microseconds: parked flows have been quiet for
seconds). A later datagram of either direction wakes the same object, so parking changes no
event, no counter and no index: it is invisible in every output (tests/reassembly/test_parking.py).

Parked flows still cost memory (PARKED_COST each, counted in MemoryBudget.live) and count against
--max-flows: the tracker evicts the longest-parked first (they are the idlest flows there are).
They are finished for good at the end of the capture with the live ones, in the order the flows
were made, as they would be without parking.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wsarecv_cli.net import FlowId

# A parked UDP flow's memory (tracemalloc, 5,000 flows: the flow, its stats and directions, its
# two table keys here; 1.66 KB, against 2.06 KB live with 100-byte datagrams — live, each
# direction's last datagram comes on top), counted in MemoryBudget.live instead of FLOW_COST.
PARKED_COST = 1700


class ParkedFlows:
    """The parked flows, oldest parked first, and the 5-tuples that wake them."""

    __slots__ = ("_flows", "_keys")

    def __init__(self) -> None:
        self._flows: dict[FlowId, Any] = {}  # insertion order: the order parked
        self._keys: dict[tuple, Any] = {}  # both directions' 5-tuple keys -> the flow

    def __len__(self) -> int:
        return len(self._flows)

    def park(self, flow: Any, keys: tuple[tuple, tuple]) -> None:
        self._flows[flow.id] = flow
        for key in keys:
            self._keys[key] = flow

    def wake(self, key: tuple) -> Any | None:
        """The parked flow of a 5-tuple (either direction), taken out of the store; None if none."""
        flow = self._keys.get(key)
        if flow is not None:
            self._take(flow)
        return flow

    def get(self, key: tuple) -> Any | None:
        """The parked flow of a 5-tuple, left parked (an ICMP error quoting a quiet flow)."""
        return self._keys.get(key)

    def by_id(self, flow_id: FlowId) -> Any | None:
        return self._flows.get(flow_id)

    def flows(self) -> Iterable[Any]:
        """The parked flows, oldest parked first, left parked."""
        return self._flows.values()

    def oldest(self, count: int) -> list[Any]:
        """Up to `count` flows parked longest ago, taken out of the store (to be finished)."""
        victims = []
        for flow in self._flows.values():
            if len(victims) == count:
                break
            victims.append(flow)
        for flow in victims:
            self._take(flow)
        return victims

    def drain(self) -> list[Any]:
        """Every parked flow, oldest parked first, all taken out (taking them one by one from the
        front of the dict would rescan its deleted slots each time)."""
        flows = list(self._flows.values())
        self._flows.clear()
        self._keys.clear()
        return flows

    def _take(self, flow: Any) -> None:
        del self._flows[flow.id]
        for key in flow.table_keys():
            if self._keys.get(key) is flow:
                del self._keys[key]
