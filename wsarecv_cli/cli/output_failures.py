"""Output failures, the part the guard needs before any command runs (no rich: start-up cost).

See cli/output.py for the whole story: a closed pipe is a quiet exit 0 (PipeClosed), any other
write failure one line and exit 1 (OutputError).
"""

from __future__ import annotations

import errno
import io
import os
import sys
from typing import Any

import click

from wsarecv_cli.errors import WsarecvError


class OutputError(WsarecvError):
    """Output cannot be written (closed stdout, full disk, unwritable export): exit 1."""


class PipeClosed(Exception):
    """The reader of standard output went away: stop quietly with exit 0.

    Not an OSError on purpose: click's main() would turn an EPIPE OSError into exit 1."""


def require_stdout() -> None:
    if sys.stdout is None:
        raise OutputError("standard output is closed (nothing could be printed); redirect it to a file or a pipe")


def write_failure(exc: OSError, what: str = "standard output") -> Exception:
    """The exception an OSError from writing becomes: PipeClosed or a one-line OutputError."""
    if isinstance(exc, BrokenPipeError) or exc.errno == errno.EPIPE:
        return PipeClosed()
    return OutputError(f"cannot write to {what}: {exc.strerror or exc}")


def silence_stdout() -> None:
    """After a closed pipe: point stdout at /dev/null so the interpreter's last flush is quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
        pass  # not a real file (tests) or already gone: nothing will be flushed there


class OutputGroup(click.Group):
    """The `wsarecv` group: an OSError escaping a command is an output failure (see module doc)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OSError as exc:
            raise write_failure(exc) from None
