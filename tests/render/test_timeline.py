"""The timeline picture from records: marks per class (golden structure, not pixels), escaping, size."""

from __future__ import annotations

import collections
import xml.etree.ElementTree as ET

import pytest

from wsarecv_cli.net import Packet, TcpFlags, Transport
from wsarecv_cli.render.timeline import BINS, timeline_svg
from wsarecv_cli.render.timeline_data import SegmentMark, TimelineBuilder
from wsarecv_cli.render.timeline_html import embed_timeline, timeline_page
from wsarecv_cli.replay.segments import SegmentKind, SegmentTap

SVG = "{http://www.w3.org/2000/svg}"
RECEIVER = {"flow": "tcp:0", "receiver": "10.0.0.1:5000"}


def marks(svg: str) -> collections.Counter:
    """How many marks of each class the picture has (legend swatches not counted)."""
    root = ET.fromstring(svg)
    counted: collections.Counter = collections.Counter()
    for element in root.iter():
        classes = (element.get("class") or "").split()
        if classes and "legend" not in classes:
            counted.update(classes)
    return counted


def titles(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}title")]


def call(n: int, t: float, buffers: list[int], filled: list[int], event: str = "data", **extra) -> dict:
    rec = {"type": "call", **RECEIVER, "n": n, "t": t, "buffers": buffers, "flags_in": [], "status": "completed",
           "ret": 0, "error": None, "error_code": None, "bytes": sum(filled), "filled": filled, "flags_out": [],
           "lost": 0, "event": event, "rules": []}
    rec.update(extra)
    return rec


def known_sample() -> str:
    """One receiver: 3 segments (one retransmitted, one out of order), a gap, a FIN, five calls."""
    builder = TimelineBuilder()
    for rec in [
        {"type": "flow", **RECEIVER, "peer": "10.0.0.2:80", "protocol": "tcp"},
        call(1, 0.001, [2, 4], [2, 4]),
        call(2, 0.002, [2, 4], [2, 1], t_done=0.004),
        {"type": "gap", **RECEIVER, "t": 0.005, "offset": 9, "length": 100, "reason": "not-captured",
         "evidence": "ack"},
        call(3, 0.006, [8], [8], event="data", unknown_bytes=8),
        call(4, 0.007, [8], [], event="reset", status="failed", ret=-1, error="WSAECONNRESET",
             error_code=10054, bytes=None),
        {"type": "call", **RECEIVER, "n": 5, "t": 0.008, "buffers": [8], "flags_in": [], "status": "pending",
         "ret": -1, "error": "WSA_IO_PENDING", "event": "pending"},
        {"type": "summary", **RECEIVER, "calls": 5, "bytes": 17, "closure": "reset"},
    ]:
        builder.add(rec)
    for seg in [SegmentMark(0.0009, 0, 6, SegmentKind.DATA, 4), SegmentMark(0.0015, 0, 6, SegmentKind.RETRANSMISSION, 5),
                SegmentMark(0.003, 20, 3, SegmentKind.OUT_OF_ORDER, 6), SegmentMark(0.0039, 6, 3, SegmentKind.DATA, 7),
                SegmentMark(0.0069, 9, 0, SegmentKind.FIN, 8)]:
        builder.add_segment("tcp:0", "10.0.0.1:5000", seg)
    return timeline_svg(builder.timelines(), title="known sample")


def test_known_sample_has_one_mark_per_segment_call_and_gap() -> None:
    found = marks(known_sample())
    assert {k: found[k] for k in ("seg-data", "seg-retrans", "seg-ooo", "seg-fin", "gap")} == {
        "seg-data": 2, "seg-retrans": 1, "seg-ooo": 1, "seg-fin": 1, "gap": 1}
    # a result mark per finished call (+ a pale wait bar for the one that blocked), the open call dashed
    assert {k: found[k] for k in ("call-data", "call-gap", "call-error", "call-open", "call-wait")} == {
        "call-data": 3, "call-gap": 1, "call-error": 1, "call-open": 1, "call-wait": 1}
    assert found["wsabuf"] == 2 + 2 + 1  # calls 1 and 2 (two buffers) and 3 (unknown bytes) in detail
    assert found["bin"] == 0


def test_known_sample_tooltips_say_what_happened() -> None:
    tips = titles(known_sample())
    assert "retransmission, 6 bytes, offset 0, 0.001500 s, frame 5" in tips
    assert "capture gap: 100 bytes at offset 9 (not-captured), 0.005000 s" in tips
    assert "call #2: posted 0.002000 s, returned 0.004000 s: 3 bytes into [2, 4]" in tips
    assert "call #4: posted 0.007000 s, returned 0.007000 s: no bytes, WSAECONNRESET" in tips
    assert "call #5: posted 0.008000 s, still open at the end: no bytes, pending" in tips
    assert "WSABUF[1]: 1 of 4 bytes" in tips
    assert "8 bytes of unknown content (capture gap) @ 9" in tips  # call 3 read the gap's bytes


def test_text_from_a_capture_is_escaped() -> None:
    builder = TimelineBuilder(title='<script>alert("x")</script> & \x00\x07')
    builder.add({"type": "call", "flow": None, "receiver": None, "n": 1, "t": 0.0, "buffers": [1], "status": "completed",
                 "bytes": 1, "filled": [1], "event": "data"})
    svg = timeline_svg(builder.timelines(), title=builder.title)
    ET.fromstring(svg)  # well-formed
    assert "<script>" not in svg
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; \\x00\\x07" in svg


def test_ten_thousand_calls_are_binned_into_a_bounded_picture() -> None:
    builder = TimelineBuilder()
    builder.add({"type": "flow", **RECEIVER, "peer": "10.0.0.2:80", "protocol": "tcp"})
    for n in range(1, 10_001):
        error = n % 1000 == 0
        builder.add(call(n, n * 0.001, [4096], [] if error else [100], event="reset" if error else "data",
                         error="WSAECONNRESET" if error else None))
        builder.add_segment("tcp:0", "10.0.0.1:5000",
                            SegmentMark(n * 0.001 - 0.0005, n * 100, 100,
                                        SegmentKind.RETRANSMISSION if n % 97 == 0 else SegmentKind.DATA, n))
    svg = timeline_svg(builder.timelines())
    found = marks(svg)
    assert len(svg) < 250_000
    assert 0 < found["bin"] <= 3 * BINS
    assert found["call-error"] == 10  # one column per error: each error still visible
    assert found["seg-retrans"] > 0
    assert any("10 calls" in t or "calls (" in t for t in titles(svg))


def test_no_receiver_is_said() -> None:
    svg = timeline_svg([])
    assert "No receiver got anything" in svg


def test_html_embedding_puts_the_picture_and_its_script_before_body_end() -> None:
    svg = known_sample()
    page = embed_timeline("<html><body><pre>table</pre></body></html>", svg)
    assert page.index("<pre>table</pre>") < page.index("<svg") < page.index("</body>")
    assert "viewBox" in page and "addEventListener('wheel'" in page
    assert "<script src" not in timeline_page(svg) and "http://" not in timeline_page(svg).replace(
        "http://www.w3.org/2000/svg", "")


_frames = iter(range(1, 1_000_000))


def packet(seq: int, payload: bytes = b"", flags: int = TcpFlags.ACK) -> Packet:
    frame = next(_frames)
    return Packet(frame, frame * 1000, Transport.TCP, b"\x0a\x00\x00\x02", 80, b"\x0a\x00\x00\x01", 5000,
                  payload, seq=seq, flags=flags)


@pytest.mark.parametrize(("packets", "kinds"), [
    pytest.param([packet(99, flags=TcpFlags.SYN), packet(100, b"a" * 10), packet(110, b"b" * 10)],
                 [(0, SegmentKind.DATA), (10, SegmentKind.DATA)], id="in-order"),
    pytest.param([packet(99, flags=TcpFlags.SYN), packet(100, b"a" * 10), packet(100, b"a" * 10)],
                 [(0, SegmentKind.DATA), (0, SegmentKind.RETRANSMISSION)], id="repeat"),
    pytest.param([packet(99, flags=TcpFlags.SYN), packet(110, b"b" * 10), packet(100, b"a" * 10)],
                 [(10, SegmentKind.OUT_OF_ORDER), (0, SegmentKind.DATA)], id="hole-then-fill"),
    pytest.param([packet(99, flags=TcpFlags.SYN), packet(110, b"b" * 10), packet(100, b"a" * 10),
                  packet(100, b"a" * 5)],
                 [(10, SegmentKind.OUT_OF_ORDER), (0, SegmentKind.DATA), (0, SegmentKind.RETRANSMISSION)],
                 id="hole-filled-then-repeated"),
    pytest.param([packet(0xFFFFFFFA, b"a" * 10), packet(4, b"b" * 2, TcpFlags.ACK | TcpFlags.FIN)],
                 [(0, SegmentKind.DATA), (10, SegmentKind.DATA), (12, SegmentKind.FIN)], id="mid-stream-wrap"),
])
def test_segment_tap_marks_retransmissions_and_holes(packets: list[Packet], kinds: list) -> None:
    tap = SegmentTap()
    for p in packets:
        tap(p)
    got = [(s.offset, s.kind) for s in tap.segments("10.0.0.1:5000", "10.0.0.2:80")]
    assert got == kinds
    assert tap.segments("10.0.0.1:5001", None) == []
