"""Progress on stderr while a capture is read, for every command that reads one.

It appears only after DELAY seconds (short runs stay silent), only when stderr is a terminal,
never with --ndjson (records stream to the same screen) and never with --quiet. It shows the
bytes read of the file's size, or the packets read when the size is unknown (a pipe, stdin,
gzip). Checked once per read buffer (or every `every` items), so it costs nothing per packet.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import Any, Protocol, TypeVar

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, SpinnerColumn, TextColumn, TimeRemainingColumn

DELAY = 1.0  # seconds of silent reading before the bar appears
T = TypeVar("T")


class Readable(Protocol):
    bytes_read: int
    total_bytes: int | None


def wanted(quiet: bool = False, ndjson: bool = False, stream: Any = None) -> bool:
    """Whether a command shows progress: not quiet, not NDJSON, stderr a terminal."""
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    return not quiet and not ndjson and bool(isatty and isatty())


class CaptureProgress:
    """Wraps what a command iterates (packet batches, replay items) and draws the bar."""

    def __init__(self, source: Readable, label: str, console: Console | None = None,
                 frames: Callable[[], int] | None = None) -> None:
        self.source = source
        self.label = label
        self.console = console or Console(stderr=True)
        self.frames = frames  # frames read so far, when the items are not packets (replay's)
        self.shown = False  # the bar appeared (tests look)

    def wrap(self, items: Iterable[T], every: int = 1, size=len) -> Iterator[T]:
        """`items` unchanged; `size(item)` packets each (1 for single items)."""
        start, count, progress, task = time.monotonic(), 0, None, None
        try:
            for index, item in enumerate(items):
                count += size(item)
                if index % every == 0:
                    if progress is None and time.monotonic() - start >= DELAY:
                        progress, task = self._start()
                    if progress is not None:
                        self._update(progress, task, count)
                yield item
        finally:
            if progress is not None:
                progress.stop()

    def packets(self, stream: Any) -> Iterator[Any]:
        """A PacketStream's packets, the bar checked once per read buffer."""
        return chain.from_iterable(self.wrap(stream.batches()))

    def _start(self) -> tuple[Progress, Any]:
        total = self.source.total_bytes
        if total:
            columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn())
        else:
            columns = (SpinnerColumn(), TextColumn("{task.description}: {task.completed:,.0f} packets"))
        progress = Progress(*columns, console=self.console, transient=True)
        progress.start()
        self.shown = True
        return progress, progress.add_task(self.label, total=total or None)

    def _update(self, progress: Progress, task: Any, packets: int) -> None:
        if self.source.total_bytes:
            progress.update(task, completed=self.source.bytes_read)
        else:
            progress.update(task, completed=self.frames() if self.frames is not None else packets)
