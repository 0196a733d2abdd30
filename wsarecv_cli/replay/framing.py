"""The application's own message framing, and how WSARecv calls cut across it.

Theory of operation: TCP delivers a byte stream (spec R9: one call returns whatever is queued, up to
the buffers' capacity), so a program that assumes "one recv = one message" breaks as soon as a
message is split across calls or several messages arrive in one call. A `Framer` finds message
boundaries in the stream incrementally (it is fed the bytes in order, in any chunking, and holds
at most one message header, never a body). A `FramingAudit` then takes the stream ranges each call
delivered and reports, per call, how many whole messages and fragments it held, and overall how
many messages were split across calls and how many calls held more than one message.

Framing specs (`--framing`):
  len:u16be | len:u16le | len:u32be | len:u32le | len:u8   length-prefixed; the value counts the
      bytes after the length field. `+N` after the type (len:u32le+4) says the length field starts
      N bytes into the message (a fixed header before it); `=incl` says the value includes the
      header and the length field itself (len:u16be=incl).
  line                 messages end with LF (the LF belongs to the message)
  delim:HEX            messages end with the delimiter bytes (e.g. delim:0d0a)
  fixed:N              every message is N bytes

Capture gaps: the receiver got bytes the capture lacks (unknown content). `Framer.skip` walks over
them: fixed framing and a length-prefixed message whose length was already read keep their
boundaries (content does not move them); a length field inside the gap cannot be read, and
length-prefixed framing has no marker to find the next message by, so the audit stops there and
says so; delimiter framing resynchronises at the next delimiter after the gap (the message
across the gap may have been several). Messages that touched unknown bytes are counted.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field

_LENGTH_TYPES = {"u8": "B", "u16be": ">H", "u16le": "<H", "u32be": ">I", "u32le": "<I"}


@dataclass(frozen=True, slots=True)
class FramingSpec:
    kind: str  # "len" | "delim" | "fixed"
    length_format: str = ""
    header_offset: int = 0
    inclusive: bool = False
    delimiter: bytes = b""
    size: int = 0
    text: str = ""

    def __str__(self) -> str:
        return self.text

    @classmethod
    def parse(cls, text: str) -> FramingSpec:
        """Parse a --framing value; ValueError names what is wrong."""
        value = text.strip()
        match = re.fullmatch(r"len:(u8|u16be|u16le|u32be|u32le)(?:\+(\d+))?(=incl)?", value)
        if match:
            return cls("len", _LENGTH_TYPES[match.group(1)], int(match.group(2) or 0),
                       bool(match.group(3)), text=value)
        if value == "line":
            return cls("delim", delimiter=b"\n", text=value)
        match = re.fullmatch(r"delim:((?:[0-9a-fA-F]{2})+)", value)
        if match:
            return cls("delim", delimiter=bytes.fromhex(match.group(1)), text=value)
        match = re.fullmatch(r"fixed:(\d+)", value)
        if match and int(match.group(1)) > 0:
            return cls("fixed", size=int(match.group(1)), text=value)
        raise ValueError(
            f"{text!r} is not a framing: use len:u16be|len:u16le|len:u32be|len:u32le|len:u8[+N][=incl], "
            "line, delim:HEX or fixed:N")


class FramingError(ValueError):
    """The stream does not fit the framing (e.g. a length smaller than its own header)."""


class FramingLost(FramingError):
    """A capture gap hides what the framing needs (a length field): boundaries are unknown from here."""


class Framer:
    """Incremental boundary finder: feed() bytes in order, get back the stream offsets where
    messages end. Holds at most a header (length framing) or a partial delimiter match; bodies are
    counted, never stored, so memory stays bounded whatever the message sizes.
    """

    def __init__(self, spec: FramingSpec, max_message: int = 64 * 1024 * 1024) -> None:
        self.spec = spec
        self.max_message = max_message
        self.offset = 0  # stream offset of the next byte fed
        self.message_start = 0
        self._header = bytearray()
        self._remaining: int | None = None  # body bytes left in the current message (len/fixed)
        self._match = 0  # delimiter bytes matched so far
        self.resyncing = False  # delimiter framing after a capture gap, until the next delimiter
        if spec.kind == "len":
            self._field = struct.Struct(spec.length_format)
            self._header_len = spec.header_offset + self._field.size

    def feed(self, data: bytes) -> list[int]:
        """Consume data; return the end offsets (exclusive) of messages completed in it."""
        ends: list[int] = []
        view = memoryview(data)
        position = 0
        while position < len(view):
            step = self._advance(view[position:])
            position += step
            self.offset += step
            if self._complete():
                ends.append(self.offset)
                self.message_start = self.offset
        return ends

    def skip(self, count: int) -> list[int]:
        """Walk over `count` bytes of unknown content (a capture gap); return the message ends in
        them. FramingLost when a boundary depends on what they held (see the module docstring)."""
        kind = self.spec.kind
        if kind == "fixed":
            return self.feed(bytes(count))
        if kind == "len":
            if self._remaining is None or count > self._remaining:
                at = self.offset if self._remaining is None else self.offset + self._remaining
                raise FramingLost(
                    f"the length field of the message at stream offset {at} is in a capture gap: "
                    f"{self.spec} framing cannot find the next message boundary (no marker to resynchronise on)")
            return self.feed(bytes(count))
        # delimiter: the gap may hold delimiters; the next one seen ends "the message" across it
        self.offset += count
        self._match = 0
        self.resyncing = True
        return []

    def _advance(self, view: memoryview) -> int:
        kind = self.spec.kind
        if kind == "delim":
            return self._advance_delimiter(view)
        if self._remaining is None:
            if kind == "fixed":
                self._remaining = self.spec.size
            else:
                return self._advance_header(view)
        step = min(self._remaining, len(view))
        self._remaining -= step
        return step

    def _advance_header(self, view: memoryview) -> int:
        step = min(self._header_len - len(self._header), len(view))
        self._header += view[:step]
        if len(self._header) == self._header_len:
            (value,) = self._field.unpack_from(self._header, self.spec.header_offset)
            body = value - self._header_len if self.spec.inclusive else value
            if body < 0 or body > self.max_message:
                raise FramingError(
                    f"message at stream offset {self.message_start} declares length {value}, "
                    f"which does not fit {self.spec} (header {self._header_len} B, limit {self.max_message} B)")
            self._remaining = body
            self._header.clear()
        return step

    def _advance_delimiter(self, view: memoryview) -> int:
        delimiter = self.spec.delimiter
        for index, byte in enumerate(view):
            if byte == delimiter[self._match]:
                self._match += 1
                if self._match == len(delimiter):
                    self._match = 0
                    self._remaining = 0
                    return index + 1
            else:
                # Restart the match; a single-byte restart is exact for the common delimiters
                # (LF, CRLF, NUL) whose prefixes do not repeat.
                self._match = 1 if byte == delimiter[0] else 0
        self._remaining = None
        return len(view)

    def _complete(self) -> bool:
        if self._remaining == 0:
            self._remaining = None
            return True
        return False


@dataclass(frozen=True, slots=True)
class MessagePiece:
    """The part of one framed message a call delivered."""

    message: int  # message number, from 1 in stream order
    offset: int  # offset of the piece within the message
    length: int  # bytes of the message in this call
    end: bool  # the message ends in this call

    @property
    def whole(self) -> bool:
        return self.offset == 0 and self.end

    def as_dict(self) -> dict[str, int | bool]:
        return {"message": self.message, "offset": self.offset, "bytes": self.length,
                "whole": self.whole, "end": self.end}


@dataclass(frozen=True, slots=True)
class CallFraming:
    """How one call's bytes relate to messages: whole messages in it, and fragments at its ends."""

    whole: int
    fragments: int
    pieces: tuple[MessagePiece, ...] = field(default=(), compare=False)  # the detail; equality is the counts

    def __str__(self) -> str:
        parts = []
        if self.whole:
            parts.append(f"{self.whole} msg" + ("s" if self.whole > 1 else ""))
        if self.fragments:
            parts.append(f"{self.fragments} part" + ("s" if self.fragments > 1 else ""))
        return " + ".join(parts) or "-"

    @property
    def suspicious(self) -> bool:
        """What breaks a 'one recv = one message' reader."""
        return self.whole > 1 or self.fragments > 0


@dataclass(slots=True)
class FramingFindings:
    messages: int = 0
    split_messages: int = 0  # messages whose bytes came in more than one call
    multi_message_calls: int = 0  # calls that held more than one message (whole or part)
    fragment_calls: int = 0  # calls that held part of a message
    unknown_messages: int = 0  # messages that held bytes the capture lacks (capture gap)
    resync: str = ""  # how framing resynchronised after a capture gap (or that it could not)
    error: str = ""

    def as_dict(self) -> dict[str, int | str]:
        result: dict[str, int | str] = {
            "messages": self.messages, "split_messages": self.split_messages,
            "multi_message_calls": self.multi_message_calls, "fragment_calls": self.fragment_calls}
        if self.unknown_messages:
            result["unknown_messages"] = self.unknown_messages
        if self.resync:
            result["resync"] = self.resync
        if self.error:
            result["error"] = self.error
        return result


@dataclass(slots=True)
class FramingAudit:
    """Feeds delivered call data through a Framer and classifies each call."""

    spec: FramingSpec
    findings: FramingFindings = field(default_factory=FramingFindings)
    _framer: Framer | None = None
    _current_calls: int = 0  # calls that touched the message now in progress
    _in_unknown: bool = False  # the message in progress holds capture-gap bytes

    def __post_init__(self) -> None:
        self._framer = Framer(self.spec)

    def call(self, data: bytes, unknown: tuple[tuple[int, int], ...] = ()) -> CallFraming | None:
        """Classify one call's delivered bytes (in stream order; `unknown`: spans of them the
        capture lacks). None once framing failed."""
        framer = self._framer
        if framer is None or not data:
            return None
        started_mid_message = framer.offset != framer.message_start
        call_start, message_start = framer.offset, framer.message_start
        try:
            ends = self._walk(framer, data, unknown) if unknown or self._in_unknown or framer.resyncing \
                else framer.feed(data)
        except FramingLost as exc:
            self.findings.error = self.findings.resync = f"framing lost: {exc}"
            self._framer = None
            return None
        except FramingError as exc:
            self.findings.error = str(exc)
            self._framer = None
            return None
        ends_mid_message = framer.offset != framer.message_start
        findings = self.findings
        touched = len(ends) + (1 if ends_mid_message else 0)
        whole = len(ends) - (1 if started_mid_message and ends else 0)
        fragments = (1 if started_mid_message else 0) + (1 if ends_mid_message else 0)
        if not ends and started_mid_message and ends_mid_message:
            fragments = 1  # the middle of one long message
        contributors = self._current_calls + 1  # calls that carried the first message ending here
        for _ in ends:
            findings.messages += 1
            if contributors > 1:
                findings.split_messages += 1
            contributors = 1
        if ends:
            self._current_calls = 1 if ends_mid_message else 0
        else:
            self._current_calls += 1
        if touched > 1:
            findings.multi_message_calls += 1
        if fragments:
            findings.fragment_calls += 1
        return CallFraming(whole, fragments, _pieces(findings.messages - len(ends) + 1, call_start,
                                                     message_start, ends, framer.offset))

    def _walk(self, framer: Framer, data: bytes, unknown: tuple[tuple[int, int], ...]) -> list[int]:
        """Feed known bytes and skip unknown ones in order; count the messages that touched a gap
        and note how delimiter framing resynchronised."""
        ends: list[int] = []
        pos = 0
        pieces = [(a, b, True) for a, b in unknown]
        for a, b, is_gap in pieces + [(len(data), len(data), False)]:
            if a > pos:
                was_resyncing = framer.resyncing
                got = framer.feed(data[pos:a])
                if was_resyncing and got:
                    framer.resyncing = False
                    self.findings.resync = (f"{framer.spec} framing resynchronised at the first delimiter after "
                                            f"the capture gap (stream offset {got[0]}); the message across the "
                                            "gap may have been several")
                ends += self._ended(got)
            if is_gap:
                self._in_unknown = True
                try:
                    skipped = self._ended(framer.skip(b - a))  # the message in progress touched the gap
                except FramingLost:
                    self.findings.messages += len(ends)  # the messages this call completed before it
                    raise
                self.findings.unknown_messages += max(len(skipped) - 1, 0)  # the others lay inside it
                self._in_unknown = framer.offset != framer.message_start or not skipped
                ends += skipped
            pos = max(pos, b)
        return ends

    def _ended(self, ends: list[int]) -> list[int]:
        """Messages ending here: the first of them touched the gap if one is open."""
        if ends and self._in_unknown:
            self.findings.unknown_messages += 1
            self._in_unknown = False
        return ends



def _pieces(first: int, call_start: int, message_start: int, ends: list[int], call_end: int) -> tuple[MessagePiece, ...]:
    """The messages a call delivered: stream [call_start, call_end), messages ending at `ends`,
    the first of them (number `first`) begun at `message_start`."""
    pieces = []
    position, number = call_start, first
    for end in ends:
        pieces.append(MessagePiece(number, position - message_start, end - position, True))
        position = message_start = end
        number += 1
    if position < call_end:
        pieces.append(MessagePiece(number, position - message_start, call_end - position, False))
    return tuple(pieces)


class MessageAssembler:
    """Cuts a byte stream into whole framed messages (for a message-oriented --protocol on a TCP
    capture). Holds the bytes of one message in progress, at most `limit` of them: a longer message
    raises FramingError instead of growing without bound."""

    def __init__(self, spec: FramingSpec, limit: int = 16 * 1024 * 1024) -> None:
        self._framer = Framer(spec, max_message=limit)
        self._pending = bytearray()
        self.limit = limit

    def feed(self, data: bytes) -> list[bytes]:
        start = self._framer.offset - len(self._pending)
        ends = self._framer.feed(data)
        self._pending += data
        if len(self._pending) > self.limit and not ends:
            raise FramingError(f"message at stream offset {start} exceeds the framing limit of {self.limit} B")
        messages = []
        cut = 0
        for end in ends:
            messages.append(bytes(self._pending[cut:end - start]))
            cut = end - start
        del self._pending[:cut]
        return messages

    @property
    def held_bytes(self) -> int:
        return len(self._pending)
