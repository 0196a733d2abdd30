"""One captured flow -> a play script: what the played side sends, when, and what the app should answer.

Theory of operation. `wsarecv play` stands in for one side of a captured conversation (the
"player": the captured client or server) and talks to the user's real application (the "app",
standing in for the other side). The script holds, in capture order:

  * the player's sends: one per captured segment (TCP StreamData, the urgent byte as its own
    MSG_OOB send) or datagram (UDP), each with its capture time and `wait_for`: how many bytes
    (TCP) or datagrams (UDP) the captured app had sent before it. The player waits for that much
    of the real app's answer before sending, so a request/response exchange keeps its causality
    even at --speed 0;
  * the app's captured segments (`replies`), to compare with what the real app sends back;
  * how each side closed: the player's close is reproduced (FIN, half-close, RST); the app's is
    only expected.

Pure: no sockets, no clock. Building a script from a capture (`read_flow`) reads one flow's
events into memory: a flow played over a socket is bounded by what a socket is fed anyway.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from wsarecv_cli.net import Endpoint, FlowId, Transport
from wsarecv_cli.reassembly import Datagram, FlowEvent, StreamData, StreamFin, StreamGap, StreamReset, UrgentData


class Role(enum.Enum):
    """Which captured side the player plays (`--as`)."""

    CLIENT = "client"  # connects to the app (--connect)
    SERVER = "server"  # listens for the app (--listen)


class CloseKind(enum.Enum):
    """How one side ended the captured connection."""

    FIN = "fin"  # shutdown(SHUT_WR) after the last byte; nothing came back afterwards
    HALF_CLOSE = "half-close"  # FIN, then the other side still sent data that was read
    RST = "rst"  # an abortive close (SO_LINGER 0)
    OPEN = "open"  # the capture ended with this side still open (UDP: always)


@dataclass(frozen=True, slots=True)
class Send:
    """One send of the player: a captured segment or datagram (or a re-sliced piece of one)."""

    data: bytes
    capture_ns: int  # capture time of the segment, from the flow's first packet
    wait_for: int  # app bytes (TCP) / datagrams (UDP) the capture shows before this send
    oob: bool = False  # the urgent byte, sent with MSG_OOB


@dataclass(frozen=True, slots=True)
class Reply:
    """One captured segment or datagram of the app's side: what the real app is compared with."""

    data: bytes
    capture_ns: int


@dataclass(frozen=True, slots=True)
class Hole:
    """Bytes a direction lacks in the capture (a StreamGap): play cannot invent them."""

    sender: Endpoint
    offset: int
    length: int


@dataclass(frozen=True, slots=True)
class PlayScript:
    flow: FlowId
    role: Role
    player: Endpoint  # the captured endpoint the player stands in for
    app: Endpoint  # the captured endpoint the real application stands in for
    sends: tuple[Send, ...]
    replies: tuple[Reply, ...]
    close: CloseKind  # how the player closes
    close_ns: int  # when (capture time from the first packet; the last event's time when OPEN)
    close_wait_for: int  # app bytes/datagrams the capture shows before the player's close
    app_close: CloseKind  # how the captured app closed (expected, not enforced)
    holes: tuple[Hole, ...] = ()

    @property
    def transport(self) -> Transport:
        return self.flow.transport

    @property
    def reply_bytes(self) -> bytes:
        return b"".join(r.data for r in self.replies)

    def sent_holes(self) -> tuple[Hole, ...]:
        return tuple(h for h in self.holes if h.sender == self.player)

    def reply_holes(self) -> tuple[Hole, ...]:
        return tuple(h for h in self.holes if h.sender == self.app)


def client_of(a: Endpoint, b: Endpoint, initiator: Endpoint | None) -> Endpoint:
    """The captured client: the SYN's sender, else the sender of the flow's first packet (UDP too)."""
    return initiator or a


def build_script(flow: FlowId, client: Endpoint, server: Endpoint, role: Role, origin_ns: int,
                 events: Iterable[FlowEvent]) -> PlayScript:
    """The events of one flow, in capture order -> the script of the side `role` plays."""
    player, app = (client, server) if role is Role.CLIENT else (server, client)
    sends: list[Send] = []
    replies: list[Reply] = []
    holes: list[Hole] = []
    answered = 0  # app bytes (TCP) or datagrams (UDP) so far
    close, close_ns, close_wait_for = CloseKind.OPEN, 0, 0
    app_close = CloseKind.OPEN
    last_ns = origin_ns
    for fe in events:
        e = fe.event
        last_ns = max(last_ns, e.ts_ns)
        at = e.ts_ns - origin_ns
        mine = fe.sender == player
        if isinstance(e, StreamGap):
            holes.append(Hole(fe.sender, e.offset, e.length))
        elif isinstance(e, (StreamData, Datagram, UrgentData)):
            data = bytes([e.byte]) if isinstance(e, UrgentData) else e.data
            if mine:
                sends.append(Send(data, at, answered, oob=isinstance(e, UrgentData)))
            else:
                replies.append(Reply(data, at))
                answered += 1 if isinstance(e, Datagram) else len(data)
        elif isinstance(e, (StreamFin, StreamReset)):
            kind = CloseKind.RST if isinstance(e, StreamReset) else CloseKind.FIN
            if mine and close is CloseKind.OPEN:
                close, close_ns, close_wait_for = kind, at, answered
            elif not mine and app_close is CloseKind.OPEN:
                app_close = kind
    if close is CloseKind.FIN and any(r.capture_ns > close_ns for r in replies):
        close = CloseKind.HALF_CLOSE
    if close is CloseKind.OPEN:
        close_ns, close_wait_for = last_ns - origin_ns, answered
    return PlayScript(flow, role, player, app, tuple(sends), tuple(replies), close, close_ns, close_wait_for,
                      app_close, tuple(holes))
