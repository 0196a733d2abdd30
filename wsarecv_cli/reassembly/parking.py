"""Idle UDP flows parked: their live state made light while they are quiet, woken by the next datagram.

UDP has no close, so a streaming consumer (follow, replay) would keep every UDP conversation live
to the end of the capture: on a long capture the live flows grow with its length, not with what
is open. A flow parked here keeps its identity and everything it has counted (id, a/b,
DirectionStats, the consumer's sinks) but leaves the live table, the eviction sweep and the packet
path, and drops what only a live flow needs (each direction's last datagram, kept to spot a frame
captured twice within microseconds: parked flows have been quiet for seconds). A later datagram of
either direction wakes it, so parking changes no event, no counter and no index: it is invisible
in every output (tests/reassembly/test_parking.py).

Parked flows stay objects. Pickling them to disk (frozen.py, as replay does with its receivers)
was tried and measured: ~1.2 KB less a parked flow, but ~45 us a flow to freeze and thaw, which
made follow --json 68 % slower on a capture of 50,000 two-datagram conversations for 13 % less
memory, and changed nothing measurable on the benchmark captures (bench/MEMORY.md).

Parked flows still cost memory (PARKED_COST each, counted in MemoryBudget.live) and count against
--max-flows: the tracker evicts the longest-parked first (they are the idlest flows there are).
They are finished for good at the end of the capture with the live ones, in the order the flows
were made, as they would be without parking.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wsarecv_cli.net import FlowId

# A parked UDP flow's memory (tracemalloc, 3,000 flows: the flow, its stats and directions, its two
# keys here: 1.9 KB; live, 2.1 KB plus its last datagrams), counted in MemoryBudget.live instead of
# FLOW_COST.
PARKED_COST = 1900


class ParkedFlows:
    """The parked flows, oldest parked first, and the 5-tuples that wake them."""

    __slots__ = ("_flows", "_keys")

    def __init__(self) -> None:
        self._flows: dict[FlowId, Any] = {}  # insertion order: the order parked
        # the a->b 5-tuple key -> the flow's id (one key a flow: the other direction's is looked
        # up reversed, ~0.15 KB less a parked flow)
        self._keys: dict[tuple, FlowId] = {}

    def __len__(self) -> int:
        return len(self._flows)

    def park(self, flow: Any, keys: tuple[tuple, tuple]) -> None:
        """Park `flow`; `keys`: its a->b and b->a 5-tuple keys."""
        self._flows[flow.id] = flow
        self._keys[keys[0]] = flow.id

    def wake(self, key: tuple) -> Any | None:
        """The parked flow of a 5-tuple (either direction), taken out of the store; None if none."""
        flow_id = self.get(key)
        return None if flow_id is None else self.take(flow_id)

    def get(self, key: tuple) -> FlowId | None:
        """The id of the parked flow of a 5-tuple (either direction), left parked (an ICMP error
        quoting a quiet flow)."""
        keys = self._keys
        flow_id = keys.get(key)
        if flow_id is None and keys:
            transport, src, sport, dst, dport = key
            flow_id = keys.get((transport, dst, dport, src, sport))
        return flow_id

    def by_id(self, flow_id: FlowId) -> Any | None:
        return self._flows.get(flow_id)

    def flows(self) -> Iterable[Any]:
        """The parked flows, oldest parked first, left parked."""
        return self._flows.values()

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
        one at a time in their turn (`take`)."""
        return [(flow.serial, flow_id) for flow_id, flow in self._flows.items()]

    def take(self, flow_id: FlowId) -> Any:
        """A parked flow, taken out of the store."""
        flow = self._flows.pop(flow_id)
        del self._keys[flow.table_keys()[0]]
        return flow
