"""`wsarecv check` on the public corpus (../shared/captures) against what tshark and the reassembly
say independently: one WSAEMSGSIZE finding per datagram larger than the buffers, zero windows and
urgent data only where tshark saw them. Skipped when the corpus is absent."""

from __future__ import annotations

import functools
import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import corpus_params, reference_for
from wsarecv_cli.capture import read_packets
from wsarecv_cli.cli.main import cli
from wsarecv_cli.errors import WsarecvError
from wsarecv_cli.reassembly.events import Datagram
from wsarecv_cli.reassembly.flows import FlowTracker

BUFFER = 512


@functools.lru_cache(maxsize=None)
def check_counts(capture: Path) -> Counter | None:
    """Finding codes of `check --buffers 512`; None when the capture cannot be read at all."""
    result = CliRunner().invoke(cli, ["check", str(capture), "--buffers", str(BUFFER), "--ndjson"])
    assert result.exit_code in (0, 1), result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    (summary,) = [r for r in records if r["type"] == "check"]
    return None if "error" in summary else Counter(summary["counts"])


def datagrams_larger_than_the_buffer(capture: Path) -> int:
    tracker = FlowTracker(summaries=False)
    count = 0
    with read_packets(str(capture)) as packets:
        events = [event for packet in packets for event in tracker.feed(packet)] + tracker.finish()
    for flow_event in events:
        event = flow_event.event
        if isinstance(event, Datagram) and max(event.wire_length, len(event.data)) > BUFFER:
            count += 1
    return count


@pytest.mark.parametrize("capture", corpus_params())
def test_one_msgsize_finding_per_datagram_larger_than_the_buffers(capture: Path) -> None:
    counts = check_counts(capture)
    if counts is None:
        pytest.skip("unreadable capture: reported as an input problem")
    try:
        expected = datagrams_larger_than_the_buffer(capture)
    except WsarecvError:
        pytest.skip("the capture is damaged before its end")
    assert counts["WR103"] == expected


@pytest.mark.parametrize("capture", corpus_params())
def test_zero_windows_and_urgent_data_only_where_tshark_saw_them(capture: Path) -> None:
    counts = check_counts(capture)
    if counts is None:
        pytest.skip("unreadable capture")
    features = reference_for(capture).get("features") or {}
    zero_windows = features.get("tcp_zero_window") or 0
    assert (counts["WR108"] > 0) == (zero_windows > 0)
    assert counts["WR108"] <= zero_windows  # one finding per closed period, tshark counts packets
    if not features.get("tcp_urg_packets"):
        assert counts["WR106"] == 0
