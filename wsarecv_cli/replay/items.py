"""What a replay session is told (ReplayConfig, ReceiverChoice) and what it yields (ReplayItem:
a receiver's start, each model outcome, capture gaps, notices, its end) — the vocabulary shared by
replay/session.py, the renderers and the CLI, apart from the session's machinery."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import NamedTuple

from wsarecv_cli.capture import CaptureLimits
from wsarecv_cli.model.types import Mode, Platform, Protocol, RecvFlags
from wsarecv_cli.net import Endpoint, FlowId, FlowSelector
from wsarecv_cli.reassembly.events import GapEvidence, GapReason
from wsarecv_cli.reassembly.stats import ReassemblyLimits
from wsarecv_cli.replay.driver import Outcome
from wsarecv_cli.replay.framing import CallFraming, FramingFindings, FramingSpec
from wsarecv_cli.replay.notices import ReceiverNotice
from wsarecv_cli.replay.schedule import ScheduleSpec


class ReceiverRole(enum.Enum):
    CLIENT = "client"
    SERVER = "server"
    BOTH = "both"
    ENDPOINT = "endpoint"


@dataclass(frozen=True, slots=True)
class ReceiverChoice:
    """--receiver: client (the initiator, or inferred from the ports without a SYN), server, both,
    or one ADDR:PORT."""

    role: ReceiverRole = ReceiverRole.BOTH
    endpoint: Endpoint | None = None

    @property
    def text(self) -> str:
        return str(self.endpoint) if self.role is ReceiverRole.ENDPOINT else self.role.value

    @classmethod
    def parse(cls, text: str) -> ReceiverChoice:
        value = text.strip().lower()
        for role in (ReceiverRole.CLIENT, ReceiverRole.SERVER, ReceiverRole.BOTH):
            if value == role.value:
                return cls(role)
        return cls(ReceiverRole.ENDPOINT, Endpoint.parse(text))

    def accepts(self, receiver: Endpoint, client: Endpoint | None) -> bool:
        """`client`: the flow's initiator, or the client inferred from its ports (roles.py)."""
        if self.role is ReceiverRole.BOTH:
            return True
        if self.role is ReceiverRole.ENDPOINT:
            return receiver == self.endpoint
        is_client = client is not None and receiver == client
        return is_client if self.role is ReceiverRole.CLIENT else not is_client


@dataclass(frozen=True, slots=True)
class ReplayConfig:
    """Everything `wsarecv replay` lets a user choose."""

    buffers: tuple[int, ...] = (4096,)
    flags: RecvFlags = RecvFlags.NONE
    mode: Mode = Mode.BLOCKING
    outstanding: int = 1
    platform: Platform = Platform.DESKTOP
    protocol: Protocol | None = None  # None: tcp for TCP flows, udp for UDP flows
    oobinline: bool = False
    expedited_1122: bool = False
    connected_peer: str | None = None
    keep_on_reset: bool = False
    schedule: ScheduleSpec = ScheduleSpec.parse("eager")
    framing: FramingSpec | None = None
    receiver: ReceiverChoice = ReceiverChoice()
    selectors: tuple[FlowSelector, ...] = ()
    capture_limits: CaptureLimits = CaptureLimits()
    reassembly_limits: ReassemblyLimits = ReassemblyLimits()
    max_message_bytes: int = 16 * 1024 * 1024  # a --framing message held whole (message-oriented on TCP)
    max_gap_bytes: int = 16 * 1024 * 1024  # longer capture gaps are not replayed as unknown bytes


class ReceiverKey:
    """A receiver: one endpoint of one flow. Immutable; its hash is computed once (items are
    looked up by key for every call, and FlowId/Endpoint hash in Python)."""

    __slots__ = ("_hash", "flow", "receiver")
    flow: FlowId
    receiver: Endpoint

    def __init__(self, flow: FlowId, receiver: Endpoint) -> None:
        object.__setattr__(self, "flow", flow)
        object.__setattr__(self, "receiver", receiver)
        object.__setattr__(self, "_hash", hash((flow, receiver)))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"ReceiverKey is immutable: cannot set {name!r}")

    def __reduce__(self) -> tuple:
        return ReceiverKey, (self.flow, self.receiver)  # pickled (a parked receiver): made anew, hash and all

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ReceiverKey):
            return NotImplemented
        return self is other or (self.flow == other.flow and self.receiver == other.receiver)

    def __repr__(self) -> str:
        return f"ReceiverKey(flow={self.flow!r}, receiver={self.receiver!r})"


@dataclass(frozen=True, slots=True)
class ReceiverStart:
    """A new receiver section: who receives from whom, and how it was configured."""

    key: ReceiverKey
    peer: Endpoint
    protocol: Protocol
    platform: Platform
    mode: Mode
    schedule: ScheduleSpec
    buffers: tuple[int, ...]
    role: str = ""  # "client" | "server" ("" for scenarios)
    roles_inferred: bool = False  # no SYN in the capture: the role comes from the ports (roles.py)


class ReceiverOutcome(NamedTuple):
    """One model outcome of a receiver (a NamedTuple: there is one per call and completion)."""

    key: ReceiverKey
    outcome: Outcome
    framing: CallFraming | None = None


@dataclass(frozen=True, slots=True)
class ReceiverGap:
    """A capture gap in a receiver's stream: `length` bytes at stream `offset` that the receiver got
    but the capture lacks, declared at `t_ns` (see GapEvidence). The bytes follow as unknown data
    in the calls that read them (message-oriented receivers lose them, like a lost datagram)."""

    key: ReceiverKey
    offset: int
    length: int
    t_ns: int
    reason: GapReason
    evidence: GapEvidence
    frames: tuple[int, ...]
    replayed: bool = True  # False: longer than --max-gap-bytes, skipped (the calls after it may differ)


@dataclass(frozen=True, slots=True)
class ReceiverEnd:
    key: ReceiverKey
    framing: FramingFindings | None
    idle_polls: int
    open_calls: int  # calls still pending / waiting when the capture ended


@dataclass(frozen=True, slots=True)
class ReceiverQuiet:
    """The receiver's UDP flow went quiet and the receiver was set aside (replay/parked.py): no item
    of it comes until its flow speaks again or the capture ends, so a consumer may set its own
    state for it aside too (cli/replay_ndjson.py does); one that ignores this item loses nothing."""

    key: ReceiverKey


ReplayItem = ReceiverStart | ReceiverOutcome | ReceiverGap | ReceiverEnd | ReceiverNotice | ReceiverQuiet
