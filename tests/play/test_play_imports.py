"""play/ is the only package that opens network sockets (DESIGN.md): `socket` and `select` are
imported there and nowhere else in wsarecv_cli."""

from __future__ import annotations

import ast
from pathlib import Path

import wsarecv_cli

PACKAGE = Path(wsarecv_cli.__file__).parent
NETWORK_MODULES = {"socket", "select", "selectors", "asyncio", "socketserver", "ssl"}


def _network_imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names & NETWORK_MODULES


def test_only_play_touches_the_network():
    users = {path.relative_to(PACKAGE).as_posix() for path in PACKAGE.rglob("*.py") if _network_imports(path)}
    assert users == {"play/address.py", "play/channels.py"}
