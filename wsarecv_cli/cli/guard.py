"""The pieces `wsarecv` needs before it knows which command runs: exit codes, error exits, the guard.

Kept apart from common.py (option bundles, console, capture limits) so that `wsarecv --version` and
`wsarecv --help` import click and nothing heavy (bench/startup.py).
"""

from __future__ import annotations

import os
import sys

import click

from wsarecv_cli.cli.output_failures import (
    OutputError,
    PipeClosed,
    require_stdout,
    silence_stdout,
    write_failure,
)
from wsarecv_cli.errors import NoReceiverError, WsarecvError
from wsarecv_cli.render.sanitize import safe_text

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_FINDINGS, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class InputError(click.ClickException):
    """One clear line on stderr and exit 1 (click prints 'Error: ...')."""

    exit_code = EXIT_INPUT


class UsageFailure(click.ClickException):
    """A usage error found only once the capture was read (a --receiver matching no receiver):
    one line on stderr and exit 2, without click's usage banner."""

    exit_code = EXIT_USAGE


def run_guarded(group: click.Group, args: list[str] | None = None) -> int:
    """Run the click group; never let a traceback reach the user for expected failures.

    Output failures (cli/output.py): a closed pipe ends quietly with 0; closed stdout, a full
    disk or an unwritable export is one line and exit 1. Standard output is flushed here, inside
    the guard, so a write that only fails at the last flush is reported like any other."""
    code = _run_command(group, args)
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except OSError as exc:
        silence_stdout()  # what is left in the buffer cannot be written either
        failure = write_failure(exc)
        if isinstance(failure, PipeClosed):
            return code
        _error_line(str(failure))
        return code or EXIT_INPUT
    return code


def _run_command(group: click.Group, args: list[str] | None) -> int:
    try:
        require_stdout()
        # Without standalone mode click returns (not raises) the code of a command's Exit.
        code = group.main(args=args, prog_name="wsarecv", standalone_mode=False)
        return code if isinstance(code, int) else EXIT_OK
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.message = safe_text(exc.message)  # it may quote a file name or a scenario's text
        exc.show()
        return exc.exit_code
    except click.Abort:
        click.echo("Aborted.", err=True)
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except PipeClosed:
        silence_stdout()
        return EXIT_OK
    except NoReceiverError as exc:
        _error_line(str(exc))
        return EXIT_USAGE
    except WsarecvError as exc:
        if isinstance(exc, OutputError) and sys.stdout is not None:
            silence_stdout()  # what is left in the buffer cannot be written either
        _error_line(str(exc))
        return EXIT_INPUT
    except OSError as exc:  # outside a command (click's own output, --help, --version)
        silence_stdout()
        failure = write_failure(exc)
        if isinstance(failure, PipeClosed):
            return EXIT_OK
        _error_line(str(failure))
        return EXIT_INPUT
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, never a traceback
        if os.environ.get("WSARECV_DEBUG"):
            raise
        _error_line(f"internal error ({type(exc).__name__}: {exc}); this is a bug in wsarecv, please report it "
                    "with the capture (WSARECV_DEBUG=1 shows the traceback)")
        return EXIT_INPUT


def _error_line(message: str) -> None:
    click.echo(f"Error: {safe_text(message)}", err=True)
