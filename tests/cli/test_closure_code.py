"""The summary names the code the application really saw when the connection ended."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tests.conftest import SAMPLES
from wsarecv_cli.cli.main import cli

SCENARIOS = SAMPLES / "scenarios"


@pytest.mark.parametrize(("scenario", "words", "record"), [
    pytest.param("close_with_pending", "aborted (WSA_OPERATION_ABORTED / 995)",
                 ("aborted", "WSA_OPERATION_ABORTED", 995), id="closesocket-udp-995"),
    pytest.param("close_with_pending_tcp", "aborted (WSAECONNABORTED / 10053)",
                 ("aborted", "WSAECONNABORTED", 10053), id="closesocket-tcp-10053"),
    pytest.param("pending_then_rst", "reset (WSAECONNRESET / 10054)", ("reset", "WSAECONNRESET", 10054), id="rst"),
    pytest.param("wsaediscon", "graceful disconnect (WSAEDISCON / 10101)", ("discon", "WSAEDISCON", 10101),
                 id="discon"),
    pytest.param("graceful_close", "graceful close (FIN, 0-byte receive)", ("graceful", None, None), id="fin"),
])
def test_summary_closure_names_the_real_code(scenario: str, words: str, record: tuple) -> None:
    path = str(SCENARIOS / f"{scenario}.toml")
    table = CliRunner().invoke(cli, ["simulate", path, "--width", "120"], env={"NO_COLOR": "1"}).stdout
    assert words in table
    lines = CliRunner().invoke(cli, ["simulate", path, "--ndjson"]).stdout.splitlines()
    summary = next(json.loads(line) for line in lines if '"summary"' in line)
    assert (summary["closure"], summary.get("closure_error"), summary.get("closure_error_code")) == record
