"""`wsarecv help [TOPIC]`: short pages on what the commands take and show, in the terminal.

Pages are built in (so an installed wsarecv, e.g. with pipx, has them); a topic whose full text
lives in the repository's docs/ prints that file when it is there (a source checkout).
`rules`, `scenarios` and `findings` are made from the package itself: the rule set, the scenario
library and the findings catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click
from rich.markdown import Markdown

from wsarecv_cli.cli.common import CONTEXT_SETTINGS, color_option, make_console
from wsarecv_cli.cli.main import cli
from wsarecv_cli.model.rules import RULES, SOURCES, spec_version

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True, slots=True)
class Topic:
    name: str
    summary: str
    text: str
    doc: str | None = None  # a docs/ file printed instead when present (a source checkout)


TOPICS = (
    Topic("filter", "choosing flows: --flow and --filter", """
# Choosing flows

`--flow` (repeatable; any of them): `tcp:3`, `udp:0` (Wireshark's stream index),
`ADDR:PORT-ADDR:PORT` (either order), or one side: `HOST`, `:PORT`, `HOST:PORT`
(IPv6 with a port as `[::1]:80`).

`--filter EXPR`: `host ADDR`, `port N`, `tcp`, `udp`, `proto tcp|udp`, joined with `and` (`&&`),
`or` (`||`), `not` (`!`) and parentheses: `--filter 'host 10.0.0.1 and not port 443'`.
With `--flow`, both must hold. `flows`, `follow` and `replay` choose the same flows.
"""),
    Topic("time", "how times are shown: -t", """
# Times

Times count from the capture's first frame, whatever its protocol (as Wireshark does).
`-t` (flows, follow, replay) shows them as tshark's `-t`: `r` relative (default), `a` / `ad`
local time / with date, `u` / `ud` UTC, `e` seconds since 1970, `d` since the previous line.
Records (`--json`, `--ndjson`) always keep `t` in seconds from the first frame.
pcapng Simple Packet Blocks have no timestamp: they take the time of the frame before them.
"""),
    Topic("terminal", "widths, pipes, color, progress", """
# Terminals and pipes

On a terminal, output fits `--width` or the terminal: the flow table first breaks the A → B cell
after the arrow and the volumes after the slash, then becomes one block per flow; no column is
dropped, no cell cut. Into a pipe nothing is wrapped or cut (hashes and addresses stay whole).
Color only on a terminal; off with `NO_COLOR` or `TERM=dumb`; `--color always|never`.
A progress bar appears on stderr when reading takes over a second, only on a terminal, never
with `--ndjson`; `--quiet` turns it off.
"""),
    Topic("timeline", "the picture: --timeline and --export-html", """
# The timeline picture

`wsarecv replay CAPTURE --timeline t.svg` draws, per receiver, every segment it was sent
(retransmissions orange, out-of-order purple, capture gaps red), every WSARecv call from posted
to returned (coloured by outcome), and for three calls the bytes flowing into each WSABUF.
Dense runs become columns of totals. `--export-html` holds the table and the same picture,
zoomable (wheel, drag, double-click). `wsarecv simulate SCENARIO --timeline t.svg` draws a
scenario in event order.
"""),
    Topic("gaps", "capture gaps, roles without a SYN, capture artefacts", """
# Capture gaps, roles and artefacts

A hole in a stream is a capture gap when the receiver's ACK covers it (declared at that ACK's
time) or, in a one-way capture, `--gap-wait` (1 s) after the data behind it; a hole the
receiver's ACKs do not cover is a real loss and waits for its retransmission. Data behind a gap
keeps its own time. `replay` gives the gap's bytes to the calls as *unknown bytes* at their stream
position (a `gap` record and an annotation row, never a call; `unknown_bytes` per call, `gap_bytes`
in the summary; `--max-gap-bytes` bounds it). Without a SYN, client and server come from the ports
(well-known, then non-ephemeral, then the lower port). Duplicate frames are collapsed;
`--resegment mss` splits TSO super-segments; `--checksums verify` drops corrupted frames;
`--overlap` picks which copy of overlapping bytes wins. Each check prints a warning with a count.
""", doc="docs/CAPTURE_REALITY.md"),
    Topic("damaged", "damaged captures and limits", """
# Damaged captures

A capture that cannot be read at all is one error line and exit 1. Damage after good frames
keeps those frames and warns where reading stopped. Bytes a capture lacks (a lost segment, a
snaplen cut, a memory limit) are reported as gaps — never invented — and counted in the
summary; `--strict` exits 3 when a capture had gaps, truncation, damage or a limit hit. The
limits (`--max-flows`, `--max-flow-memory`, `--max-ooo-bytes`, `--max-ooo-total`, `--max-fragment-bytes`, `--max-message-bytes`) bound
what a hostile capture can make wsarecv hold.
""", doc="docs/DAMAGED_CAPTURES.md"),
    Topic("completion", "shell completion for bash, zsh, fish", """
# Shell completion

    eval "$(_WSARECV_COMPLETE=bash_source wsarecv)"     # in ~/.bashrc
    eval "$(_WSARECV_COMPLETE=zsh_source wsarecv)"      # in ~/.zshrc
    _WSARECV_COMPLETE=fish_source wsarecv > ~/.config/fish/completions/wsarecv.fish

Commands, options and choices complete (click's completion).
"""),
)


def _rules_page() -> str:
    lines = [f"# Rules\n\nThe model follows {spec_version()}. Every outcome names the rule that decided it "
             "(`--explain`); `wsarecv rules` prints them all with their sources, `wsarecv rules R17` one.\n"]
    lines += [f"* **{r.id}** {r.title}" for r in RULES]
    lines.append("\nSources: " + "; ".join(f"{tag} = {words}" for tag, words in SOURCES))
    return "\n".join(lines)


def _scenarios_page() -> str:
    folder = REPO / "samples" / "scenarios"
    lines = ["# Scenarios\n\n`wsarecv simulate FILE.toml` runs a scenario (arrivals, receives, expectations); "
             "`wsarecv simulate --tcp hello --fin --buffers 3,4` an inline one.\n"]
    files = sorted(folder.glob("*.toml")) if folder.is_dir() else []
    for path in files:
        title = next((line.split("=", 1)[1].strip().strip('"') for line in path.read_text().splitlines()
                      if line.startswith("title")), "")
        lines.append(f"* `{path.relative_to(REPO)}` — {title}")
    if not files:
        lines.append("The scenario library (samples/scenarios) comes with the source, not with an installed package.")
    return "\n".join(lines)


def page(name: str) -> str | None:
    if name == "rules":
        return _rules_page()
    if name == "scenarios":
        return _scenarios_page()
    if name == "findings":
        from wsarecv_cli.diagnose.catalogue import markdown  # the catalogue page `check --list` prints

        return markdown()
    topic = next((t for t in TOPICS if t.name == name), None)
    if topic is None:
        return None
    if topic.doc and (REPO / topic.doc).is_file():
        return (REPO / topic.doc).read_text()
    return topic.text.strip()


def topic_list() -> str:
    names = [("rules", "the rules the model follows"), ("scenarios", "the scenario library"),
             ("findings", "the receive bugs `check` and `replay` report (WR101...)"),
             *((t.name, t.summary) for t in TOPICS)]
    return "\n".join(f"  {name:<11} {summary}" for name, summary in names)


@cli.command("help", context_settings=CONTEXT_SETTINGS)
@click.argument("topic", required=False)
@color_option
def help_command(topic: str | None, color: str) -> None:
    """Short pages on a topic; without one, the list of topics.

    \b
    Examples:
      wsarecv help filter
      wsarecv help time
      wsarecv help completion
    """
    if topic is None:
        click.echo("wsarecv help TOPIC — topics:\n" + topic_list() + "\nEvery command also has --help.")
        return
    text = page(topic.strip().lower())
    if text is None:
        raise click.UsageError(f"no help topic {topic!r}; topics:\n{topic_list()}")
    console = make_console(color)
    console.print(Markdown(text) if console.is_terminal else text, crop=False)
