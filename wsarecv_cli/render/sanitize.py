"""The one place untrusted text is made safe to show: payload bytes, scenario text, file names.

Captures and scenario files are untrusted: a `title` holding `ESC]0;...BEL` retitles the
terminal, `ESC[2J` clears it, a bidi override (U+202E) reverses what follows, and any of these
makes an SVG/HTML export invalid XML (XML 1.0 forbids C0 controls but tab/LF/CR). Everything
that reaches a terminal or an export goes through here first:

- `safe_text(text)` for strings (scenario title/about, file names, capture paths, error and
  warning lines): every control character is escaped *visibly* (`\\x1b`, `\\u202e`), so the reader
  sees that it was there; a file name's undecodable byte (a surrogate escape) shows as `\\xNN`.
- `escape_bytes(data, width)` and `printable_bytes(data)` for payload: printable ASCII only
  (escapes or hex; '.' for follow's text view).
- `json_safe(line)` for JSON text that carries untrusted strings: JSON's own encoder leaves C1
  controls and bidi overrides raw with ensure_ascii=False; they become `\\u` escapes, which
  decode to the same string.
"""

from __future__ import annotations

import re

# C0 controls and DEL, C1 controls, bidi embeddings/overrides/isolates and marks, the line and
# paragraph separators, the non-characters XML forbids, and lone surrogates (undecodable bytes of
# a file name under surrogateescape, or garbage).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                     "\ufffe\uffff\ud800-\udfff]")
_UNSAFE_KEEP_NEWLINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
                                   "\u2066-\u2069\ufffe\uffff\ud800-\udfff]")
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the original byte of an undecodable name
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe_text(text: str, keep_newlines: bool = False) -> str:
    """`text` with every control character escaped visibly (`\\x1b`, `\\u202e`); tab and newline
    are kept only with keep_newlines (for multi-line text such as a scenario's `about`)."""
    pattern = _UNSAFE_KEEP_NEWLINES if keep_newlines else _UNSAFE
    return pattern.sub(_visible, text)


def json_needs_escapes(encoded: str) -> bool:
    """Whether `json_safe` would change this JSON text (cheap check for the common case)."""
    return _JSON_UNSAFE.search(encoded) is not None


def json_safe(encoded: str) -> str:
    """JSON text (from json.dumps with ensure_ascii=False) with C1 controls and bidi marks as
    `\\uXXXX` escapes: the same document once parsed, harmless on a terminal."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", encoded)


_PRINTABLE = bytes(range(32, 127)) + b"\n\t"
_TO_TEXT = bytes(b if b in _PRINTABLE else ord(".") for b in range(256))


def printable_bytes(data: bytes) -> str:
    """Payload as text: printable ASCII, newline and tab kept, every other byte as '.'."""
    return data.translate(_TO_TEXT).decode("ascii")


def escape_bytes(data: bytes, width: int) -> str:
    """First bytes of a buffer: quoted escaped text when mostly printable, else hex; fits `width`."""
    if not data:
        return ""
    printable = sum(32 <= b < 127 or b in (9, 10, 13, 0) for b in data)
    if printable * 4 >= len(data) * 3:
        body = data.decode("latin-1").encode("unicode_escape").decode("ascii").replace('"', '\\"')
        text = f'"{body}"'
    else:
        text = data.hex()
    return text if len(text) <= width else text[: width - 1] + "…"
