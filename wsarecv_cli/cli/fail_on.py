"""--fail-on / --strict: which finding codes turn a run into exit code 3 (replay and check)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import click

from wsarecv_cli.cli.common import EXIT_FINDINGS
from wsarecv_cli.cli.replay_options import _parsed  # ValueError -> a usage error, as for the replay options
from wsarecv_cli.diagnose import STRICT_CODES, lookup, parse_fail_on


def fail_on_options(func: Callable) -> Callable:
    func = click.option(
        "--strict", is_flag=True,
        help="Exit 3 when the capture cannot vouch for the replay (gaps, truncation, limits hit): "
             "the same as --fail-on strict (WR201,WR202).")(func)
    return click.option(
        "--fail-on", "fail_on", default=None, callback=_parsed("fail_on", parse_fail_on), metavar="CODES",
        help="Exit 3 when one of these findings occurs: codes or names (WR101,msgsize-lost), 'any', "
             "'strict' (WR201,WR202) or 'none' (the default). See docs/FINDINGS.md.")(func)


def failing_codes(fail_on: frozenset[str] | None, strict: bool) -> frozenset[str]:
    return (fail_on or frozenset()) | (frozenset(STRICT_CODES) if strict else frozenset())


def exit_on_findings(counts: Counter, codes: frozenset[str]) -> None:
    """Exit 3 naming the failing findings, when any of `codes` occurred."""
    failed = ", ".join(f"{n} x {lookup(code).label}" for code, n in sorted(counts.items()) if code in codes and n)
    if failed:
        click.echo(f"wsarecv: findings (--fail-on): {failed}", err=True)
        raise click.exceptions.Exit(EXIT_FINDINGS)
