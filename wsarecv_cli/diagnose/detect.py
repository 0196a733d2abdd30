"""Detectors: a replay's records in, findings out.

Theory of operation: the detectors read the same record dicts `replay --ndjson` prints (flow,
call, completion, notice, gap, summary; docs in README "Records"), never the model's objects, so
anything that produces records (a capture replay, a scenario, a saved NDJSON file) can be checked.
`FindingDetector.feed(record)` returns the findings that record completes; a receiver's state is
dropped at its `summary` record, so memory follows the live receivers, like the replay's.

Stream offsets are counted here the way the summary counts bytes: what reached the buffers as
normal data (not MSG_PEEK, not MSG_OOB, not a message a reliable provider kept, R19).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from wsarecv_cli.diagnose.finding import Finding

Record = dict[str, Any]
CLOSURES = {"graceful-close": "0 bytes after FIN", "reset": "WSAECONNRESET", "aborted": "WSAECONNABORTED",
            "discon": "WSAEDISCON"}
_NOT_STREAM = {"MSG_PEEK", "MSG_OOB"}


@dataclass(slots=True)
class _OpenMessage:
    """A framed message begun in one call and not finished yet."""

    number: int
    start: int  # stream offset of its first byte
    calls: list[int]
    t: float


@dataclass(slots=True)
class _Receiver:
    flow: str | None
    receiver: str | None
    message_oriented: bool
    datagrams: bool  # a UDP socket: connectionless
    offset: int = 0  # stream bytes handed to the application so far
    messages: int = 0  # messages (datagrams) handed over so far, message-oriented protocols
    ended: str | None = None  # the closure already reported to the application
    in_partial: bool = False  # inside a message delivered with MSG_PARTIAL
    open_message: _OpenMessage | None = None
    zero_window: tuple[float, int | None] | None = None  # (since t, offset)
    last_t: float = 0.0

    def finding(self, code: str, text: str, rec: Record | None = None, **place: Any) -> Finding:
        if rec is not None:
            place.setdefault("n", rec.get("n"))
            place.setdefault("t", rec.get("t"))
        place.setdefault("offset", self.offset)
        return Finding(code, text, flow=self.flow, receiver=self.receiver, **place)


@dataclass(slots=True)
class FindingDetector:
    """Findings from a stream of replay records. `app_flags`: the lpFlags the application passes
    (its own MSG_OOB reads are not findings; the replay's automatic ones are)."""

    app_flags: frozenset[str] = frozenset()
    _receivers: dict[tuple, _Receiver] = field(default_factory=dict)

    def feed(self, rec: Record) -> list[Finding]:
        kind = rec.get("type")
        key = (rec.get("flow"), rec.get("receiver"))
        if kind == "flow":
            self.open(key[0], key[1], rec.get("protocol", "tcp"))
            return []
        receiver = self._receivers.get(key)
        if receiver is None:
            return []
        if rec.get("t") is not None:
            receiver.last_t = max(receiver.last_t, rec["t"])
        if kind in ("call", "completion"):
            return list(self._outcome(receiver, rec))
        if kind == "notice":
            return list(self._notice(receiver, rec))
        if kind == "gap":
            return [_gap(receiver, rec, rec.get("length"), rec.get("offset"), rec.get("reason"))]
        if kind == "summary":
            return self.close(key[0], key[1])
        return []

    # -- the same, for a writer that has the values without the records (replay --ndjson) --------

    def open(self, flow: str | None, receiver: str | None, protocol: str) -> _Receiver:
        """What a `flow` record does: a receiver's state, begun (returned for `handed_over`)."""
        state = self._receivers[(flow, receiver)] = _Receiver(flow, receiver, protocol != "tcp", protocol == "udp")
        return state

    def set_aside(self, state: _Receiver) -> None:
        """A quiet receiver's state out of the table: its writer keeps it, frozen with its own
        (cli/replay_quiet.py), and gives it back (`take_back`) before its next record."""
        self._receivers.pop((state.flow, state.receiver), None)

    def take_back(self, state: _Receiver) -> None:
        self._receivers[(state.flow, state.receiver)] = state

    def close(self, flow: str | None, receiver: str | None) -> list[Finding]:
        """What a `summary` record does: the findings the receiver's end completes; state dropped."""
        state = self._receivers.pop((flow, receiver), None)
        return [] if state is None else list(self._end(state))

    @staticmethod
    def handed_over(r: _Receiver, call: bool, t: float, count: int, closes: bool = False) -> bool:
        """What a call (`call`) or completion record of plain data does, where it can complete no
        finding: event "data" (or "graceful-close" with `closes`), error null, lost 0, no
        MSG_PARTIAL out, no MSG_PEEK/MSG_OOB in, no framing. Its `bytes` (`count`) are handed
        over. False, with nothing changed, when the record needs `feed` after all (a call after
        the connection ended: WR107). tests/diagnose/test_handed_over.py holds it to `feed`."""
        if call and r.ended is not None:
            return False
        if t > r.last_t:
            r.last_t = t
        r.offset += count
        if closes:  # the connection has ended (no message counted, MSG_PARTIAL state kept)
            if r.ended is None:
                r.ended = CLOSURES["graceful-close"]
            return True
        if r.message_oriented:
            r.messages += 1
        r.in_partial = False
        return True

    def feed_all(self, records: Iterable[Record]) -> Iterator[Finding]:
        for rec in records:
            yield from self.feed(rec)

    # -- calls and completions ---------------------------------------------------------------

    def _outcome(self, r: _Receiver, rec: Record) -> Iterator[Finding]:
        event = rec.get("event")
        if rec["type"] == "call" and (r.ended is not None or event == "shutdown"):
            ended = r.ended or "shutdown(SD_RECEIVE)"
            yield r.finding("WR107", f"WSARecv called after the connection ended ({ended})", rec)
        if event == "gap":  # before capture gaps became records of their own
            yield _gap(r, rec, rec.get("gap"), r.offset, None)
        flags_in = set(rec.get("flags_in") or ())
        flags_out = set(rec.get("flags_out") or ())
        lost = rec.get("lost") or 0
        if event == "oob" and "MSG_OOB" not in self.app_flags:
            yield r.finding("WR106", "urgent byte read here with MSG_OOB; a reader without MSG_OOB or "
                                     "SO_OOBINLINE never gets it, and its receives stop at the mark", rec)
        if rec.get("error") == "WSAEMSGSIZE" and lost:
            number = r.messages + 1 if r.message_oriented else None
            yield r.finding("WR103", f"WSAEMSGSIZE: {rec.get('bytes') or 0} bytes returned, {lost} lost",
                            rec, length=lost, message=number)
        if "MSG_PARTIAL" in flags_out and not r.in_partial:
            r.in_partial = True
            yield r.finding("WR104", "MSG_PARTIAL: the message continues in the next call(s)", rec,
                            message=r.messages + 1)
        if event in ("reset", "aborted") and lost:
            yield r.finding("WR105", f"{rec.get('error') or event}: {lost} unread bytes discarded", rec, length=lost)
        framing = rec.get("framing")
        if framing:
            yield from self._framing(r, rec, framing)
        self._advance(r, rec, event, flags_in, flags_out, lost)
        if event in CLOSURES and r.ended is None and not (event == "reset" and r.datagrams):
            r.ended = CLOSURES[event]  # (a UDP socket outlives an ICMP-driven WSAECONNRESET, R46)

    def _advance(self, r: _Receiver, rec: Record, event: str | None, flags_in: set, flags_out: set,
                 lost: int) -> None:
        """Count the bytes and messages this outcome handed over."""
        if event == "gap":  # older records: the missing bytes are not in `bytes` but hold stream offsets
            r.offset += rec.get("gap") or 0
            return
        if flags_in & _NOT_STREAM or (event == "truncated" and not lost):
            return
        r.offset += rec.get("bytes") or 0
        partial = "MSG_PARTIAL" in flags_out
        if r.message_oriented and (event in ("data", "zero-byte") and not partial or event == "truncated"):
            r.messages += 1
        if not partial and event in ("data", "zero-byte", "truncated"):
            r.in_partial = False

    def _framing(self, r: _Receiver, rec: Record, pieces: list[dict]) -> Iterator[Finding]:
        """WR101 when a message that spanned calls ends; WR102 for a call holding several."""
        position, n = r.offset, rec.get("n")
        if len(pieces) > 1:
            first, last = pieces[0]["message"], pieces[-1]["message"]
            size = sum(piece["bytes"] for piece in pieces)
            yield r.finding("WR102", f"messages {first}-{last} in one call ({size} bytes)", rec,
                            message=first, byte_range=(position, position + size), length=size)
        for piece in pieces:
            whole = piece["offset"] == 0 and piece["end"]
            if not whole:
                opened = r.open_message
                if opened is None or opened.number != piece["message"]:
                    opened = r.open_message = _OpenMessage(piece["message"], position - piece["offset"], [],
                                                           rec.get("t") or 0.0)
                opened.calls.append(n)
                if piece["end"]:
                    r.open_message = None
                    yield _split(r, opened, position + piece["bytes"], complete=True)
            position += piece["bytes"]

    # -- notices and the end ---------------------------------------------------------------------

    def _notice(self, r: _Receiver, rec: Record) -> Iterator[Finding]:
        kind = rec.get("kind")
        if kind == "zero-window" and r.zero_window is None:
            r.zero_window = (rec["t"], rec.get("offset"))
        elif kind == "window-open" and r.zero_window is not None:
            yield _zero_window(r, rec["t"], closed_at_end=False)
        elif kind == "datagram-dropped":
            yield r.finding("WR109", f"datagram of {rec.get('bytes')} bytes from {rec.get('source')} dropped "
                                     "by the connected-UDP filter", rec, n=None, offset=None,
                            length=rec.get("bytes"))

    def _end(self, r: _Receiver) -> Iterator[Finding]:
        if r.zero_window is not None:
            yield _zero_window(r, r.last_t, closed_at_end=True)
        opened = r.open_message
        if opened is not None and len(opened.calls) > 1:
            yield _split(r, opened, r.offset, complete=False)


def _gap(r: _Receiver, rec: Record, length: int | None, offset: int | None, reason: str | None) -> Finding:
    why = f" ({reason})" if reason else ""
    return r.finding("WR201", f"{length} bytes missing from the capture{why}", rec, offset=offset, length=length)


def _split(r: _Receiver, message: _OpenMessage, end: int, complete: bool) -> Finding:
    calls = ", ".join(str(n) for n in message.calls)
    tail = "" if complete else ", unfinished at the end"
    return Finding("WR101", f"message {message.number} ({end - message.start} bytes) split across calls "
                            f"{calls}{tail}", flow=r.flow, receiver=r.receiver, n=message.calls[0],
                   t=message.t, offset=message.start, length=end - message.start, message=message.number,
                   byte_range=(message.start, end), calls=tuple(message.calls))


def _zero_window(r: _Receiver, until: float, closed_at_end: bool) -> Finding:
    since, offset = r.zero_window  # type: ignore[misc]
    r.zero_window = None
    duration = round(until - since, 9)
    tail = " and still closed at the end of the capture" if closed_at_end else ""
    return Finding("WR108", f"zero window for {duration:.6f} s{tail}", flow=r.flow, receiver=r.receiver,
                   t=since, offset=offset, duration=duration)


def detect(records: Iterable[Record], app_flags: Iterable[str] = ()) -> list[Finding]:
    """Every finding in a record stream (tests, scenarios, saved NDJSON)."""
    return list(FindingDetector(frozenset(app_flags)).feed_all(records))
