"""The pieces `wsarecv` needs before it knows which command runs: exit codes, error exits, the guard.

Kept apart from common.py (option bundles, console, capture limits) so that `wsarecv --version` and
`wsarecv --help` import click and nothing heavy (bench/startup.py).
"""

from __future__ import annotations

import errno
import os
import sys

import click

from wsarecv_cli.errors import NoReceiverError, WsarecvError

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
    """Run the click group; never let a traceback reach the user for expected failures."""
    try:
        # Without standalone mode click returns (not raises) the code of a command's Exit.
        code = group.main(args=args, prog_name="wsarecv", standalone_mode=False)
        return code if isinstance(code, int) else EXIT_OK
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        click.echo("Aborted.", err=True)
        return EXIT_INTERRUPTED
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except NoReceiverError as exc:
        click.echo(f"Error: {exc}", err=True)
        return EXIT_USAGE
    except WsarecvError as exc:
        click.echo(f"Error: {exc}", err=True)
        return EXIT_INPUT
    except BrokenPipeError:
        # `wsarecv ... | head`: stop quietly; point stdout at devnull so the interpreter's final
        # flush does not raise again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            return EXIT_OK
        click.echo(f"Error: {exc.strerror or exc}", err=True)
        return EXIT_INPUT
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, never a traceback
        if os.environ.get("WSARECV_DEBUG"):
            raise
        click.echo(f"Error: internal error ({type(exc).__name__}: {exc}); this is a bug in wsarecv, please report it "
                   "with the capture (WSARECV_DEBUG=1 shows the traceback)", err=True)
        return EXIT_INPUT
