"""Packages whose public names are imported on first use (PEP 562), for start-up time.

`wsarecv simulate` needs CaptureLimits and ReassemblyLimits for its option defaults, and
importing a submodule runs its package's __init__ first: with eager re-exports that pulled in
every capture reader and the whole flow tracker (~15 ms of a ~150 ms start). The curated names
stay the same; each is imported from its module when first asked for, then cached in the package.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_exports(package: str, exports: dict[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` giving `name` from `package.exports[name]` on first use."""
    namespace = importlib.import_module(package).__dict__

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        namespace[name] = value
        return value

    return __getattr__
