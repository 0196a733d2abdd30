"""Receivers of parked UDP flows, kept as compressed pickles while their flow is quiet.

The flow tracker parks a UDP flow that sent nothing for a while (reassembly/parking.py), but the
receiving sockets of that flow are still open for the application: ending them would end what it
sees. A live receiver (model socket, driver, framing audit) is ~6.5 KB of objects; pickled and
compressed it is a few hundred bytes, and unpickled when its flow's next datagram (or an ICMP
error quoting it, or the end of the capture) comes, it carries on exactly where it was — the
replay session checks that no output changes (tests/reassembly/test_parking.py).

A receiver that cannot be pickled (nothing in the model should stop it, but a failure here must
never change an output) simply stays live.
"""

from __future__ import annotations

import pickle
import zlib
from typing import Any

# What a parked receiver costs beyond its blob, counted against --max-flow-memory with the blob's
# length: the entry and key here, and what the records writer keeps per receiver (its pairing and
# summary, sha256 included), which stays live (RSS along bench/udp_memory.py's 200k capture: ~7 KB
# a parked conversation, of which 1.7 KB the flow and 2 x 1.2 KB the blobs).
PARKED_RECEIVER_OVERHEAD = 1500


class ParkedReceivers:
    """ReceiverKey -> (the receiver's opening order, its compressed pickle)."""

    __slots__ = ("_blobs",)

    def __init__(self) -> None:
        self._blobs: dict[Any, tuple[int, bytes]] = {}

    def __contains__(self, key: object) -> bool:
        return key in self._blobs

    def __bool__(self) -> bool:
        return bool(self._blobs)

    def park(self, key: Any, receiver: Any) -> int | None:
        """Keep `receiver` as a blob; its cost in bytes, or None if it cannot be pickled (it stays live)."""
        try:
            blob = zlib.compress(pickle.dumps(receiver, pickle.HIGHEST_PROTOCOL), 1)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            return None
        self._blobs[key] = (receiver.serial, blob)
        return len(blob) + PARKED_RECEIVER_OVERHEAD

    def wake(self, key: Any) -> tuple[Any, int]:
        """The receiver back (taken out of the store) and the cost `park` counted for it."""
        _, blob = self._blobs.pop(key)
        return pickle.loads(zlib.decompress(blob)), len(blob) + PARKED_RECEIVER_OVERHEAD

    def order(self) -> list[tuple[int, Any]]:
        """(opening order, key) of every parked receiver."""
        return [(serial, key) for key, (serial, _) in self._blobs.items()]
