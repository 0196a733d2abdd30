"""-t formats, as tshark shows them, and where each command uses them."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.conftest import SAMPLES
from wsarecv_cli.cli.main import cli
from wsarecv_cli.render.timefmt import Clock, TimeFormat

ORIGIN = 1_700_000_000_000_000_000  # 2023-11-14 22:13:20 UTC
HTTP = str(SAMPLES / "http_small_segments.pcap")


@pytest.mark.parametrize(("fmt", "t_ns", "shown"), [
    pytest.param(TimeFormat.RELATIVE, ORIGIN + 1_500_000, "0.001500", id="r"),
    pytest.param(TimeFormat.EPOCH, ORIGIN + 1_500_000, "1700000000.001500", id="e"),
    pytest.param(TimeFormat.UTC, ORIGIN + 1_500_000, "22:13:20.001500", id="u"),
    pytest.param(TimeFormat.UTC_DATE, ORIGIN + 1_500_000, "2023-11-14 22:13:20.001500", id="ud"),
    pytest.param(TimeFormat.DELTA, ORIGIN + 1_500_000, "0.001500", id="d-first-from-origin"),
])
def test_one_time_in_each_format(fmt: TimeFormat, t_ns: int, shown: str) -> None:
    assert Clock(fmt, ORIGIN).text(t_ns) == shown
    assert len(shown) <= fmt.width


def test_delta_counts_from_the_previous_time_shown() -> None:
    clock = Clock(TimeFormat.DELTA, ORIGIN)
    assert [clock.text(ORIGIN + n) for n in (1_000, 3_000, 3_000, 10_000)] == [
        "0.000001", "0.000002", "0.000000", "0.000007"]


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_flows_table_in_epoch_and_utc_headers_say_no_seconds() -> None:
    out = run("flows", HTTP, "-t", "e", "--width", "200")
    assert "first s" in out and "1" in out.splitlines()[2].split("│")[2]
    header = run("flows", HTTP, "-t", "ud", "--width", "200").splitlines()[0]
    assert "first " in header and "first s" not in header


def test_follow_and_replay_tables_follow_t_records_do_not() -> None:
    assert " t=0.003000" in run("follow", HTTP, "--flow", "tcp:0")
    epoch = run("follow", HTTP, "--flow", "tcp:0", "-t", "e")
    assert " t=0.003000" not in epoch and " t=1" in epoch
    table = run("replay", HTTP, "--receiver", "server", "-t", "ud", "--width", "200")
    assert "2023-11-14 22:13:20.003000" in table.splitlines()[3]  # the call t column, in UTC with its date
    plain = [json.loads(line) for line in run("replay", HTTP, "--ndjson", "-t", "e").splitlines()]
    assert next(r["t"] for r in plain if r["type"] == "call") < 1  # records keep seconds from the first frame


def test_unknown_format_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["flows", HTTP, "-t", "x"])
    assert result.exit_code == 2 and "'x' is not one of" in result.output
