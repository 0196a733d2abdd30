"""`replay --timeline`, the picture in `--export-html`, `simulate --timeline`, and a real browser."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
import xml.etree.ElementTree as ET
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import SAMPLES
from tests.render.test_timeline import marks, titles
from wsarecv_cli.cli.main import cli

HTTP = str(SAMPLES / "http_small_segments.pcap")
RETRANS = str(SAMPLES / "ipv6_vlan_retrans.pcapng")
SCENARIO = str(SAMPLES / "scenarios" / "scatter_order.toml")
BROWSER = next((p for p in ("/usr/bin/chromium", shutil.which("chromium") or "", shutil.which("chromium-browser") or "")
                if p and os.access(p, os.X_OK)), None)


def invoke(*args: str):
    result = CliRunner().invoke(cli, list(args), env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    return result


def test_replay_timeline_draws_each_receiver_with_its_segments_and_calls(tmp_path: Path) -> None:
    out = tmp_path / "t.svg"
    invoke("replay", HTTP, "--buffers", "3,5", "--timeline", str(out))
    svg = out.read_text()
    root = ET.fromstring(svg)
    headings = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("class") == "heading"]
    assert headings == ["tcp:0  receiver 10.0.0.2:80  from 10.0.0.1:51000  (tcp)",
                        "tcp:0  receiver 10.0.0.1:51000  from 10.0.0.2:80  (tcp)"]
    found = marks(svg)
    assert found["seg-data"] == 10 and found["seg-fin"] == 2  # 1 + 9 data segments, a FIN each way
    # one result mark per call (a call that waited also has a pale wait bar)
    assert found["call-data"] + found["call-close"] - found["call-wait"] == 7 + 46
    assert found["wsabuf"] == 12  # three calls in detail per receiver, two WSABUFs each


def test_replay_timeline_marks_retransmissions_from_the_capture(tmp_path: Path) -> None:
    out = tmp_path / "t.svg"
    invoke("replay", RETRANS, "--timeline", str(out), "--ndjson")  # any output: the picture is the same
    found = marks(out.read_text())
    assert (found["seg-retrans"], found["seg-ooo"]) == (1, 1)  # what `flows` counts: 1 retrans, 1 out-of-order
    assert any(t.startswith("retransmission, ") for t in titles(out.read_text()))


def test_export_html_holds_the_table_and_the_zoomable_picture(tmp_path: Path) -> None:
    page = tmp_path / "r.html"
    invoke("replay", HTTP, "--buffers", "3,5", "--export-html", str(page))
    html = page.read_text()
    assert "WSARecv" in html and html.count("<svg") == 1 and "wsarecv-zoom" in html
    assert html.index("</svg>") < html.index("</body>")


def test_simulate_timeline_puts_events_in_order(tmp_path: Path) -> None:
    out = tmp_path / "s.svg"
    invoke("simulate", SCENARIO, "--timeline", str(out))
    svg = out.read_text()
    assert "events in scenario order" in svg
    assert marks(svg)["wsabuf"] == 2 and "WSABUF[0]: 4 of 4 bytes" in titles(svg)


def test_unwritable_timeline_path_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["simulate", SCENARIO, "--timeline", str(tmp_path / "no" / "t.svg")])
    assert result.exit_code == 1
    assert "cannot write" in result.stderr and "Traceback" not in result.output


# ---- a real browser ------------------------------------------------------------------------------


def png_colours(path: Path) -> int:
    """How many distinct pixel values a (non-interlaced, 8-bit RGB/RGBA) PNG has, read with zlib."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour_type = header[0], header[1], header[2], header[3]
    assert depth == 8 and colour_type in (2, 6)
    step = 3 if colour_type == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * step
    seen, previous = set(), bytearray(stride)
    for row in range(height):
        line = raw[row * (stride + 1):(row + 1) * (stride + 1)]
        line = _unfilter(line[0], bytearray(line[1:]), previous, step)
        seen.update(bytes(line[i:i + step]) for i in range(0, stride, step * 7))
        previous = line
    return len(seen)


def _unfilter(kind: int, line: bytearray, prev: bytearray, step: int) -> bytearray:
    for i in range(len(line)):
        left = line[i - step] if i >= step else 0
        up, corner = prev[i], prev[i - step] if i >= step else 0
        if kind == 1:
            line[i] = (line[i] + left) & 0xFF
        elif kind == 2:
            line[i] = (line[i] + up) & 0xFF
        elif kind == 3:
            line[i] = (line[i] + (left + up) // 2) & 0xFF
        elif kind == 4:
            p = left + up - corner
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
            line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 0xFF
    return line


@pytest.mark.skipif(BROWSER is None, reason="no chromium installed (Debian: apt-get install chromium; .ci/run does)")
def test_html_report_renders_in_a_headless_browser(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    invoke("replay", RETRANS, "--buffers", "3,5", "--export-html", str(page))
    shot = tmp_path / "out.png"
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        f"--user-data-dir={profile}", f"--screenshot={shot}", "--window-size=1200,800",
                        page.as_uri()], capture_output=True, timeout=120, check=False)
    assert shot.is_file(), "chromium wrote no screenshot"
    assert shot.stat().st_size > 5000
    assert png_colours(shot) > 8  # a page of table and picture, not one blank colour
