"""Hypothesis properties of the model: order, no holes, one message per call, peek, accounting."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from wsarecv_cli.model import (
    Completion, Event, Fin, Message, Mode, Protocol, RecvCall, RecvFlags, RecvResult, Reset, Socket,
    SocketConfig, Status, StreamBytes, UrgentByte, WsaError,
)

buffers = st.lists(st.integers(0, 7), min_size=1, max_size=4)
stream_op = st.one_of(
    st.tuples(st.just("data"), st.binary(max_size=12), st.booleans()),
    st.tuples(st.just("urgent"), st.integers(0, 255), st.booleans()),
    st.tuples(st.just("recv"), buffers, st.booleans()),  # (layout, peek)
    st.tuples(st.just("wait"), st.none(), st.booleans()),
)
modes = st.sampled_from([Mode.BLOCKING, Mode.NONBLOCKING, Mode.OVERLAPPED_EVENT, Mode.OVERLAPPED_ROUTINE, Mode.IOCP])


def _no_holes(buffers_in: tuple[int, ...], data: tuple[bytes, ...]) -> bool:
    """Every WSABUF before the last one written is full (R8); zero-length WSABUFs stay empty."""
    last = max((i for i, chunk in enumerate(data) if chunk), default=-1)
    return all(len(data[i]) == buffers_in[i] for i in range(last)) and \
        all(len(chunk) <= size for chunk, size in zip(data, buffers_in))


def _consumed(outcome) -> bytes:
    if RecvFlags.MSG_PEEK in outcome.call.flags:
        return b""
    if isinstance(outcome, RecvResult) and outcome.status is not Status.COMPLETED:
        return b""
    return b"".join(outcome.data)


@settings(max_examples=300, deadline=None)
@given(ops=st.lists(stream_op, max_size=30), mode=modes)
def test_stream_delivers_exactly_the_stream_in_order(ops, mode):
    sock = Socket(SocketConfig(mode=mode, oobinline=True))
    sent, outcomes, t = bytearray(), [], 0
    for kind, value, flag in ops:
        t += 1
        if kind == "data":
            sent += value
            outcomes += sock.deliver(StreamBytes(value, push=flag), t)
        elif kind == "urgent":
            sent.append(value)
            outcomes += sock.deliver(UrgentByte(value), t)
        elif kind == "wait":
            outcomes += sock.alertable_wait(t).completions
        elif not (mode is Mode.BLOCKING and sock.pending):
            before = sock.queued_bytes
            call = RecvCall(tuple(value), RecvFlags.MSG_PEEK if flag else RecvFlags.NONE)
            result = sock.recv(call, t)
            outcomes.append(result)
            if flag and result.status is Status.COMPLETED:
                assert sock.queued_bytes == before  # MSG_PEEK never consumes (R11)
    outcomes += sock.deliver(Fin(), t + 1)
    outcomes += sock.alertable_wait(t + 2).completions
    for i in range(len(sent) + 2):
        result = sock.recv(RecvCall((5, 0, 3)), t + 3 + i)
        outcomes += [result] + list(sock.alertable_wait(t + 3 + i).completions)
        if result.event is Event.GRACEFUL_CLOSE:
            break
    assert outcomes[-1].event is Event.GRACEFUL_CLOSE
    for outcome in outcomes:
        assert _no_holes(outcome.call.buffers, outcome.data), outcome
        assert outcome.lost == 0
    # buffers are filled in posting order (R31, R32); APCs may be seen later than a newer immediate result
    assert b"".join(_consumed(o) for o in sorted(outcomes, key=lambda o: o.n)) == bytes(sent)
    stats = sock.stats
    assert (stats.arrived, stats.delivered, stats.lost, stats.queued) == (len(sent), len(sent), 0, 0)


msg_op = st.one_of(
    st.tuples(st.just("msg"), st.binary(max_size=10), st.booleans()),
    st.tuples(st.just("recv"), buffers, st.booleans()),
)


@settings(max_examples=300, deadline=None)
@given(ops=st.lists(msg_op, max_size=30), protocol=st.sampled_from([Protocol.UDP, Protocol.RELIABLE_MSG]))
def test_message_call_returns_at_most_one_message(ops, protocol):
    sock = Socket(SocketConfig(protocol=protocol, mode=Mode.NONBLOCKING))
    queue: list[bytes] = []
    for t, (kind, value, peek) in enumerate(ops):
        if kind == "msg":
            queue.append(value)
            sock.deliver(Message(value), t)
            continue
        call = RecvCall(tuple(value), RecvFlags.MSG_PEEK if peek else RecvFlags.NONE)
        result = sock.recv(call, t)
        assert _no_holes(call.buffers, result.data)
        if not queue:
            assert result.error is WsaError.WSAEWOULDBLOCK
            continue
        head, cap = queue[0], call.capacity
        got = b"".join(result.data)
        if len(head) <= cap:
            assert (result.error, got, result.bytes, result.lost) == (None, head, len(head), 0)  # R16
        elif protocol is Protocol.UDP:
            assert (result.error, got, result.bytes) == (WsaError.WSAEMSGSIZE, head[:cap], cap)  # R17/R20
            assert result.lost == (0 if peek else len(head) - cap)
        else:
            assert (result.error, got, result.lost) == (WsaError.WSAEMSGSIZE, b"", 0)  # R19 retained
        if not peek and (len(head) <= cap or protocol is Protocol.UDP):
            queue.pop(0)
    assert sock.queued_bytes == sum(map(len, queue))


@settings(max_examples=200, deadline=None)
@given(chunks=st.lists(st.binary(min_size=1, max_size=9), min_size=1, max_size=6),
       calls=st.lists(buffers, max_size=6), keep=st.booleans(),
       protocol=st.sampled_from([Protocol.TCP, Protocol.UDP, Protocol.PARTIAL_MSG]))
def test_no_byte_is_both_delivered_and_lost(chunks, calls, keep, protocol):
    stream = protocol is Protocol.TCP
    sock = Socket(SocketConfig(protocol=protocol, mode=Mode.NONBLOCKING, keep_on_reset=keep))
    outcomes, t = [], 0
    for i, chunk in enumerate(chunks):
        t += 1
        sock.deliver(StreamBytes(chunk) if stream else Message(chunk), t)
        if i < len(calls):
            outcomes.append(sock.recv(RecvCall(tuple(calls[i])), t))
    sock.deliver(Reset(), t + 1)
    for i in range(len(chunks) * 10 + 2):
        outcomes.append(sock.recv(RecvCall((4,)), t + 2 + i))
        if outcomes[-1].event in (Event.RESET, Event.WOULD_BLOCK):
            break
    stats = sock.stats
    delivered = sum(len(b"".join(o.data)) for o in outcomes if o.status is Status.COMPLETED
                    or o.error is WsaError.WSAEMSGSIZE)
    lost = sum(o.lost for o in outcomes)
    assert stats.arrived == sum(map(len, chunks))
    assert stats.delivered + stats.lost + stats.queued == stats.arrived
    assert delivered == stats.delivered and lost == stats.lost


@settings(max_examples=100, deadline=None)
@given(chunks=st.lists(st.binary(min_size=1, max_size=9), max_size=5), layouts=st.lists(buffers, min_size=1, max_size=4))
def test_pending_receives_are_filled_fifo(chunks, layouts):
    sock = Socket(SocketConfig(mode=Mode.OVERLAPPED_EVENT))
    for t, layout in enumerate(layouts):
        assert sock.recv(RecvCall(tuple(layout)), t).status is Status.PENDING
    done: list[Completion] = []
    for t, chunk in enumerate(chunks, start=10):
        done += sock.deliver(StreamBytes(chunk), t)
    assert [c.n for c in done] == sorted(c.n for c in done)
    payload = b"".join(b"".join(c.data) for c in done)
    assert b"".join(chunks).startswith(payload)
