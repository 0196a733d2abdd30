"""The run's spool file (wsarecv_cli/spool.py): blocks written out of memory come back as written,
however reads and writes interleave (follow's segment blocks, parked flows and receivers)."""

from __future__ import annotations

import pytest

from wsarecv_cli import spool as spool_module
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
