"""One flow: what the tracker keeps of it while it is live or parked (`LiveFlow`), its snapshot
(`FlowInfo`, what `flows` lists), and the window-change event its receiver's zero window makes.
The tracker that routes packets to flows is flows.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, NamedTuple

from wsarecv_cli.net import Endpoint, FlowId, Transport
from wsarecv_cli.reassembly.roles import inferred_client
from wsarecv_cli.reassembly.stats import DirectionStats

TCP = Transport.TCP
Closure = Literal["open", "half-closed", "closed", "reset"]


class WindowChange(NamedTuple):
    """The receiver of a direction advertised a zero window (`zero`), or opened it again: its
    application read too slowly. Only made with `window_events=True` (replay's findings)."""

    offset: int  # stream offset the receiver had been handed when it advertised the change
    zero: bool
    ts_ns: int
    frames: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class FlowInfo:
    """A snapshot of one flow: who, when, how much, and what went wrong (per direction)."""

    id: FlowId
    a: Endpoint  # sender of the first packet (tshark's node0)
    b: Endpoint
    initiator: Endpoint | None  # SYN sender when known
    first_ts: int
    last_ts: int
    a_to_b: DirectionStats
    b_to_a: DirectionStats
    closure: Closure

    @property
    def client(self) -> Endpoint:
        """The initiator, or the client inferred from the ports (roles.py) when no SYN was seen."""
        return self.initiator if self.initiator is not None else inferred_client(self.a, self.b)

    @property
    def roles_inferred(self) -> bool:
        return self.initiator is None

    @property
    def transport(self) -> Transport:
        return self.id.transport

    def direction(self, sender: Endpoint) -> DirectionStats:
        return self.a_to_b if sender == self.a else self.b_to_a

    @property
    def has_findings(self) -> bool:
        """Gaps, truncation or limits hit in either direction (what --strict reports)."""
        return any(d.gaps or d.truncated or d.limit_hits or d.evicted for d in (self.a_to_b, self.b_to_a))


class LiveFlow:
    """Live state of one flow; directions[0] carries a's data to b."""

    __slots__ = ("id", "ends", "initiator", "first_ts", "last_ts", "dirs", "stats", "done", "closing", "serial")

    def __init__(self, fid: FlowId, a: Endpoint, b: Endpoint, ts: int, serial: int) -> None:
        self.id = fid
        self.serial = serial  # creation order: the end-of-capture flush's order, parked or not
        self.ends = (a, b)
        self.initiator: int | None = None
        self.first_ts = ts
        self.last_ts = ts
        self.stats = (DirectionStats(), DirectionStats())
        self.dirs: tuple = ()
        self.done = False
        self.closing = False  # queued to be retired after the closed-flow linger

    def table_keys(self) -> tuple[tuple, tuple]:
        """Its two entries in the 5-tuple table: a->b, b->a (made again rather than kept: 56 B a flow)."""
        a, b = self.ends
        t = self.id.transport
        return (t, a.addr, a.port, b.addr, b.port), (t, b.addr, b.port, a.addr, a.port)

    def info(self) -> FlowInfo:
        a, b = self.ends
        return FlowInfo(
            self.id, a, b,
            None if self.initiator is None else self.ends[self.initiator],
            self.first_ts, self.last_ts, self.stats[0].copy(), self.stats[1].copy(),
            self.closure(),
        )

    def closure(self) -> Closure:
        if self.id.transport is not TCP:
            return "open"
        d0, d1 = self.dirs
        if d0.reset or d1.reset:
            return "reset"
        fins = d0.fin_done + d1.fin_done
        return "closed" if fins == 2 else "half-closed" if fins else "open"


# What a live flow costs beyond its windows and held data, counted in MemoryBudget.live against
# --max-flow-memory: ~2.1-2.5 KB traced, ~3 KB of RSS (bench/MEMORY.md).
FLOW_COST = 3000
