"""A replay writer's per-receiver state, set aside on disk while the receiver is quiet.

The session sets the receivers of a parked UDP flow aside (replay/parked.py) and says so with a
ReceiverQuiet item; a writer that keeps state per receiver (its row pairing, summary, line
formats: ~2.5 KB a receiver) would otherwise keep it for every UDP conversation the capture ever
had until the end, and its memory would grow with the capture's length. `QuietReceivers` is the
writer's dict of that state: `set_aside(key)` freezes a receiver's state into a spool file
(frozen.py: its running sha256 is taken out first and stays in memory; the detector's state for
the receiver leaves the detector and goes with it), and the next lookup of that key — the
receiver's next item — thaws it, so the writer's hot path is a plain dict lookup. Output is
unchanged (tests/reassembly/test_parking.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wsarecv_cli.frozen import FrozenStore


class QuietReceivers(dict):
    """ReceiverKey -> a writer's state for it; quiet ones on disk until looked up again."""

    def __init__(self, detach: Callable[[Any], Any], attach: Callable[[Any, Any], None]) -> None:
        super().__init__()
        # What of a state must not be pickled (shared with others, or a running hash): `detach`
        # takes it out and returns it, `attach` puts it back.
        self._detach, self._attach = detach, attach
        self._aside = FrozenStore()

    def set_aside(self, key: Any) -> None:
        """The receiver of `key` is quiet: its state to disk (left here if it cannot be pickled)."""
        state = self.get(key)
        if state is None:
            return
        kept = self._detach(state)
        if self._aside.put(key, state, kept):
            del self[key]
        else:
            self._attach(state, kept)

    def __missing__(self, key: Any) -> Any:
        state, kept = self._aside.take(key)
        self._attach(state, kept)
        self[key] = state
        return state

    def close(self) -> None:
        self._aside.close()
