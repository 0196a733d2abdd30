"""The run's spool file (wsarecv_cli/spool.py): blocks written out of memory come back as written,
however reads and writes interleave (follow's segment blocks, parked flows and receivers)."""

from __future__ import annotations

import hashlib

import pytest

from wsarecv_cli import spool as spool_module
from wsarecv_cli.frozen import FrozenStore
from wsarecv_cli.spool import Spool


@pytest.mark.parametrize("pread", [True, False], ids=["pread", "seek-without-pread"])
def test_the_spool_gives_back_every_block_between_writes(monkeypatch: pytest.MonkeyPatch, pread: bool) -> None:
    """Reads between writes (as flows finish while others spill), past the write buffer, of blocks
    still in it and of blocks long written; with os.pread and without it (Windows)."""
    if not pread:
        monkeypatch.setattr(spool_module, "_pread", None)
    elif spool_module._pread is None:
        pytest.skip("no os.pread on this system")
    spool = Spool()
    blocks = []
    for n in range(300):
        data = bytes([n % 251]) * (n * 37 % 5000 + 1)
        blocks.append((spool.write(data), data))
        for pos, want in (blocks[-1], blocks[n // 2]) if n % 3 == 0 else ():  # the last read not at the end
            assert spool.read(pos, len(want)) == want
    assert sum(len(data) for _, data in blocks) > 2 * spool_module.WRITE_BUFFER
    assert [spool.read(pos, len(data)) for pos, data in blocks] == [data for _, data in blocks]
    spool.close()


def test_the_frozen_store_compacts_its_file_and_gives_back_what_it_stored(monkeypatch: pytest.MonkeyPatch) -> None:
    """Thousands of objects stored and taken back, a few kept: the file is rewritten with the live
    blobs once dead space dominates (so it stays within twice them plus COMPACT_AT), and what comes
    back is what went in, with the very `kept` object handed over beside it."""
    monkeypatch.setattr(FrozenStore, "COMPACT_AT", 4096)
    store = FrozenStore()
    shared = object()
    kept = {}
    for n in range(3000):
        value = {"n": n, "payload": bytes([n % 256]) * (n % 300)}
        assert store.put(n, value, (shared, n))
        if n % 100 == 0:
            kept[n] = value
        else:
            got, beside = store.take(n)
            assert got == value and beside[0] is shared and beside[1] == n
        assert store._spool.size <= 2 * store._live + FrozenStore.COMPACT_AT + 1024
    assert len(store) == len(kept)
    for n, value in kept.items():
        assert store.take(n) == (value, (shared, n))
    assert len(store) == 0 and store._spool.size == 0  # nothing left: the file is gone


@pytest.mark.parametrize("unpicklable", [lambda: None, hashlib.sha256()], ids=["lambda", "running-hash"])
def test_what_cannot_be_pickled_is_not_stored(unpicklable: object) -> None:
    store = FrozenStore()
    assert not store.put("k", {"f": unpicklable})
    assert "k" not in store and len(store) == 0
