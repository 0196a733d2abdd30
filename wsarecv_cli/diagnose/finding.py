"""One finding: a catalogue code at a place in a capture, and its `finding` record."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from wsarecv_cli.diagnose.codes import BY_KEY, FindingCode


@dataclass(frozen=True, slots=True)
class Finding:
    """Where a receive bug shows. Every place field is None when it does not apply (a
    capture-wide finding has no flow; a zero window no call)."""

    code: str  # "WR101"
    text: str  # what happened here, one line
    capture: str | None = None
    flow: str | None = None
    receiver: str | None = None
    n: int | None = None  # the call (WSARecv number) it shows in
    t: float | None = None  # seconds from the first packet
    offset: int | None = None  # stream offset: bytes the receiver had been handed before it
    length: int | None = None  # bytes concerned (lost, missing, dropped, in the message range)
    message: int | None = None  # framing: message number (from 1), or datagram number
    byte_range: tuple[int, int] | None = None  # framing: the message's (or call's) stream bytes [start, end)
    calls: tuple[int, ...] = ()  # framing: every call that carried the message
    duration: float | None = None  # zero window: seconds closed

    @property
    def info(self) -> FindingCode:
        return BY_KEY[self.code.lower()]

    def at(self, capture: str) -> Finding:
        return replace(self, capture=capture)

    def record(self) -> dict[str, Any]:
        """The `finding` record (--ndjson); fields that do not apply are left out."""
        rec: dict[str, Any] = {"type": "finding", "code": self.code, "name": self.info.name}
        for name in ("capture", "flow", "receiver", "n", "t", "offset"):
            value = getattr(self, name)
            if value is not None:
                rec[name] = value
        if self.length is not None:
            rec["bytes"] = self.length
        if self.message is not None:
            rec["message"] = self.message
        if self.byte_range is not None:
            rec["range"] = list(self.byte_range)
        if self.calls:
            rec["calls"] = list(self.calls)
        if self.duration is not None:
            rec["duration"] = self.duration
        rec["text"] = self.text
        return rec

    def line(self) -> str:
        """One line for people: code, place, what."""
        where = " ".join(part for part in (
            self.flow, self.receiver and f"→ {self.receiver}",
            self.n is not None and f"call {self.n}",
            self.t is not None and f"t={self.t:.6f}",
            self.offset is not None and f"@{self.offset}") if part)
        return f"{self.code} {self.info.name}  {where + '  ' if where else ''}{self.text}"
