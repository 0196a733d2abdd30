"""The per-receiver summary panel under a call table.

Built from a `SummaryAccumulator` (or its `summary` record dict, so a script's records render the
same way). Framing findings (replay with --framing) fill their own lines: they answer the question
"did my parser's 'one recv = one message' assumption hold?".
"""

from __future__ import annotations

from typing import Any

from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from wsarecv_cli.render.records import SummaryAccumulator

CLOSURE_TEXT = {
    "graceful": ("graceful close (FIN, 0-byte receive)", "cyan"),
    "reset": ("reset (WSAECONNRESET)", "bold red"),
    "aborted": ("aborted (WSAECONNABORTED / 995)", "red"),
    "discon": ("graceful disconnect (WSAEDISCON)", "cyan"),
    "open": ("still open", "dim"),
}


def _framing_dict(framing: Any) -> dict[str, Any] | None:
    """replay.framing.FramingFindings (as_dict) or an already-recorded dict."""
    if framing is None:
        return None
    if isinstance(framing, dict):
        return framing
    return framing.as_dict()


def summary_panel(summary: SummaryAccumulator | dict[str, Any], *, open_calls: int = 0,
                  idle_polls: int = 0, title: str = "summary",
                  findings: list[tuple[str, int]] | None = None) -> Panel:
    """A compact two-column panel: what the receiver got, what it lost, how it ended."""
    rec = summary.record() if isinstance(summary, SummaryAccumulator) else summary
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")  # a sha256 wraps rather than being cut with an ellipsis
    grid.add_row("calls", str(rec["calls"]) + (f"  ({open_calls} still open at the end)"
                                               if open_calls else ""))
    grid.add_row("bytes delivered", str(rec["bytes"]))
    grid.add_row("stream sha256", rec["stream_sha256"])
    if rec.get("messages") or rec.get("msg_partial"):
        grid.add_row("messages", str(rec["messages"]))
    grid.add_row("MSG_PARTIAL", _count(rec["msg_partial"], "yellow"))
    grid.add_row("WSAEMSGSIZE", _count(rec["msgsize_errors"], "red"))
    if rec["bytes_lost"]:  # truncated datagram tails (R17) and unread data dropped by a RST (R24)
        grid.add_row("bytes lost", Text(str(rec["bytes_lost"]), style="bold red"))
    gaps = _count(rec["gaps"], "magenta")
    if rec.get("gap_bytes"):
        gaps.append(f"  ({rec['gap_bytes']} B not in the capture)", style="magenta")
    grid.add_row("capture gaps", gaps)
    words, style = CLOSURE_TEXT.get(rec["closure"], (rec["closure"], ""))
    grid.add_row("closure", Text(words, style=style))
    if idle_polls:
        grid.add_row("idle polls", Text(f"{idle_polls} (nothing new; not shown)", style="dim"))
    framing = _framing_dict(rec.get("framing"))
    if framing is not None:
        grid.add_row("framing", _framing_text(framing))
    if findings:  # (label, count) per finding code: what `wsarecv check` would report
        grid.add_row("findings", Text("\n".join(f"{count} x {label}" for label, count in findings),
                                      style="bold yellow"))
    return Panel(grid, title=title, title_align="left", expand=False)


def _count(value: int, style: str) -> Text:
    return Text(str(value), style=style if value else "")


def _framing_text(framing: dict[str, Any]) -> Text:
    """Counts of messages split across calls / calls holding several messages."""
    text = Text(f"{framing.get('messages', 0)} messages; ")
    split = framing.get("split_messages", 0)
    multi = framing.get("multi_message_calls", 0)
    text.append(f"{split} split across calls", style="yellow" if split else "")
    text.append("; ")
    text.append(f"{multi} calls held several", style="yellow" if multi else "")
    if framing.get("error"):
        text.append(f"\nframing stopped: {framing['error']}", style="red")
    return text
