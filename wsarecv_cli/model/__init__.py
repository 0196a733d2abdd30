"""The WSARecv semantic model: a pure, I/O-free state machine of one receiving Windows socket.

Public API: `Socket` (socket.py), the value types (types.py), the rules/error table/decisions as
data (rules.py) and the provider profiles (provider.py). Nothing here does I/O or reads a clock.
"""

from wsarecv_cli.model.provider import PROFILES, Profile, RecvMode, effective_mode, profile_for, r15_mode
from wsarecv_cli.model.rules import (
    DECISIONS, ERROR_TABLE, MODE_TABLE, RULES, Decision, ErrorRow, ModeRow, Rule, decision, rule,
)
from wsarecv_cli.model.socket import Socket, SocketStats
from wsarecv_cli.model.types import (
    ActionResult, Arrival, CaptureGap, Completion, Delivery, Discon, Event, Fin, IcmpError, IcmpKind,
    Message, Mode, NtStatus, Outcome, Platform, Protocol, RecvCall, RecvFlags, RecvResult, Reset, Shutdown,
    SocketConfig, Status, StreamBytes, UrgentByte, Win32Error, WsaError,
)

__all__ = [
    "ActionResult", "Arrival", "CaptureGap", "Completion", "DECISIONS", "Decision", "Delivery", "Discon",
    "ERROR_TABLE", "ErrorRow", "Event", "Fin", "IcmpError", "IcmpKind", "MODE_TABLE", "Message", "Mode",
    "ModeRow", "NtStatus", "Outcome", "PROFILES", "Platform", "Profile", "Protocol", "RULES", "RecvCall",
    "RecvFlags", "RecvMode", "RecvResult", "Reset", "Rule", "Shutdown", "Socket", "SocketConfig",
    "SocketStats", "Status", "StreamBytes", "UrgentByte", "Win32Error", "WsaError", "decision",
    "effective_mode", "profile_for", "r15_mode", "rule",
]
