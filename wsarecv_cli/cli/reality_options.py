"""Options for what real captures do to a stream: capture gaps, overlaps, offload artefacts.

Shared by flows, follow and replay (through `common.limit_options`), so the three commands rebuild
the same streams from the same capture. docs/CAPTURE_REALITY.md explains each rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import click

from wsarecv_cli.capture import CaptureLimits, ChecksumPolicy
from wsarecv_cli.reassembly import ReassemblyLimits
from wsarecv_cli.reassembly.stats import OverlapPolicy
from wsarecv_cli.replay.schedule import duration_ns


def parse_gap_wait(text: str) -> int | None:
    """'1s', '250ms', '0.5', '0' -> nanoseconds; 'none' / 'never' -> None (wait for evidence)."""
    value = text.strip().lower()
    if value in ("none", "never"):
        return None
    ns = duration_ns(value, bare_unit="s")
    if ns is None:
        raise ValueError(f"{text!r} is not a duration like 1s, 250ms or 0, nor 'none'")
    if ns > 86_400 * 10**9:
        raise ValueError(f"{text!r} is longer than a day: use 'none' to wait for evidence only")
    return ns


def _gap_wait_callback(ctx: click.Context, param: click.Parameter, value: str) -> int | None:
    try:
        return parse_gap_wait(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


def reality_options(func: Callable) -> Callable:
    """--gap-wait, --overlap, --resegment, --checksums."""
    options = [
        click.option("--gap-wait", default="1s", show_default=True, callback=_gap_wait_callback,
                     metavar="DURATION|none",
                     help="One-way captures (no ACK of the receiver in the capture): a hole with data "
                          "behind it is declared a capture gap this long (capture time) after that data "
                          "arrived, unless a retransmission fills it first. With the receiver's ACKs in "
                          "the capture, an ACK covering the hole declares it, at the ACK's time."),
        click.option("--overlap", type=click.Choice([p.value for p in OverlapPolicy]), default="first",
                     show_default=True,
                     help="Which copy of overlapping out-of-order bytes the receiving stack keeps (Suricata's "
                          "target-based policies; first = tshark). Delivered bytes are never replaced."),
        click.option("--resegment", type=click.Choice(["none", "mss"]), default="none", show_default=True,
                     help="mss: split TCP segments larger than the receiver's MSS (TSO/GSO on the capturing "
                          "sender) back into MSS-sized arrivals, as the receiver got them."),
        click.option("--checksums", type=click.Choice([p.value for p in ChecksumPolicy]), default="ignore",
                     show_default=True,
                     help="verify: check TCP/UDP checksums; a wrong one is dropped as the receiving stack "
                          "drops it, a zero/partial one of an offloading sender is kept (counted apart)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def reality_from_options(options: dict, capture: CaptureLimits,
                         reassembly: ReassemblyLimits) -> tuple[CaptureLimits, ReassemblyLimits]:
    """Pop the capture-reality options from a command's kwargs into the two limit records."""
    capture = replace(capture, checksums=ChecksumPolicy(options.pop("checksums")))
    reassembly = replace(reassembly, gap_wait_ns=options.pop("gap_wait"),
                         overlap=OverlapPolicy(options.pop("overlap")),
                         resegment=options.pop("resegment") == "mss")
    return capture, reassembly
