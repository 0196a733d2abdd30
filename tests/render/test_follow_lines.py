"""follow's one-line notes: a FIN or RST the capture only implies names no frame."""

from __future__ import annotations

import pytest

from wsarecv_cli.net import Endpoint, FlowId, Transport
from wsarecv_cli.reassembly.events import FlowEvent, StreamFin, StreamReset
from wsarecv_cli.render.follow import event_lines

A, B = Endpoint(b"\x0a\x00\x00\x01", 5000), Endpoint(b"\x0a\x00\x00\x02", 80)


@pytest.mark.parametrize(("event", "line"), [
    pytest.param(StreamFin(7, 2_000_000, (9,)), "[FIN at offset 7]  tcp:0 10.0.0.2:80 → 10.0.0.1:5000  t=0.002000  frame 9",
                 id="fin-of-a-frame"),
    pytest.param(StreamFin(7, 2_000_000, ()), "[FIN at offset 7]  tcp:0 10.0.0.2:80 → 10.0.0.1:5000  t=0.002000",
                 id="implied-fin"),
    pytest.param(StreamReset(7, 2_000_000, ()), "[RST at offset 7]  tcp:0 10.0.0.2:80 → 10.0.0.1:5000  t=0.002000",
                 id="implied-rst"),
])
def test_note_lines(event, line: str) -> None:
    lines = event_lines(FlowEvent(FlowId(Transport.TCP, 0), B, A, event), A, 0, hex_mode=False)
    assert [str(t) for t in lines] == [line]
