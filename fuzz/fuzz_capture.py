"""Coverage-guided fuzzing of the whole input path with atheris (libFuzzer for Python).

One input = one capture file. Each execution writes the bytes to a file on tmpfs and runs what
the CLI runs: read_packets -> FlowTracker (counters only, like `wsarecv flows`) and a full replay
session (reassembly events -> WSARecv model -> items), with a replay configuration picked from
the input length so message framing, overlapped modes and other schedules get exercised too.

Anything other than the package's own errors (wsarecv_cli.errors.WsarecvError) escaping is a
finding: libFuzzer stops and writes the input to crash-<sha1>. See fuzz/README.md.
"""

from __future__ import annotations

import os
import sys
import tempfile

import atheris

with atheris.instrument_imports(include=["wsarecv_cli"]):
    from wsarecv_cli.capture import CaptureLimits, read_packets
    from wsarecv_cli.errors import WsarecvError
    from wsarecv_cli.model.types import Mode, Protocol
    from wsarecv_cli.reassembly import FlowTracker, ReassemblyLimits
    from wsarecv_cli.replay.framing import FramingSpec
    from wsarecv_cli.replay.schedule import ScheduleSpec
    from wsarecv_cli.replay.session import ReplayConfig, ReplaySession

# Small limits so the fuzzer reaches the limit paths with small inputs.
CAPTURE_LIMITS = CaptureLimits(fragment_bytes=4096, fragment_sets=8)
REASSEMBLY_LIMITS = ReassemblyLimits(max_held_bytes=4096, max_flows=4)
CONFIGS = (
    ReplayConfig(reassembly_limits=REASSEMBLY_LIMITS, capture_limits=CAPTURE_LIMITS),
    ReplayConfig(buffers=(3, 0, 5), schedule=ScheduleSpec.parse("drain")),
    ReplayConfig(protocol=Protocol.RELIABLE_MSG, framing=FramingSpec.parse("len:u16be")),
    ReplayConfig(mode=Mode.IOCP, outstanding=2, framing=FramingSpec.parse("line")),
    ReplayConfig(buffers=(7,), schedule=ScheduleSpec.parse("random:1")),
)
PATH = os.path.join("/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir(),
                    f"wsarecv-fuzz-{os.getpid()}.pcap")


def run_capture(path: str, config: ReplayConfig) -> None:
    """The CLI's pipeline on one file; WsarecvError is an accepted outcome."""
    try:
        tracker = FlowTracker(REASSEMBLY_LIMITS, events=False)
        with read_packets(path, CAPTURE_LIMITS) as packets:
            for packet in packets:
                tracker.feed(packet)
            tracker.finish()
            tracker.flows  # noqa: B018 - the snapshots `flows` prints
    except WsarecvError:
        return
    try:
        for _item in ReplaySession(path, config):
            pass
    except WsarecvError:
        pass


def test_one_input(data: bytes) -> None:
    with open(PATH, "wb") as f:
        f.write(data)
    run_capture(PATH, CONFIGS[len(data) % len(CONFIGS)])


def main() -> None:
    try:
        atheris.Setup(sys.argv, test_one_input)
        atheris.Fuzz()
    finally:
        if os.path.exists(PATH):
            os.unlink(PATH)


if __name__ == "__main__":
    main()
