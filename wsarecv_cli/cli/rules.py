"""`wsarecv rules`: the spec the model follows — error codes, mode table, rules, decisions."""

from __future__ import annotations

import json

import click

from wsarecv_cli.cli.common import CONTEXT_SETTINGS, color_option, make_console
from wsarecv_cli.cli.main import cli
from wsarecv_cli.render import rules as render_rules


class UnknownId(click.ClickException):
    """One line on stderr, exit 2: a wrong ID is a usage error."""

    exit_code = 2


@cli.command("rules", context_settings=CONTEXT_SETTINGS)
@click.argument("rule_id", required=False, metavar="[ID]")
@click.option("--json", "as_json", is_flag=True,
              help="Print JSON: every error code with its value, the modes, rules and decisions.")
@click.option("--width", type=click.IntRange(60, 400), default=None,
              help="Output width (default: the terminal's).")
@color_option
def rules_command(rule_id: str | None, as_json: bool, width: int | None, color: str) -> None:
    """Show the rules of the WSARecv model, or one of them.

    Without ID: the error table (the 18 codes of the Windows Mobile 6.5 WSARecv page in its
    order, plus the desktop additions), the R15 mode table, every rule R1..R49 with its source
    (rules the model leaves out say why) and the section-6 decisions. With ID: one rule (R17),
    one decision (Q7) or one error code (WSAEMSGSIZE, 10040) and the rules that produce it.

    \b
    Examples:
      wsarecv rules R17
      wsarecv rules WSAEDISCON
      wsarecv rules Q7
      wsarecv rules --json | jq '.errors[] | [.name, .value]'
    """
    if rule_id is None:
        if as_json:
            click.echo(json.dumps(render_rules.rules_document(), indent=2))
            return
        console = make_console(color, width)
        for section in render_rules.all_sections():
            console.print(section)
            console.print()
        return
    found = render_rules.lookup_document(rule_id) if as_json else render_rules.lookup(rule_id)
    if found is None:
        raise UnknownId(f"unknown rule id {rule_id!r}; valid: {render_rules.valid_keys()}")
    if as_json:
        click.echo(json.dumps(found, indent=2))
    else:
        make_console(color, width).print(found)
