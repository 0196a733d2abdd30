"""Findings during `wsarecv replay` (and `check`): the detectors fed the replay's records.

`ReplayFindings` owns one FindingDetector for a capture, counts findings per code (what
`--fail-on` / `--strict` decide on) and per receiver (the summary panel's line), and adds the
capture-wide ones at the end (WR202: limits hit, damage, frames cut by the snaplen).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from rich.text import Text

from wsarecv_cli.diagnose import Finding, FindingDetector
from wsarecv_cli.diagnose.codes import BY_KEY
from wsarecv_cli.render.records import Record, flag_names
from wsarecv_cli.replay.session import ReplayConfig, ReplaySession

FINDING_STYLE = "bold yellow"


@dataclass(slots=True)
class ReplayFindings:
    capture: str
    detector: FindingDetector
    enabled: bool = True  # False (replay --no-findings): feed finds nothing
    counts: Counter = field(default_factory=Counter)
    by_receiver: dict[tuple, Counter] = field(default_factory=dict)

    @classmethod
    def for_config(cls, capture: str, config: ReplayConfig, enabled: bool = True) -> ReplayFindings:
        return cls(capture, FindingDetector(frozenset(flag_names(config.flags) or ())), enabled)

    def feed(self, record: Record) -> list[Finding]:
        """The findings a record completes, placed in the capture and counted."""
        return self.placed(self.detector.feed(record)) if self.enabled else []

    def placed(self, found: list[Finding]) -> list[Finding]:
        """Findings of the detector, placed in the capture and counted."""
        if found:
            found = [finding.at(self.capture) for finding in found]
            for finding in found:
                self._count(finding)
        return found

    def capture_wide(self, session: ReplaySession) -> list[Finding]:
        """WR202 for every warning (limits hit, damage) and for frames cut by the snaplen."""
        if not self.enabled:
            return []
        found = [Finding("WR202", warning, capture=self.capture) for warning in session.warnings]
        truncated = getattr(session.stats, "truncated", 0)
        if truncated:
            found.append(Finding("WR202", f"{truncated} frame(s) cut by the snaplen", capture=self.capture,
                                 length=truncated))
        for finding in found:
            self._count(finding)
        return found

    def _count(self, finding: Finding) -> None:
        self.counts[finding.code] += 1
        key = (finding.flow, finding.receiver)
        self.by_receiver.setdefault(key, Counter())[finding.code] += 1

    def receiver_counts(self, flow: str | None, receiver: str | None) -> list[tuple[str, int]]:
        """(label, count) per code for the summary panel, in code order."""
        counts = self.by_receiver.get((flow, receiver), Counter())
        return [(BY_KEY[code.lower()].label, counts[code]) for code in sorted(counts)]


def finding_line(finding: Finding) -> Text:
    """The line under a call in the table: `↳ WR103 msgsize-lost: WSAEMSGSIZE: ...`."""
    return Text(f"{'':>6}↳ {finding.code} {finding.info.name}: {finding.text}", style=FINDING_STYLE)

