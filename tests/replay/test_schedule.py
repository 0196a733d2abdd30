from __future__ import annotations

import pytest

from wsarecv_cli.replay.schedule import ScheduleKind, ScheduleSpec


@pytest.mark.parametrize(
    "text, kind, interval_ns, seed, shown",
    [
        ("eager", ScheduleKind.EAGER, 0, 0, "eager"),
        ("drain", ScheduleKind.DRAIN, 0, 0, "drain"),
        ("bytewise", ScheduleKind.BYTEWISE, 0, 0, "bytewise"),
        ("interval:10ms", ScheduleKind.INTERVAL, 10_000_000, 0, "interval:10ms"),
        ("interval:1.5s", ScheduleKind.INTERVAL, 1_500_000_000, 0, "interval:1500ms"),
        ("interval:250us", ScheduleKind.INTERVAL, 250_000, 0, "interval:250us"),
        ("random:42", ScheduleKind.RANDOM, 0, 42, "random:42"),
    ],
    ids=lambda v: str(v) if isinstance(v, str) else None,
)
def test_schedule_specs_parse_and_print_back(text, kind, interval_ns, seed, shown) -> None:
    spec = ScheduleSpec.parse(text)
    assert (spec.kind, spec.interval_ns, spec.seed, str(spec)) == (kind, interval_ns, seed, shown)


def test_script_schedule_keeps_the_file_name() -> None:
    spec = ScheduleSpec.parse("script:steps.toml")
    assert spec.kind is ScheduleKind.SCRIPT and spec.script == "steps.toml"


@pytest.mark.parametrize("text", ["", "fast", "interval:0ms", "interval:10", "random:x", "script:"])
def test_bad_schedules_name_the_accepted_forms(text: str) -> None:
    with pytest.raises(ValueError, match="eager, drain, interval"):
        ScheduleSpec.parse(text)
