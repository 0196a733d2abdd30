"""Where output goes, and what happens when it cannot go there — decided in one place.

- Standard output: `require_stdout` refuses to start when it is closed (`>&-`: Python then has
  no sys.stdout, and click/rich would silently print nothing). The command group turns a
  write that fails into one of two outcomes, whoever wrote (click.echo, rich, a JSON writer):
  the reader went away (EPIPE: `wsarecv ... | head -1`) -> `PipeClosed`, a quiet exit 0, as
  `head` users expect; anything else (a full disk, an I/O error) -> `OutputError`, one line and
  exit 1. click and rich each have their own EPIPE handling (both exit 1): `OutputGroup` and
  `StdoutConsole` pre-empt them. Input problems never arrive here as raw OSError: the capture
  and scenario readers translate theirs at the boundary.
- Exports (`--export-svg/--export-html`): `Exports` opens the files before the work starts (a
  missing folder or a read-only path fails at once, naming the path), then receives everything
  the stdout console prints. HTML is streamed to its file every HTML_CHUNK prints, so an export
  of a long replay costs no more memory than the replay; SVG (one picture, its size known only
  at the end) keeps the first SVG_MAX_PRINTS prints and says so in its title when there were more.
"""

from __future__ import annotations

import errno
import html
from typing import IO, Any

from rich.console import Console
from rich.terminal_theme import MONOKAI

from wsarecv_cli.cli.output_failures import (  # noqa: F401 - the light half, re-exported
    OutputError,
    OutputGroup,
    PipeClosed,
    require_stdout,
    silence_stdout,
    write_failure,
)
from wsarecv_cli.render.sanitize import safe_text

HTML_CHUNK = 500  # prints between two HTML fragments written out
SVG_MAX_PRINTS = 5000  # an SVG of more lines is unreadable anyway; --export-html keeps all

# rich's page, made well-formed XML too (a self-closed meta; XHTML readers and xml.etree accept
# it), with a title; the code between head and tail is written in fragments.
HTML_HEAD = """<!DOCTYPE html>
<html>
<head>
<meta charset="UTF-8"/>
<title>{title}</title>
<style>
body {{
    color: {foreground};
    background-color: {background};
}}
</style>
</head>
<body>
    <pre style="font-family:Menlo,'DejaVu Sans Mono',consolas,'Courier New',monospace"><code style="font-family:inherit">"""
HTML_TAIL = """</code></pre>
</body>
</html>
"""


class StdoutConsole(Console):
    """The console commands print on: a closed pipe is a PipeClosed (rich's own handling exits 1),
    and with `exports` it records what it prints and hands it to them after every print."""

    def __init__(self, *args: Any, exports: Exports | None = None, **kwargs: Any) -> None:
        super().__init__(*args, record=exports is not None, **kwargs)
        self.exports = exports
        if exports is not None:
            exports.start(self)

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise PipeClosed()

    def print(self, *objects: Any, **kwargs: Any) -> None:  # noqa: A003 - rich's name
        super().print(*objects, **kwargs)
        if self.exports is not None:
            self.exports.printed()


class Exports:
    """--export-svg / --export-html of what a command prints (see module doc).

    The stdout console records (rendering once for both); the record is taken out as it grows:
    HTML fragments every HTML_CHUNK prints, the SVG at SVG_MAX_PRINTS prints or at the end.
    Exports keep the colors even when the terminal got none: a saved file is meant to be looked at."""

    def __init__(self, svg: str | None, html: str | None, title: str) -> None:
        self.title = safe_text(title)
        self._svg = self._open(svg) if svg else None
        self._html = self._open(html) if html else None
        self._console: Console | None = None
        self._svg_text: str | None = None
        self._prints = 0

    @staticmethod
    def wanted(svg: str | None, html: str | None) -> bool:
        return bool(svg or html)

    @staticmethod
    def _open(path: str) -> tuple[str, IO[str]]:
        try:
            return path, open(path, "w", encoding="utf-8")  # noqa: SIM115 - closed by close()
        except OSError as exc:
            reason = "folder does not exist" if exc.errno == errno.ENOENT else exc.strerror
            raise OutputError(f"cannot write export {safe_text(path)}: {reason}") from None

    def start(self, console: Console) -> None:
        self._console = console
        if self._html:
            self._write(self._html, HTML_HEAD.format(title=html.escape(self.title),
                                                     foreground=MONOKAI.foreground_color.hex,
                                                     background=MONOKAI.background_color.hex))

    def printed(self) -> None:
        self._prints += 1
        if self._svg and self._svg_text is None:
            if self._prints < SVG_MAX_PRINTS:
                return  # the record is the SVG's until it is taken
            self._take_svg(f"{self.title} (the first {SVG_MAX_PRINTS:,} lines; --export-html keeps all)")
        if self._html and self._prints % HTML_CHUNK == 0:
            self._write(self._html, self._html_fragment())

    def _take_svg(self, title: str) -> None:
        assert self._console is not None
        self._svg_text = self._console.export_svg(title=title, theme=MONOKAI, clear=not self._html)
        if not self._html:
            self._console.record = False  # nothing else wants the rest

    def _html_fragment(self) -> str:
        assert self._console is not None
        return self._console.export_html(theme=MONOKAI, clear=True, inline_styles=True, code_format="{code}")

    def close(self, html_appendix: str = "") -> list[str]:
        """Finish and close the files; returns the paths written. `html_appendix` (the timeline
        picture) goes into the HTML page after the output, before `</body>`."""
        written = []
        if self._svg is not None:
            if self._svg_text is None:
                self._take_svg(self.title)
            self._write(self._svg, self._svg_text or "")
            written.append(self._finish(self._svg))
        if self._html is not None:
            self._write(self._html, self._html_fragment() + HTML_TAIL.replace("</body>", html_appendix + "</body>"))
            written.append(self._finish(self._html))
        return written

    @staticmethod
    def _write(target: tuple[str, IO[str]], text: str) -> None:
        path, handle = target
        try:
            handle.write(text)
        except OSError as exc:
            raise write_failure(exc, f"export {safe_text(path)}") from None

    @staticmethod
    def _finish(target: tuple[str, IO[str]]) -> str:
        path, handle = target
        try:
            handle.close()
        except OSError as exc:
            raise write_failure(exc, f"export {safe_text(path)}") from None
        return path
