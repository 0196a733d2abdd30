#!/usr/bin/env python3
"""How closely `wsarecv play` keeps the captured timing (a benchmark, not a test: results in bench/PLAY.md).

    python bench/play_timing.py                 # the default cases, 3 runs each
    python bench/play_timing.py --runs 5 --segments 200

A loopback TCP server (a thread of this process, TCP_NODELAY on the player's side) timestamps every
recv with the same monotonic clock the player uses. For each case the player sends a synthetic
script (the Player's input, so capture parsing is not part of the figure) whose capture times are
known; the error of segment i is

    (arrival_i - arrival_0) - (capture_i - capture_0) / speed

Reported per case: segments that arrived as their own recv (boundaries kept), median / p95 / max
absolute error in ms, and the whole run's duration against the captured duration / speed.
Cases: uniform 10 ms gaps and bursty gaps (0 .. 50 ms, seeded) at --speed 1 and 2; a
request/response exchange with 20 ms think time, where every send waits for the app's answer first
(the anchor moves to the answer; the error is then measured from it); --speed 0 with --pace 2 ms.
"""

from __future__ import annotations

import argparse
import platform
import random
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wsarecv_cli.net import Endpoint, FlowId, Transport, parse_ip
from wsarecv_cli.play import CloseKind, Pacing, Player, PlayScript, Reply, Role, Send, open_channel, resolve

MS = 1_000_000


class Recorder(threading.Thread):
    """Accepts one connection; timestamps each recv; answers `answer` bytes after each `request` bytes."""

    def __init__(self, request: int = 0, answer: bytes = b"") -> None:
        super().__init__(daemon=True)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(30)
        self.port = self.listener.getsockname()[1]
        self.request, self.answer = request, answer
        self.arrivals: list[tuple[float, int]] = []
        self.answered_at: list[float] = []

    def run(self) -> None:
        conn, _ = self.listener.accept()
        conn.settimeout(30)
        pending = 0
        with conn:
            while data := conn.recv(65536):
                self.arrivals.append((time.monotonic(), len(data)))
                pending += len(data)
                while self.request and pending >= self.request:
                    pending -= self.request
                    conn.sendall(self.answer)
                    self.answered_at.append(time.monotonic())


def script(gaps_ms: list[float], size: int, answer: bytes = b"", request: int = 0) -> PlayScript:
    sends, replies, at = [], [], 0
    for i, gap in enumerate(gaps_ms):
        at += round(gap * MS)
        sends.append(Send(bytes([65 + i % 26]) * size, at, i if answer else 0))
        if answer:  # the app answers 1 ms after each request in the "capture"
            replies.append(Reply(answer, at + MS))
    flow = FlowId(Transport.TCP, 0)
    ends = Endpoint(parse_ip("10.0.0.1"), 1), Endpoint(parse_ip("10.0.0.2"), 2)
    units = len(answer)
    sends = [Send(s.data, s.capture_ns, i * units) for i, s in enumerate(sends)]
    return PlayScript(flow, Role.CLIENT, *ends, tuple(sends), tuple(replies), CloseKind.FIN, at, len(replies) * units,
                      CloseKind.FIN)


def run_case(gaps_ms: list[float], speed: float, pace: float = 0.0, size: int = 64, answer: bytes = b"") -> dict:
    recorder = Recorder(size if answer else 0, answer)
    recorder.start()
    s = script(gaps_ms, size, answer)
    channel = open_channel(Transport.TCP, True, resolve(f"127.0.0.1:{recorder.port}", False), 5)
    started = time.monotonic()
    Player(s, channel, Pacing(speed=speed, pace=pace, timeout=5)).run()
    recorder.join(30)
    # each segment's arrival: the recv that brought its first byte (coalesced segments share one)
    arrivals, received = [], 0
    for t, n in recorder.arrivals:
        while len(arrivals) < len(s.sends) and len(arrivals) * size < received + n:
            arrivals.append(t)
        received += n
    own_recv = sum(1 for _, n in recorder.arrivals if n == size)
    errors = []
    if len(arrivals) == len(s.sends) and speed:
        if answer:  # each send is due `think` after the answer to the previous one left the app
            for i in range(1, len(arrivals)):
                due = recorder.answered_at[i - 1] + (s.sends[i].capture_ns - s.replies[i - 1].capture_ns) / 1e9 / speed
                errors.append(abs(arrivals[i] - due) * 1e3)
        else:
            t0, c0 = arrivals[0], s.sends[0].capture_ns
            errors = [abs((t - t0) - (send.capture_ns - c0) / 1e9 / speed) * 1e3
                      for t, send in zip(arrivals[1:], s.sends[1:], strict=True)]
    captured = (s.sends[-1].capture_ns - s.sends[0].capture_ns) / 1e9
    return {"segments": len(s.sends), "own_recv": own_recv, "errors": errors,
            "duration": (arrivals[-1] - started) if arrivals else 0.0,
            "expected": captured / speed if speed else 0.0}


def cases(segments: int) -> list[tuple[str, dict]]:
    rng = random.Random(18)
    bursty = [0.0] + [rng.choice([0.0, 0.0, 1.0, 5.0, 20.0, 50.0]) for _ in range(segments - 1)]
    return [
        ("uniform 10 ms, speed 1", dict(gaps_ms=[0.0] + [10.0] * (segments - 1), speed=1)),
        ("uniform 10 ms, speed 2", dict(gaps_ms=[0.0] + [10.0] * (segments - 1), speed=2)),
        ("bursty 0-50 ms, speed 1", dict(gaps_ms=bursty, speed=1)),
        ("bursty 0-50 ms, speed 1, pace 1 ms", dict(gaps_ms=bursty, speed=1, pace=0.001)),
        ("request/response, 20 ms think, speed 1", dict(gaps_ms=[0.0] + [21.0] * (segments - 1), speed=1,
                                                        answer=b"ok\n")),
        ("speed 0, pace 2 ms", dict(gaps_ms=[0.0] + [10.0] * (segments - 1), speed=0, pace=0.002)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--segments", type=int, default=100)
    args = parser.parse_args()
    print(f"# {platform.platform()}, Python {platform.python_version()}, {args.runs} runs x {args.segments} segments")
    print("| case | own recv | median err ms | p95 err ms | max err ms | duration s (expected) |")
    print("|---|---|---|---|---|---|")
    for name, kwargs in cases(args.segments):
        results = [run_case(**kwargs) for _ in range(args.runs)]
        errors = sorted(e for r in results for e in r["errors"])
        own = sum(r["own_recv"] for r in results)
        total = sum(r["segments"] for r in results)
        duration = statistics.median(r["duration"] for r in results)
        expected = results[0]["expected"]
        if errors:
            p95 = errors[min(len(errors) - 1, int(0.95 * len(errors)))]
            stats = f"{statistics.median(errors):.3f} | {p95:.3f} | {errors[-1]:.3f}"
        else:
            stats = "- | - | -"
        print(f"| {name} | {own}/{total} | {stats} | {duration:.3f} ({expected:.3f}) |")


if __name__ == "__main__":
    main()
