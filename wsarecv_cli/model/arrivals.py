"""Applying what arrives from the network to the receive state (R21-R27, R40, R42, R45, R46).

`apply_arrival` only changes `RxState`; satisfying pending receives is the socket's job. It
returns an `Applied` record with the byte accounting and notes for the socket's log.
"""

from __future__ import annotations

from dataclasses import dataclass

from wsarecv_cli.errors import ModelError
from wsarecv_cli.model.provider import Profile
from wsarecv_cli.model.queues import End, QueuedMessage, RxState
from wsarecv_cli.model.types import (
    Arrival, Burst, CaptureGap, Discon, Fin, IcmpError, IcmpKind, Message, Reset, SocketConfig, StreamBytes,
    UrgentByte, arrival_words,
)


FIN_NOTE = "FIN: 0 bytes once the queued data is read (R22)"  # (lane.py logs it too)


@dataclass(slots=True)
class Applied:
    arrived: int = 0  # bytes accepted by the socket
    lost: int = 0  # bytes discarded (RST R24, Q5 reset)
    filtered: int = 0  # datagram bytes dropped by the connected-UDP filter (R21)
    note: str = ""


def _need(ok: bool, profile: Profile, arrival: Arrival) -> None:
    if not ok:
        raise ModelError(f"state: a {profile.protocol.value} socket; input: {arrival_words(arrival)} "
                         "does not fit this provider (byte stream vs messages)")


def apply_arrival(rx: RxState, profile: Profile, config: SocketConfig, arrival: Arrival, *,
                  shut: bool, receive_pending: bool) -> Applied:
    if isinstance(arrival, (StreamBytes, UrgentByte, CaptureGap)):
        _need(not profile.message_oriented, profile, arrival)
        return _stream(rx, profile, config, arrival, shut, receive_pending)
    if isinstance(arrival, Burst):
        total = Applied()
        for part in arrival.arrivals:
            got = apply_arrival(rx, profile, config, part, shut=shut, receive_pending=receive_pending)
            total = Applied(total.arrived + got.arrived, total.lost + got.lost, total.filtered + got.filtered,
                            "; ".join(n for n in (total.note, got.note) if n))
        return total
    if isinstance(arrival, Message):
        _need(profile.message_oriented, profile, arrival)
        return _message(rx, profile, config, arrival, shut, receive_pending)
    if isinstance(arrival, (Fin, Discon)):
        return _graceful(rx, profile, arrival)
    if isinstance(arrival, Reset):
        return _reset(rx, profile, config)
    if isinstance(arrival, IcmpError):
        if profile.connection_oriented:
            return Applied(note=f"ICMP {arrival.kind.value} on a connection-oriented socket: not modelled, ignored")
        if not (config.udp_connreset if arrival.kind is IcmpKind.PORT_UNREACHABLE else config.udp_netreset):
            ioctl = "CONN" if arrival.kind is IcmpKind.PORT_UNREACHABLE else "NET"
            return Applied(note=f"ICMP {arrival.kind.value} ignored: SIO_UDP_{ioctl}RESET is off (R46)")
        rx.icmp.append(arrival.kind)
        return Applied(note=f"ICMP {arrival.kind.value}: queued as one error for the next receive (R46)")
    raise ModelError(f"state: receiving; input: {arrival!r} is not an Arrival")


def _after_end(rx: RxState, size: int, what: str) -> Applied | None:
    if rx.end is None:
        return None
    return Applied(note=f"{what} ({size} bytes) after {rx.end.value}: ignored")


def _shutdown_reset(rx: RxState, size: int) -> Applied:
    lost = rx.discard() + size
    rx.end = End.RESET
    return Applied(arrived=size, lost=lost,
                   note=f"data after SD_RECEIVE with no receive pending: the stack resets the connection "
                        f"(RST sent, {lost} bytes discarded) (R45, Q5)")


def _stream(rx, profile, config, arrival, shut, receive_pending) -> Applied:
    if isinstance(arrival, CaptureGap):
        return _gap(rx, config, arrival.length, shut, receive_pending)
    data = arrival.data if isinstance(arrival, StreamBytes) else bytes([arrival.byte])
    ignored = _after_end(rx, len(data), "stream data")
    if ignored:
        return ignored
    if not data:
        return Applied()
    if shut and not receive_pending and config.rst_after_shutdown:
        return _shutdown_reset(rx, len(data))
    if isinstance(arrival, StreamBytes):
        rx.stream.push(data)
        rx.push_seen = rx.push_seen or arrival.push
        return Applied(arrived=len(data))
    if config.oobinline:
        rx.stream.push_block(data)
        return Applied(arrived=1, note="urgent byte kept inline as a block of its own (R42)")
    rx.oob.append(arrival.byte)
    rx.stream.seal("the urgent mark (R10a, R40)")
    return Applied(arrived=1, note="urgent byte kept out of band; normal receives stop at the mark (R40)")


def _gap(rx, config, length: int, shut, receive_pending) -> Applied:
    """Bytes the receiver got but the capture lacks: queued like data, content unknown."""
    if length <= 0:
        raise ModelError(f"state: receiving; input: a capture gap of {length} bytes (must be positive)")
    ignored = _after_end(rx, length, "capture-gap bytes")
    if ignored:
        return ignored
    if shut and not receive_pending and config.rst_after_shutdown:
        return _shutdown_reset(rx, length)
    rx.stream.push_gap(length)
    return Applied(arrived=length, note=f"{length} bytes the capture lacks queued as bytes of unknown content")


def _message(rx, profile, config, msg: Message, shut, receive_pending) -> Applied:
    size = len(msg.data)
    peer = config.connected_peer
    if peer and msg.source and msg.source != peer:
        return Applied(filtered=size, note=f"datagram from {msg.source} dropped: the socket is connected "
                                           f"to {peer} (R21)")
    ignored = _after_end(rx, size, "message")
    if ignored:
        return ignored
    if shut and not receive_pending and profile.connection_oriented and config.rst_after_shutdown:
        return _shutdown_reset(rx, size)
    wire = max(msg.wire_length or size, size)
    rx.messages.append(QueuedMessage(msg.data, wire, msg.source))
    note = "datagram queued after SD_RECEIVE: kept but unreadable (R45)" if shut else ""
    return Applied(arrived=size, note=note)


def _graceful(rx, profile, arrival) -> Applied:
    if rx.end is not None:
        return Applied(note=f"{arrival_words(arrival)} after {rx.end.value}: ignored")
    if profile.message_oriented and profile.graceful_close:
        rx.end = End.DISCON
        return Applied(note="graceful disconnect: reported as WSAEDISCON once the messages are read (R27)")
    rx.end = End.FIN
    if isinstance(arrival, Discon):
        return Applied(note="WSAEDISCON is never produced for this provider (R27): treated as FIN (R22)")
    return Applied(note=FIN_NOTE)


def _reset(rx, profile, config) -> Applied:
    if not profile.connection_oriented:
        return Applied(note="RST on a connectionless socket: ignored")
    if rx.end in (End.RESET, End.ABORTED):
        return Applied(note="RST after the connection ended: ignored")
    rx.end = End.ABORTED if rx.end is End.FIN else End.RESET
    rule = "R25" if rx.end is End.ABORTED else "R23"
    if config.keep_on_reset:
        return Applied(note=f"RST ({rule}); unread data kept (keep_on_reset, Q7)")
    lost = rx.discard()
    rx.unreported_lost += lost
    return Applied(lost=lost, note=f"RST ({rule}): {lost} unread bytes discarded (R24, Q7)")
