"""State set aside on disk while it is not needed: pickled, compressed, into the run's spool file.

A long capture's finished-for-now things (a parked UDP flow, its replay receivers, a replay
writer's state for a quiet receiver) would otherwise stay in memory as objects, and their number
grows with the capture's length, not with what is open. `FrozenStore.put` pickles an object graph
into a Spool (spool.py) and keeps in memory only what must stay the same object or cannot be
pickled, by reference (persistent ids): the objects named in `keep` (e.g. a consumer's event
sinks, which others hold too) and every hashlib hash (a running sha256 has no pickle). Reading it
back gives an equal graph with those very objects in place. Nothing here may change an output, so
an object that cannot be pickled is not stored (`put` says so and the caller keeps it).
"""

from __future__ import annotations

import io
import pickle
import zlib
from typing import Any, NamedTuple

from wsarecv_cli.spool import Spool

# hashlib's objects, by their type's module: OpenSSL's (one type for every algorithm) and the
# builtin fallbacks. Not by importing hashlib here: that loads libcrypto (~3.7 MB of RSS) into
# commands that never hash (`flows`).
_HASH_MODULES = frozenset({"_hashlib", "_sha256", "_sha1", "_md5", "_sha512", "_blake2", "_sha3"})
_CANNOT = (pickle.PicklingError, TypeError, AttributeError, RecursionError, ValueError)


class Frozen(NamedTuple):
    """Where a frozen object's pickle is in the spool, and what it kept by reference."""

    pos: int
    size: int
    kept: tuple


class _Pickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO, keep: tuple) -> None:
        super().__init__(file, pickle.HIGHEST_PROTOCOL)
        self._named = {id(obj) for obj in keep}
        self.kept: list[Any] = []

    def persistent_id(self, obj: Any) -> int | None:
        if id(obj) in self._named or obj.__class__.__module__ in _HASH_MODULES:
            self.kept.append(obj)
            return len(self.kept) - 1
        return None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, kept: tuple) -> None:
        super().__init__(file)
        self._kept = kept

    def persistent_load(self, pid: Any) -> Any:
        return self._kept[pid]


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

    def put(self, key: Any, obj: Any, keep: tuple = ()) -> bool:
        """`obj` on disk under `key` (`keep`'s objects and any hash by reference); False, and
        nothing stored, if it cannot be pickled (the caller keeps it as it is)."""
        out = io.BytesIO()
        pickler = _Pickler(out, keep)
        try:
            pickler.dump(obj)
        except _CANNOT:
            return False
        blob = zlib.compress(out.getvalue(), 1)
        if self._spool.size > self.COMPACT_AT and self._spool.size > 2 * self._live:
            self._compact()
        self._where[key] = Frozen(self._spool.write(blob), len(blob), tuple(pickler.kept))
        self._live += len(blob)
        return True

    def peek(self, key: Any) -> Any:
        """A copy of what is stored under `key`, left stored; the kept objects themselves in place."""
        frozen = self._where[key]
        return _Unpickler(io.BytesIO(zlib.decompress(self._spool.read(frozen.pos, frozen.size))), frozen.kept).load()

    def take(self, key: Any) -> Any:
        """What is stored under `key`, no longer stored."""
        obj = self.peek(key)
        self._live -= self._where.pop(key).size
        if not self._where:
            self._spool.close()  # nothing wanted: the file goes (a new one is made for the next)
        return obj

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
