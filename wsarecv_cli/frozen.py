"""State set aside on disk while it is not needed: pickled, compressed, into the run's spool file.

A long capture's finished-for-now things (a parked UDP flow, its replay receivers, a replay
writer's state for a quiet receiver) would otherwise stay in memory as objects, and their number
grows with the capture's length, not with what is open. `Freezer.freeze` pickles an object graph
into a Spool (spool.py) and keeps in memory only what must stay the same object or cannot be
pickled, by reference (persistent ids): the objects named in `keep` (e.g. a consumer's event
sinks, which others hold too) and every hashlib hash (a running sha256 has no pickle). `thaw`
gives back an equal graph with those very objects in place. Nothing here may change an output,
so an object that cannot be pickled is not frozen (`freeze` returns None and the caller keeps it).
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


class Freezer:
    """Objects frozen into one spool file."""

    __slots__ = ("_spool",)

    def __init__(self) -> None:
        self._spool = Spool()

    def freeze(self, obj: Any, keep: tuple = ()) -> Frozen | None:
        """`obj` on disk (`keep`'s objects and any hash by reference); None if it cannot be pickled."""
        out = io.BytesIO()
        pickler = _Pickler(out, keep)
        try:
            pickler.dump(obj)
        except _CANNOT:
            return None
        blob = zlib.compress(out.getvalue(), 1)
        return Frozen(self._spool.write(blob), len(blob), tuple(pickler.kept))

    def thaw(self, frozen: Frozen) -> Any:
        """An equal object graph back, the kept objects themselves in place (the blob stays on disk)."""
        return _Unpickler(io.BytesIO(zlib.decompress(self._spool.read(frozen.pos, frozen.size))), frozen.kept).load()

    def close(self) -> None:
        self._spool.close()
