"""The commonest row's shortcut (`replay --ndjson`): RowLines.plain writes blocking()'s line and
says which rows it takes, and SummaryAccumulator.add_stream_bytes / add_message_bytes count what
add() counts for those rows. Each is held to the general step it replaces, on hypothesis-made
sequences of blocking calls (plain ones and every kind of exception to them, calls that start at
the last return's time and calls that do not)."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from wsarecv_cli.model.types import Completion, Delivery, Event, RecvCall, RecvFlags, RecvResult, Status, WsaError
from wsarecv_cli.render import record_lines
from wsarecv_cli.render.record_lines import RowLines
from wsarecv_cli.render.records import ReceiverInfo, RecordOptions, SummaryAccumulator

CALLS = [RecvCall((4096,)), RecvCall((4096,)), RecvCall((3, 0, 700)), RecvCall((4096,), RecvFlags.MSG_PEEK),
         RecvCall((4096,), RecvFlags.MSG_OOB)]
RULES = [("R8", "R9", "R7"), ("R16", "R7"), ("R22",)]


def _plain_expected(result: RecvResult, done: Completion, opts: RecordOptions) -> bool:
    """The rows plain() is documented to take, written from its docstring, test by test."""
    return (done.event is Event.DATA and done.error is None and done.lost == 0 and done.flags_out == RecvFlags.NONE
            and done.flags_out is not None and len(done.data) == 1 and done.gap == 0 and not done.notes
            and not done.unknown and int(result.call.flags) == 0 and not opts.show_data and not opts.explain)


# A row that is not plain differs from a plain one in one of these ways (or, with "any", in several).
EXCEPTIONS = ["event", "error", "lost", "flags_out", "buffers", "gap", "unknown", "notes", "flags_in", "any"]


@st.composite
def blocking_rows(draw, count: int):
    """`count` (waiting result, completion) pairs of one receiver, times going mostly forward."""
    rows = []
    t_ns = draw(st.integers(0, 10**12))
    for n in range(1, count + 1):
        if draw(st.integers(0, 3)) == 0:  # a call that does not start at the last return
            t_ns += draw(st.integers(-10**6, 10**9))
        unlike = set() if draw(st.booleans()) else {draw(st.sampled_from(EXCEPTIONS))}
        if "any" in unlike:
            unlike = set(draw(st.lists(st.sampled_from(EXCEPTIONS), max_size=4)))
        call = draw(st.sampled_from(CALLS[:2] if "flags_in" not in unlike else CALLS))
        waiting = RecvResult(n, t_ns, call, Status.WAITING, -1, None, None, (b"",) * len(call.buffers), None, 0,
                             Event.PENDING, ("R7",))
        t_ns += draw(st.integers(0, 10**9))
        data = (draw(st.binary(max_size=6)),)
        if "buffers" in unlike:
            data = tuple(draw(st.binary(max_size=3)) for _ in range(draw(st.integers(2, 3))))
        gap = draw(st.integers(1, 3)) if "gap" in unlike else 0
        done = Completion(
            n, t_ns, call,
            draw(st.sampled_from([WsaError.WSAEMSGSIZE, WsaError.WSAECONNRESET])) if "error" in unlike else None,
            sum(map(len, data)), data,
            draw(st.sampled_from([None, RecvFlags.MSG_PARTIAL, RecvFlags.MSG_OOB])) if "flags_out" in unlike
            else RecvFlags.NONE,
            draw(st.integers(1, 9)) if "lost" in unlike else 0,
            draw(st.sampled_from([Event.GRACEFUL_CLOSE, Event.TRUNCATED, Event.OOB, Event.ZERO_BYTE, Event.RESET]))
            if "event" in unlike else Event.DATA,
            Delivery.RETURN, draw(st.sampled_from(RULES)), gap=gap,
            unknown=((0, 1),) if "unknown" in unlike else (),
            notes=("doc-invalid",) if "notes" in unlike else ())
        rows.append((waiting, done))
    return rows


options = st.builds(RecordOptions, base_ns=st.integers(0, 10**12), show_data=st.booleans(), explain=st.booleans())


@settings(max_examples=600, deadline=None)
@given(opts=options, rows=st.integers(1, 8).flatmap(blocking_rows))
def test_plain_writes_the_blocking_line_of_the_rows_it_takes(opts, rows):
    info = ReceiverInfo("tcp:0", "10.0.0.2:80")
    fast, general = RowLines(info, opts), RowLines(info, opts)  # one receiver each: their caches apart
    for waiting, done in rows:
        made = fast.plain(waiting, done)
        assert (made is not None) == _plain_expected(waiting, done, opts)
        line = general.blocking(waiting, done)
        if made is None:
            fast.blocking(waiting, done)  # the writer's general step, on the same RowLines
        else:
            assert made == (line, round((waiting.t_ns - opts.base_ns) / 1e9, 9))


def _summed(protocol: str, rows, shortcut: bool) -> dict:
    summary = SummaryAccumulator.for_receiver(ReceiverInfo("f:0", "10.0.0.2:80", protocol=protocol))
    lines = RowLines(summary.info, RecordOptions())
    add_plain = summary.add_message_bytes if summary.message_oriented else summary.add_stream_bytes
    for waiting, done in rows:
        if shortcut and lines.plain(waiting, done) is not None:
            summary.calls += 1  # what write_ndjson counts for the waiting call
            add_plain(done.data[0])
        else:
            summary.add(waiting)
            summary.add(done)
    return summary.record()


@settings(max_examples=400, deadline=None)
@given(protocol=st.sampled_from(["tcp", "udp", "reliable-msg"]), rows=st.integers(1, 8).flatmap(blocking_rows))
def test_the_summary_shortcut_counts_what_add_counts(protocol, rows):
    assert _summed(protocol, rows, shortcut=True) == _summed(protocol, rows, shortcut=False)


def test_the_shortcut_is_taken_and_an_empty_message_is_not_counted():
    call = RecvCall((4096,))
    waiting = RecvResult(1, 0, call, Status.WAITING, -1, None, None, (b"",), None, 0, Event.PENDING, ("R7",))
    rows = [(waiting, Completion(1, 5, call, None, 0, (b"",), RecvFlags.NONE, 0, Event.DATA, Delivery.RETURN,
                                 ("R8",))),
            (waiting._replace(n=2, t_ns=5), Completion(2, 9, call, None, 2, (b"hi",), RecvFlags.NONE, 0, Event.DATA,
                                                       Delivery.RETURN, ("R8",)))]
    assert all(RowLines(ReceiverInfo(), RecordOptions()).plain(*row) is not None for row in rows)
    summed = _summed("udp", rows, shortcut=True)
    assert (summed["messages"], summed["bytes"], summed["calls"]) == (1, 2, 2)
    assert summed == _summed("udp", rows, shortcut=False)


# ---- times as text ------------------------------------------------------------------------------

EXACT = record_lines._EXACT_NS
deltas = st.one_of(st.integers(-10**6, 10**6), st.integers(0, 10**12), st.integers(-EXACT * 2, EXACT * 2),
                   st.integers(EXACT - 10**6, EXACT + 10**6), st.integers(99_000, 101_000),
                   st.integers(0, 10**6).map(lambda n: n * 10**9), st.integers(0, 10**9).map(lambda n: n * 1000))


@settings(max_examples=3000, deadline=None)
@given(delta=deltas)
def test_seconds_text_is_the_rounded_floats_repr(delta):
    assert record_lines.seconds_text(delta) == float.__repr__(round(delta / 1e9, 9))
    assert float(record_lines.seconds_text(delta)) == round(delta / 1e9, 9)  # what plain() hands the detectors


def test_seconds_text_at_its_edges():
    assert [record_lines.seconds_text(d) for d in (0, 1000, 100_000, 5 * 10**9, 1_500_000_000, EXACT - 1, EXACT)] \
        == [float.__repr__(round(d / 1e9, 9)) for d in (0, 1000, 100_000, 5 * 10**9, 1_500_000_000, EXACT - 1, EXACT)] \
        == ["0.0", "1e-06", "0.0001", "5.0", "1.5", "3999999.999999999", "4000000.0"]
