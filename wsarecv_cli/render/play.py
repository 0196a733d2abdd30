"""`wsarecv play` output: one row per direction (what was sent, what came back, against the capture)
and one line per difference. Built from the `summary` records, so a script's records render the same."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from rich.table import Table
from rich.text import Text

_DIRECTION = {"sent": "player → app", "received": "app → player"}


def _match(value: bool | None) -> Text:
    if value is None:
        return Text("unknown", style="magenta")
    return Text("yes", style="green") if value else Text("NO", style="bold red")


def _close(rec: dict[str, Any]) -> Text:
    if rec["close"] == rec["expected_close"]:
        return Text(rec["close"])
    return Text(f"{rec['close']} (captured: {rec['expected_close']})", style="yellow")


def summary_table(flow: str, play_as: str, summaries: list[dict[str, Any]]) -> Table:
    """Rows: the player's sends and the app's replies, each beside the capture's counts and close."""
    ends = " ⇄ ".join(rec["sender"] for rec in summaries)
    table = Table(title=f"{flow} played as {play_as}: {ends}", title_justify="left", show_edge=False,
                  pad_edge=False)
    for name, justify in (("direction", "left"), ("segments", "right"), ("bytes", "right"),
                          ("captured", "right"), ("close", "left"), ("match", "left")):
        table.add_column(name, justify=justify, no_wrap=True)
    for rec in summaries:
        table.add_row(_DIRECTION[rec["direction"]], str(rec["segments"]), str(rec["bytes"]),
                      f"{rec['expected_segments']} / {rec['expected_bytes']} B", _close(rec), _match(rec["match"]))
    return table


def difference_lines(summaries: Iterable[dict[str, Any]]) -> Iterator[Text]:
    """`direction: what differs`, for each direction that does not match the capture."""
    for rec in summaries:
        if rec["difference"]:
            yield Text(f"{_DIRECTION[rec['direction']]}: {rec['difference']}", style="red")
