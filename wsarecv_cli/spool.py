"""An append-only scratch file: bytes out of memory now, read back later by position.

Long captures keep state for things that are quiet for a long time (a parked UDP conversation's
replay receivers, follow's segment lists): in memory that grows with the capture's length. A
`Spool` is one unnamed temporary file per run — made on the first write, removed by the system
when closed however the process ends — to which such state is appended as blocks and from which
it is read back by (position, size). Space is never reused: a block read back stays in the file
(it is disk, not memory, and a run's blocks add up to less than the capture it came from).
"""

from __future__ import annotations

import tempfile
from typing import IO


class Spool:
    """Blocks of bytes in one temporary file."""

    __slots__ = ("_file", "_end")

    def __init__(self) -> None:
        self._file: IO[bytes] | None = None  # made on the first write: most runs never need it
        self._end = 0

    def write(self, data: bytes) -> int:
        """Append a block; its position in the file."""
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="wsarecv-spool-")
        pos = self._end
        self._file.seek(pos)
        self._file.write(data)
        self._end = pos + len(data)
        return pos

    def read(self, pos: int, size: int) -> bytes:
        assert self._file is not None
        self._file.seek(pos)
        return self._file.read(size)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
