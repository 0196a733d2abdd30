"""Idle UDP flows parked: their live state made light while they are quiet, woken by the next datagram.

UDP has no close, so a streaming consumer (follow, replay) would keep every UDP conversation live
to the end of the capture: on a long capture the live flows grow with its length, not with what
is open. A flow parked here keeps its identity and everything it has counted (id, a/b,
DirectionStats, the consumer's sinks) but leaves the live table, the eviction sweep and the packet
path, and drops what only a live flow needs (each direction's last datagram, kept to spot a frame
captured twice within microseconds: parked flows have been quiet for seconds). A later datagram of
either direction wakes it, so parking changes no event, no counter and no index: it is invisible
in every output (tests/reassembly/test_parking.py).

A parked flow is kept frozen (frozen.py): pickled to the tracker's spool file, only its index
entries and its two event sinks left in memory (the sinks belong to the consumer, e.g. follow's
digests, and come back as they were, by reference). Frozen, a parked flow costs ~0.6 KB against
~1.9 KB as objects, so a long capture's finished UDP conversations hardly add up; thawing it (its
next datagram, an ICMP error quoting it, eviction, the end) gives an equal flow, the sinks the same
objects. A flow that cannot be pickled (nothing in it should stop that, but parking must never
change an output) stays parked as it is.

Parked flows still cost memory (PARKED_COST each, counted in MemoryBudget.live) and count against
--max-flows: the tracker evicts the longest-parked first (they are the idlest flows there are).
They are finished for good at the end of the capture with the live ones, in the order the flows
were made, as they would be without parking.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wsarecv_cli.frozen import FrozenStore
from wsarecv_cli.net import FlowId

# A parked UDP flow's memory: its entries here (the id, both 5-tuple keys, the spool position, the
# sinks; tracemalloc, 3,000 flows: ~0.6 KB) — counted in MemoryBudget.live instead of FLOW_COST.
# As objects it was 1.9 KB (the flow, its stats and directions), live 2.1 KB plus its last datagrams.
PARKED_COST = 700


class ParkedFlows:
    """The parked flows, oldest parked first (frozen on disk), and the 5-tuples that wake them."""

    __slots__ = ("_flows", "_keys", "_store")

    def __init__(self) -> None:
        # insertion order: the order parked; (creation order, None when frozen in _store, else
        # the flow itself: one that would not pickle)
        self._flows: dict[FlowId, tuple[int, Any]] = {}
        self._keys: dict[tuple, FlowId] = {}  # both directions' 5-tuple keys -> the flow's id
        self._store = FrozenStore()

    def __len__(self) -> int:
        return len(self._flows)

    def park(self, flow: Any, keys: tuple[tuple, tuple]) -> None:
        sinks = tuple(d.sink() for d in flow.dirs if d.sink() is not None)  # the consumer's: by reference
        frozen = self._store.put(flow.id, flow, keep=sinks)
        self._flows[flow.id] = (flow.serial, None if frozen else flow)
        for key in keys:
            self._keys[key] = flow.id

    def wake(self, key: tuple) -> Any | None:
        """The parked flow of a 5-tuple (either direction), taken out of the store; None if none."""
        flow_id = self._keys.get(key)
        return None if flow_id is None else self.take(flow_id)

    def get(self, key: tuple) -> FlowId | None:
        """The id of the parked flow of a 5-tuple, left parked (an ICMP error quoting a quiet flow)."""
        return self._keys.get(key)

    def by_id(self, flow_id: FlowId) -> Any | None:
        """A copy of a parked flow, left parked (to read its endpoints or counters)."""
        entry = self._flows.get(flow_id)
        if entry is None:
            return None
        return self._store.peek(flow_id) if entry[1] is None else entry[1]

    def flows(self) -> Iterable[Any]:
        """Copies of the parked flows, oldest parked first, left parked."""
        return (self.by_id(flow_id) for flow_id in self._flows)

    def oldest(self, count: int) -> list[Any]:
        """Up to `count` flows parked longest ago, taken out of the store (to be finished)."""
        victims = []
        for flow_id in self._flows:
            if len(victims) == count:
                break
            victims.append(flow_id)
        return [self.take(flow_id) for flow_id in victims]

    def order(self) -> list[tuple[int, FlowId]]:
        """(creation order, id) of every parked flow, left parked: the end of the capture takes them
        one at a time in their turn (`take`), so they are never all thawed at once."""
        return [(serial, flow_id) for flow_id, (serial, _) in self._flows.items()]

    def take(self, flow_id: FlowId) -> Any:
        """A parked flow, taken out of the store."""
        flow = self._flows.pop(flow_id)[1]
        if flow is None:
            flow = self._store.take(flow_id)
        for key in flow.table_keys():
            if self._keys.get(key) == flow_id:
                del self._keys[key]
        return flow
