"""One behaviour test per modelled rule (table-driven, id = rule id)."""

from __future__ import annotations

import pytest

from wsarecv_cli.model import (
    RULES, CaptureGap, Delivery, Discon, Event, Fin, IcmpError, IcmpKind, Message, Mode, NtStatus, Platform,
    Protocol, RecvCall, RecvFlags, RecvMode, Reset, Shutdown, Socket, SocketConfig, Status, StreamBytes,
    UrgentByte, WsaError, effective_mode, profile_for, r15_mode,
)

F = RecvFlags
MS = 1_000_000


def sock(**kw) -> Socket:
    return Socket(SocketConfig(**kw))


def call(*buffers, flags=F.NONE, mode=None) -> RecvCall:
    return RecvCall(tuple(buffers), flags, mode)


def fed(*arrivals, **kw) -> Socket:
    s = sock(**kw)
    for i, a in enumerate(arrivals):
        s.deliver(a, i)
    return s


def r3():
    s = sock(mode=Mode.OVERLAPPED_EVENT)
    res = s.recv(call(), 0)
    assert (res.status, res.error, res.delivery, s.pending, s.held) == (Status.FAILED, WsaError.WSAEINVAL, None, 0, 0)


def r4():
    s = fed(StreamBytes(b"abcde"))
    assert s.recv(call(0, 3, 0, 2), 9).data == (b"", b"abc", b"", b"de")
    assert s.recv(call(-1), 10).error is WsaError.WSAEFAULT


def r6():
    s = sock(mode=Mode.NONBLOCKING)
    res = s.recv(call(4), 0)
    assert (res.ret, res.bytes, res.flags_out, res.error) == (-1, None, None, WsaError.WSAEWOULDBLOCK)
    o = fed(Reset(), mode=Mode.IOCP)
    res = o.recv(call(4), 5)
    assert res.error is WsaError.WSAECONNRESET and res.delivery is None and "R6" in res.rules
    assert o.alertable_wait(6).completions == () and o.pending == 0


def r7():
    assert sock(mode=Mode.NONBLOCKING).recv(call(4), 0).error is WsaError.WSAEWOULDBLOCK
    s = sock()
    assert s.recv(call(4), 0).status is Status.WAITING
    (done,) = s.deliver(StreamBytes(b"xy"), 5)
    assert (done.delivery, done.bytes, done.n) == (Delivery.RETURN, 2, 1)
    t = sock(rcvtimeo_ms=100)
    t.recv(call(4), 0)
    assert t.advance(99 * MS) == []
    (done,) = t.advance(100 * MS)
    assert done.error is WsaError.WSAETIMEDOUT and done.t_ns == 100 * MS
    o = sock(rcvtimeo_ms=100, mode=Mode.OVERLAPPED_EVENT)
    o.recv(call(4), 0)
    assert o.advance(10_000 * MS) == [] and o.pending == 1


def r8():
    res = fed(StreamBytes(b"deadbeefs")).recv(call(4, 5), 9)
    assert res.data == (b"dead", b"beefs") and res.filled == (4, 5)
    assert "WSABUF[0] 4/4 then WSABUF[1] 5/5" in res.reason


def r9():
    s = fed(StreamBytes(b"ab"), StreamBytes(b"cd"))
    assert s.recv(call(3), 5).data == (b"abc",)
    assert s.recv(call(10), 6).data == (b"d",)


def r10():
    s = fed(StreamBytes(b"ab"), UrgentByte(0x21), StreamBytes(b"cd"))
    assert s.recv(call(10), 5).data == (b"ab",)
    assert s.recv(call(10), 6).data == (b"cd",)
    f = fed(StreamBytes(b"abc"), Fin())
    assert f.recv(call(10), 5).bytes == 3
    assert f.recv(call(10), 6).event is Event.GRACEFUL_CLOSE
    # A capture gap is no boundary: the receiver had real bytes there, so a receive reads across
    # it (R9) and reports the bytes whose content the capture lacks as unknown.
    g = fed(StreamBytes(b"ab"), CaptureGap(7), StreamBytes(b"cd"))
    across = g.recv(call(10), 5)
    assert (across.bytes, across.gap, across.unknown, across.event) == (10, 7, ((2, 9),), Event.DATA)
    assert across.data == (b"ab" + bytes(7) + b"c",)
    assert g.recv(call(10), 6).data == (b"d",)


def r11():
    s = fed(StreamBytes(b"data"))
    for t in (5, 6):
        assert s.recv(call(4, flags=F.MSG_PEEK), t).data == (b"data",)
    assert s.queued_bytes == 4 and s.recv(call(10), 7).data == (b"data",)


def r12():
    o = fed(StreamBytes(b"abc"), mode=Mode.OVERLAPPED_EVENT)
    res = o.recv(call(0), 5)
    assert (res.status, res.bytes, res.event, o.queued_bytes) == (Status.COMPLETED, 0, Event.ZERO_BYTE, 3)
    s = fed(StreamBytes(b"abc"))
    assert s.recv(call(0), 5).ret == 0 and s.queued_bytes == 3


def r13():
    o = sock(mode=Mode.OVERLAPPED_EVENT)
    o.recv(call(6, flags=F.MSG_WAITALL), 0)
    assert o.deliver(StreamBytes(b"abc"), 1) == []
    (done,) = o.deliver(StreamBytes(b"def"), 2)
    assert done.data == (b"abcdef",) and "R13" in done.rules
    early = sock()
    early.recv(call(6, flags=F.MSG_WAITALL), 0)
    early.deliver(StreamBytes(b"ab"), 1)
    (done,) = early.deliver(Fin(), 2)
    assert done.data == (b"ab",)
    bad = [(dict(mode=Mode.NONBLOCKING), F.NONE), ({}, F.MSG_PEEK), ({}, F.MSG_OOB), ({}, F.MSG_PARTIAL),
           (dict(protocol=Protocol.UDP), F.NONE), (dict(platform=Platform.WINCE), F.NONE)]
    for kw, extra in bad:
        assert sock(**kw).recv(call(4, flags=F.MSG_WAITALL | extra), 0).error is WsaError.WSAEOPNOTSUPP, kw


def r14():
    o = sock(mode=Mode.OVERLAPPED_EVENT, hold_until_push=True)
    o.recv(call(10), 0)
    assert o.deliver(StreamBytes(b"abc"), 1) == []
    (done,) = o.deliver(StreamBytes(b"de", push=True), 2)
    assert done.data == (b"abcde",)
    o.recv(call(10), 3)
    o.deliver(StreamBytes(b"x"), 4)
    assert o.advance(100 * MS) == []
    (done,) = o.advance(250 * MS)
    assert done.data == (b"x",) and "R14" in done.rules
    d = sock(mode=Mode.OVERLAPPED_EVENT)
    d.recv(call(10), 0)
    assert len(d.deliver(StreamBytes(b"abc"), 1)) == 1  # default: complete on each arrival


def r15():
    udp, part = profile_for(Protocol.UDP, Platform.DESKTOP), profile_for(Protocol.PARTIAL_MSG, Platform.DESKTOP)
    assert r15_mode(profile_for(Protocol.TCP, Platform.DESKTOP), F.NONE) is RecvMode.BYTE_STREAM
    assert r15_mode(udp, F.NONE) is RecvMode.MESSAGE and r15_mode(udp, F.MSG_PARTIAL) is RecvMode.BYTE_STREAM
    mode, note = effective_mode(udp, F.MSG_PARTIAL)
    assert mode is RecvMode.MESSAGE and "XP1_PARTIAL_MESSAGE" in note
    assert effective_mode(part, F.MSG_PARTIAL) == (RecvMode.BYTE_STREAM, None)
    res = fed(Message(b"0123456789"), protocol=Protocol.PARTIAL_MSG).recv(call(4, flags=F.MSG_PARTIAL), 5)
    assert res.flags_out == F.MSG_PARTIAL and "R15" in res.rules


def r16():
    s = fed(Message(b"one"), Message(b"two"), protocol=Protocol.UDP)
    assert s.recv(call(100), 5).data == (b"one",)
    assert s.recv(call(100), 6).data == (b"two",)


def r17():
    s = fed(Message(b"moredata\0"), Message(b"next"), protocol=Protocol.UDP)
    res = s.recv(call(2, 4), 5)
    assert (res.error, res.bytes, res.data, res.lost, res.flags_out) == (
        WsaError.WSAEMSGSIZE, 6, (b"mo", b"reda"), 3, F.NONE)
    assert s.recv(call(100), 6).data == (b"next",)


def r18():
    o = fed(Message(b"moredata\0"), protocol=Protocol.UDP, mode=Mode.OVERLAPPED_EVENT)
    assert o.recv(call(2, 4), 5).status is Status.PENDING
    (done,) = o.advance(6)
    assert done.error is WsaError.WSAEMSGSIZE and done.status is NtStatus.BUFFER_OVERFLOW and done.bytes == 6
    now = fed(Message(b"moredata\0"), protocol=Protocol.UDP, mode=Mode.OVERLAPPED_EVENT,
              pend_on_queued_truncation=False)
    res = now.recv(call(2, 4), 5)
    assert (res.status, res.error, res.bytes, res.delivery) == (Status.FAILED, WsaError.WSAEMSGSIZE, 6, Delivery.EVENT)


def r19():
    rel = fed(Message(b"0123456789"), protocol=Protocol.RELIABLE_MSG)
    res = rel.recv(call(4), 5)
    assert (res.error, res.lost, rel.queued_bytes) == (WsaError.WSAEMSGSIZE, 0, 10)
    assert rel.recv(call(16), 6).data == (b"0123456789",)
    part = fed(Message(b"0123456789"), protocol=Protocol.PARTIAL_MSG)
    flags = [part.recv(call(4), t).flags_out for t in (5, 6, 7)]
    assert flags == [F.MSG_PARTIAL, F.MSG_PARTIAL, F.NONE]


def r20():
    s = fed(Message(b"moredata\0"), protocol=Protocol.UDP)
    res = s.recv(call(4, flags=F.MSG_PEEK), 5)
    assert (res.error, res.data, res.lost) == (WsaError.WSAEMSGSIZE, (b"more",), 0)
    assert s.recv(call(100), 6).bytes == 9


def r21():
    s = fed(Message(b"c", "10.0.0.3:1"), Message(b"b", "10.0.0.2:1"), protocol=Protocol.UDP,
            connected_peer="10.0.0.2:1")
    assert s.recv(call(10), 5).data == (b"b",) and s.stats.filtered == 1 and s.queued_bytes == 0


def r22():
    o = sock(mode=Mode.OVERLAPPED_EVENT)
    o.recv(call(10), 0)
    (done,) = o.deliver(Fin(), 1)
    assert (done.bytes, done.error, done.event) == (0, None, Event.GRACEFUL_CLOSE)
    res = o.recv(call(10), 2)
    assert (res.status, res.bytes, res.delivery) == (Status.COMPLETED, 0, Delivery.EVENT)
    assert o.recv(call(10), 3).event is Event.GRACEFUL_CLOSE


def r23():
    s = fed(Reset())
    assert [s.recv(call(4), t).error for t in (5, 6, 7)] == [WsaError.WSAECONNRESET] * 3


def r24():
    s = fed(StreamBytes(b"hello"), Reset())
    res = s.recv(call(10), 5)
    assert (res.error, res.lost, s.stats.lost) == (WsaError.WSAECONNRESET, 5, 5)
    keep = fed(StreamBytes(b"hello"), Reset(), keep_on_reset=True)
    assert keep.recv(call(10), 5).data == (b"hello",)
    assert keep.recv(call(10), 6).error is WsaError.WSAECONNRESET


def r25():
    assert fed(Fin(), Reset()).recv(call(10), 5).error is WsaError.WSAECONNABORTED


def r26():
    assert fed(Reset()).recv(call(1), 5).error is WsaError.WSAECONNRESET
    udp = fed(IcmpError(IcmpKind.TIME_EXCEEDED), protocol=Protocol.UDP)
    assert udp.recv(call(1), 5).error is WsaError.WSAENETRESET
    o = sock(mode=Mode.OVERLAPPED_EVENT)
    o.recv(call(1), 0)
    assert o.close(1).completions[0].error is WsaError.WSAECONNABORTED


def r27():
    rel = fed(Message(b"m"), Discon(), protocol=Protocol.RELIABLE_MSG)
    assert rel.recv(call(10), 5).data == (b"m",)
    assert [rel.recv(call(10), t).error for t in (6, 7)] == [WsaError.WSAEDISCON] * 2
    fin = fed(Fin(), protocol=Protocol.RELIABLE_MSG)  # the provider's graceful close
    assert fin.recv(call(10), 5).error is WsaError.WSAEDISCON
    tcp = fed(Discon())
    res = tcp.recv(call(10), 5)
    assert (res.error, res.event) == (None, Event.GRACEFUL_CLOSE)


def r28():
    o = fed(StreamBytes(b"abc"), mode=Mode.OVERLAPPED_EVENT)
    res = o.recv(call(10), 5)
    assert res.status is Status.COMPLETED and "R28" in res.rules
    p = fed(StreamBytes(b"abc"), mode=Mode.OVERLAPPED_EVENT, immediate_completion=False)
    assert p.recv(call(10), 5).status is Status.PENDING
    (done,) = p.advance(6)
    assert done.data == (b"abc",)


def r29():
    res = sock(mode=Mode.IOCP).recv(call(10, flags=F.MSG_PEEK), 0)
    assert (res.status, res.ret, res.error, res.bytes, res.flags_out) == (
        Status.PENDING, -1, WsaError.WSA_IO_PENDING, None, None)


def r30():
    assert fed(StreamBytes(b"a"), mode=Mode.OVERLAPPED_EVENT).recv(call(4), 5).delivery is Delivery.EVENT
    assert fed(StreamBytes(b"a"), mode=Mode.IOCP).recv(call(4), 5).delivery is Delivery.IOCP
    r = sock(mode=Mode.OVERLAPPED_ROUTINE)
    r.recv(call(4), 0)
    assert r.deliver(StreamBytes(b"a"), 1) == [] and r.held == 1
    (done,) = r.alertable_wait(2).completions
    assert done.delivery is Delivery.ROUTINE and done.data == (b"a",)


def r31():
    r = sock(mode=Mode.OVERLAPPED_ROUTINE)
    r.recv(call(2), 0)
    r.recv(call(2), 0)
    r.deliver(StreamBytes(b"abcd"), 1)
    done = r.alertable_wait(2).completions
    assert [(c.n, c.data) for c in done] == [(1, (b"ab",)), (2, (b"cd",))]


def r32():
    o = sock(mode=Mode.OVERLAPPED_EVENT)
    o.recv(call(16), 0)
    o.recv(call(16), 0)
    done = o.deliver(StreamBytes(bytes(range(32))), 1)
    assert [c.data[0] for c in done] == [bytes(range(16)), bytes(range(16, 32))]


def r33():
    o = sock(mode=Mode.OVERLAPPED_EVENT)
    o.recv(call(4), 0)
    (done,) = o.cancel(1).completions
    assert done.error is WsaError.WSA_OPERATION_ABORTED and done.win32_error == 995
    b = sock()
    b.recv(call(4), 0)
    (done,) = b.close(1).completions
    assert done.error is WsaError.WSAEINTR and done.delivery is Delivery.RETURN
    assert b.recv(call(4), 2).error is WsaError.WSAENOTSOCK


def r35():
    o = sock(mode=Mode.OVERLAPPED_EVENT, max_outstanding=1)
    assert o.recv(call(4), 0).status is Status.PENDING
    assert o.recv(call(4), 1).error is WsaError.WSAEWOULDBLOCK
    n = sock(mode=Mode.NONBLOCKING)
    assert n.recv(call(4, mode=Mode.OVERLAPPED_EVENT), 0).status is Status.PENDING


def r36():
    res = fed(StreamBytes(b"ab"), mode=Mode.OVERLAPPED_EVENT).recv(call(4, flags=F.MSG_PEEK), 5)
    assert res.data == (b"ab",) and any("doc-invalid" in n for n in res.notes)


def r38():
    o = fed(StreamBytes(b"ab"), mode=Mode.OVERLAPPED_EVENT)
    res = o.recv(call(4, flags=F.MSG_PEEK), 5)
    assert res.flags_out == F.NONE and "R38" in res.rules  # Q10: result flags only


def r39():
    s = fed(StreamBytes(b"ab"), UrgentByte(ord("!")))
    res = s.recv(call(10, flags=F.MSG_OOB), 5)
    assert res.bytes == 1 and res.data == (b"!",)


def r40():
    s = fed(StreamBytes(b"ab"), UrgentByte(ord("1")), UrgentByte(ord("2")), StreamBytes(b"cd"))
    assert s.oob_pending == 2
    normal = s.recv(call(10), 5).data + s.recv(call(10), 6).data
    assert b"".join(normal) == b"abcd"
    oob = [s.recv(call(1, flags=F.MSG_OOB), t).data for t in (7, 8)]
    assert oob == [(b"1",), (b"2",)]


def r41():
    assert sock(mode=Mode.NONBLOCKING).recv(call(1, flags=F.MSG_OOB), 0).error is WsaError.WSAEWOULDBLOCK
    b = sock()
    assert b.recv(call(1, flags=F.MSG_OOB), 0).status is Status.WAITING
    (done,) = b.deliver(UrgentByte(0x41), 1)
    assert done.data == (b"A",) and done.flags_out == F.MSG_OOB
    assert sock(oobinline=True).recv(call(1, flags=F.MSG_OOB), 0).error is WsaError.WSAEINVAL
    assert sock(protocol=Protocol.UDP).recv(call(1, flags=F.MSG_OOB), 0).error is WsaError.WSAEOPNOTSUPP


def r42():
    s = fed(StreamBytes(b"ab"), UrgentByte(ord("X")), StreamBytes(b"cd"), oobinline=True)
    assert [s.recv(call(10), t).data for t in (5, 6, 7)] == [(b"ab",), (b"X",), (b"cd",)]
    assert s.oob_pending == 0


def r44():
    for proto in (Protocol.TCP, Protocol.UDP):
        s = sock(protocol=proto)
        s.shutdown(Shutdown.RECEIVE, 0)
        assert [s.recv(call(4), t).error for t in (1, 2)] == [WsaError.WSAESHUTDOWN] * 2
    o = sock(mode=Mode.OVERLAPPED_EVENT)
    o.recv(call(5), 0)
    assert o.shutdown(Shutdown.BOTH, 1).completions == () and o.pending == 1
    (done,) = o.deliver(StreamBytes(b"test\0"), 2)
    assert done.bytes == 5


def r45():
    t = sock()
    t.shutdown(Shutdown.RECEIVE, 0)
    t.deliver(StreamBytes(b"late"), 1)
    assert t.stats.lost == 4 and t.closed and any("R45" in note for _, note in t.log)
    q = fed(StreamBytes(b"unread"))
    act = q.shutdown(Shutdown.RECEIVE, 5)
    assert act.lost == 6 and "R45" in act.rules
    u = sock(protocol=Protocol.UDP)
    u.shutdown(Shutdown.RECEIVE, 0)
    u.deliver(Message(b"dgram"), 1)
    assert u.queued_bytes == 5 and u.stats.lost == 0
    off = sock(rst_after_shutdown=False)
    off.shutdown(Shutdown.RECEIVE, 0)
    off.deliver(StreamBytes(b"kept"), 1)
    assert off.queued_bytes == 4


def r46():
    s = fed(Message(b"a"), IcmpError(IcmpKind.PORT_UNREACHABLE), protocol=Protocol.UDP)
    assert s.recv(call(10), 5).error is WsaError.WSAECONNRESET
    assert s.recv(call(10), 6).data == (b"a",)
    o = sock(protocol=Protocol.UDP, mode=Mode.OVERLAPPED_EVENT)
    o.recv(call(10), 0)
    (done,) = o.deliver(IcmpError(IcmpKind.PORT_UNREACHABLE), 1)
    assert done.error is WsaError.WSAECONNRESET and done.status is NtStatus.PORT_UNREACHABLE


def r47():
    res = fed(StreamBytes(b"abc"), platform=Platform.WINCE, mode=Mode.OVERLAPPED_EVENT).recv(call(10), 5)
    assert (res.ret, res.bytes, res.delivery) == (0, 3, Delivery.EVENT_NOT_SIGNALLED)
    o = sock(platform=Platform.WINCE, mode=Mode.OVERLAPPED_EVENT)
    o.recv(call(10), 0)
    assert o.deliver(StreamBytes(b"x"), 1)[0].delivery is Delivery.EVENT  # a pending one is signalled


def r48():
    res = fed(StreamBytes(b"abc"), platform=Platform.WINCE, mode=Mode.OVERLAPPED_ROUTINE).recv(call(10), 5)
    assert res.delivery is Delivery.ROUTINE_THREAD and any("Q9" in n for n in res.notes)


def r49():
    part = fed(Message(b"0123456789"), protocol=Protocol.PARTIAL_MSG, platform=Platform.WINCE)
    res = part.recv(call(4), 5)
    assert res.flags_out == F.NONE and res.error is WsaError.WSAEMSGSIZE
    t = sock(platform=Platform.WINCE, rcvtimeo_ms=10)
    t.recv(call(4), 0)
    (done,) = t.advance(20 * MS)
    assert any("R49" in n for n in done.notes)


CASES = {f.__name__.upper(): f for f in (
    r3, r4, r6, r7, r8, r9, r10, r11, r12, r13, r14, r15, r16, r17, r18, r19, r20, r21, r22, r23, r24, r25, r26,
    r27, r28, r29, r30, r31, r32, r33, r35, r36, r38, r39, r40, r41, r42, r44, r45, r46, r47, r48, r49)}


def test_every_modelled_rule_has_a_case():
    assert set(CASES) == {r.id for r in RULES if r.modelled}


@pytest.mark.parametrize("rule_id", sorted(CASES, key=lambda r: int(r[1:])))
def test_rule(rule_id):
    CASES[rule_id]()
