"""Reading a scenario file safely: a regular file, at most MAX_SCENARIO_BYTES, UTF-8.

`simulate FILE`, `diff FILE` and `replay --schedule script:FILE` all read through here, so
`script:/dev/zero`, a FIFO, a directory or a 10 GB file is a one-line error before anything is
read, and a file of any name is read as a file (its name is never taken for TOML text).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from wsarecv_cli.errors import ScenarioError
from wsarecv_cli.replay.scenario_values import escape_text

MAX_SCENARIO_BYTES = 1024 * 1024  # the library's largest file is ~2 KB; 1 MiB is generous


def read_scenario_text(path: Path) -> str:
    """The text of a scenario file, or ScenarioError naming the file and what is wrong."""
    name = escape_text(str(path))
    try:
        # O_NONBLOCK: opening a FIFO with no writer must not hang; checked as a regular file at once.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise ScenarioError(f"{name}: cannot read scenario: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ScenarioError(f"{name}: cannot read scenario: not a regular file")
        if info.st_size > MAX_SCENARIO_BYTES:
            raise ScenarioError(f"{name}: scenario too large ({info.st_size} bytes; at most "
                                f"{MAX_SCENARIO_BYTES})")
        with os.fdopen(fd, "rb", closefd=False) as stream:
            data = stream.read(MAX_SCENARIO_BYTES + 1)  # the file may grow after fstat
    except OSError as exc:
        raise ScenarioError(f"{name}: cannot read scenario: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > MAX_SCENARIO_BYTES:
        raise ScenarioError(f"{name}: scenario too large (more than {MAX_SCENARIO_BYTES} bytes)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{name}: not UTF-8 text (byte {exc.start})") from None
