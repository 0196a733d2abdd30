"""The `wsarecv` click group: owns the console, maps our errors to exit codes, registers commands.

Exit codes (DESIGN.md): 0 ok; 1 input problem; 2 usage; 3 findings under --strict; 130 Ctrl-C.
"""

from __future__ import annotations

import gc
import sys

import click

from wsarecv_cli import __version__
from wsarecv_cli.cli.common import CONTEXT_SETTINGS, run_guarded
from wsarecv_cli.cli.output import OutputGroup


@click.group(cls=OutputGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", prog_name="wsarecv")
def cli() -> None:
    """Replay packet captures through a model of Windows WSARecv.

    Rebuilds the TCP and UDP streams of a pcap/pcapng capture and shows, call by call, what a
    Windows application calling WSARecv would have received: which WSABUF got which bytes,
    MSG_PARTIAL, WSAEMSGSIZE and lost bytes, graceful close, WSAECONNRESET, overlapped completions.

    \b
    Examples:
      wsarecv flows samples/http_small_segments.pcap
      wsarecv follow samples/http_small_segments.pcap --flow tcp:0
      tcpdump -U -w - port 80 | wsarecv flows -

    \b
    Captures from Windows: save as pcapng in Wireshark (Npcap), or convert a
    pktmon trace with `pktmon etl2pcap trace.etl -o trace.pcapng`.
    """


def _register() -> None:
    """Import command modules so they attach themselves to `cli` (kept out of import order lint)."""
    import importlib

    for name in ("flows", "follow", "replay", "simulate", "rules", "diff", "check", "play"):
        try:
            importlib.import_module(f"wsarecv_cli.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"wsarecv_cli.cli.{name}":
                raise


_register()


def main() -> None:
    # A capture makes millions of short-lived tuples and keeps per-flow state alive for long:
    # with the default thresholds the cyclic collector rescans that state over and over (a
    # 1M-packet follow --json spent a third of its time there). Collect young objects less often
    # and the oldest generation rarely; nothing here depends on prompt cycle collection.
    gc.set_threshold(100_000, 50, 1000)
    sys.exit(run_guarded(cli))
