"""Protocol provider profiles (R15, R19) and platform differences (R13, R47-R49), as data.

A profile is the set of WSAPROTOCOL_INFO service flags the model needs. `profile_for` applies the
platform: the CE default provider has no MSG_PARTIAL (R19, R49), so `partial-msg` on wince loses
XP1_PARTIAL_MESSAGE and truncates like an unreliable provider (model choice, stated in notes).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace

from wsarecv_cli.model.types import Platform, Protocol, RecvFlags


class XP1(enum.IntFlag):
    """WSAPROTOCOL_INFO.dwServiceFlags1 bits (winsock2.h values)."""

    CONNECTIONLESS = 0x1
    GUARANTEED_DELIVERY = 0x2
    GUARANTEED_ORDER = 0x4
    MESSAGE_ORIENTED = 0x8
    PSEUDO_STREAM = 0x10
    GRACEFUL_CLOSE = 0x20
    EXPEDITED_DATA = 0x40
    PARTIAL_MESSAGE = 0x40000


@dataclass(frozen=True, slots=True)
class Profile:
    protocol: Protocol
    xp1: XP1
    like: str  # the stock provider it imitates (R19 catalog)
    # The service flags as plain booleans, derived from xp1 once: the model asks on every call and
    # arrival, and an IntFlag `in` test is Python code.
    message_oriented: bool = field(init=False, repr=False, compare=False)
    pseudo_stream: bool = field(init=False, repr=False, compare=False)
    partial_message: bool = field(init=False, repr=False, compare=False)
    graceful_close: bool = field(init=False, repr=False, compare=False)
    connection_oriented: bool = field(init=False, repr=False, compare=False)
    reliable: bool = field(init=False, repr=False, compare=False)
    expedited: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        xp1 = self.xp1
        for name, value in (
            ("message_oriented", XP1.MESSAGE_ORIENTED in xp1),
            ("pseudo_stream", XP1.PSEUDO_STREAM in xp1),
            ("partial_message", XP1.PARTIAL_MESSAGE in xp1),
            ("graceful_close", XP1.GRACEFUL_CLOSE in xp1),
            ("connection_oriented", XP1.CONNECTIONLESS not in xp1),
            ("reliable", XP1.GUARANTEED_DELIVERY in xp1),
            ("expedited", XP1.EXPEDITED_DATA in xp1),
        ):
            object.__setattr__(self, name, value)


PROFILES: dict[Protocol, Profile] = {
    Protocol.TCP: Profile(Protocol.TCP, XP1.EXPEDITED_DATA | XP1.GRACEFUL_CLOSE | XP1.GUARANTEED_ORDER
                          | XP1.GUARANTEED_DELIVERY, "MSAFD Tcpip [TCP/IP]"),
    Protocol.UDP: Profile(Protocol.UDP, XP1.MESSAGE_ORIENTED | XP1.CONNECTIONLESS, "MSAFD Tcpip [UDP/IP]"),
    # SPX II with pseudo-stream off, as section 6 describes the profile
    Protocol.RELIABLE_MSG: Profile(Protocol.RELIABLE_MSG, XP1.MESSAGE_ORIENTED | XP1.GRACEFUL_CLOSE
                                   | XP1.GUARANTEED_ORDER | XP1.GUARANTEED_DELIVERY, "SPX II (SOCK_SEQPACKET)"),
    Protocol.PARTIAL_MSG: Profile(Protocol.PARTIAL_MSG, XP1.PARTIAL_MESSAGE | XP1.MESSAGE_ORIENTED
                                  | XP1.CONNECTIONLESS, "IPX"),
}


def profile_for(protocol: Protocol, platform: Platform) -> Profile:
    """The profile as the platform offers it (R19/R49: no MSG_PARTIAL on CE)."""
    base = PROFILES[protocol]
    if platform is Platform.WINCE and base.partial_message:
        return replace(base, xp1=base.xp1 & ~XP1.PARTIAL_MESSAGE)
    return base


class RecvMode(enum.Enum):
    BYTE_STREAM = "byte stream"
    MESSAGE = "message oriented"


def r15_mode(profile: Profile, flags: RecvFlags) -> RecvMode:
    """The R15 table, literally: how a call with these input flags reads this provider."""
    if not profile.message_oriented or profile.pseudo_stream:
        return RecvMode.BYTE_STREAM
    if RecvFlags.MSG_PARTIAL in flags:
        return RecvMode.BYTE_STREAM
    return RecvMode.MESSAGE


def effective_mode(profile: Profile, flags: RecvFlags) -> tuple[RecvMode, str | None]:
    """R15 as the model applies it, with a note when it departs from the literal table.

    A provider without XP1_PARTIAL_MESSAGE (UDP, reliable-msg, CE) cannot hand out part of a
    message (R17, R19), so MSG_PARTIAL on input is ignored there and the call stays
    message-oriented (model choice).
    """
    mode = r15_mode(profile, flags)
    if mode is RecvMode.BYTE_STREAM and profile.message_oriented and not profile.pseudo_stream \
            and not profile.partial_message:
        return RecvMode.MESSAGE, ("MSG_PARTIAL on input ignored: the provider lacks XP1_PARTIAL_MESSAGE "
                                  "(R15 table vs R17/R19; model choice)")
    return mode, None


def supports_waitall(platform: Platform) -> bool:
    """CE documents no MSG_WAITALL; the CE mode rejects it (R13 assumption, R49)."""
    return platform is Platform.DESKTOP


# Windows CE differences the socket applies (R47-R49), named for `rules`/--explain.
CE_DIFFERENCES: tuple[tuple[str, str], ...] = (
    ("R47", "an immediate overlapped completion does not signal its event"),
    ("R48", "a completion routine runs on a thread of its own, without an alertable wait"),
    ("R49", "no MSG_PARTIAL from the default provider; MSG_WAITALL rejected (R13); "
            "MSG_PEEK documented for non-overlapped sockets only; WSAETIMEDOUT not listed"),
)
