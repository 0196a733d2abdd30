"""FindingDetector.handed_over (what `replay --ndjson` tells the detectors for a row of plain data
or a graceful close,
cli/replay_ndjson.plain_data says which) does what `feed` does with that row's record dict: same
findings, same receiver state, for random rows of every kind (plain or not) mixed with notices."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from wsarecv_cli.cli.replay_ndjson import plain_data
from wsarecv_cli.diagnose import FindingDetector
from wsarecv_cli.model.types import (
    Completion, Delivery, Event, RecvCall, RecvFlags, RecvResult, Status, WsaError,
)
from wsarecv_cli.render.records import ReceiverInfo, RecordOptions, Row, RowKind, row_record

INFO = ReceiverInfo("tcp:0", "10.0.0.2:80")

# Mostly plain data (the rows the shortcut serves), and every way a row stops being plain.
events = st.sampled_from([Event.DATA] * 6 + [Event.PARTIAL, Event.OOB, Event.TRUNCATED, Event.GRACEFUL_CLOSE,
                                             Event.RESET, Event.ABORTED, Event.SHUTDOWN, Event.GAP, Event.PENDING])
flags_in = st.sampled_from([RecvFlags.NONE] * 4 + [RecvFlags.MSG_PEEK, RecvFlags.MSG_OOB, RecvFlags.MSG_WAITALL])
flags_out = st.sampled_from([None, RecvFlags.NONE, RecvFlags.NONE, RecvFlags.MSG_PARTIAL, RecvFlags.MSG_OOB])
errors = st.sampled_from([None] * 5 + [WsaError.WSAEMSGSIZE, WsaError.WSAECONNRESET, WsaError.WSA_IO_PENDING])
lost = st.sampled_from([0, 0, 0, 3])
times = st.integers(0, 10**10)


@st.composite
def rows(draw) -> Row:
    call = RecvCall((draw(st.integers(0, 4096)),), draw(flags_in))
    n, t_ns, t_done = draw(st.integers(1, 99)), draw(times), draw(times)
    count = draw(st.integers(0, 4096))
    result = RecvResult(n, t_ns, call, draw(st.sampled_from(list(Status))), 0, draw(errors),
                        draw(st.one_of(st.none(), st.just(count))), (b"x" * min(count, 3),), draw(flags_out),
                        draw(lost), draw(events), ("R8",))
    done = Completion(n, t_done, call, draw(errors), count, (b"x" * min(count, 3),), draw(flags_out), draw(lost),
                      draw(events), Delivery.RETURN, ("R8", "R7"))
    kind = draw(st.sampled_from(list(RowKind)))
    return Row(kind, None if kind is RowKind.COMPLETION else result, None if kind is RowKind.CALL else done)


notices = st.builds(lambda kind, t: {"type": "notice", "flow": INFO.flow, "receiver": INFO.receiver, "t": t,
                                     "kind": kind, "offset": 0},
                    st.sampled_from(["zero-window", "window-open"]), st.floats(0, 10, allow_nan=False))


@settings(max_examples=400, deadline=None)
@given(protocol=st.sampled_from(["tcp", "udp", "reliable-msg"]), base=times,
       items=st.lists(st.one_of(rows(), notices), max_size=12))
def test_the_shortcut_finds_and_counts_what_feed_does(protocol, base, items):
    info = ReceiverInfo(INFO.flow, INFO.receiver, protocol=protocol)
    opts = RecordOptions(base_ns=base)
    by_feed, by_shortcut = FindingDetector(), FindingDetector()
    flow = {"type": "flow", "flow": info.flow, "receiver": info.receiver, "protocol": protocol}
    by_feed.feed(flow)
    state = by_shortcut.open(info.flow, info.receiver, protocol)
    fed, shortcut, taken = [], [], 0
    for item in items:
        if isinstance(item, dict):
            fed += by_feed.feed(item)
            shortcut += by_shortcut.feed(item)
            continue
        fed += by_feed.feed(row_record(item, info, opts))
        plain = plain_data(item)
        if plain is not None and FindingDetector.handed_over(state, plain[0], round((plain[1] - base) / 1e9, 9),
                                                             plain[2], plain[3]):
            taken += 1
            continue
        shortcut += by_shortcut.feed(row_record(item, info, opts))
    assert by_shortcut._receivers == by_feed._receivers  # offsets, messages, partial, ended, last_t
    assert shortcut == fed
    summary = {"type": "summary", "flow": info.flow, "receiver": info.receiver}
    assert by_shortcut.close(info.flow, info.receiver) == by_feed.feed(summary)


def test_a_plain_data_row_takes_the_shortcut_and_a_partial_one_does_not():
    call = RecvCall((4096,))
    waited = RecvResult(1, 0, call, Status.WAITING, -1, None, None, (b"",), None, 0, Event.PENDING, ("R7",))
    done = Completion(1, 5, call, None, 3, (b"abc",), RecvFlags.NONE, 0, Event.DATA, Delivery.RETURN, ("R8",))
    assert plain_data(Row(RowKind.BLOCKING, waited, done)) == (True, 0, 3, False)
    partial = done._replace(flags_out=RecvFlags.MSG_PARTIAL, event=Event.PARTIAL)
    assert plain_data(Row(RowKind.BLOCKING, waited, partial)) is None


def test_a_call_after_the_end_is_left_to_feed():
    detector = FindingDetector()
    state = detector.open("tcp:0", "10.0.0.2:80", "tcp")
    state.ended = "0 bytes after FIN"
    assert not FindingDetector.handed_over(state, True, 1.0, 3)  # WR107 is feed's to find
    assert FindingDetector.handed_over(state, False, 1.0, 3)  # a completion record finds no WR107
