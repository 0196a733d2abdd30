"""A replay writer's per-receiver state, set aside on disk while the receiver is quiet.

The session sets the receivers of a parked UDP flow aside (replay/parked.py) and says so with a
ReceiverQuiet item; a writer that keeps state per receiver (its row pairing, summary, line
formats: ~2.5 KB a receiver) would otherwise keep it for every UDP conversation the capture ever
had until the end, and its memory would grow with the capture's length. `QuietReceivers` is the
writer's dict of that state: `set_aside(key)` freezes a receiver's state into a spool file
(frozen.py: its running sha256 and anything the writer names as shared stay in memory, by
reference), and the next lookup of that key — the receiver's next item — thaws it, so the writer's
hot path is a plain dict lookup. Output is unchanged (tests/reassembly/test_parking.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wsarecv_cli.frozen import FrozenStore


class QuietReceivers(dict):
    """ReceiverKey -> a writer's state for it; quiet ones on disk until looked up again."""

    def __init__(self, shared: Callable[[Any], tuple] = lambda state: ()) -> None:
        super().__init__()
        self._shared = shared  # what of a state others hold too (kept by reference)
        self._aside = FrozenStore()

    def set_aside(self, key: Any) -> None:
        """The receiver of `key` is quiet: its state to disk (left here if it cannot be pickled)."""
        state = self.get(key)
        if state is not None and self._aside.put(key, state, keep=self._shared(state)):
            del self[key]

    def __missing__(self, key: Any) -> Any:
        state = self[key] = self._aside.take(key)
        return state

    def close(self) -> None:
        self._aside.close()
