"""docs/SCENARIOS.md documents the whole scenario language: every key appears, every example
scenario in it runs with its expectations met, and every library file it names exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wsarecv_cli.replay.scenario import (
    ARRIVE_KEYS, GET_RESULT_KEYS, RECV_KEYS, SETSOCKOPT_KEYS, SOCKET_KEYS, STEP_KEYS, parse_scenario,
)
from wsarecv_cli.replay.scenario_expect import COMPLETION_ONLY, RESULT_CALL_FIELDS, RESULT_FIELDS, SOCKET_FIELDS
from wsarecv_cli.replay.simulate import run_scenario

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "SCENARIOS.md").read_text()
EXAMPLES = re.findall(r"```toml\n(.*?)```", DOC, re.S)
VOCABULARY = sorted(STEP_KEYS | SOCKET_KEYS | RECV_KEYS | ARRIVE_KEYS | SETSOCKOPT_KEYS | GET_RESULT_KEYS
                    | RESULT_FIELDS | SOCKET_FIELDS | COMPLETION_ONLY | RESULT_CALL_FIELDS)


def _rows() -> list[list[str]]:
    return [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in DOC.splitlines() if line.startswith("| `")]


@pytest.mark.parametrize("key", VOCABULARY)
def test_every_key_is_documented_with_an_example(key):
    rows = [cells for cells in _rows() if f"`{key}`" in cells[0]]
    assert rows, f"{key} has no row in docs/SCENARIOS.md"
    assert any(re.search(rf"\b{key}\b", cells[-1]) for cells in rows), f"{key}: no example in its row"


@pytest.mark.parametrize("text", EXAMPLES, ids=[f"example-{i}" for i in range(len(EXAMPLES))])
def test_every_example_runs_with_its_expectations_met(text):
    scenario = parse_scenario(text)
    run = run_scenario(scenario)
    assert run.failures == [], "\n".join(map(str, run.failures))


def test_every_rule_and_question_has_a_row_and_its_library_files_exist():
    table = DOC[DOC.index("## Stating every rule"):]
    named = set(re.findall(r"\b(R\d+|Q\d+)\b", table))
    assert {f"R{i}" for i in range(1, 50)} | {f"Q{i}" for i in range(1, 14)} <= named
    for name in re.findall(r"`([a-z0-9_]+\.toml)`", table):
        assert (ROOT / "samples" / "scenarios" / name).is_file(), name
