"""`wsarecv play`: replay one side of a captured flow into the user's real application."""

from __future__ import annotations

import sys
from dataclasses import replace

import click

from wsarecv_cli.cli.common import (
    CONTEXT_SETTINGS,
    EXIT_FINDINGS,
    InputError,
    capture_argument,
    color_option,
    error_console,
    limit_options,
    limits_from_options,
    make_console,
    parse_flow_selectors,
    resolve_capture,
    warn,
)
from wsarecv_cli.cli.main import cli
from wsarecv_cli.errors import WsarecvError
from wsarecv_cli.net import Transport
from wsarecv_cli.play import (
    AddressError,
    NetworkError,
    Pacing,
    Player,
    Role,
    SliceKind,
    SliceSpec,
    SocketAddress,
    load_script,
    open_channel,
    reslice,
    resolve,
)
from wsarecv_cli.render import play as render_play
from wsarecv_cli.render.records import NdjsonWriter

EXIT_NETWORK = 4  # connection refused, address in use, nobody connected in time (README exit codes)


def _slice_callback(ctx: click.Context, param: click.Parameter, value: str) -> SliceSpec:
    try:
        return SliceSpec.parse(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


@cli.command("play", context_settings=CONTEXT_SETTINGS)
@capture_argument
@click.option("--flow", "flow", required=True, metavar="FLOW",
              help="The flow to play: tcp:N, udp:N or ADDR:PORT-ADDR:PORT (as in `wsarecv flows`).")
@click.option("--as", "role", type=click.Choice([r.value for r in Role]), required=True,
              help="The captured side to play: client (connects to your server) or server (waits for your client).")
@click.option("--listen", metavar="ADDR:PORT", help="--as server: where to wait for the application (port 0: any).")
@click.option("--connect", metavar="HOST:PORT", help="--as client: the application's address.")
@click.option("--speed", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="Captured timing: 1 as captured, 2 twice as fast, 0 as fast as possible.")
@click.option("--max-gap", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
              help="Cut any captured pause longer than this (after --speed) to this long.")
@click.option("--pace", type=click.FloatRange(min=0), default=0.0, show_default=True, metavar="SECONDS",
              help="At least this long between two sends, so segments do not coalesce in the app's receive queue.")
@click.option("--slice", "slicing", default="captured", show_default=True, callback=_slice_callback,
              metavar="HOW", help="TCP only: captured (one send per captured segment), bytewise, fixed:N or "
                                  "random:SEED (sizes 1..2x the mean captured segment).")
@click.option("--timeout", type=click.FloatRange(min=0.01), default=10.0, show_default=True, metavar="SECONDS",
              help="The longest any wait lasts: connect/accept, the app's replies, the app's close.")
@click.option("--no-wait", is_flag=True,
              help="Do not wait for the app's replies before sending what followed them in the capture.")
@click.option("--expect-replies", is_flag=True,
              help="Exit 3 when what the app sent back differs from the capture's other direction.")
@click.option("--allow-remote", is_flag=True,
              help="Allow --listen/--connect addresses other than loopback (127.0.0.0/8, ::1).")
@click.option("--ndjson", "as_ndjson", is_flag=True, help="One record a line: send, recv, close, summary.")
@limit_options
@color_option
def play_command(capture: str | None, read_file: str | None, flow: str, role: str, listen: str | None,
                 connect: str | None, speed: float, max_gap: float | None, pace: float, slicing: SliceSpec,
                 timeout: float, no_wait: bool, expect_replies: bool, allow_remote: bool, as_ndjson: bool, color: str,
                 **limits) -> None:
    """Play one side of a captured flow into your real application, over real sockets.

    With --as server, wait on --listen for your client and send it what the captured server sent;
    with --as client, connect to your server and send it what the captured client sent. Each
    captured segment (UDP: datagram) is one send, with TCP_NODELAY, at its captured time (--speed),
    waiting first for as much of your app's answer as the capture shows before it. The connection
    is closed as captured: FIN, half-close (shutdown, then keep reading) or RST (SO_LINGER 0). What
    your app sends back is recorded and compared with the capture's other direction.

    \b
    Examples:
      wsarecv play cap.pcap --flow tcp:0 --as server --listen 127.0.0.1:9000
      wsarecv play cap.pcap --flow tcp:0 --as client --connect localhost:8080 --expect-replies
      wsarecv play cap.pcap --flow tcp:0 --as server --listen 127.0.0.1:9000 --slice bytewise --pace 0.005
      wsarecv play dns.pcap --flow udp:0 --as client --connect 127.0.0.1:5353 --speed 0 --ndjson
    """
    path = resolve_capture(capture, read_file)
    (selector,) = parse_flow_selectors((flow,))
    as_client = Role(role) is Role.CLIENT
    target = connect if as_client else listen
    wrong = listen if as_client else connect
    if target is None or wrong is not None:
        raise click.UsageError("--as client needs --connect HOST:PORT (and no --listen)" if as_client else
                               "--as server needs --listen ADDR:PORT (and no --connect)")
    try:  # before reading the capture: a refused address should not wait for a big file
        address = resolve(target, allow_remote, passive=not as_client)
    except AddressError as exc:
        raise click.BadParameter(str(exc), param_hint="--connect" if as_client else "--listen") from exc
    capture_limits, reassembly_limits = limits_from_options(limits)
    try:
        loaded = load_script(path, selector, Role(role), capture_limits, reassembly_limits)
    except WsarecvError as exc:
        raise InputError(str(exc)) from exc
    script = loaded.script
    warn(loaded.warnings)
    if script.transport is Transport.UDP and slicing.kind is not SliceKind.CAPTURED:
        raise click.UsageError("--slice applies to TCP only: UDP datagrams keep their boundaries")
    if script.sent_holes():
        hole = script.sent_holes()[0]
        raise InputError(f"{script.flow}: the capture lacks {hole.length} bytes the {role} sent (at offset "
                         f"{hole.offset}); play cannot send bytes it does not have")
    if script.reply_holes():
        warn([f"{script.flow}: the capture lacks some of the {script.app}'s bytes: the replies cannot be compared"])
    script = replace(script, sends=reslice(script.sends, slicing))

    writer = NdjsonWriter(sys.stdout) if as_ndjson else None

    def emit(record) -> None:
        if writer is not None:
            writer.write(record.record())
            sys.stdout.flush()  # live: a record a segment at network pace, so `| jq` sees each at once

    def on_listen(bound: SocketAddress) -> None:
        error_console().print(f"play: {script.transport.label} {script.flow} as {role}: waiting on {bound} for the "
                              f"application (up to {timeout:g}s)", markup=False, soft_wrap=True)

    try:
        channel = open_channel(script.transport, as_client, address, timeout, on_listen)
        result = Player(script, channel, Pacing(speed, pace, timeout, not no_wait, max_gap), emit).run()
    except NetworkError as exc:
        error_console().print(f"Error: {exc}", markup=False)
        raise click.exceptions.Exit(EXIT_NETWORK) from None
    summaries = [s.record() for s in result.summaries]
    if writer is not None:
        for rec in summaries:
            writer.write(rec)
    else:
        console = make_console(color)
        console.print(render_play.summary_table(str(script.flow), role, summaries))
        for line in render_play.difference_lines(summaries):
            console.print(line, soft_wrap=True)  # one line each, whatever the width
    if result.waits_timed_out:
        warn([f"{result.waits_timed_out} wait(s) for the application's replies ran out after {timeout:g}s"])
    if expect_replies and not result.matches:
        raise click.exceptions.Exit(EXIT_FINDINGS)

