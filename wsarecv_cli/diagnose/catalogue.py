"""docs/FINDINGS.md, written from the catalogue: `python -m wsarecv_cli.diagnose.catalogue > docs/FINDINGS.md`.
tests/diagnose/test_catalogue.py keeps the committed page equal to this output."""

from __future__ import annotations

from wsarecv_cli.diagnose.codes import CATALOGUE, STRICT_CODES

INTRO = """# Findings

`wsarecv check CAPTURE...` replays captures like `wsarecv replay` and reports what the receiving
application would have got wrong, one line per finding, each with a stable code. Codes and names
never change meaning and are never reused: `--fail-on` takes either (`--fail-on WR101,msgsize-lost`),
or `any`, or `strict` (what `--strict` checks: {strict}). `wsarecv check --list` prints this page.

Every finding names the capture, flow, receiver, call number (`n`), time (`t`, seconds from the
first packet) and stream offset (`offset`: the bytes the receiver had been handed before it);
framing findings add the message number and its byte range, and `--ndjson` gives them as
`finding` records:

```json
{{"type":"finding","code":"WR101","name":"split-message","capture":"samples/framed_messages.pcap","flow":"tcp:0","receiver":"10.0.0.1:51002","n":1,"t":0.003,"offset":0,"bytes":7,"message":1,"range":[0,7],"calls":[1,2],"text":"message 1 (7 bytes) split across calls 1, 2"}}
```

Fields that do not apply are left out: `bytes` (bytes lost, missing, dropped, or in the range),
`message` (framing: message number from 1; WSAEMSGSIZE / MSG_PARTIAL on message protocols: the
datagram number), `range` (`[start, end)` stream offsets), `calls`, `duration` (seconds, zero
window). After each capture comes `{{"type":"check","capture":...,"receivers":N,"counts":{{"WR101":5}}}}`.

WR1xx are bugs of the receiving application; WR2xx say the capture cannot vouch for the replay.
"""


def markdown() -> str:
    parts = [INTRO.format(strict=", ".join(STRICT_CODES))]
    parts.append("| code | name | finding |\n|---|---|---|")
    parts += [f"| [{c.code}](#{c.code.lower()}-{c.name}) | `{c.name}` | {c.title} |" for c in CATALOGUE]
    for c in CATALOGUE:
        rules = (", ".join(f"`{r}`" for r in c.rules) + " (`wsarecv rules ID`)") if c.rules else \
            "none (not a WSARecv behaviour)"
        section = [f"\n## {c.code} {c.name}\n", f"**{c.title[0].upper()}{c.title[1:]}.**\n",
                   f"- **What happened:** {c.what}", f"- **Why it breaks application code:** {c.why}",
                   f"- **How to fix the application:** {c.fix}", f"- **Spec rules:** {rules}",
                   f"- **Shown by:** `{c.shown_by}`"]
        if c.scenario:
            section.append(f"- **Scenario:** `wsarecv simulate samples/scenarios/{c.scenario}`")
        parts.append("\n".join(section))
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
