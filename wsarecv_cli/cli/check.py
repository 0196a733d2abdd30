"""`wsarecv check`: would my receive code break on these captures? Findings with stable codes.

A thin command over diagnose/: each capture is replayed with the replay options (or the
application profile), its records go through the detectors, and every finding is printed as it is
found; a count per code follows. `--fail-on` turns chosen codes into exit code 3 for CI.
"""

from __future__ import annotations

import glob
import os
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from wsarecv_cli.cli.common import (
    CONTEXT_SETTINGS,
    EXIT_INPUT,
    InputError,
    flow_option,
    parse_flow_selectors,
    quiet_option,
)
from wsarecv_cli.cli.fail_on import exit_on_findings, fail_on_options, failing_codes
from wsarecv_cli.cli.main import cli
from wsarecv_cli.cli.profile import apply_profile, find_profile, profile_lines, read_profile
from wsarecv_cli.cli.progress import CaptureProgress
from wsarecv_cli.cli.progress import wanted as progress_wanted
from wsarecv_cli.cli.replay_findings import ReplayFindings
from wsarecv_cli.cli.replay_options import config_from_options, replay_options
from wsarecv_cli.cli.replay_output import replay_records
from wsarecv_cli.diagnose import Finding
from wsarecv_cli.diagnose.catalogue import markdown
from wsarecv_cli.diagnose.report import CaptureResult, count_lines, junit_xml
from wsarecv_cli.errors import WsarecvError
from wsarecv_cli.render.records import NdjsonWriter, flag_names
from wsarecv_cli.render.sanitize import safe_text
from wsarecv_cli.replay.session import ReplayConfig, ReplaySession


def expand_captures(patterns: tuple[str, ...]) -> list[str]:
    """CAPTURE arguments: files as given, glob patterns (quoted, or from a shell that does not
    expand them) expanded in sorted order; a pattern matching nothing is a usage error."""
    paths: list[str] = []
    for pattern in patterns:
        if pattern == "-" or os.path.exists(pattern) or not glob.has_magic(pattern):
            paths.append(pattern)
            continue
        matches = sorted(glob.glob(pattern, recursive=True))
        if not matches:
            raise click.BadParameter(f"no capture matches {pattern!r}", param_hint="CAPTURE")
        paths += matches
    return paths


def check_capture(path: str, config: ReplayConfig, emit: Callable[[Finding], None],
                  progress: bool = False) -> CaptureResult:
    """Replay one capture, hand each finding to `emit` as found; return them gathered. `progress`:
    the bar on stderr (cli/progress.py) while it is read."""
    result = CaptureResult(path)
    session = ReplaySession(path, config)
    findings = ReplayFindings.for_config(path, config)
    items = (CaptureProgress(session, f"checking {path}", frames=lambda: getattr(session.stats, "frames", 0))
             .wrap(session, every=512) if progress else iter(session))
    try:
        for record in replay_records(items, session):
            if record["type"] == "flow":
                result.receiver(record["flow"], record["receiver"])
            for finding in findings.feed(record):
                result.add(finding)
                emit(finding)
    except WsarecvError as exc:  # this capture cannot be checked; the others still are
        result.error = str(exc)
        click.echo(f"Error: {safe_text(str(exc))}", err=True)
        return result
    for finding in findings.capture_wide(session):
        result.add(finding)
        emit(finding)
    return result


def _show(name: str, value: Any) -> str:
    """A setting as the profile would write it."""
    if name == "buffers":
        return ",".join(str(n) for n in value)
    if name == "recv_flags":
        return ",".join(flag_names(value) or ()) or '""'
    if name == "fail_on":
        return ",".join(sorted(value)) if value else "none"
    if value is None:
        return "(from the capture)" if name == "protocol" else "none"
    if name == "receiver":
        return str(value.endpoint or value.role.value)
    return str(value)


@cli.command("check", context_settings=CONTEXT_SETTINGS)
@click.argument("captures", nargs=-1, metavar="CAPTURE...")
@flow_option
@replay_options
@fail_on_options
@click.option("--ndjson", is_flag=True, help="Print `finding` records, then a `check` record per capture.")
@click.option("--junit", "junit_file", type=click.Path(dir_okay=False, writable=True), default=None,
              metavar="FILE", help="Also write JUnit XML: a test suite per capture, a test case per receiver.")
@click.option("--profile", "profile_file", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="Read the application profile from FILE instead of the nearest pyproject.toml [tool.wsarecv].")
@click.option("--show-profile", is_flag=True, help="Print the receive configuration in force and exit.")
@click.option("--list", "list_codes", is_flag=True, help="Print the findings catalogue and exit.")
@quiet_option
@click.pass_context
def check_command(ctx: click.Context, captures, flows, fail_on, strict, ndjson, junit_file, profile_file,
                  show_profile, list_codes, quiet, **options) -> None:
    """Check captures for receive bugs: one line per finding, then a count per code.

    Each capture is replayed like `wsarecv replay` with the same options, and what the application
    would have got wrong is reported with a stable code (see --list or docs/FINDINGS.md): messages
    split across calls or several in one (with --framing), WSAEMSGSIZE with bytes lost,
    MSG_PARTIAL, data discarded by a reset, unread urgent data, receives after the end, zero
    windows, datagrams a connected UDP socket drops, capture gaps and limits.

    The receive configuration can live in pyproject.toml under [tool.wsarecv] (buffers, flags,
    mode, outstanding, platform, protocol, schedule, framing, receiver, fail-on); options given here
    win over it.

    \b
    Examples:
      wsarecv check samples/framed_messages.pcap --buffers 64 --framing len:u16be
      wsarecv check 'captures/*.pcapng' --buffers 1024,1024 --fail-on msgsize-lost,WR105
      wsarecv check captures/*.pcap --fail-on any --junit wsarecv.xml
      wsarecv check --show-profile
      wsarecv check --list
    """
    if list_codes:
        click.echo(markdown(), nl=False)
        return
    options["fail_on"] = fail_on
    profile = read_profile(profile_file) if profile_file else find_profile()
    sources = apply_profile(ctx, options, profile)
    if show_profile:
        for line in profile_lines(ctx, options, profile, sources, _show):
            click.echo(line)
        return
    if not captures:
        raise click.UsageError("missing CAPTURE (one or more pcap/pcapng files or glob patterns)")
    codes = failing_codes(options.pop("fail_on"), strict)
    config = config_from_options(options, parse_flow_selectors(flows))
    writer = NdjsonWriter(sys.stdout) if ndjson else None
    emit = (lambda finding: writer.write(finding.record())) if writer else (lambda finding: click.echo(finding.line()))
    results = []
    paths = expand_captures(captures)
    for path in paths:
        if writer is None and len(paths) > 1:
            click.echo(f"== {safe_text(path)}")
        result = check_capture(path, config, emit, progress_wanted(quiet, ndjson))
        results.append(result)
        if writer is not None:
            writer.write(result.record())
    _finish(results, codes, writer is None, junit_file)


def _finish(results: list[CaptureResult], codes: frozenset[str], pretty: bool, junit_file: str | None) -> None:
    total: Counter = Counter()
    for result in results:
        total.update(result.counts)
    if pretty:
        receivers = sum(result.receivers for result in results)
        click.echo()
        for line in count_lines(total):
            click.echo(line)
        findings = sum(total.values())
        click.echo(f"{findings} finding(s) in {len(results)} capture(s), {receivers} receiver(s)")
    if junit_file:
        try:
            # file names and error texts inside may hold control characters: XML forbids them
            Path(junit_file).write_text(safe_text(junit_xml(results, codes), keep_newlines=True), encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write {junit_file}: {exc.strerror or exc}") from None
    unreadable = sum(1 for result in results if result.error)
    if unreadable:  # an input problem outranks findings: the check is incomplete
        click.echo(f"wsarecv: {unreadable} capture(s) could not be checked", err=True)
        raise click.exceptions.Exit(EXIT_INPUT)
    exit_on_findings(total, codes)
