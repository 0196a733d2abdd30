"""Golden-text helpers for the rendering tests; `pytest --update-golden` rewrites the files."""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

import pytest
from rich.console import Console

GOLDEN = Path(__file__).parent / "golden"


def pytest_addoption(parser: pytest.Parser) -> None:
    try:
        parser.addoption("--update-golden", action="store_true", default=False,
                         help="rewrite tests/render/golden/*.txt from the current output")
    except ValueError:
        pass  # already registered by another conftest


def plain_console(width: int = 120) -> Console:
    """No color, no terminal: what a pipe gets."""
    return Console(width=width, file=io.StringIO(), color_system=None, force_terminal=False,
                   legacy_windows=False, highlight=False, soft_wrap=False)


def render_text(renderables: Iterable, width: int = 120) -> str:
    console = plain_console(width)
    for item in renderables:
        console.print(item)
    return console.file.getvalue()  # type: ignore[attr-defined]


@pytest.fixture
def golden(request: pytest.FixtureRequest):
    """golden(name, text): compare with tests/render/golden/NAME.txt (or rewrite it)."""
    update = request.config.getoption("--update-golden", default=False)

    def check(name: str, text: str) -> None:
        path = GOLDEN / f"{name}.txt"
        if update or not path.exists():
            GOLDEN.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8")
            if not update:
                pytest.fail(f"golden file {path.name} was missing and has been written; rerun")
        assert text == path.read_text(encoding="utf-8"), (
            f"output differs from {path.name}; rerun with --update-golden if the change is wanted")

    return check
