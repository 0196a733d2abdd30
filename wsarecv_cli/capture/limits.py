"""What decoding is allowed to hold and check: CaptureLimits and ChecksumPolicy, the option
defaults every command builds at start-up (kept apart from the decoders they configure, so
`wsarecv simulate`, which reads no capture, does not import them)."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ChecksumPolicy(enum.Enum):
    IGNORE = "ignore"  # as Wireshark's default: never look
    VERIFY = "verify"  # drop frames with a wrong checksum; count offload artefacts apart


@dataclass(frozen=True, slots=True)
class CaptureLimits:
    """Bounds on what decoding may hold in memory (defaults suit captures of any size), and
    whether TCP/UDP checksums are verified (capture/checksums.py)."""

    fragment_bytes: int = 64 << 20  # bytes held in incomplete fragment sets, all together
    fragment_sets: int = 10_000  # incomplete fragment sets held at once
    fragment_timeout_ns: int = 30_000_000_000  # capture time after a set's first fragment
    checksums: ChecksumPolicy = ChecksumPolicy.IGNORE
