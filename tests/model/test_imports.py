"""model/ imports only the standard library, wsarecv_cli.errors and its own modules."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import wsarecv_cli.model as model

MODEL_DIR = Path(model.__file__).parent


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}: relative import"
            names.add(node.module)
    return names


def test_model_imports_only_stdlib_errors_and_itself():
    files = sorted(MODEL_DIR.glob("*.py"))
    assert len(files) >= 6
    for path in files:
        for name in _imports(path):
            top = name.split(".")[0]
            allowed = (name == "wsarecv_cli.errors" or name.startswith("wsarecv_cli.model")
                       or top in sys.stdlib_module_names or top == "__future__")
            assert allowed, f"{path.name} imports {name}"


def test_model_modules_stay_small():
    for path in MODEL_DIR.glob("*.py"):
        assert len(path.read_text().splitlines()) <= 460, path.name


def test_parallel_layer_imports_nothing_from_cli():
    """--jobs machinery sits below the commands: cli/ calls parallel/, never the other way round."""
    import wsarecv_cli.parallel as parallel

    files = sorted(Path(parallel.__file__).parent.glob("*.py"))
    assert len(files) >= 4
    for path in files:
        for name in _imports(path):
            assert not name.startswith("wsarecv_cli.cli"), f"parallel/{path.name} imports {name}"
