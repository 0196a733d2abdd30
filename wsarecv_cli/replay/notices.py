"""Receiver-side facts a capture shows besides the calls: the receiver's window closing and
opening (its application read too slowly) and datagrams the connected-UDP filter dropped (R21).
The session hands them out in capture order with the outcomes; diagnose/ turns them into findings.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


class NoticeKind(enum.Enum):
    """What the capture showed about a receiver besides its calls (read by diagnose/)."""

    ZERO_WINDOW = "zero-window"  # the receiver advertised a zero window (its application was slow)
    WINDOW_OPEN = "window-open"  # ... and opened it again
    DATAGRAM_DROPPED = "datagram-dropped"  # the connected-UDP filter dropped a datagram (R21)


@dataclass(frozen=True, slots=True)
class ReceiverNotice:
    """A receiver-side fact from the capture, in capture order with the outcomes."""

    key: Any  # session.ReceiverKey
    kind: NoticeKind
    t_ns: int
    offset: int | None = None  # stream offset the receiver had been handed (TCP)
    length: int | None = None  # bytes concerned (a dropped datagram's size)
    source: str | None = None  # a dropped datagram's sender
