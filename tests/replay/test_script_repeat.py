"""A script step's `repeat` on a blocking socket: each call is made once the one before returned
(it used to stop with "a blocking receive is still waiting")."""

from __future__ import annotations

import json

from click.testing import CliRunner

from tests.conftest import SAMPLES
from wsarecv_cli.cli.main import cli


def _calls(tmp_path, script: str, *args: str) -> list[dict]:
    path = tmp_path / "steps.toml"
    path.write_text(script)
    result = CliRunner().invoke(cli, ["replay", str(SAMPLES / "framed_messages.pcap"), "--receiver", "client",
                                      "--schedule", f"script:{path}", "--ndjson", *args])
    assert result.exit_code == 0, result.stderr
    return [r for r in map(json.loads, result.stdout.splitlines()) if r["type"] == "call"]


def test_blocking_repeat_calls_one_after_another(tmp_path) -> None:
    calls = _calls(tmp_path, '[[step]]\nrecv = { buffers = [4096], repeat = 3 }\n')
    assert [c["status"] for c in calls] == ["completed"] * 3
    assert all(c["bytes"] > 0 for c in calls)
    # each call starts when the one before returned
    assert [c["t"] for c in calls[1:]] == [c["t_done"] for c in calls[:-1]]


def test_blocking_repeat_then_the_steps_action(tmp_path) -> None:
    """The step's shutdown comes after all its calls, not while the first one waits."""
    calls = _calls(tmp_path, '[[step]]\nrecv = { buffers = [4096], repeat = 2 }\nshutdown = "receive"\n'
                             '[[step]]\nrecv = { buffers = [4096] }\n')
    assert [c["status"] for c in calls[:2]] == ["completed", "completed"]
    assert calls[1]["t"] == calls[0]["t_done"]
    assert len(calls) == 3 and calls[2]["t"] >= calls[1]["t_done"]
    assert calls[2]["error"] == "WSAESHUTDOWN"  # the shutdown ran between the step and the next
