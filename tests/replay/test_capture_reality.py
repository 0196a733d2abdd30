"""Issue #13 shown on captures derived from one whose application receives are known
(samples/derive_captures.py): frames lost at the tap, a one-way capture, the handshake cut off,
every frame logged twice, TSO super-segments. The replay of the complete capture is the truth;
each derived capture must replay the same outside what it destroyed, and say what it did."""

from __future__ import annotations

import importlib.util
import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from wsarecv_cli.cli.main import cli
from wsarecv_cli.reassembly import ReassemblyLimits
from wsarecv_cli.replay.session import (
    ReceiverChoice,
    ReceiverGap,
    ReceiverOutcome,
    ReceiverStart,
    ReplayConfig,
    ReplaySession,
)

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
CLIENT = "10.0.0.1:51000"


def _derive_module():
    spec = importlib.util.spec_from_file_location("derive_captures", SAMPLES / "derive_captures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


derive = _derive_module()


@pytest.fixture(scope="module")
def captures(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("reality")
    return {name: derive.write_timed(out / f"{name}.pcap", make(derive.conversation()))
            for name, make in derive.DERIVED.items()}


def replay_client(path: Path, **limits) -> tuple[list[tuple[int, int, int]], list[ReceiverGap], ReceiverStart]:
    """(completion time, bytes, unknown bytes) of every data-carrying result of the client
    receiver, its gap items and its start item."""
    config = ReplayConfig(buffers=(1500,), receiver=ReceiverChoice.parse("client"),
                          reassembly_limits=replace(ReassemblyLimits(), **limits))
    calls, gaps, start = [], [], None
    for item in ReplaySession(str(path), config):
        if isinstance(item, ReceiverStart):
            start = item
        elif isinstance(item, ReceiverGap):
            gaps.append(item)
        elif isinstance(item, ReceiverOutcome) and item.outcome.data and any(item.outcome.data):
            outcome = item.outcome
            calls.append((outcome.t_ns, sum(len(c) for c in outcome.data), outcome.gap))
    return calls, gaps, start


def test_lost_frames_replay_as_complete_outside_the_gap(captures):
    truth, _, _ = replay_client(captures["complete"])
    calls, gaps, _ = replay_client(captures["lost"])
    (gap,) = gaps
    assert (gap.offset, gap.length, gap.reason.value, gap.evidence.value) == (3000, 2000, "not-captured", "ack")
    # the application got every byte: the same total, 2000 of them unknown, at their stream position
    assert sum(b for _, b, _ in calls) == sum(b for _, b, _ in truth)
    assert sum(u for _, _, u in calls) == 2000
    before = [c for c in truth if c[0] < gap.t_ns - 5_000_000]
    assert calls[:len(before)] == before
    # after the call that read the gap and the data released with it, call by call the same again
    after = [c for c in truth if c[0] > gap.t_ns + 1_000_000]
    assert calls[-len(after):] == after and after


def test_lost_frames_data_behind_the_gap_keeps_its_time_not_the_flows_end(captures):
    calls, (gap,), _ = replay_client(captures["lost"])
    last_packet = max(t for t, _, _ in calls)
    assert gap.t_ns < last_packet - 50_000_000  # declared at the client's ACK, 12 ms in, not at the end
    reading_gap = [c for c in calls if c[2]]
    assert reading_gap and all(t == gap.t_ns for t, _, _ in reading_gap)


def test_one_way_capture_declares_the_hole_after_gap_wait(captures):
    calls, (gap,), _ = replay_client(captures["one_way_lost"], gap_wait_ns=5_000_000)
    assert (gap.length, gap.evidence.value) == (1000, "gap-wait")
    truth, _, _ = replay_client(captures["complete"])
    assert sum(b for _, b, _ in calls) == sum(b for _, b, _ in truth)
    # default --gap-wait (1 s) is longer than this 93 ms capture: the hole waits for its end
    _, (late,), _ = replay_client(captures["one_way_lost"])
    assert late.evidence.value == "end-of-capture" and late.t_ns > gap.t_ns


def test_handshake_cut_off_keeps_the_roles_and_the_calls(captures):
    truth, _, truth_start = replay_client(captures["complete"])
    calls, gaps, start = replay_client(captures["midstream"])
    assert (str(start.key.receiver), start.role, start.roles_inferred) == (CLIENT, "client", True)
    assert (truth_start.role, truth_start.roles_inferred) == ("client", False)
    assert not gaps and calls == truth


def test_every_frame_duplicated_replays_identically(captures):
    truth, _, _ = replay_client(captures["complete"])
    calls, gaps, _ = replay_client(captures["duplicated"])
    assert not gaps and calls == truth
    run = CliRunner().invoke(cli, ["flows", "--json", str(captures["duplicated"])])
    server_to_client = json.loads(run.stdout)["flows"][0]["b_to_a"]["anomalies"]
    data_frames = len(derive.server_data_indexes(derive.conversation()))
    assert (server_to_client["duplicates"], server_to_client["retransmitted"]) == (data_frames, 0)


def test_super_segments_split_back_to_the_mss(captures):
    truth, _, _ = replay_client(captures["complete"])
    merged, _, _ = replay_client(captures["super_segments"])
    split, _, _ = replay_client(captures["super_segments"], resegment=True)
    assert [b for _, b, _ in split] == [b for _, b, _ in truth]
    assert [b for _, b, _ in merged] != [b for _, b, _ in truth]  # what a TSO capture would mislead into
    run = CliRunner().invoke(cli, ["replay", "--ndjson", "--resegment", "mss", "--receiver", "client",
                                   str(captures["super_segments"])])
    (warning,) = [json.loads(line) for line in run.stdout.splitlines() if '"type":"warning"' in line]
    assert (warning["code"], warning["count"]) == ("super-segments", 9) and "9 split back" in warning["text"]


def test_receiver_selection_matching_nothing_is_a_usage_error_listing_the_receivers(captures):
    run = CliRunner().invoke(cli, ["replay", "--receiver", "10.9.9.9:1", str(captures["complete"])])
    assert run.exit_code == 2
    assert "matches no receiver" in run.stderr and CLIENT in run.stderr and "10.0.0.2:8000" in run.stderr


def test_receiver_server_on_a_midstream_capture_uses_the_ports_with_a_notice(captures):
    run = CliRunner().invoke(cli, ["replay", "--ndjson", "--receiver", "server", str(captures["midstream"])])
    assert run.exit_code == 0, run.stderr
    (flow,) = [json.loads(line) for line in run.stdout.splitlines() if '"type":"flow"' in line]
    assert (flow["receiver"], flow["role"], flow["roles"]) == ("10.0.0.2:8000", "server", "inferred")
    assert "inferred from the ports" in run.stderr.replace("\n", " ")
