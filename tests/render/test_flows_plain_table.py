"""The fixed-width flow table used above PLAIN_TABLE_ROWS flows prints what rich's Table does."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from rich.console import Console

from wsarecv_cli.capture.stream import read_packets
from wsarecv_cli.reassembly import FlowTracker
from wsarecv_cli.render import flows as render_flows

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import generate  # noqa: E402


@pytest.fixture(scope="module")
def flows(tmp_path_factory):
    path = tmp_path_factory.mktemp("plain") / "many.pcap"
    generate.generate(str(path), packets=3000, flows=260, seed=11, concurrent=40, quiet=True)
    tracker = FlowTracker(events=False)
    first = None
    with read_packets(str(path)) as packets:
        for packet in packets:
            first = packet.ts_ns if first is None else first
            tracker.feed(packet)
    tracker.finish()
    # rich replaces ":a:"-like emoji codes inside plain str cells (an IPv6 "::a:1" becomes 🅰);
    # the plain table does not, so compare on flows without such addresses
    return [f for f in tracker.flows if ":a:" not in f"{f.a} {f.b}"], first


def _render(renderable, width: int, color: bool = False) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, color_system="standard" if color else None, force_terminal=color)
    console.print(renderable)
    return out.getvalue()


@pytest.mark.parametrize("width", [160, 400])
def test_plain_table_matches_rich_layout(flows, width):
    """Where the fixed columns fit (rich squeezes them into ellipses on narrower consoles; the
    plain table keeps them whole and the console crops the line)."""
    shown, origin = flows
    assert len(shown) > render_flows.PLAIN_TABLE_ROWS
    plain = render_flows.flows_table(shown, origin)
    assert isinstance(plain, render_flows.PlainFlowTable)
    rich_table = render_flows.flows_table(shown[:render_flows.PLAIN_TABLE_ROWS], origin)
    # same rows through both paths: force the rich one by rendering its Table over all rows
    rows = [render_flows._cells(f, origin) for f in shown]
    full = render_flows.Table(show_edge=False, header_style="bold", pad_edge=False)
    for column in rich_table.columns:
        full.add_column(column.header, justify=column.justify, no_wrap=column.no_wrap, style=column.style)
    for cells, style in rows:
        full.add_row(*cells[:6], render_flows.Text(cells[6], style=style), cells[7])
    assert _render(plain, width) == _render(full, width)


def test_small_tables_stay_rich(flows):
    shown, origin = flows
    assert not isinstance(render_flows.flows_table(shown[:5], origin), render_flows.PlainFlowTable)


def test_plain_table_colors_on_a_terminal(flows):
    shown, origin = flows
    assert "\x1b[" in _render(render_flows.flows_table(shown, origin), 160, color=True)


def test_plain_table_on_a_narrow_console_is_cropped_not_squeezed(flows):
    shown, origin = flows
    lines = _render(render_flows.flows_table(shown, origin), 100).splitlines()
    assert all(len(line) <= 100 for line in lines)
    assert lines[0].startswith("flow    ┃ A → B  (* client, ~ inferred)")


@pytest.mark.parametrize("color", [False, True], ids=["plain", "color"])
def test_pieces_print_the_same_as_one_table(flows, monkeypatch, color):
    """Printed in pieces (bounded memory), the table is byte-identical to one print."""
    shown, origin = flows
    monkeypatch.setattr(render_flows.PlainFlowTable, "PIECE_ROWS", 7)
    table = render_flows.flows_table(shown, origin)
    pieces = list(render_flows.plain_table_pieces(lambda: iter(shown), origin, 160))
    assert len(pieces) == -(-len(shown) // 7)
    out = io.StringIO()
    console = Console(file=out, width=160, color_system="standard" if color else None, force_terminal=color)
    for piece in pieces:
        console.print(piece)
    assert out.getvalue() == _render(table, 160, color)


def test_json_document_written_per_flow_equals_json_dumps(flows):
    import json

    from wsarecv_cli.capture.stats import DecodeStats

    shown, _ = flows
    for subset in (shown, shown[:1], []):
        out = io.StringIO()
        render_flows.write_flows_document(out, "x.pcap", None, DecodeStats(), ["w1"], iter(subset))
        doc = render_flows.flows_document("x.pcap", None, DecodeStats(), ["w1"], subset)
        assert out.getvalue() == json.dumps(doc, indent=2) + "\n"
