"""Measuring for bench/run.py and bench/jobs.py: one whole-process run, rows, round-robin repeats.

Every measurement is a fresh process (subprocess, stdout to /dev/null) timed with a monotonic
clock; peak RSS is GNU time's %M of the command (see run_once). Variants that are compared are run
round-robin (run 1 of every row, then run 2 of every row, ...) so a busy moment on a shared
machine hits all of them alike instead of one row's whole series.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

def wsarecv_argv() -> list[str]:
    exe = shutil.which("wsarecv", path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    return [exe] if exe else [sys.executable, "-m", "wsarecv_cli"]


_help_cache: dict[str, str | None] = {}


def wsarecv_help(cmd: str) -> str | None:
    """`wsarecv CMD --help` text, or None when the command does not exist (yet)."""
    if cmd not in _help_cache:
        try:
            p = subprocess.run(wsarecv_argv() + [cmd, "--help"], capture_output=True, text=True, timeout=60)
            _help_cache[cmd] = p.stdout if p.returncode == 0 else None
        except (OSError, subprocess.TimeoutExpired):
            _help_cache[cmd] = None
    return _help_cache[cmd]


def wsarecv_cmd(cmd: str, extra: list[str]) -> tuple[list[str] | None, str]:
    """(argv template with {FILE}, note) or (None, why it is skipped)."""
    h = wsarecv_help(cmd)
    if h is None:
        return None, f"`wsarecv {cmd}` not available yet"
    argv = wsarecv_argv() + [cmd, "{FILE}"]
    notes = []
    for opt in extra:
        if opt.split("=")[0] not in h:
            return None, f"`wsarecv {cmd}` has no {opt}"
        argv += opt.split("=", 1) if "=" in opt else [opt]
    for opt in ("--no-progress",):
        if opt in h:
            argv.append(opt)
    return argv, " ".join(notes)



@dataclass
class Row:
    name: str
    argv: list[str] | None          # with "{FILE}" / "{TMPDIR}" placeholders
    desc: str
    note: str = ""
    tmpdir: bool = False
    runs: list[tuple[float, int]] = field(default_factory=list)   # (wall s, maxrss KB)
    error: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(w for w, _ in self.runs) if self.runs else None

    @property
    def rss_mb(self) -> float | None:
        return max(r for _, r in self.runs) / 1024 if self.runs else None


GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def run_once(argv: list[str], capture: Path, timeout: float) -> tuple[float, int, int, str]:
    """(wall s, maxrss KB, exit code, stderr tail) of one whole-process run, stdout to /dev/null.

    Peak RSS: Linux keeps a process's ru_maxrss high-water mark across fork/vfork + exec, so a child
    spawned straight from this (Python, ~30 MB) runner would report at least the runner's RSS. When
    GNU time is installed the command runs under `/usr/bin/time -f %M` (a small process whose own
    child is the measured one) and its figure is used; otherwise os.wait4's ru_maxrss (an upper bound).
    """
    tmp = tempfile.mkdtemp(prefix="wsarecv-bench-") if any("{TMPDIR}" in a for a in argv) else None
    args = [a.replace("{FILE}", str(capture)).replace("{TMPDIR}", tmp or "") for a in argv]
    rss_file = None
    if GNU_TIME:
        fd, rss_file = tempfile.mkstemp(prefix="wsarecv-bench-rss-")
        os.close(fd)
        args = [GNU_TIME, "-f", "%M", "-o", rss_file, "--"] + args
    timed_out = False
    with tempfile.TemporaryFile() as err, open(os.devnull, "wb") as devnull:
        t0 = time.perf_counter()
        p = subprocess.Popen(args, stdout=devnull, stderr=err, stdin=subprocess.DEVNULL)
        deadline = t0 + timeout
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                timed_out = True
                p.kill()
                pid, status, ru = os.wait4(p.pid, 0)
                break
            time.sleep(0.001)
        wall = time.perf_counter() - t0
        p.returncode = code = os.waitstatus_to_exitcode(status)
        err.seek(0)
        tail = err.read()[-2000:].decode("utf-8", "replace")
    maxrss = ru.ru_maxrss
    if rss_file:
        try:
            text = Path(rss_file).read_text().split()
            maxrss = int(text[-1])
        except (OSError, ValueError, IndexError):
            pass
        os.unlink(rss_file)
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)
    if timed_out:
        tail = f"timed out after {timeout:.0f} s\n" + tail
        code = code or -9
    return wall, maxrss, code, tail


def measure_round_robin(groups: list[tuple[str, Path, list[Row]]], runs: int, timeout: float,
                        row_budget: float | None = None) -> None:
    """Run every row of every (label, capture, rows) group once per round, `runs` rounds.

    A row that fails is reported and dropped; with row_budget a slow row stops after 3+ runs once
    its runs took that many seconds (the runs column of the tables shows it)."""
    for row in (r for _, _, rows in groups for r in rows if r.argv is None):
        print(f"  {row.name:18} skipped: {row.note}", file=sys.stderr)
    for i in range(runs):
        for label, capture, rows in groups:
            for row in rows:
                if row.argv is None or row.error:
                    continue
                if row_budget and len(row.runs) >= 3 and sum(w for w, _ in row.runs) >= row_budget:
                    continue
                wall, rss, code, tail = run_once(row.argv, capture, timeout)
                if code != 0:
                    row.error = f"exit {code}: " + (tail.strip().splitlines() or [""])[-1][:300]
                    row.runs.clear()
                    print(f"  {label}:{row.name:18} FAILED {row.error}", file=sys.stderr)
                    continue
                row.runs.append((wall, rss))
                print(f"  {label}:{row.name:18} run {i + 1}/{runs}: {wall:8.3f} s  {rss / 1024:7.1f} MB",
                      file=sys.stderr)


@contextmanager
def cpu_burner(seconds: float) -> Iterator[None]:
    """One process spinning on a core while the block runs (killed at its end; it also stops by
    itself after `seconds`, so a crashed runner leaves nothing behind for long)."""
    code = f"import time\nend = time.monotonic() + {seconds:.0f}\nwhile time.monotonic() < end:\n    pass\n"
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.DEVNULL)
    try:
        time.sleep(0.2)         # let it get onto a core before the first measured run
        yield
    finally:
        proc.kill()
        proc.wait()
