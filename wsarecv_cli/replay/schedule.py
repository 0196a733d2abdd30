"""When the receiving application calls WSARecv, relative to the arrivals in the capture.

eager        a receive is always posted (a fast reader; default)
drain        read only after everything arrived (maximum coalescing)
interval:T   a poller calling every T (e.g. 10ms, 0.5s); non-blocking polls that find nothing
             show WSAEWOULDBLOCK (R7)
bytewise     the legal worst case: every call gets one byte (R9: one queued byte satisfies a call)
random:SEED  legal random chunking and reader delays, reproducible from SEED
script:FILE  the recv/shutdown/close steps of a scenario file (DESIGN.md "Scenario files")
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass


class ScheduleKind(enum.Enum):
    EAGER = "eager"
    DRAIN = "drain"
    INTERVAL = "interval"
    BYTEWISE = "bytewise"
    RANDOM = "random"
    SCRIPT = "script"


_UNITS_NS = {"ns": 1, "us": 1_000, "ms": 1_000_000, "s": 1_000_000_000}


def duration_ns(text: str, bare_unit: str | None = None) -> int | None:
    """'10ms', '0.5s', '250us', '7ns' -> nanoseconds; a bare number counts in `bare_unit` when
    one is given. None when `text` is no such duration."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(ns|us|ms|s)?", text)
    if match is None or (match.group(2) is None and bare_unit is None):
        return None
    return round(float(match.group(1)) * _UNITS_NS[match.group(2) or bare_unit])


@dataclass(frozen=True, slots=True)
class ScheduleSpec:
    kind: ScheduleKind
    interval_ns: int = 0
    seed: int = 0
    script: str = ""

    def __str__(self) -> str:
        if self.kind is ScheduleKind.INTERVAL:
            return f"interval:{_format_duration(self.interval_ns)}"
        if self.kind is ScheduleKind.RANDOM:
            return f"random:{self.seed}"
        if self.kind is ScheduleKind.SCRIPT:
            return f"script:{self.script}"
        return self.kind.value

    @classmethod
    def parse(cls, text: str) -> ScheduleSpec:
        """Parse a --schedule value; ValueError says what is accepted."""
        value = text.strip()
        for kind in (ScheduleKind.EAGER, ScheduleKind.DRAIN, ScheduleKind.BYTEWISE):
            if value == kind.value:
                return cls(kind)
        interval = duration_ns(value[len("interval:"):]) if value.startswith("interval:") else None
        if interval:
            return cls(ScheduleKind.INTERVAL, interval_ns=interval)
        match = re.fullmatch(r"random:(\d+)", value)
        if match:
            return cls(ScheduleKind.RANDOM, seed=int(match.group(1)))
        if value.startswith("script:") and len(value) > len("script:"):
            return cls(ScheduleKind.SCRIPT, script=value[len("script:"):])
        raise ValueError(
            f"{text!r} is not a schedule: use eager, drain, interval:10ms, bytewise, random:SEED or script:FILE")


def _format_duration(ns: int) -> str:
    for unit in ("s", "ms", "us"):
        if ns % _UNITS_NS[unit] == 0:
            return f"{ns // _UNITS_NS[unit]}{unit}"
    return f"{ns}ns"
