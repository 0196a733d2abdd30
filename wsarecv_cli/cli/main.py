"""The `wsarecv` click group: owns the console, maps our errors to exit codes, registers commands.

Exit codes (DESIGN.md): 0 ok; 1 input problem; 2 usage; 3 findings under --strict; 130 Ctrl-C.
"""

from __future__ import annotations

import gc
import importlib
import sys

import click

from wsarecv_cli import __version__
from wsarecv_cli.cli.guard import CONTEXT_SETTINGS, run_guarded
from wsarecv_cli.cli.output_failures import OutputGroup

# Every command: its module under wsarecv_cli.cli and the first paragraph of its docstring (what
# `wsarecv --help` lists). A module is imported only when its command runs (or its own --help
# shows), so start-up pays for click and this table, not for every command's dependencies;
# tests/cli/test_lazy_commands.py checks the table against the commands themselves.
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("check", "Check captures for receive bugs: one line per finding, then a count per code."),
    "diff": ("diff", "Run the same scenario under two configurations and show where the calls differ."),
    "flows": ("flows", "List the TCP and UDP flows of CAPTURE with volumes and anomalies."),
    "follow": ("follow", "Show the rebuilt streams of CAPTURE, both directions interleaved in time."),
    "help": ("help", "Short pages on a topic; without one, the list of topics."),
    "play": ("play", "Play one side of a captured flow into your real application, over real sockets."),
    "replay": ("replay", "Replay a capture's flows through the WSARecv model, call by call."),
    "rules": ("rules", "Show the rules of the WSARecv model, or one of them."),
    "simulate": ("simulate", "Run a scenario through the WSARecv model and show every call."),
}


class LazyGroup(OutputGroup):
    """A group whose commands' modules are imported on first use. Each module still attaches its
    command with `@cli.command(...)` when imported, so the modules do not change. An OSError
    escaping a command is an output failure (OutputGroup, cli/output.py)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module = f"wsarecv_cli.cli.{COMMANDS[cmd_name][0]}"
            try:
                importlib.import_module(module)
            except ModuleNotFoundError as exc:  # a build without that command's module
                if exc.name != module:
                    raise
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """click's listing, from the table: `wsarecv --help` imports no command module."""
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(map(len, names))
        rows = []
        for name in names:
            command = self.commands.get(name) or click.Command(name, help=COMMANDS[name][1])  # not imported yet
            rows.append((name, command.get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from wsarecv_cli.model.rules import spec_version  # the rules table: only when asked

    click.echo(f"wsarecv {__version__} (model spec: {spec_version()})")
    ctx.exit()


@click.group(cls=LazyGroup, context_settings=CONTEXT_SETTINGS)
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_show_version,
              help="Show the version and exit.")
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


def main() -> None:
    # A capture makes millions of short-lived tuples and keeps per-flow state alive for long:
    # with the default thresholds the cyclic collector rescans that state over and over (a
    # 1M-packet follow --json spent a third of its time there). Collect young objects less often
    # and the oldest generation rarely; nothing here depends on prompt cycle collection.
    gc.set_threshold(100_000, 50, 1000)
    sys.exit(run_guarded(cli))
