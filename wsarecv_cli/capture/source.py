"""Byte sources for the capture readers: a file, standard input, either possibly gzip-compressed.

Theory of operation: the container parsers (pcap.py, pcapng.py) work on one `bytes` buffer with
`struct.unpack_from` at computed offsets, so per-record work is a few C calls and no syscalls.
`ByteFeed` owns that buffer: `fill(pos, need)` drops what the parser consumed, reads big chunks
until `need` bytes are available after the kept position (or the stream ends), and never seeks,
so stdin and pipes behave like files. Lengths read from the capture are never used to allocate:
a request only reads chunks that really exist, so a record header claiming 3.9 GB costs one
chunk, not 3.9 GB.

Gzip is recognised by its magic (1f 8b) on the first bytes, on files and on stdin alike; the bytes
already read are replayed into the decompressor through `_Prefixed`.
"""

from __future__ import annotations

import gzip
import io
import os
import sys
import zlib
from typing import BinaryIO

from wsarecv_cli.errors import CaptureError

# 256 KiB reads: few syscalls, and what a read buffer keeps alive while its packets are handled
# (the buffer, its payload copies, the Packets: ~3x the buffer) stays small. 1 MiB cost replay
# --ndjson 7 MB, follow --json 5 MB and flows 3.5 MB of peak RSS on bench-many-200k, for no CPU
# time measurably saved (3 runs each, interleaved, load ~4.8).
CHUNK = 1 << 18
GZIP_MAGIC = b"\x1f\x8b"


class _Prefixed(io.RawIOBase):
    """A read-only stream that returns `prefix` first and then the rest of `inner`."""

    def __init__(self, prefix: bytes, inner: BinaryIO) -> None:
        self._prefix = prefix
        self._inner = inner

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        if self._prefix:
            n = min(len(b), len(self._prefix))
            b[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        data = _read_some(self._inner, len(b))
        b[: len(data)] = data
        return len(data)


def _read_some(stream, n: int) -> bytes:
    """Whatever is available up to n bytes (read1 keeps a live pipe flowing), b'' only at EOF."""
    read1 = getattr(stream, "read1", None)
    return read1(n) if read1 is not None else stream.read(n)


class ByteFeed:
    """A growing window over a byte stream; parsers index `buf` directly."""

    def __init__(self, stream: BinaryIO, name: str, total_bytes: int | None, closer=None,
                 compressed: bool = False) -> None:
        self.name = name
        self.compressed = compressed
        self.total_bytes = total_bytes
        self.buf = b""
        self.base = 0  # stream offset of buf[0], for messages ("at byte N")
        self.eof = False
        self._stream = stream
        self._closer = closer

    @property
    def bytes_read(self) -> int:
        return self.base + len(self.buf)

    def fill(self, pos: int, need: int) -> int:
        """Keep buf[pos:], read until `need` bytes are available from there or EOF.

        Returns the new position of the kept data (0). Callers compare len(buf) with need.
        """
        if pos:
            self.base += pos
            self.buf = self.buf[pos:]
        parts = [self.buf]
        have = len(self.buf)
        while have < need and not self.eof:
            data = self._read(max(CHUNK, min(need - have, 16 * CHUNK)))
            if not data:
                self.eof = True
                break
            parts.append(data)
            have += len(data)
        if len(parts) > 1:
            self.buf = b"".join(parts)
        return 0

    def _read(self, n: int) -> bytes:
        try:
            return _read_some(self._stream, n)
        except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
            # A broken gzip trailer or an I/O error mid-file ends the data like a cut-short file.
            self.read_error = f"{type(exc).__name__}: {exc}"
            return b""

    read_error: str | None = None

    def close(self) -> None:
        if self._closer is not None:
            self._closer()
            self._closer = None


def open_feed(path: str) -> ByteFeed:
    """Open `path` ('-' for stdin) as a ByteFeed, transparently gunzipping; CaptureError if unreadable."""
    if path == "-":
        raw: BinaryIO = sys.stdin.buffer
        name, total, closer = "<stdin>", None, None
    else:
        try:
            raw = open(path, "rb")  # noqa: SIM115 - closed by the feed
            st = os.fstat(raw.fileno())
        except FileNotFoundError:
            raise CaptureError(f"{path}: no such file") from None
        except IsADirectoryError:
            raise CaptureError(f"{path}: is a directory, not a capture file") from None
        except PermissionError:
            raise CaptureError(f"{path}: permission denied") from None
        except OSError as exc:
            raise CaptureError(f"{path}: cannot open ({exc.strerror or exc})") from None
        name, total, closer = path, st.st_size, raw.close
    head = b""
    try:
        while len(head) < 4:
            more = _read_some(raw, CHUNK)
            if not more:
                break
            head += more
    except OSError as exc:
        if closer:
            closer()
        raise CaptureError(f"{name}: cannot read ({exc.strerror or exc})") from None
    if head.startswith(GZIP_MAGIC):
        stream = gzip.GzipFile(fileobj=io.BufferedReader(_Prefixed(head, raw), CHUNK), mode="rb")
        return ByteFeed(stream, name, None, closer, compressed=True)
    feed = ByteFeed(raw, name, total, closer)
    feed.buf = head
    if not head:
        feed.eof = True
    return feed
