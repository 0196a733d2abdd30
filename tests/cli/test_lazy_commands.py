"""Commands are imported on first use: the static table in cli/main.py must tell the truth, and
`wsarecv --version` / `--help` must not import the commands' modules (bench/startup.py measures the gain)."""

from __future__ import annotations

import importlib
import inspect
import json
import subprocess
import sys

import pytest

from wsarecv_cli.cli.main import COMMANDS, cli

# What a fresh `wsarecv ARGS` process imported: the package's modules and rich, as a JSON list.
PROBE = """
import json, sys
from wsarecv_cli.cli.guard import run_guarded
from wsarecv_cli.cli.main import cli
import io, contextlib
with contextlib.redirect_stdout(io.StringIO()) as out:
    code = run_guarded(cli, sys.argv[1:])
print(json.dumps({"code": code, "out": out.getvalue(),
                  "modules": sorted(m for m in sys.modules if m.startswith(("wsarecv_cli", "rich")))}))
"""


def probe(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=60,
                          env={"NO_COLOR": "1", "COLUMNS": "100", "PATH": ""})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_table_matches_the_command(name: str) -> None:
    module_name, summary = COMMANDS[name]
    importlib.import_module(f"wsarecv_cli.cli.{module_name}")
    command = cli.commands[name]
    assert inspect.cleandoc(command.help).split("\n\n")[0] == summary


def test_every_registered_command_is_in_the_table() -> None:
    for name in COMMANDS:
        cli.get_command(None, name)  # type: ignore[arg-type]  # imports them all
    assert sorted(cli.commands) == sorted(COMMANDS)


@pytest.mark.parametrize("args, expected", [
    (("--version",), "wsarecv 0.1.0 (model spec:"),
    (("--help",), "Commands:"),
], ids=["version", "help"])
def test_start_up_imports_no_command_module(args: tuple[str, ...], expected: str) -> None:
    result = probe(*args)
    assert result["code"] == 0
    assert expected in result["out"]
    heavy = [m for m in result["modules"] if m.startswith(("rich", "wsarecv_cli.reassembly", "wsarecv_cli.capture"))
             or m in {f"wsarecv_cli.cli.{module}" for module, _ in COMMANDS.values()}]
    assert heavy == []


def test_help_lists_every_command_with_its_summary_without_importing_it() -> None:
    result = probe("--help")
    listing = result["out"].split("Commands:\n", 1)[1]
    for name, (_, summary) in COMMANDS.items():
        line = next(line for line in listing.splitlines() if line.split()[0] == name)
        shown = line.split(None, 1)[1].removesuffix("...")
        assert summary.startswith(shown), (name, line)


def test_a_command_runs_after_a_lazy_import() -> None:
    result = probe("rules", "R1")
    assert result["code"] == 0
    assert "R1" in result["out"]
    assert "wsarecv_cli.cli.rules" in result["modules"] and "wsarecv_cli.cli.flows" not in result["modules"]
