"""State set aside on disk while it is not needed: pickled into the run's spool file.

A long capture's finished-for-now things (the replay receivers of a parked UDP flow, a replay
writer's state for a quiet receiver) would otherwise stay in memory as objects, and their number
grows with the capture's length, not with what is open. `FrozenStore.put` pickles an object graph
into a Spool (spool.py) under a key; `take` gives an equal graph back. What must stay the same
object or cannot be pickled (what others hold too; a running sha256) the caller takes out of the
graph first and hands over as `kept`, which stays in memory beside the blob and comes back with
it. Nothing here may change an output, so an object that cannot be pickled is not stored (`put`
says so and the caller keeps it as it is).

Why no pickling hooks (persistent_id) and no compression: both run per object or per byte in the
hot moment a flow goes quiet; with them, freezing cost ~150 us an object graph and made replay
of a capture of 5,000 short UDP conversations 60 % slower (bench/MEMORY.md). The blobs are on disk.
"""

from __future__ import annotations

import pickle
from typing import Any, NamedTuple

from wsarecv_cli.spool import Spool

_CANNOT = (pickle.PicklingError, TypeError, AttributeError, RecursionError, ValueError)


class Frozen(NamedTuple):
    """Where a frozen object's pickle is in the spool, and what was kept out of it, in memory."""

    pos: int
    size: int
    kept: Any


class FrozenStore:
    """key -> an object frozen into one spool file. Blobs read back leave dead space behind, so the
    file is rewritten with just the live blobs whenever it is over COMPACT_AT and over twice their
    size: the disk it takes stays within twice what is set aside (plus COMPACT_AT), whatever number
    of flows parked and woke before (a capture of millions of one-datagram conversations would
    otherwise leave a blob on disk for each)."""

    COMPACT_AT = 8 << 20

    __slots__ = ("_where", "_spool", "_live")

    def __init__(self) -> None:
        self._where: dict[Any, Frozen] = {}
        self._spool = Spool()
        self._live = 0  # bytes of the blobs still wanted

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, key: object) -> bool:
        return key in self._where

    def kept_items(self) -> list[tuple[Any, Any]]:
        """(key, kept) of everything stored, in the order stored."""
        return [(key, frozen.kept) for key, frozen in self._where.items()]

    def put(self, key: Any, obj: Any, kept: Any = None) -> bool:
        """`obj` on disk under `key`, `kept` (what the caller took out of it) in memory beside it;
        False, and nothing stored, if it cannot be pickled (the caller keeps it as it is)."""
        try:
            blob = pickle.dumps(obj, pickle.HIGHEST_PROTOCOL)
        except _CANNOT:
            return False
        if self._spool.size > self.COMPACT_AT and self._spool.size > 2 * self._live:
            self._compact()
        self._where[key] = Frozen(self._spool.write(blob), len(blob), kept)
        self._live += len(blob)
        return True

    def take(self, key: Any) -> tuple[Any, Any]:
        """(what is stored under `key`, its `kept`), no longer stored."""
        frozen = self._where.pop(key)
        obj = pickle.loads(self._spool.read(frozen.pos, frozen.size))
        self._live -= frozen.size
        if not self._where:
            self._spool.close()  # nothing wanted: the file goes (a new one is made for the next)
        return obj, frozen.kept

    def close(self) -> None:
        self._where.clear()
        self._live = 0
        self._spool.close()

    def _compact(self) -> None:
        """The live blobs into a new file, the old one (mostly dead space) removed."""
        old, self._spool = self._spool, Spool()
        for key, frozen in self._where.items():
            self._where[key] = frozen._replace(pos=self._spool.write(old.read(frozen.pos, frozen.size)))
        old.close()
