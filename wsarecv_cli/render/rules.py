"""`wsarecv rules`: the spec's error table, R15 mode table, rules and decisions, from model/rules.py.

Everything shown is read from the data in model/rules.py so the command, --explain and the spec
cannot drift apart. The pretty output is a handful of small rich Tables (49 rules is not a stream);
`rules_document()` is the --json form.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from wsarecv_cli.model import rules as spec
from wsarecv_cli.model.types import WsaError


def _mark(value: bool | None) -> str:
    return "any" if value is None else ("set" if value else "not set")


def error_table() -> Table:
    """The 18 codes of the Windows Mobile 6.5 WSARecv page in its order, then the desktop additions."""
    table = Table(title="WSARecv error codes (section 1)", title_justify="left", show_lines=False)
    table.add_column("#", justify="right", style="dim")
    table.add_column("code", style="bold", no_wrap=True)
    table.add_column("value", justify="right")
    table.add_column("meaning")
    table.add_column("model notes", style="dim")
    for index, row in enumerate(spec.ERROR_TABLE, start=1):
        number = str(index) if row.ce_page else "desktop"
        table.add_row(number, row.error.name, str(int(row.error)), row.description, row.note)
    return table


def mode_table() -> Table:
    """R15: when a message-oriented provider behaves as a byte stream."""
    table = Table(title="R15 mode table", title_justify="left")
    table.add_column("XP1_MESSAGE_ORIENTED")
    table.add_column("XP1_PSEUDO_STREAM")
    table.add_column("MSG_PARTIAL on input")
    table.add_column("receives behave as", style="bold")
    for row in spec.MODE_TABLE:
        table.add_row(_mark(row.message_oriented), _mark(row.pseudo_stream),
                      _mark(row.msg_partial_in), row.result)
    return table


def rules_table() -> Table:
    table = Table(title="Rules (section 2)", title_justify="left", show_lines=True)
    table.add_column("id", style="bold", no_wrap=True)
    table.add_column("rule")
    table.add_column("source", style="dim")
    for rule in spec.RULES:
        table.add_row(rule.id, _rule_body(rule), "\n".join(rule.sources))
    return table


def _rule_body(rule: spec.Rule) -> Text:
    body = Text(rule.title, style="bold")
    body.append("\n" + rule.text)
    if not rule.modelled:
        body.append(f"\nnot modelled: {rule.reason_not_modelled}", style="yellow")
    elif rule.limits:
        body.append(f"\nlimits: {rule.limits}", style="yellow")
    return body


def sources_table(tags: set[str] | None = None) -> Table:
    """The legend of the source column: evidence kinds ([T], [D]...) and source tags (MR, WT...);
    only those in `tags` when given (one rule's)."""
    table = Table(title="Sources (spec section 0)", title_justify="left", show_header=False, box=None)
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for tag, words in (*spec.EVIDENCE_KINDS, *spec.SOURCES):
        if tags is None or tag in tags:
            table.add_row(tag, words)
    return table


def _tags(sources: tuple[str, ...]) -> set[str]:
    return {word.strip(",;") for source in sources for word in source.split()[:2]}


def decisions_table() -> Table:
    table = Table(title="Model decisions (section 6)", title_justify="left")
    table.add_column("Q", style="bold")
    table.add_column("question")
    table.add_column("the model does")
    table.add_column("switch", style="dim")
    for dec in spec.DECISIONS:
        table.add_row(dec.id, dec.question, dec.default, dec.switch or "—")
    return table


def all_sections() -> Iterator[RenderableType]:
    yield error_table()
    yield mode_table()
    yield rules_table()
    yield sources_table()
    yield decisions_table()


def rule_detail(rule: spec.Rule) -> RenderableType:
    """One rule: `wsarecv rules R17`."""
    head = Text(f"{rule.id} — {rule.title}", style="bold")
    parts: list[RenderableType] = [head, Padding(Text(rule.text), (0, 0, 0, 2))]
    parts.append(Text("sources: " + "; ".join(rule.sources), style="dim"))
    parts.append(Padding(sources_table(_tags(rule.sources)), (0, 0, 0, 2)))
    if not rule.modelled:
        parts.append(Text(f"not modelled: {rule.reason_not_modelled}", style="yellow"))
    elif rule.limits:
        parts.append(Text(f"limits: {rule.limits}", style="yellow"))
    related = [d for d in spec.DECISIONS if rule.id in d.default or rule.id in d.question]
    for dec in related:
        parts.append(Text(f"decision {dec.id}: {dec.default}", style="cyan"))
    return Group(*parts)


def decision_detail(dec: spec.Decision) -> RenderableType:
    text = Text(f"{dec.id} — {dec.question}\n", style="bold")
    text.append(f"  the model does: {dec.default}\n", style="")
    text.append(f"  switch: {dec.switch or 'none (fixed)'}", style="dim")
    return text


def error_detail(row: spec.ErrorRow) -> RenderableType:
    """An error code and the rules that produce it."""
    text = Text(f"{row.error.name} = {int(row.error)}\n", style="bold")
    text.append(f"  {row.description}\n")
    if row.note:
        text.append(f"  {row.note}\n", style="dim")
    citing = [r.id for r in spec.RULES if row.error.name in r.text]
    if citing:
        text.append("  rules: " + " ".join(citing), style="cyan")
    return text


def lookup(key: str) -> RenderableType | None:
    """R17 / Q7 / WSAEMSGSIZE / 10040 -> its detail, or None when nothing matches."""
    upper = key.strip().upper()
    by_rule = {r.id: r for r in spec.RULES}
    if upper in by_rule:
        return rule_detail(by_rule[upper])
    by_decision = {d.id: d for d in spec.DECISIONS}
    if upper in by_decision:
        return decision_detail(by_decision[upper])
    for row in spec.ERROR_TABLE:
        if upper in (row.error.name, str(int(row.error))):
            return error_detail(row)
    return None


def valid_keys() -> str:
    rules = spec.RULES
    return (f"{rules[0].id}..{rules[-1].id}, {spec.DECISIONS[0].id}..{spec.DECISIONS[-1].id}, "
            "or an error code name/value such as WSAEMSGSIZE or 10040")


def rules_document() -> dict[str, Any]:
    """--json: errors (name, value, meaning, ce_page), modes, rules, decisions."""
    return {
        "errors": [{"name": r.error.name, "value": int(r.error), "meaning": r.description,
                    "note": r.note, "ce_page": r.ce_page} for r in spec.ERROR_TABLE],
        "modes": [{"message_oriented": m.message_oriented, "pseudo_stream": m.pseudo_stream,
                   "msg_partial_in": m.msg_partial_in, "result": m.result}
                  for m in spec.MODE_TABLE],
        "rules": [{"id": r.id, "title": r.title, "text": r.text, "sources": list(r.sources),
                   "modelled": r.modelled, "reason_not_modelled": r.reason_not_modelled or None,
                   "limits": r.limits or None} for r in spec.RULES],
        "decisions": [{"id": d.id, "question": d.question, "default": d.default,
                       "switch": d.switch or None} for d in spec.DECISIONS],
        "sources": [{"tag": tag, "meaning": words} for tag, words in (*spec.EVIDENCE_KINDS, *spec.SOURCES)],
    }


def lookup_document(key: str) -> dict[str, Any] | None:
    """--json for one id: the matching entry of rules_document()."""
    upper = key.strip().upper()
    doc = rules_document()
    for section, field in (("rules", "id"), ("decisions", "id"), ("errors", "name")):
        for entry in doc[section]:
            if entry[field] == upper or (section == "errors" and str(entry["value"]) == upper):
                return {"type": section[:-1], **entry}
    return None


__all__ = ["WsaError", "all_sections", "lookup", "lookup_document", "rules_document", "valid_keys"]
