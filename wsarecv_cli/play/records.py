"""What a play run produces, as it happens: sends, receives, closes, and a summary per direction.

Each has `record()`: its `--ndjson` object (field names stable; fields may be added).
`t` is seconds since the connection was established (UDP: since the socket was ready).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from wsarecv_cli.play.compare import ReplyCheck

Record = dict[str, Any]


def _seconds(ns: int) -> float:
    return round(ns / 1e9, 6)


@dataclass(frozen=True, slots=True)
class SendRecord:
    flow: str
    n: int
    t_ns: int
    size: int
    capture_ns: int  # the captured segment's time, from the flow's first packet
    oob: bool = False

    def record(self) -> Record:
        return {"type": "send", "flow": self.flow, "n": self.n, "t": _seconds(self.t_ns), "bytes": self.size,
                "capture_t": _seconds(self.capture_ns), "oob": self.oob}


@dataclass(frozen=True, slots=True)
class RecvRecord:
    flow: str
    n: int
    t_ns: int
    size: int

    def record(self) -> Record:
        return {"type": "recv", "flow": self.flow, "n": self.n, "t": _seconds(self.t_ns), "bytes": self.size}


@dataclass(frozen=True, slots=True)
class CloseRecord:
    """A close made by the player or seen from the app.

    how: player: fin | half-close | rst (a flow the capture left open ends with a fin);
         app: fin (EOF read) | rst (connection reset) | open (still open when play stopped)."""

    flow: str
    side: str  # "player" | "app"
    how: str
    t_ns: int

    def record(self) -> Record:
        return {"type": "close", "flow": self.flow, "side": self.side, "how": self.how, "t": _seconds(self.t_ns)}


@dataclass(frozen=True, slots=True)
class DirectionSummary:
    """One direction of the played conversation against its captured counterpart.

    direction: "sent" (player -> app: `units` sends) or "received" (app -> player: `units` recv
    calls, or datagrams); `check` compares the bytes with the capture."""

    flow: str
    direction: str
    sender: str  # the socket address that sent (the player's or the app's)
    units: int
    size: int
    close: str  # how this direction ended (a CloseRecord's `how`)
    expected_close: str  # how it ended in the capture
    check: ReplyCheck

    def record(self) -> Record:
        check = self.check
        return {"type": "summary", "flow": self.flow, "direction": self.direction, "sender": self.sender,
                "segments": self.units, "bytes": self.size, "expected_segments": check.expected_units,
                "expected_bytes": check.expected_bytes, "close": self.close, "expected_close": self.expected_close,
                "match": check.match, "difference": check.describe() or None}
