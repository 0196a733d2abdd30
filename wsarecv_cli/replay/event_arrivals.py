"""What one reassembly event is to a receiving socket: the model Arrivals it makes (replay/session.py
routes each event here; the message framing of --framing applies on the way, and a framing
error ends the framing with a finding instead of an arrival)."""

from __future__ import annotations

from typing import Any

from wsarecv_cli.model.types import (
    Arrival,
    CaptureGap,
    Discon,
    Fin,
    IcmpError,
    IcmpKind,
    Message,
    Protocol,
    Reset,
    StreamBytes,
    UrgentByte,
)
from wsarecv_cli.net import IcmpNotice
from wsarecv_cli.reassembly.events import Datagram, StreamData, StreamFin, StreamGap, StreamReset, UrgentData
from wsarecv_cli.replay.framing import FramingError, FramingFindings

_new = tuple.__new__  # a NamedTuple built without its keyword-parsing __new__


def arrivals(receiver: Any, event: Any, max_gap_bytes: int) -> list[Arrival]:
    """Reassembly event -> model arrivals for `receiver` (the session's: protocol, message_oriented,
    assembler, framing_findings, source_text), through the message framing when one applies."""
    kind = event.__class__  # the event classes are final NamedTuples: `is` tests, data first
    message_oriented = receiver.message_oriented
    if kind is StreamData:
        if receiver.assembler is not None:
            return _framed_messages(receiver, event.data)
        if message_oriented:
            return [Message(event.data)]  # no framing given: each segment is a message
        return [_new(StreamBytes, (event.data, event.push))]
    if kind is Datagram:
        if message_oriented:
            return [_new(Message, (event.data, receiver.source_text(event.source), event.wire_length))]
        return [StreamBytes(event.data)]
    if kind is IcmpNotice:
        return [IcmpError(IcmpKind(event.kind))] if receiver.protocol is Protocol.UDP else []
    if isinstance(event, StreamGap):
        if receiver.assembler is not None:
            receiver.framing_findings = FramingFindings(error=f"capture gap of {event.length} B at offset "
                                                        f"{event.offset}: message framing lost")
            receiver.assembler = None
        # A message socket never sees a partial message: bytes the capture lacks are messages
        # (or parts of them) that did not arrive, like a lost datagram. A gap beyond
        # --max-gap-bytes is skipped rather than made into millions of unknown bytes.
        if message_oriented or event.length > max_gap_bytes:
            return []
        return [CaptureGap(event.length)]
    if isinstance(event, UrgentData):
        if not message_oriented:
            return [UrgentByte(event.byte)]
        # Messages over a TCP capture have no out-of-band channel: the urgent byte is a byte of
        # the stream, framed with its neighbours (or, without --framing, a message of its own).
        if receiver.assembler is not None:
            return _framed_messages(receiver, bytes([event.byte]))
        return [Message(bytes([event.byte]))]
    if isinstance(event, StreamFin):
        if receiver.protocol is Protocol.TCP:
            return [Fin()]
        return [Discon()] if receiver.protocol is Protocol.RELIABLE_MSG else []
    if isinstance(event, StreamReset):
        return [Reset()]
    return []

def _framed_messages(receiver: Any, data: bytes) -> list[Arrival]:
    try:
        return [Message(m) for m in receiver.assembler.feed(data)]
    except FramingError as exc:
        receiver.framing_findings = FramingFindings(error=str(exc))
        receiver.assembler = None
        return []
