"""SVG/HTML export of what was printed (`--export-svg` / `--export-html`).

rich can only export what a Console recorded, so the command builds its console with
`record=True` when an export is asked for (make_console(..., record=True)) and calls `save_exports`
after printing. Exports keep the colors even when the terminal got none: a saved file is meant to
be looked at.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.terminal_theme import MONOKAI

from wsarecv_cli.errors import WsarecvError


def wants_record(svg: str | None, html: str | None) -> bool:
    return bool(svg or html)


def save_exports(console: Console, svg: str | None = None, html: str | None = None,
                 title: str = "wsarecv") -> list[str]:
    """Write the recorded output; returns the paths written. Unwritable paths -> WsarecvError."""
    written = []
    try:
        if svg:
            console.save_svg(svg, title=title, theme=MONOKAI, clear=False)
            written.append(svg)
        if html:
            console.save_html(html, theme=MONOKAI, clear=False)
            written.append(html)
    except OSError as exc:
        raise WsarecvError(f"cannot write export {exc.filename or ''}: {exc.strerror}") from exc
    return written


def export_paths_ok(*paths: str | None) -> None:
    """Fail before the run (not after minutes of replay) when an export folder is missing."""
    for path in paths:
        if path and not Path(path).resolve().parent.is_dir():
            raise WsarecvError(f"cannot write export {path}: folder does not exist")
