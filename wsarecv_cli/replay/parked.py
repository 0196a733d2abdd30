"""Receivers of parked UDP flows, kept on disk as pickles while their flow is quiet.

The flow tracker parks a UDP flow that sent nothing for a while (reassembly/parking.py), but the
receiving sockets of that flow are still open for the application: ending them would end what it
sees. A live receiver (model socket, driver, framing audit) is ~6.5 KB of objects; pickled, it
is a few KB, written to the run's spool file (frozen.py), so a parked receiver costs
only its entry here (~0.1 KB): a long capture's finished UDP conversations do not add up in
memory. Unpickled when its flow's next datagram (or an ICMP error quoting it, or the end of the
capture) comes, it carries on exactly where it was — the replay session checks that no output
changes (tests/reassembly/test_parking.py).

A receiver that cannot be pickled (nothing in the model should stop it, but a failure here must
never change an output) simply stays live.
"""

from __future__ import annotations

from typing import Any

from wsarecv_cli.frozen import FrozenStore

# What a parked receiver still costs in memory, counted against --max-flow-memory: its entries
# here and in the session, and what the NDJSON writer keeps of it (its entry, its running sha256;
# the rest is set aside too: cli/replay_quiet.py). Along bench/udp_memory.py's captures a parked
# conversation (two receivers and the parked flow, 1.9 KB) costs ~4-5 KB of RSS.
PARKED_RECEIVER_OVERHEAD = 1500


class ParkedReceivers:
    """ReceiverKey -> the receiver frozen on disk, its opening order kept beside it."""

    __slots__ = ("_store",)

    def __init__(self) -> None:
        self._store = FrozenStore()

    def __contains__(self, key: object) -> bool:
        return key in self._store

    def __bool__(self) -> bool:
        return bool(len(self._store))

    def park(self, key: Any, receiver: Any) -> int | None:
        """Keep `receiver` on disk; its cost in bytes, or None if it cannot be pickled (it stays live)."""
        return PARKED_RECEIVER_OVERHEAD if self._store.put(key, receiver, receiver.serial) else None

    def wake(self, key: Any) -> tuple[Any, int]:
        """The receiver back (taken out of the store) and the cost `park` counted for it."""
        return self._store.take(key)[0], PARKED_RECEIVER_OVERHEAD

    def order(self) -> list[tuple[int, Any]]:
        """(opening order, key) of every parked receiver."""
        return [(serial, key) for key, serial in self._store.kept_items()]

    def close(self) -> None:
        """The store's file removed (every receiver has been woken or is no longer wanted)."""
        self._store.close()
