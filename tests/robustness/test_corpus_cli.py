"""Every entry of the bad-input corpus through `flows --json`, `follow --json` and `replay --ndjson`:
the documented outcome (exit code, one error line or partial results plus a warning), never a
traceback, and --strict turning damage, truncation, gaps and limits into exit code 3."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.robustness.cli_run import wsarecv
from tests.robustness.corpus import PREFIX_BYTES, Entry, entries

ENTRIES = entries()
COMMANDS = {"flows": ("flows", "--json"), "follow": ("follow", "--json"), "replay": ("replay", "--ndjson")}


def _flat(text: str) -> str:
    """stderr with rich's line wrapping undone."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("corpus")
    paths = {}
    for entry in ENTRIES:
        path = folder / f"{entry.name}.pcap"
        path.write_bytes(entry.data)
        paths[entry.name] = path
    return paths


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("entry", ENTRIES, ids=[e.name for e in ENTRIES])
def test_corpus_entry_has_its_documented_outcome(entry: Entry, command: str, files) -> None:
    run = wsarecv(*COMMANDS[command], str(files[entry.name]), *entry.args)
    assert "Traceback" not in run.stdout + run.stderr
    if entry.outcome == "error":
        assert run.code == 1
        assert run.stdout == ""
        assert len(run.error_lines) == 1, run.stderr
        assert run.error_lines[0].startswith("Error: ") and entry.message in run.error_lines[0]
        return
    assert run.code == 0, run.stderr
    if entry.message:
        assert entry.message in _flat(run.stderr)
    if command == "flows":
        ids = [f["id"] for f in json.loads(run.stdout)["flows"]]
        assert set(entry.flows) <= set(ids)
        if not entry.flows:
            assert ids == []
    elif command == "follow":
        doc = json.loads(run.stdout)
        ids = [f["id"] for f in doc["flows"]]
        assert set(entry.flows) <= set(ids)
        if "tcp:0" in entry.flows:  # the prefix's connection, byte for byte
            tcp0 = next(f for f in doc["flows"] if f["id"] == "tcp:0")
            assert sorted(d["bytes"] for d in tcp0["directions"]) == sorted(len(k) for k in PREFIX_BYTES)
    else:
        records = [json.loads(line) for line in run.stdout.splitlines()]
        summaries = {(r["flow"], r["receiver"]): r for r in records if r["type"] == "summary"}
        if "tcp:0" in entry.flows:
            for data, sender in PREFIX_BYTES.items():
                receiver = next(r for (flow, r) in summaries if flow == "tcp:0" and r != sender)
                assert summaries[("tcp:0", receiver)]["bytes"] == len(data)
        assert {flow for flow, _ in summaries} <= {f"{t}:{i}" for t in ("tcp", "udp") for i in range(10_000)}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.strict], ids=[e.name for e in ENTRIES if e.strict])
def test_strict_turns_damage_truncation_gaps_and_limits_into_exit_3(entry: Entry, command: str, files) -> None:
    run = wsarecv(*COMMANDS[command], str(files[entry.name]), *entry.args, "--strict")
    assert run.code == 3, run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("command", list(COMMANDS))
def test_strict_passes_a_clean_capture(command: str, files) -> None:
    run = wsarecv(*COMMANDS[command], str(files["huge-snaplen"]), "--strict")
    assert run.code == 0, run.stderr


@pytest.mark.parametrize("name", ["empty", "record-beyond-eof", "pcapng-bad-block-length"])
def test_console_script_answers_without_a_traceback(name: str, files) -> None:
    """The installed entry point itself (a real process: run_guarded, exit codes, stderr)."""
    entry = next(e for e in ENTRIES if e.name == name)
    for command in COMMANDS.values():
        proc = subprocess.run([sys.executable, "-m", "wsarecv_cli", *command, str(files[name])],
                              capture_output=True, text=True, timeout=60)
        assert "Traceback" not in proc.stdout + proc.stderr
        assert proc.returncode == (1 if entry.outcome == "error" else 0)
        assert entry.message in _flat(proc.stderr)


def test_standard_input_gets_the_same_answers(files) -> None:
    for name in ("empty", "wrong-magic", "record-beyond-eof"):
        entry = next(e for e in ENTRIES if e.name == name)
        proc = subprocess.run([sys.executable, "-m", "wsarecv_cli", "flows", "--json", "-"],
                              input=files[name].read_bytes(), capture_output=True, timeout=60)
        assert b"Traceback" not in proc.stderr
        assert proc.returncode == (1 if entry.outcome == "error" else 0)


def test_an_unexpected_exception_is_still_one_line(monkeypatch, files) -> None:
    """Defence in depth: a bug (anything but our own errors) is one line and exit 1, not a traceback."""
    import wsarecv_cli.cli.flows as flows_module

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(flows_module, "open_packets", broken)
    run = wsarecv("flows", str(files["huge-snaplen"]))
    assert run.code == 1 and "Traceback" not in run.stderr
    assert run.error_lines == [run.error_lines[0]] and "internal error (RuntimeError: boom)" in run.error_lines[0]
