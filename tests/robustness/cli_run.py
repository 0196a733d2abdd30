"""Run the CLI exactly as the `wsarecv` console script does (run_guarded), inside CliRunner's isolation."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from click.testing import CliRunner

from wsarecv_cli.cli.common import run_guarded
from wsarecv_cli.cli.main import cli


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


def wsarecv(*args: str) -> Run:
    runner = CliRunner()
    with runner.isolation() as (out, err, _):
        code = run_guarded(cli, list(args))
        sys.stdout.flush()  # commands may write through sys.stdout's buffer
        sys.stderr.flush()
    return Run(code, out.getvalue().decode(), err.getvalue().decode())
