"""Values going into and out of the WSARecv model (stdlib only).

Enums carry the real WinSock values (spec section 1). Inputs: `SocketConfig`, `RecvCall` and the
`Arrival` types. Outputs: `RecvResult` (what the call returned at once) and `Completion` (the later
result of a call that pended or blocked). Both name the spec rules that decided them.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass, field
from typing import NamedTuple


class WsaError(enum.IntEnum):
    """WSAGetLastError codes: the 18 of the Windows Mobile 6.5 WSARecv page plus desktop additions."""

    WSANOTINITIALISED = 10093
    WSAENETDOWN = 10050
    WSAENOTCONN = 10057
    WSAEINTR = 10004
    WSAEINPROGRESS = 10036
    WSAENETRESET = 10052
    WSAENOTSOCK = 10038
    WSAEFAULT = 10014
    WSAEOPNOTSUPP = 10045
    WSAESHUTDOWN = 10058
    WSAEWOULDBLOCK = 10035
    WSAEMSGSIZE = 10040
    WSAEINVAL = 10022
    WSAECONNABORTED = 10053
    WSAECONNRESET = 10054
    WSAEDISCON = 10101
    WSA_IO_PENDING = 997
    WSA_OPERATION_ABORTED = 995
    # desktop additions
    WSAETIMEDOUT = 10060
    WSA_IO_INCOMPLETE = 996


class Win32Error(enum.IntEnum):
    """kernel32 GetOverlappedResult / GetQueuedCompletionStatus codes (spec section 1)."""

    ERROR_SUCCESS = 0
    ERROR_NETNAME_DELETED = 64
    ERROR_MORE_DATA = 234
    ERROR_OPERATION_ABORTED = 995
    ERROR_CONNECTION_ABORTED = 1236
    # added by the model: generic RtlNtStatusToDosError results for statuses the spec lists
    ERROR_GRACEFUL_DISCONNECT = 1226  # STATUS_GRACEFUL_DISCONNECT (R27)
    ERROR_PORT_UNREACHABLE = 1234  # STATUS_PORT_UNREACHABLE (R46)
    UNSPECIFIED = -1  # the spec names no code for this outcome (e.g. ICMP time-exceeded)


class NtStatus(enum.IntEnum):
    """The NTSTATUS values an OVERLAPPED.Internal holds for our outcomes (spec section 1)."""

    SUCCESS = 0x0
    PENDING = 0x103
    BUFFER_OVERFLOW = 0x80000005
    CANCELLED = 0xC0000120
    CONNECTION_RESET = 0xC000020D
    CONNECTION_ABORTED = 0xC0000241
    GRACEFUL_DISCONNECT = 0xC0000237
    PIPE_DISCONNECTED = 0xC00000B0
    PORT_UNREACHABLE = 0xC000023F
    # added by the model (section 1 mapping table)
    IO_TIMEOUT = 0xC00000B5  # -> WSAETIMEDOUT
    REQUEST_ABORTED = 0xC0000240  # -> WSAEINTR
    UNSPECIFIED = -1  # the spec names no NTSTATUS for this outcome (ICMP time-exceeded)


class _Enum(enum.Enum):
    """Plain enums hashed by identity: Enum.__hash__ is Python code (hash of the name), and replay
    looks members up in sets and dicts millions of times. Members are singletons and compare by
    identity, so the identity hash is consistent with equality."""

    __hash__ = object.__hash__


class RecvFlags(enum.IntFlag):
    """WSARecv lpFlags bits (Windows values, spec section 1)."""

    NONE = 0
    MSG_OOB = 0x1
    MSG_PEEK = 0x2
    MSG_WAITALL = 0x8
    MSG_PUSH_IMMEDIATE = 0x20
    MSG_PARTIAL = 0x8000

    def names(self) -> list[str]:
        return list(_flag_names(int(self)))

    # Flag.__contains__ is general-purpose Python code; replay asks it millions of times.
    def __contains__(self, other: object) -> bool:
        bits = int(other)  # type: ignore[call-overload]
        return int(self) & bits == bits


@functools.lru_cache(maxsize=64)
def _flag_names(value: int) -> tuple[str, ...]:
    return tuple(flag.name for flag in RecvFlags if flag and flag.name and value & flag == flag)


class Protocol(_Enum):
    """Protocol profiles of the mode table (R15/R19)."""

    TCP = "tcp"  # byte stream
    UDP = "udp"  # message-oriented, unreliable, no MSG_PARTIAL
    RELIABLE_MSG = "reliable-msg"  # SPX II-like: message-oriented, graceful close, no MSG_PARTIAL
    PARTIAL_MSG = "partial-msg"  # IPX-like: XP1_PARTIAL_MESSAGE


class Platform(_Enum):
    DESKTOP = "desktop"  # Windows NT family
    WINCE = "wince"  # Windows CE / Windows Mobile (R47-R49)


class Mode(_Enum):
    """How the application calls: sync (blocking / non-blocking) or overlapped with a delivery kind."""

    BLOCKING = "blocking"
    NONBLOCKING = "nonblocking"
    OVERLAPPED_EVENT = "overlapped-event"
    OVERLAPPED_ROUTINE = "overlapped-routine"
    IOCP = "iocp"

    def __init__(self, value: str) -> None:
        # A plain attribute, not a property: the model asks on every call.
        self.overlapped = value.startswith("overlapped") or value == "iocp"


class Status(_Enum):
    """What the call itself returned."""

    COMPLETED = "completed"  # returned 0 (the data/closure is in the result)
    FAILED = "failed"  # returned SOCKET_ERROR with an error other than WSA_IO_PENDING
    PENDING = "pending"  # SOCKET_ERROR / WSA_IO_PENDING; the result comes in a Completion
    WAITING = "waiting"  # a blocking call that has not returned yet; its Completion is the return


class Event(_Enum):
    """What happened, in words a person scanning the table reads."""

    DATA = "data"
    PARTIAL = "partial"  # MSG_PARTIAL: part of a message, more follows
    TRUNCATED = "truncated"  # WSAEMSGSIZE; tail discarded (lost > 0) or message retained (R19)
    OOB = "oob"  # the urgent byte, read with MSG_OOB
    ZERO_BYTE = "zero-byte"  # a 0-length request satisfied (R12) or a zero-length datagram (R16)
    GRACEFUL_CLOSE = "graceful-close"  # 0 bytes after FIN (R22)
    DISCON = "discon"  # WSAEDISCON (R27)
    RESET = "reset"  # WSAECONNRESET (R23/R24, R46)
    ABORTED = "aborted"  # WSAECONNABORTED / WSA_OPERATION_ABORTED (R25, R33)
    WOULD_BLOCK = "would-block"  # WSAEWOULDBLOCK (R7)
    PENDING = "pending"  # WSA_IO_PENDING
    SHUTDOWN = "shutdown"  # WSAESHUTDOWN (R44)
    GAP = "gap"  # kept for compatibility: a capture gap is now unknown bytes inside DATA outcomes
    ERROR = "error"  # any other failure (WSAEINVAL, WSAEOPNOTSUPP, WSAENETRESET, ...)


class Delivery(_Enum):
    """How an overlapped result reaches the application (R30, R47, R48)."""

    EVENT = "event"  # hEvent signalled
    EVENT_NOT_SIGNALLED = "event-not-signalled"  # CE immediate completion (R47)
    ROUTINE = "routine"  # APC on the issuing thread, during an alertable wait
    ROUTINE_THREAD = "routine-thread"  # CE: a thread of its own (R48)
    IOCP = "iocp"  # completion packet on the port
    NONE = "none"  # IOCP with FILE_SKIP_COMPLETION_PORT_ON_SUCCESS on an immediate success
    RETURN = "return"  # a blocking call returning (no overlapped delivery)


class Shutdown(_Enum):
    RECEIVE = "receive"  # SD_RECEIVE
    BOTH = "both"  # SD_BOTH


class IcmpKind(_Enum):
    PORT_UNREACHABLE = "port-unreachable"  # -> WSAECONNRESET (R46)
    TIME_EXCEEDED = "time-exceeded"  # -> WSAENETRESET (R46)


@dataclass(frozen=True, slots=True)
class SocketConfig:
    """One receiving socket: its provider profile, platform, call mode and options (spec section 6)."""

    protocol: Protocol = Protocol.TCP
    platform: Platform = Platform.DESKTOP
    mode: Mode = Mode.BLOCKING
    oobinline: bool = False  # SO_OOBINLINE (R40/R42)
    expedited_1122: bool = False  # TCP_EXPEDITED_1122 (R39); reassembly applies it to the pointer
    connected_peer: str | None = None  # "ADDR:PORT": connected UDP filter (R21)
    keep_on_reset: bool = False  # Q7 switch: keep unread data on RST (Linux / ReactOS behaviour)
    pend_on_queued_truncation: bool = True  # Q2 default: a truncating overlapped receive pends (R18)
    rst_after_shutdown: bool = True  # Q5 default: TCP data after SD_RECEIVE resets the connection
    immediate_completion: bool = True  # R28: complete at once when satisfiable
    skip_completion_port_on_success: bool = False  # R30 FILE_SKIP_COMPLETION_PORT_ON_SUCCESS
    hold_until_push: bool = False  # R14 optional mode: hold partial fills until PSH or full
    max_outstanding: int | None = None  # R35: "too many outstanding" limit; None = unlimited
    rcvtimeo_ms: int | None = None  # SO_RCVTIMEO (R7), blocking non-overlapped calls only


@dataclass(frozen=True, slots=True)
class RecvCall:
    """One WSARecv: the WSABUF lengths (captured at call time, R37) and lpFlags in."""

    buffers: tuple[int, ...]
    flags: RecvFlags = RecvFlags.NONE
    mode: Mode | None = None  # per-call override of SocketConfig.mode (scenario 17: FIONBIO + overlapped)

    @property
    def capacity(self) -> int:
        return sum(self.buffers)


def _typed_equality(cls):
    """Make a NamedTuple equal only to the same class with the same fields (a plain NamedTuple
    equals any tuple with the same values, so StreamBytes(b"a") would equal Message(b"a", False))."""

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__ and tuple.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not __eq__(self, other)

    def __hash__(self) -> int:
        return hash((cls.__name__, *self))

    cls.__eq__, cls.__ne__, cls.__hash__ = __eq__, __ne__, __hash__
    return cls


# ---- arrivals: what the peer / network makes available to the socket ---------------------------

# StreamBytes and Message are NamedTuples with _typed_equality: replay builds one per packet, and a
# frozen dataclass costs several times as much to build.


@_typed_equality
class StreamBytes(NamedTuple):
    data: bytes
    push: bool = False


@dataclass(frozen=True, slots=True)
class UrgentByte:
    """The OOB byte (R39-R42); its position in the stream is where it arrives."""

    byte: int


@dataclass(frozen=True, slots=True)
class CaptureGap:
    """Stream bytes the receiver got but the capture does not hold: queued like data, at their
    stream position, and reported as unknown bytes by the receives that read them."""

    length: int


@_typed_equality
class Message(NamedTuple):
    """A datagram (UDP) or a message of a message-oriented provider, with its source address."""

    data: bytes
    source: str | None = None
    wire_length: int | None = None  # when the capture cut the datagram (snaplen), its real length


@dataclass(frozen=True, slots=True)
class Fin:
    pass


@dataclass(frozen=True, slots=True)
class Reset:
    pass


@dataclass(frozen=True, slots=True)
class Discon:
    """Message-oriented graceful disconnect (R27)."""


@dataclass(frozen=True, slots=True)
class IcmpError:
    kind: IcmpKind


@dataclass(frozen=True, slots=True)
class Burst:
    """Stream arrivals the stack got at one instant, queued together before any receive is
    satisfied: a hole filled (or declared a capture gap) releases the data held behind it at once,
    so a receive sees all of it coalesced (R9), not the first piece alone."""

    arrivals: tuple[StreamBytes | CaptureGap, ...]


Arrival = StreamBytes | UrgentByte | CaptureGap | Message | Fin | Reset | Discon | IcmpError | Burst


# ---- outcomes --------------------------------------------------------------------------------


# The outcomes are NamedTuples, not frozen dataclasses: replay makes one or two per arrival, and a
# 16-field frozen dataclass costs ~1.9 us to build (object.__setattr__ per field), a NamedTuple
# built with tuple.__new__ ~0.15 us. They are just as immutable and read the same.


@_typed_equality
class RecvResult(NamedTuple):
    """What one WSARecv call returned at once.

    bytes is *lpNumberOfBytesRecvd, None when the call left it untouched (R6, R29); flags_out is
    *lpFlags out, None when untouched. data holds what was placed in each WSABUF (one entry per
    WSABUF, b"" for untouched ones). lost counts bytes discarded by this call (truncated datagram
    tail, R17) or by the event it reports (unread data dropped by RST, R24). delivery is set for an
    overlapped call that completed at once. notes carry diagnostics (e.g. R36 "doc-invalid").
    """

    n: int
    t_ns: int
    call: RecvCall
    status: Status
    ret: int
    error: WsaError | None
    bytes: int | None
    data: tuple[bytes, ...]
    flags_out: RecvFlags | None
    lost: int
    event: Event
    rules: tuple[str, ...]
    delivery: Delivery | None = None
    gap: int = 0  # bytes counted as transferred whose content the capture lacks (capture gap, snaplen)
    notes: tuple[str, ...] = ()
    reason: str = ""  # one line for --explain
    unknown: tuple[tuple[int, int], ...] = ()  # [start, stop) in the call's data of capture-gap bytes

    @property
    def filled(self) -> tuple[int, ...]:
        return tuple(len(chunk) for chunk in self.data)


@_typed_equality
class Completion(NamedTuple):
    """The later result of call `n` (a pending overlapped receive, or a blocking call returning).

    error is the WSAGetOverlappedResult / completion-routine code (None on success); win32_error
    what kernel32 GetOverlappedResult / GetQueuedCompletionStatus would report; status the
    OVERLAPPED.Internal NTSTATUS.
    """

    n: int
    t_ns: int
    call: RecvCall
    error: WsaError | None
    bytes: int
    data: tuple[bytes, ...]
    flags_out: RecvFlags
    lost: int
    event: Event
    delivery: Delivery
    rules: tuple[str, ...]
    status: NtStatus = NtStatus.SUCCESS
    win32_error: Win32Error = Win32Error.ERROR_SUCCESS
    gap: int = 0
    notes: tuple[str, ...] = ()
    reason: str = ""
    unknown: tuple[tuple[int, int], ...] = ()

    @property
    def filled(self) -> tuple[int, ...]:
        return tuple(len(chunk) for chunk in self.data)


Outcome = RecvResult | Completion


@dataclass(frozen=True, slots=True)
class ActionResult:
    """shutdown / close / cancel / an alertable wait: completions it released and what it did."""

    completions: tuple[Completion, ...] = ()
    rules: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())
    error: WsaError | None = None  # added: the call itself failed (e.g. closesocket twice -> WSAENOTSOCK)
    lost: int = 0  # added: queued bytes this action discarded (Q5 RST after SD_RECEIVE)
