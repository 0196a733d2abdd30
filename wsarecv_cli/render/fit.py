"""Terminal and pipe rules, in one place (what every command's pretty output follows).

Width
- On a terminal: `--width`, else the terminal's columns (`COLUMNS` when set). Tables fit it.
- Not a terminal (a pipe, a file): `--width`, else PIPE_WIDTH; and nothing is wrapped or cut
  there: a renderable wider than that (a long IPv6 flow) is printed at its own width, so
  hashes and addresses can be copied whole.

What shrinks on a narrow terminal (the flow table; the call table has its own order, see
render/calls.py TableLayout), in this order:
1. nothing: every cell on one line when it fits;
2. BROKEN: the A → B cell breaks after the arrow and the volume cells after the slash
   (addresses and numbers stay whole), the anomalies column wraps at commas;
3. BLOCKS: when even that is too wide, each flow becomes a block of "column: value" lines.
A column is never dropped and a cell never cut with an ellipsis.

Color: on a terminal unless NO_COLOR is set or TERM=dumb; `--color always|never` overrides
(cli/common.py wants_color).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

from rich.console import Group
from rich.text import Text

PIPE_WIDTH = 160
SEPARATOR = 3  # " │ " between columns
ANOMALIES_MIN = 10
_BREAKS = {1: " → ", 4: " / ", 5: " / "}  # column -> where its cell may break (BROKEN layout)


class Layout(enum.Enum):
    NATURAL = "natural"
    BROKEN = "broken"
    BLOCKS = "blocks"


def _cell_width(i: int, cell: str, broken: bool) -> int:
    if broken and i in _BREAKS and _BREAKS[i] in cell:
        head, tail = cell.split(_BREAKS[i], 1)
        return max(len(head) + (2 if i == 1 else 0), len(tail))  # "A →" / "B"
    return len(cell)


def flow_widths(rows: Sequence[Sequence[str]], headers: Sequence[str], broken: bool) -> list[int]:
    """Each column's width: its widest cell (as broken, when broken), anomalies at most wrapped."""
    widths = [max([len(h), *(_cell_width(i, r[i], broken) for r in rows)]) for i, h in enumerate(headers)]
    if broken:
        widths[-1] = min(widths[-1], max(ANOMALIES_MIN, len(headers[-1])))
    return widths


def needed(widths: Sequence[int]) -> int:
    return sum(widths) + SEPARATOR * (len(widths) - 1)


def flow_layout(rows: Sequence[Sequence[str]], headers: Sequence[str], width: int | None) -> Layout:
    """The first layout of the shrink order that fits `width` (None: not a terminal, natural)."""
    if width is None or needed(flow_widths(rows, headers, False)) <= width:
        return Layout.NATURAL
    if needed(flow_widths(rows, headers, True)) <= width:
        return Layout.BROKEN
    return Layout.BLOCKS


def blocks(headers: Sequence[str], rows: Sequence[tuple[Sequence[str], str]]) -> Group:
    """One block a flow: its id, then a "column: value" line for every other column."""
    label = max(len(h) for h in headers[1:]) + 1
    lines: list[Text] = []
    for cells, style in rows:
        lines.append(Text(cells[0], style="bold"))
        for i, (title, value) in enumerate(zip(headers[1:], cells[1:], strict=True), start=1):
            if value:
                line = Text(f"  {title + ':':<{label}} ")
                line.append(value, style=style if i == 6 else "yellow" if i == 7 else "")
                lines.append(line)
    return Group(*lines)
