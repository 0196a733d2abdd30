"""Typed values of a scenario file: where an error is, and checked strings, numbers, enums, flags.

Scenario files are untrusted input: every value is checked for its type and, for numbers, for a
finite value in a stated range, so `at = inf` or `buffers = [1e308]` is a one-line ScenarioError
naming the file, the step and the key, never a crash deep in the model.
"""

from __future__ import annotations

import math
import unicodedata
from typing import Any

from wsarecv_cli.errors import ModelError, ScenarioError
from wsarecv_cli.model.types import RecvFlags

MAX_SECONDS = 10_000_000.0  # `at`: about 115 days of scenario time is plenty
MAX_LENGTH = 2**31 - 1  # a WSABUF length, a byte count (ULONG / INT range)
MAX_BUFFERS = 1024  # WSABUFs in one call
MAX_REPEAT = 100_000  # receives one step may make


def escape_text(text: str) -> str:
    """`text` with control and format characters escaped (\\x1b, \\u202e): scenario titles, file
    names and addresses reach a terminal or an SVG; only payload-like escapes get through."""
    if text.isprintable():
        return text
    out = []
    for char in text:
        if char.isprintable() or char == " ":
            out.append(char)
        elif unicodedata.category(char) in ("Zs",):
            out.append(" ")
        else:
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    return "".join(out)


class Where:
    """The file a scenario came from; builds errors naming file, step and key."""

    def __init__(self, source: str) -> None:
        self.source = escape_text(source)

    def fail(self, step: int | None, field: str, message: str) -> ScenarioError:
        where = f"step {step}: " if step else ""
        return ScenarioError(f"{self.source}: {where}{field}: {escape_text(message)}")


# TOML's words for the types, not Python's: messages speak of the file
_TOML_TYPES = {str: "a string", int: "an integer", float: "a number", bool: "true or false", dict: "a table",
               list: "an array"}


def typed(where: Where, step: int | None, name: str, value: Any, kind: type | tuple) -> Any:
    if kind is int and isinstance(value, bool) or not isinstance(value, kind):
        kinds = kind if isinstance(kind, tuple) else (kind,)
        want = " or ".join(_TOML_TYPES.get(k, k.__name__) for k in kinds)
        raise where.fail(step, name, f"expected {want}, got {_short(value)}")
    return value


def whole(where: Where, step: int | None, name: str, value: Any, low: int = 0, high: int = MAX_LENGTH) -> int:
    """An integer in [low, high]."""
    value = typed(where, step, name, value, int)
    if not low <= value <= high:
        raise where.fail(step, name, f"{value} is out of range ({low} to {high})")
    return value


def seconds(where: Where, step: int | None, name: str, value: Any) -> float:
    """A finite, non-negative number of seconds (int or float)."""
    value = typed(where, step, name, value, (int, float))
    if isinstance(value, float) and not math.isfinite(value):
        raise where.fail(step, name, f"{value} is not a finite number of seconds")
    if not 0 <= value <= MAX_SECONDS:
        raise where.fail(step, name, f"{_short(value)} is out of range (0 to {MAX_SECONDS:g} seconds)")
    return value


def enum_value(where: Where, step: int | None, name: str, value: Any, enum_type: type) -> Any:
    value = typed(where, step, name, value, str)
    for member in enum_type:
        if member.value == value or member.name == value.upper().replace("-", "_"):
            return member
    allowed = ", ".join(str(m.value) for m in enum_type)
    raise where.fail(step, name, f"unknown value {_short(value)} (allowed: {allowed})")


def one_of(where: Where, step: int | None, name: str, value: Any, allowed: tuple[str, ...]) -> str:
    value = typed(where, step, name, value, str)
    if value not in allowed:
        raise where.fail(step, name, f"unknown value {_short(value)} (allowed: {', '.join(allowed)})")
    return value


def no_unknown(where: Where, step: int | None, prefix: str, raw: dict, allowed: set[str] | tuple[str, ...],
               what: str) -> None:
    """Refuse keys outside `allowed`, naming the allowed ones."""
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        raise where.fail(step, f"{prefix}{unknown[0]}", f"unknown {what} (allowed: {', '.join(sorted(allowed))})")


def payload(where: Where, step: int | None, field: str, value: Any, is_hex: bool) -> bytes:
    value = typed(where, step, field, value, str)
    if not is_hex:
        return value.encode("utf-8", "surrogateescape")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise where.fail(step, field, f"not hex: {_short(value)}") from None


OUTPUT_ONLY_FLAGS = ("MSG_TRUNC", "MSG_CTRUNC")  # WSARecvMsg WSAMSG.dwFlags outputs, never lpFlags in


def parse_flags(where: Where, step: int | None, field: str, raw: Any, outputs: bool = False) -> RecvFlags:
    """A list of flag names ("MSG_PEEK" or "peek"); `outputs` also admits MSG_TRUNC / MSG_CTRUNC."""
    raw = typed(where, step, field, raw, list)
    names = [f.name for f in RecvFlags if f.name and f.name != "NONE"
             and (outputs or f.name not in OUTPUT_ONLY_FLAGS)]
    flags = RecvFlags.NONE
    for name in raw:
        name = typed(where, step, field, name, str).upper()
        name = name if name.startswith("MSG_") else "MSG_" + name
        if name not in names:
            raise where.fail(step, field, f"unknown flag {_short(name)} (allowed: {', '.join(names)})")
        flags |= RecvFlags[name]
    return flags


def model_text(exc: ModelError) -> str:
    """A model error in scenario words: 'state: X; input: Y' -> 'Y (X)'."""
    text = str(exc)
    state, sep, given = text.partition("; input: ")
    return f"{given} ({state.removeprefix('state: ')})" if sep else text


def _short(value: Any) -> str:
    """repr of a value, cut: an error line stays one line of reasonable length."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
