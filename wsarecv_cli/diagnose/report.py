"""Findings gathered per capture and receiver: counts per code, the fail-on verdict, JUnit XML.

Memory stays bounded on big captures: counts are kept for everything, finding lines only for the
first KEEP_LINES of each receiver (JUnit shows those and says how many more there were).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field

from wsarecv_cli.diagnose.codes import BY_KEY
from wsarecv_cli.diagnose.finding import Finding

KEEP_LINES = 200
CAPTURE_CASE = "capture"  # the test case of capture-wide findings (and of a capture with no receiver)


@dataclass(slots=True)
class CaseResult:
    """One JUnit test case: a receiver of a capture, or the capture itself."""

    name: str
    counts: Counter = field(default_factory=Counter)
    lines: list[str] = field(default_factory=list)

    def add(self, finding: Finding) -> None:
        self.counts[finding.code] += 1
        if len(self.lines) < KEEP_LINES:
            self.lines.append(finding.line())

    def failing(self, fail_on: frozenset[str]) -> Counter:
        return Counter({code: n for code, n in self.counts.items() if code in fail_on})

    @property
    def more(self) -> int:
        return sum(self.counts.values()) - len(self.lines)


@dataclass(slots=True)
class CaptureResult:
    path: str
    error: str = ""  # the capture could not be read or replayed (a JUnit <error>)
    cases: dict[str, CaseResult] = field(default_factory=dict)

    def receiver(self, flow: str | None, receiver: str | None) -> CaseResult:
        name = f"{flow} {receiver}" if flow or receiver else CAPTURE_CASE
        case = self.cases.get(name)
        if case is None:
            case = self.cases[name] = CaseResult(name)
        return case

    def add(self, finding: Finding) -> None:
        self.receiver(finding.flow, finding.receiver).add(finding)

    @property
    def counts(self) -> Counter:
        total: Counter = Counter()
        for case in self.cases.values():
            total.update(case.counts)
        return total

    @property
    def receivers(self) -> int:
        return sum(1 for name in self.cases if name != CAPTURE_CASE)

    def record(self) -> dict:
        """The `check` record that ends a capture's findings in --ndjson."""
        rec = {"type": "check", "capture": self.path, "receivers": self.receivers,
               "counts": dict(sorted(self.counts.items()))}
        if self.error:
            rec["error"] = self.error
        return rec

    def test_cases(self) -> list[CaseResult]:
        """Every receiver, and the capture's own case when it has findings or no receiver at all."""
        cases = list(self.cases.values())
        return cases or [CaseResult(CAPTURE_CASE)]


def count_lines(counts: Counter) -> list[str]:
    """`WR101 split-message  5` per code, in code order."""
    width = max((len(BY_KEY[code.lower()].label) for code in counts), default=0)
    return [f"{BY_KEY[code.lower()].label:<{width}}  {counts[code]}" for code in sorted(counts)]


def junit_xml(results: list[CaptureResult], fail_on: frozenset[str]) -> str:
    """JUnit XML: a testsuite per capture, a testcase per receiver; a case fails when it has a
    finding whose code is in `fail_on` (other findings are listed in its system-out)."""
    suites = ET.Element("testsuites", name="wsarecv check")
    all_tests = all_failures = all_errors = 0
    for result in results:
        cases = list(result.cases.values()) if result.error else result.test_cases()
        failures = sum(1 for case in cases if case.failing(fail_on))
        errors = 1 if result.error else 0
        suite = ET.SubElement(suites, "testsuite", name=result.path, tests=str(len(cases) + errors),
                              failures=str(failures), errors=str(errors), skipped="0")
        if result.error:  # the capture could not be checked (to its end)
            case = ET.SubElement(suite, "testcase", classname=result.path, name=CAPTURE_CASE)
            ET.SubElement(case, "error", message=result.error, type="input")
        for case in cases:
            element = ET.SubElement(suite, "testcase", classname=result.path, name=case.name)
            failing = case.failing(fail_on)
            text = "\n".join(case.lines + ([f"... and {case.more} more"] if case.more else []))
            if failing:
                summary = ", ".join(f"{n} x {code} {BY_KEY[code.lower()].name}" for code, n in sorted(failing.items()))
                failure = ET.SubElement(element, "failure", message=summary, type=min(failing))
                failure.text = text
            elif text:
                ET.SubElement(element, "system-out").text = text
        all_tests += len(cases) + errors
        all_failures += failures
        all_errors += errors
    suites.set("tests", str(all_tests))
    suites.set("failures", str(all_failures))
    suites.set("errors", str(all_errors))
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
