"""Coverage-guided fuzzing of scenario files with atheris (libFuzzer for Python).

One input = one scenario file. Each execution writes the bytes to a file on tmpfs and runs what
`wsarecv simulate FILE` runs: read_scenario_text -> parse_scenario -> run_scenario -> the
records. Scenario files are untrusted input, so anything other than the package's own errors
(wsarecv_cli.errors.WsarecvError) escaping is a finding. See fuzz/README.md.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["wsarecv_cli"]):
    from wsarecv_cli.cli.main import cli  # noqa: F401  (registers the commands first)
    from wsarecv_cli.cli.simulate import run_records
    from wsarecv_cli.errors import WsarecvError
    from wsarecv_cli.render.records import RecordOptions
    from wsarecv_cli.replay.scenario import parse_scenario
    from wsarecv_cli.replay.simulate import run_scenario

PATH = Path("/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()) / f"wsarecv-fuzz-{os.getpid()}.toml"


def run_file(path: Path) -> None:
    try:
        run = run_scenario(parse_scenario(path))
        run_records(run, RecordOptions(show_data=True, explain=True))
    except WsarecvError:
        pass


def test_one_input(data: bytes) -> None:
    PATH.write_bytes(data)
    run_file(PATH)


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    try:
        atheris.Fuzz()
    finally:
        PATH.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
