"""FlowTracker(window_events=True): a receiver's zero window and its reopening, addressed to it."""

from __future__ import annotations

from tests.reassembly.reasm_builders import CLIENT, ISN_C, ISN_S, SERVER, Capture
from wsarecv_cli.reassembly import FlowTracker
from wsarecv_cli.reassembly.flow import WindowChange


def window_events(packets, **options) -> list[tuple]:
    tracker = FlowTracker(**options)
    events = [e for p in packets for e in tracker.feed(p)] + tracker.finish()
    return [(e.receiver, e.event.zero, e.event.offset, e.event.ts_ns) for e in events
            if isinstance(e.event, WindowChange)]


def zero_window_conversation() -> Capture:
    cap = Capture()
    cap.handshake()
    cap.tcp(ISN_S + 1, b"x" * 100, "PA", ack=ISN_C + 1)  # frame 4
    cap.tcp(ISN_C + 1, ack=ISN_S + 101, sender=CLIENT, window=0)  # 5: the client's buffer is full
    cap.tcp(ISN_C + 1, ack=ISN_S + 101, sender=CLIENT, window=0)  # 6: still closed: no new event
    cap.tcp(ISN_C + 1, ack=ISN_S + 101, sender=CLIENT, window=4096)  # 7: open again
    cap.tcp(ISN_C + 1, ack=ISN_S + 101, flags="RA", sender=CLIENT, window=0)  # 8: a RST's window is no advert
    return cap


def test_the_receiver_that_advertised_it_gets_each_change_once() -> None:
    events = window_events(zero_window_conversation().packets, window_events=True)
    assert events == [(CLIENT, True, 100, 5_000_000), (CLIENT, False, 100, 7_000_000)]


def test_no_window_events_unless_asked() -> None:
    assert window_events(zero_window_conversation().packets) == []


def test_a_first_advertisement_of_zero_counts() -> None:
    cap = Capture()
    cap.tcp(ISN_S + 1, b"abc", "PA", ack=ISN_C + 1)  # mid-stream: no handshake
    cap.tcp(ISN_C + 1, ack=ISN_S + 4, sender=CLIENT, window=0)
    assert window_events(cap.packets, window_events=True) == [(CLIENT, True, 3, 2_000_000)]
    assert SERVER not in [e[0] for e in window_events(cap.packets, window_events=True)]
