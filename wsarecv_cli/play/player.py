"""Play a script over a channel: captured timing, pacing, waits for the app, the close, the record.

Timing. At --speed S a send happens (capture time - anchor) / S after the anchor's wall time. The
anchor starts at the connection (capture time 0: the flow's first packet) and moves each time the
player had to wait for the app: to the moment the awaited bytes arrived, paired with the capture
time of the captured reply that completed them. So the app's own response time replaces the
captured one, and the player's think time after it is kept. --speed 0 sends as soon as the waits
allow; --max-gap cuts a captured pause longer than that (the schedule goes on from the cut).
--pace puts at least that much time between two sends, so segments sent back to back do
not coalesce in the app's receive queue (TCP_NODELAY alone does not stop that).

Waiting. Before each send the player reads until the app has sent as much as the captured app had
before that send (bytes for TCP, datagrams for UDP), for at most --timeout; when that runs out it
notes it and goes on. While it waits or sleeps, it reads: every recv is recorded.

End. The player closes as captured (RST: SO_LINGER 0; FIN and half-close: shutdown(SHUT_WR)), then
reads until the app closes, or — when the captured app never closed — until the captured amount
has come and the app stayed quiet for QUIET seconds; --timeout bounds it either way. When the
capture ended with the player's side open, it reads first and sends its FIN last.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from wsarecv_cli.net import Transport
from wsarecv_cli.play.channels import ConnectionClosed, NetworkError
from wsarecv_cli.play.compare import ReplyCheck, compare_datagrams, compare_stream
from wsarecv_cli.play.records import CloseRecord, DirectionSummary, RecvRecord, SendRecord
from wsarecv_cli.play.script import CloseKind, PlayScript, Send

QUIET = 0.25  # seconds of silence that end the final read when the capture shows no close from the app


class Channel(Protocol):
    datagrams: bool
    peer: object
    local: object

    def send(self, data: bytes | memoryview, oob: bool = False) -> int: ...
    def receive(self) -> bytes: ...
    def close(self, kind: CloseKind) -> None: ...
    def readable(self, seconds: float) -> bool: ...
    def ready(self, seconds: float, read: bool = True) -> tuple[bool, bool]: ...
    def release(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Pacing:
    speed: float = 1.0  # 0: as fast as the waits allow
    pace: float = 0.0  # minimum seconds between two sends
    timeout: float = 10.0  # the longest any one wait lasts
    wait_for_app: bool = True
    max_gap: float | None = None  # captured idle time longer than this (after --speed) is cut to it


@dataclass(slots=True)
class PlayResult:
    summaries: tuple[DirectionSummary, DirectionSummary]
    waits_timed_out: int = 0
    received: list[bytes] = field(default_factory=list)

    @property
    def matches(self) -> bool:
        return all(s.check.match is not False for s in self.summaries)


class Player:
    """Runs one script over one channel; `emit` gets each record as it happens."""

    def __init__(self, script: PlayScript, channel: Channel, pacing: Pacing,
                 emit: Callable[[object], None] = lambda record: None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.script, self.channel, self.pacing = script, channel, pacing
        self.emit, self.clock = emit, clock
        self.flow = str(script.flow)
        self.start = clock()
        self.received: list[bytes] = []
        self.received_units = 0  # bytes (TCP) or datagrams (UDP)
        self.app_closed: str | None = None
        self.player_closed: str | None = None
        self.sent_units = self.sent_bytes = 0
        self.waits_timed_out = 0
        self._anchor = (self.start, 0)  # (wall time, capture ns) that line up
        self._last_send = float("-inf")
        self._reply_units = _reply_units(script)

    # ------------------------------------------------------------------ run

    def run(self) -> PlayResult:
        try:
            for send in self.script.sends:
                self._wait_for_app(send.wait_for)
                self._sleep_to(self._due(send.capture_ns, paced=True))
                if not self._send(send):
                    break
            else:
                self._wait_for_app(self.script.close_wait_for)
                self._sleep_to(self._due(self.script.close_ns, paced=False))
            app_closes = self.script.app_close is not CloseKind.OPEN and not self.channel.datagrams
            if self.script.close is CloseKind.OPEN:  # the capture ended open: hear the app out first
                self._final_read(until_close=False)
            self._close()
            self._final_read(until_close=app_closes)
        finally:
            self.channel.release()
        return PlayResult(self._summaries(), self.waits_timed_out, self.received)

    # ---------------------------------------------------------------- steps

    def _due(self, capture_ns: int, paced: bool) -> float:
        wall, at = self._anchor
        speed, max_gap = self.pacing.speed, self.pacing.max_gap
        if not speed:
            due = self.clock()
        else:
            due = wall + (capture_ns - at) / 1e9 / speed
            previous = max(wall, self._last_send)
            if max_gap is not None and due - previous > max_gap:  # a long captured pause, cut short
                due = previous + max_gap
                self._anchor = (due, capture_ns)
        return max(due, self._last_send + self.pacing.pace) if paced else due

    def _wait_for_app(self, units: int) -> None:
        if not self.pacing.wait_for_app or self.received_units >= units:
            return
        if self._read_until(self.clock() + self.pacing.timeout,
                            lambda: self.received_units >= units or self.app_closed is not None):
            if self.received_units >= units:
                self._anchor = (self.clock(), self._reply_time(units))
        else:
            self.waits_timed_out += 1

    def _sleep_to(self, deadline: float) -> None:
        self._read_until(deadline)

    def _read_until(self, deadline: float, done: Callable[[], bool] = lambda: False) -> bool:
        """Record what the app sends until done() (True) or the deadline (False)."""
        while not done():
            left = deadline - self.clock()
            if left <= 0:
                return False
            if self.app_closed or self.player_closed == CloseKind.RST.value:
                time.sleep(left)  # nothing more can come in
                return False
            if self.channel.readable(left):
                self._receive()
        return True

    def _receive(self) -> None:
        try:
            data = self.channel.receive()
        except ConnectionClosed as closed:
            self.app_closed = closed.how
            self.emit(CloseRecord(self.flow, "app", closed.how, self._now()))
            return
        if not data and not self.channel.datagrams:
            return  # a wakeup with nothing to read
        self.received.append(data)
        self.received_units += 1 if self.channel.datagrams else len(data)
        self.emit(RecvRecord(self.flow, len(self.received), self._now(), len(data)))

    def _send(self, send: Send) -> bool:
        """One captured segment, sent as the socket takes it; the app's replies are read meanwhile.
        False when the app reset the connection."""
        pending = memoryview(send.data)
        deadline = self.clock() + self.pacing.timeout
        while True:
            readable, writable = self.channel.ready(deadline - self.clock(), read=not self.app_closed)
            if readable:
                self._receive()
            if writable:
                try:
                    pending = pending[self.channel.send(pending, send.oob):]
                except ConnectionClosed as closed:
                    if not self.app_closed:
                        self.app_closed = closed.how
                        self.emit(CloseRecord(self.flow, "app", closed.how, self._now()))
                    return False
                if not pending:  # checked after the send: a zero-length datagram is sent too
                    break
            elif self.clock() >= deadline:
                raise NetworkError(f"the application at {self.channel.peer} stopped reading: a send waited "
                                   f"{self.pacing.timeout:g}s")
        self._last_send = self.clock()
        self.sent_units += 1
        self.sent_bytes += len(send.data)
        self.emit(SendRecord(self.flow, self.sent_units, self._now(), len(send.data), send.capture_ns, send.oob))
        return True

    def _close(self) -> None:
        # a flow the capture left open still gets a FIN: play must end it (the summary shows both)
        kind = CloseKind.FIN if self.script.close is CloseKind.OPEN else self.script.close
        if self.app_closed == "rst" or self.channel.datagrams:
            return
        self.channel.close(kind)
        self.player_closed = kind.value
        self.emit(CloseRecord(self.flow, "player", kind.value, self._now()))

    def _final_read(self, until_close: bool) -> None:
        """Read until the app closes (until_close: the capture shows it closing), else until the
        captured amount has come and the app stayed quiet for QUIET; --timeout bounds either."""
        if self.player_closed == CloseKind.RST.value or self.app_closed:
            return
        deadline = self.clock() + self.pacing.timeout
        if until_close:
            self._read_until(deadline, lambda: self.app_closed is not None)
            return
        expected = self._reply_units[-1] if self._reply_units else 0
        if not self._read_until(deadline, lambda: self.received_units >= expected or self.app_closed is not None):
            return
        while not self.app_closed:  # the captured amount came: go on while the app keeps talking
            before = self.received_units
            if not self._read_until(min(deadline, self.clock() + QUIET),
                                    lambda before=before: self.received_units > before or self.app_closed is not None):
                return

    # -------------------------------------------------------------- results

    def _reply_time(self, units: int) -> int:
        """Capture time at which the captured app had sent `units` units."""
        index = min(bisect.bisect_left(self._reply_units, units), len(self._reply_units) - 1)
        return self.script.replies[index].capture_ns

    def _now(self) -> int:
        return round((self.clock() - self.start) * 1e9)

    def _summaries(self) -> tuple[DirectionSummary, DirectionSummary]:
        script = self.script
        captured = b"".join(s.data for s in script.sends)
        replies = [r.data for r in script.replies]
        sent = compare_stream(captured, captured[:self.sent_bytes], len(script.sends), self.sent_units)
        if self.channel.datagrams:
            got: ReplyCheck = compare_datagrams(replies, self.received)
        else:
            got = compare_stream(b"".join(replies), b"".join(self.received), len(replies), len(self.received),
                                 complete=not script.reply_holes())
        return (
            DirectionSummary(self.flow, "sent", str(self.channel.local), self.sent_units, self.sent_bytes,
                             self.player_closed or "open", script.close.value, sent),
            DirectionSummary(self.flow, "received", str(self.channel.peer), len(self.received),
                             sum(map(len, self.received)), self.app_closed or "open", script.app_close.value, got),
        )


def _reply_units(script: PlayScript) -> list[int]:
    """Units (bytes for TCP, datagrams for UDP) the captured app had sent after each of its replies."""
    total, out = 0, []
    for reply in script.replies:
        total += 1 if script.transport is Transport.UDP else len(reply.data)
        out.append(total)
    return out
