"""--flow HOST / :PORT / HOST:PORT and --filter expressions: one selection rule (net.selects)."""

from __future__ import annotations

import contextlib
import io

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import SAMPLES
from wsarecv_cli.cli.common import run_guarded
from wsarecv_cli.cli.main import cli
from wsarecv_cli.flowfilter import FlowFilter
from wsarecv_cli.net import Endpoint, FlowId, FlowSelector, Transport, selects

TCP0 = FlowId(Transport.TCP, 0)
UDP1 = FlowId(Transport.UDP, 1)
CLIENT, SERVER = Endpoint.parse("10.0.0.1:51000"), Endpoint.parse("10.0.0.2:80")
V6 = Endpoint.parse("[2001:db8::1]:443")


@pytest.mark.parametrize(("text", "flow", "a", "b", "chosen"), [
    pytest.param("tcp:0", TCP0, CLIENT, SERVER, True, id="index"),
    pytest.param("10.0.0.2", TCP0, CLIENT, SERVER, True, id="host-either-side"),
    pytest.param("10.0.0.3", TCP0, CLIENT, SERVER, False, id="host-absent"),
    pytest.param(":80", TCP0, CLIENT, SERVER, True, id="port"),
    pytest.param(":8080", TCP0, CLIENT, SERVER, False, id="port-absent"),
    pytest.param("10.0.0.2:80", TCP0, CLIENT, SERVER, True, id="endpoint"),
    pytest.param("10.0.0.2:81", TCP0, CLIENT, SERVER, False, id="endpoint-other-port"),
    pytest.param("10.0.0.2:80-10.0.0.1:51000", TCP0, CLIENT, SERVER, True, id="pair-either-order"),
    pytest.param("2001:db8::1", TCP0, V6, SERVER, True, id="bare-ipv6-host"),
    pytest.param("[2001:db8::1]:443", TCP0, V6, SERVER, True, id="ipv6-endpoint"),
])
def test_flow_selector_forms(text: str, flow: FlowId, a: Endpoint, b: Endpoint, chosen: bool) -> None:
    assert FlowSelector.parse(text).matches(flow, a, b) is chosen


@pytest.mark.parametrize("text", ["nonsense", ":70000", "10.0.0.1:99999", "tcp:"])
def test_bad_selectors_say_the_forms(text: str) -> None:
    with pytest.raises(ValueError, match="tcp:N|above 65535"):
        FlowSelector.parse(text)


@pytest.mark.parametrize(("expression", "flow", "chosen"), [
    pytest.param("tcp", TCP0, True, id="tcp"),
    pytest.param("proto udp", TCP0, False, id="proto"),
    pytest.param("host 10.0.0.1 and port 80", TCP0, True, id="and"),
    pytest.param("host 10.0.0.1 && port 81", TCP0, False, id="and-symbol"),
    pytest.param("udp or port 80", TCP0, True, id="or"),
    pytest.param("not port 80", TCP0, False, id="not"),
    pytest.param("!(udp || host 10.9.9.9)", TCP0, True, id="parentheses"),
    pytest.param("tcp and (port 443 or port 51000) and not host 10.0.0.3", TCP0, True, id="nested"),
    pytest.param("UDP OR TCP", UDP1, True, id="case"),
])
def test_filter_expressions(expression: str, flow: FlowId, chosen: bool) -> None:
    assert FlowFilter.parse(expression).matches(flow, CLIENT, SERVER) is chosen


@pytest.mark.parametrize(("expression", "message"), [
    ("", "empty filter"), ("host", "an address after host"), ("port http", "not a number"),
    ("(tcp", "')'"), ("tcp udp", "unexpected 'udp'"), ("src 1.2.3.4", "unknown word 'src'"),
    ("host 1.2.3", "not an IPv4 or IPv6"),
])
def test_bad_filters_say_what_is_wrong(expression: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        FlowFilter.parse(expression)


ports = st.integers(0, 65535)


@given(ports, ports, st.sampled_from(["port 80", "udp", "host 10.0.0.1 or port 53", "tcp and not port 22"]))
def test_not_selects_the_complement(sport: int, dport: int, expression: str) -> None:
    a, b = Endpoint(CLIENT.addr, sport), Endpoint(SERVER.addr, dport)
    plain, negated = FlowFilter.parse(expression), FlowFilter.parse(f"not ({expression})")
    assert plain.matches(TCP0, a, b) is not negated.matches(TCP0, a, b)


def test_flow_and_filter_both_must_hold() -> None:
    pick, only_udp = FlowSelector.parse("tcp:0"), FlowSelector(expression=FlowFilter.parse("udp"))
    assert selects((pick,), TCP0, CLIENT, SERVER)
    assert not selects((pick, only_udp), TCP0, CLIENT, SERVER)
    assert selects((only_udp,), UDP1, CLIENT, SERVER)


HTTP = str(SAMPLES / "http_small_segments.pcap")
RETRANS = str(SAMPLES / "ipv6_vlan_retrans.pcapng")


@pytest.mark.parametrize("command", ["flows", "follow", "replay"])
def test_every_command_selects_the_same_way(command: str) -> None:
    by_filter = CliRunner().invoke(cli, [command, RETRANS, "--filter", "udp"], env={"NO_COLOR": "1"})
    by_port = CliRunner().invoke(cli, [command, RETRANS, "--flow", ":5353"], env={"NO_COLOR": "1"})
    assert by_filter.exit_code == by_port.exit_code == 0, by_filter.output + by_port.output
    assert by_filter.stdout == by_port.stdout
    assert "udp:0" in by_filter.stdout and "tcp:0" not in by_filter.stdout


@pytest.mark.parametrize("command", ["flows", "follow", "replay"])
def test_a_filter_matching_nothing_is_an_input_error(command: str) -> None:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.TextIOWrapper(io.BytesIO())), contextlib.redirect_stderr(err):
        exit_code = run_guarded(cli, [command, HTTP, "--filter", "port 81"])
    assert exit_code == 1 and "--filter 'port 81'" in err.getvalue()


def test_a_bad_filter_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["flows", HTTP, "--filter", "port"])
    assert result.exit_code == 2 and "--filter" in result.output
