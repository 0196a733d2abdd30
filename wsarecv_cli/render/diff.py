"""`wsarecv diff`: where two runs of the same input differ, call by call.

The core is `diff_runs(records_a, records_b) -> DiffReport`, a pure function over the stable
records (render/records.py), so it serves scenarios and captures alike: calls are matched by
(flow, receiver, n), and a call's completion record (same n) is folded into it, because "call 3
pended and completed with 6 bytes" vs "call 3 returned 6 bytes at once" is one comparison.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rich.table import Table
from rich.text import Text

Record = dict[str, Any]
Key = tuple[Any, Any, int]

# What a person compares; `t`, `rules` and `reason` differ for explanatory reasons only.
CALL_FIELDS = ("status", "error", "bytes", "filled", "flags_out", "lost", "event", "delivery")
# `ret` is not compared: it follows status (0 completed, -1 failed/pending).
ORDER = {name: i for i, name in enumerate((*CALL_FIELDS, "only in a", "only in b"))}
COMPLETION_FIELDS = ("error", "bytes", "filled", "flags_out", "lost", "event", "delivery")


@dataclass(frozen=True, slots=True)
class FieldDiff:
    field: str  # "status", or "completion.bytes" for the later completion of a pended call
    a: Any
    b: Any


@dataclass(frozen=True, slots=True)
class CallView:
    """A call as compared: its call record and, when it pended, its completion record."""

    call: Record | None
    completion: Record | None = None


@dataclass(frozen=True, slots=True)
class CallDiff:
    key: Key
    a: CallView
    b: CallView
    fields: tuple[FieldDiff, ...]

    @property
    def n(self) -> int:
        return self.key[2]

    @property
    def differs(self) -> bool:
        return bool(self.fields)


@dataclass(frozen=True, slots=True)
class DiffReport:
    calls: tuple[CallDiff, ...]
    summary_a: tuple[Record, ...] = ()
    summary_b: tuple[Record, ...] = ()
    peers: tuple[tuple[tuple[Any, Any], str], ...] = ()  # (flow, receiver) -> the peer, from flow records

    @property
    def differing(self) -> tuple[CallDiff, ...]:
        return tuple(c for c in self.calls if c.differs)

    def field_counts(self) -> Counter[str]:
        """Per field, how many calls differ in it (completion.x counts as x)."""
        counts: Counter[str] = Counter()
        for call in self.differing:
            counts.update({f.field.removeprefix("completion.") for f in call.fields})
        return counts

    def summary_line(self) -> str:
        """'3 of 7 calls differ: status in 2, bytes in 1' (or 'no difference in 7 calls')."""
        total, differing = len(self.calls), len(self.differing)
        if not differing:
            return f"no difference in {total} call{'s' if total != 1 else ''}"
        ranked = sorted(self.field_counts().items(), key=lambda kv: (-kv[1], ORDER.get(kv[0], 99)))
        parts = [f"{name} in {count}" for name, count in ranked]
        return f"{differing} of {total} calls differ: " + ", ".join(parts)

    def record(self) -> Record:
        return {"type": "diff", "calls": len(self.calls), "differing": len(self.differing),
                "fields": dict(self.field_counts()), "summary": self.summary_line(),
                "diffs": [{"flow": c.key[0], "receiver": c.key[1], "n": c.n,
                           "fields": {f.field: {"a": f.a, "b": f.b} for f in c.fields}}
                          for c in self.differing]}


def _index(records: Iterable[Record]) -> tuple[dict[Key, CallView], list[Record]]:
    calls: dict[Key, Record] = {}
    completions: dict[Key, Record] = {}
    summaries = []
    for rec in records:
        kind = rec.get("type")
        if kind in ("call", "completion"):
            key = (rec.get("flow"), rec.get("receiver"), rec["n"])
            (calls if kind == "call" else completions)[key] = rec
        elif kind in ("summary", "flow"):
            summaries.append(rec)
    keys = list(dict.fromkeys([*calls, *completions]))
    return {k: CallView(calls.get(k), completions.get(k)) for k in keys}, summaries


def _compare(a: CallView, b: CallView) -> tuple[FieldDiff, ...]:
    if a.call is None and a.completion is None:
        return (FieldDiff("only in b", None, True),)
    if b.call is None and b.completion is None:
        return (FieldDiff("only in a", True, None),)
    diffs = []
    for name in CALL_FIELDS:
        va = a.call.get(name) if a.call else None
        vb = b.call.get(name) if b.call else None
        if va != vb:
            diffs.append(FieldDiff(name, va, vb))
    if a.completion or b.completion:
        for name in COMPLETION_FIELDS:
            va = a.completion.get(name) if a.completion else None
            vb = b.completion.get(name) if b.completion else None
            if va != vb:
                diffs.append(FieldDiff("completion." + name, va, vb))
    return tuple(diffs)


def diff_runs(records_a: Iterable[Record], records_b: Iterable[Record]) -> DiffReport:
    """Compare two record streams call by call (matched by flow, receiver and call number)."""
    index_a, summaries_a = _index(records_a)
    index_b, summaries_b = _index(records_b)
    keys = list(dict.fromkeys([*index_a, *index_b]))
    empty = CallView(None)
    calls = tuple(CallDiff(k, index_a.get(k, empty), index_b.get(k, empty),
                           _compare(index_a.get(k, empty), index_b.get(k, empty))) for k in keys)
    peers = tuple({(r.get("flow"), r.get("receiver")): r["peer"] for r in (*summaries_a, *summaries_b)
                   if r.get("type") == "flow" and r.get("peer")}.items())
    return DiffReport(calls, tuple(r for r in summaries_a if r.get("type") == "summary"),
                      tuple(r for r in summaries_b if r.get("type") == "summary"), peers)


# ---- pretty output ---------------------------------------------------------------------------


def outcome_words(view: CallView) -> str:
    """One run's result for a call, compactly: '0 · 6 B · data [event]', 'pending → 3 B data'."""
    if view.call is None:
        return "(no such call)"
    call = view.call
    if call.get("status") == "waiting":
        return "still blocked at the end"
    head = "0" if call["ret"] == 0 else (call.get("error") or "SOCKET_ERROR")
    words = [head]
    if call.get("bytes") is not None:
        words.append(f"{call['bytes']} B")
    words.append(call["event"])
    if call.get("lost"):
        words.append(f"−{call['lost']} B lost")
    if call.get("flags_out"):
        words.append("|".join(call["flags_out"]))
    text = " · ".join(words)
    if call.get("delivery"):
        text += f" [{call['delivery']}]"
    done = view.completion
    if done is not None:
        result = done.get("error") or "0"
        text += f" → {result} · {done['bytes']} B · {done['event']}"
        if done.get("lost"):
            text += f" · −{done['lost']} B lost"
        if done.get("flags_out"):
            text += " · " + "|".join(done["flags_out"])
        text += f" [{done['delivery']}]"
    return text


def diff_table(report: DiffReport, label_a: str, label_b: str, only_diff: bool = False,
               receiver: tuple[Any, Any] | None = None) -> Table:
    """The calls side by side; only those of `receiver` (flow, receiver) when given, under a title
    naming it. The buffers column shows both runs' WSABUFs when they differ ("3,5 | 8")."""
    table = Table(show_lines=False, title_justify="left", title_style="bold",
                  title=_receiver_title(receiver, report) if receiver is not None else None)
    table.add_column("#", justify="right")
    table.add_column("buffers A | B" if _buffers_differ(report) else "buffers", no_wrap=True)
    table.add_column(f"A: {label_a}", ratio=1)
    table.add_column(f"B: {label_b}", ratio=1)
    table.add_column("differs in", style="yellow")
    for call in report.calls:
        if only_diff and not call.differs or receiver is not None and call.key[:2] != receiver:
            continue
        style = "bold" if call.differs else "dim"
        changed = ", ".join(f.field for f in call.fields)
        label = str(call.n) if receiver is not None else _n_label(call)
        table.add_row(label, _buffers(call), Text(outcome_words(call.a), style=style),
                      Text(outcome_words(call.b), style=style), changed)
    return table


def receivers(report: DiffReport) -> list[tuple[Any, Any]]:
    """The (flow, receiver) pairs of a report, in order of appearance."""
    return list(dict.fromkeys(call.key[:2] for call in report.calls))


def diff_tables(report: DiffReport, label_a: str, label_b: str, only_diff: bool = False) -> list[Table]:
    """One table per receiver when a capture has several (each titled with who receives), else one."""
    keys = receivers(report)
    if len(keys) <= 1 and (not keys or keys[0][1] is None):
        return [diff_table(report, label_a, label_b, only_diff)]
    return [diff_table(report, label_a, label_b, only_diff, key) for key in keys]


def _receiver_title(key: tuple[Any, Any], report: DiffReport) -> str:
    flow, receiver = key
    peer = dict(report.peers).get(key)
    return f"{flow}  receiver {receiver}" + (f" ← {peer}" if peer else "")


def _call_buffers(view: CallView) -> str | None:
    source = view.call or view.completion
    return ",".join(map(str, source.get("buffers", []))) if source and "buffers" in source else None


def _buffers(call: CallDiff) -> str:
    a, b = _call_buffers(call.a), _call_buffers(call.b)
    if a == b or a is None or b is None:  # a call only one run made: its buffers
        return a or b or ""
    return f"{a} | {b}"


def _buffers_differ(report: DiffReport) -> bool:
    return any(_call_buffers(c.a) != _call_buffers(c.b) for c in report.calls
               if c.a.call is not None and c.b.call is not None)


def _n_label(call: CallDiff) -> str:
    flow = call.key[0]
    return f"{flow}/{call.n}" if flow else str(call.n)


def summary_text(report: DiffReport) -> Text:
    style = "bold yellow" if report.differing else "bold green"
    return Text(report.summary_line(), style=style)
