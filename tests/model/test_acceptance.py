"""Spec section 5: the 25 acceptance scenarios, as scenario files plus what a file cannot express."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from wsarecv_cli.model import (
    Delivery, Message, Mode, NtStatus, Platform, Protocol, RecvCall, RecvFlags, Socket, SocketConfig, Status,
    StreamBytes, UrgentByte, Win32Error, WsaError,
)
from wsarecv_cli.replay.scenario import parse_scenario
from wsarecv_cli.replay.simulate import run_scenario

SCENARIOS = sorted((Path(__file__).resolve().parents[2] / "samples" / "scenarios").glob("acceptance_*.toml"))


def _id(path: Path) -> str:
    rules = sorted(set(re.findall(r"\b(R\d+|Q\d+)\b", path.read_text())), key=lambda r: (r[0], int(r[1:])))
    return f"{path.stem}-{'-'.join(rules[:3])}"


def test_there_is_one_file_per_acceptance_scenario():
    assert [int(p.name[len("acceptance_"):][:2]) for p in SCENARIOS] == list(range(1, 26))


@pytest.mark.parametrize("path", SCENARIOS, ids=[_id(p) for p in SCENARIOS])
def test_acceptance_scenario(path):
    scenario = parse_scenario(path)
    assert any(step.expect or step.expect_completion for step in scenario.steps)
    run = run_scenario(scenario)
    assert run.failures == [], "\n".join(map(str, run.failures))


# ---- the parts a scenario file cannot express ----------------------------------------------


def test_05_rst_on_pending_maps_to_win32_64():
    sock = Socket(SocketConfig(mode=Mode.OVERLAPPED_EVENT))
    assert sock.recv(RecvCall((10,)), 0).status is Status.PENDING
    from wsarecv_cli.model import Reset
    (done,) = sock.deliver(Reset(), 1)
    assert (done.error, done.bytes, done.status, done.win32_error) == (
        WsaError.WSAECONNRESET, 0, NtStatus.CONNECTION_RESET, Win32Error.ERROR_NETNAME_DELETED)


def test_08_truncation_completion_carries_buffer_overflow_and_more_data():
    sock = Socket(SocketConfig(protocol=Protocol.UDP, mode=Mode.OVERLAPPED_EVENT))
    sock.recv(RecvCall((2, 4)), 0)
    (done,) = sock.deliver(Message(b"moredata\0"), 1)
    assert done.status is NtStatus.BUFFER_OVERFLOW and int(done.status) == 0x80000005
    assert done.win32_error == 234 and done.bytes == 6 and done.flags_out is None  # unchanged (R18)


def test_16_skip_completion_port_on_success_posts_no_packet():
    sock = Socket(SocketConfig(mode=Mode.IOCP, skip_completion_port_on_success=True))
    sock.deliver(StreamBytes(b"abc"), 0)
    result = sock.recv(RecvCall((10,)), 1)
    assert (result.status, result.bytes, result.delivery) == (Status.COMPLETED, 3, Delivery.NONE)
    assert sock.alertable_wait(2).completions == () and sock.held == 0


def test_16_skip_on_success_does_not_suppress_a_pending_completion():
    sock = Socket(SocketConfig(mode=Mode.IOCP, skip_completion_port_on_success=True))
    sock.recv(RecvCall((10,)), 0)
    (done,) = sock.deliver(StreamBytes(b"abc"), 1)
    assert done.delivery is Delivery.IOCP


def test_20_fionread_and_siocatmark():
    sock = Socket()
    sock.deliver(StreamBytes(b"data\0"), 0)
    sock.deliver(UrgentByte(ord("a")), 1)
    assert sock.queued_bytes == 5  # FIONREAD does not count the OOB byte
    assert sock.oob_pending == 1  # SIOCATMARK FALSE (inverted, R40)
    sock.recv(RecvCall((100,)), 2)
    sock.recv(RecvCall((1,), RecvFlags.MSG_OOB), 3)
    assert sock.oob_pending == 0  # SIOCATMARK TRUE


def test_21_msg_oob_with_oobinline_is_einval():
    sock = Socket(SocketConfig(mode=Mode.NONBLOCKING, oobinline=True))
    result = sock.recv(RecvCall((1,), RecvFlags.MSG_OOB), 0)
    assert (result.status, result.error) == (Status.FAILED, WsaError.WSAEINVAL)


def test_21_msg_oob_on_udp_is_eopnotsupp():
    sock = Socket(SocketConfig(protocol=Protocol.UDP, mode=Mode.NONBLOCKING))
    result = sock.recv(RecvCall((1,), RecvFlags.MSG_OOB), 0)
    assert (result.status, result.error, result.rules[0]) == (Status.FAILED, WsaError.WSAEOPNOTSUPP, "R41")


def test_22_tcp_close_with_pending_on_a_port_is_1236():
    sock = Socket(SocketConfig(mode=Mode.IOCP))
    sock.recv(RecvCall((10,)), 0)
    (done,) = sock.close(1).completions
    assert (done.error, done.win32_error, done.status, done.delivery) == (
        WsaError.WSAECONNABORTED, Win32Error.ERROR_CONNECTION_ABORTED, NtStatus.CONNECTION_ABORTED, Delivery.IOCP)


def test_22_tcp_close_routine_gets_wsaeconnaborted_at_the_alertable_wait():
    sock = Socket(SocketConfig(mode=Mode.OVERLAPPED_ROUTINE))
    sock.recv(RecvCall((10,)), 0)
    assert sock.close(1).completions == ()
    (done,) = sock.alertable_wait(2).completions
    assert done.error is WsaError.WSAECONNABORTED and done.delivery is Delivery.ROUTINE


def test_22_ce_tcp_close_is_operation_aborted():
    sock = Socket(SocketConfig(platform=Platform.WINCE, mode=Mode.OVERLAPPED_EVENT))
    sock.recv(RecvCall((10,)), 0)
    (done,) = sock.close(1).completions
    assert done.error is WsaError.WSA_OPERATION_ABORTED and done.win32_error == 995


def test_23_ce_routine_runs_without_alertable_wait_on_pending_completion():
    sock = Socket(SocketConfig(platform=Platform.WINCE, mode=Mode.OVERLAPPED_ROUTINE))
    sock.recv(RecvCall((10,)), 0)
    (done,) = sock.deliver(StreamBytes(b"abc"), 1)
    assert done.delivery is Delivery.ROUTINE_THREAD and "R48" in done.rules
