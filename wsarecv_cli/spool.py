"""An append-only scratch file: bytes out of memory now, read back later by position.

Long captures keep state for things that are quiet for a long time (a parked UDP conversation's
replay receivers, follow's segment lists): in memory that grows with the capture's length. A
`Spool` is one unnamed temporary file per run — made on the first write, removed by the system
when closed however the process ends — to which such state is appended as blocks and from which
it is read back by (position, size). Space is never reused: a block read back stays in the file
(it is disk, not memory, and a run's blocks add up to less than the capture it came from).
"""

from __future__ import annotations

import os
import tempfile
from typing import IO

WRITE_BUFFER = 1 << 16  # the file's buffer: one write(2) per ~30 follow blocks
_pread = getattr(os, "pread", None)  # POSIX only


class Spool:
    """Blocks of bytes in one temporary file.

    The file is only ever appended to, WRITE_BUFFER bytes at a time, and blocks are read back with
    os.pread, which leaves its position alone: a seek (as each write and read once made) flushes
    the file's buffer and is a system call itself; spilling a block (~2 KB) and reading it back
    cost ~23 us that way (bench/FOLLOW.md). Without os.pread (Windows) a read seeks, and the next
    write seeks back to the end."""

    def __init__(self) -> None:
        self._file: IO[bytes] | None = None  # made on the first write: most runs never need it
        self._end = 0
        self._moved = False  # a read (without os.pread) left the position before the end

    @property
    def size(self) -> int:
        """Bytes written to the file (live or not)."""
        return self._end

    def write(self, data: bytes) -> int:
        """Append a block; its position in the file."""
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="wsarecv-spool-", buffering=WRITE_BUFFER)
        elif self._moved:
            self._file.seek(self._end)
            self._moved = False
        pos = self._end
        self._file.write(data)
        self._end = pos + len(data)
        return pos

    def read(self, pos: int, size: int) -> bytes:
        assert self._file is not None
        if _pread is None:
            self._file.seek(pos)
            self._moved = True
            return self._file.read(size)
        self._file.flush()  # nothing to do unless a block was written since the last read
        data = _pread(self._file.fileno(), size, pos)
        assert len(data) == size, "a spooled block is all in the file"
        return data

    def close(self) -> None:
        """The file removed, every block gone; a later write starts a new file."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self._end = 0
        self._moved = False
