"""The session hands out its items a capture read buffer at a time: same items, same order, and
nothing lost when the model stops it half way through a buffer."""

from __future__ import annotations

import pytest

from tests.conftest import SAMPLES
from wsarecv_cli.errors import ModelError
from wsarecv_cli.model.types import Completion, Protocol, RecvResult
from wsarecv_cli.reassembly.events import UrgentData
from wsarecv_cli.replay import session as session_module
from wsarecv_cli.replay.session import ReceiverEnd, ReceiverOutcome, ReceiverStart, ReplayConfig, ReplaySession


def test_items_made_before_a_model_error_still_come_out(monkeypatch):
    """tcp_urgent.pcap's second segment completes call 2 and carries the urgent byte; a model
    error raised at that byte (simulated here: the urgent byte is legal input) must not swallow
    call 2's completion, nor the call the application made next: they come out first."""
    arrivals = session_module.arrivals

    def failing_at_urgent(receiver, event, max_gap_bytes):
        if isinstance(event, UrgentData):
            raise ModelError("state: test; input: the urgent byte")
        return arrivals(receiver, event, max_gap_bytes)

    monkeypatch.setattr(session_module, "arrivals", failing_at_urgent)
    session = ReplaySession(str(SAMPLES / "tcp_urgent.pcap"), ReplayConfig(protocol=Protocol.RELIABLE_MSG))
    items = []
    with pytest.raises(ModelError, match="the urgent byte"):
        for item in session:
            items.append(item)
    last = [(type(item.outcome), item.outcome.n) for item in items[-2:] if isinstance(item, ReceiverOutcome)]
    assert last == [(Completion, 2), (RecvResult, 3)]


def test_each_receiver_starts_before_its_outcomes_and_ends_after_them():
    session = ReplaySession(str(SAMPLES / "http_small_segments.pcap"), ReplayConfig())
    state: dict = {}
    for item in session:
        if isinstance(item, ReceiverStart):
            assert item.key not in state
            state[item.key] = "open"
        elif isinstance(item, ReceiverOutcome):
            assert state[item.key] == "open"
        else:
            assert isinstance(item, ReceiverEnd) and state[item.key] == "open"
            state[item.key] = "ended"
    assert state and set(state.values()) == {"ended"}
