"""Regenerate docs/TUTORIAL.md from docs/tutorial_src.md by running every `@@ wsarecv ...` line.

Run from anywhere: `python docs/make_tutorial.py`. Each `@@ COMMAND` line becomes a console block
holding the command and its real output (no color, trailing spaces stripped). A command that exits
non-zero stops the generation: the tutorial must only show commands that work.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(command: str) -> str:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120", "TERM": "dumb"}
    result = subprocess.run(shlex.split(command), capture_output=True, text=True, cwd=ROOT, env=env)
    if result.returncode != 0:
        sys.exit(f"{command}: exit {result.returncode}: {result.stderr.strip()}")
    return "\n".join(line.rstrip() for line in result.stdout.rstrip().splitlines())


def main() -> None:
    out = []
    for line in (ROOT / "docs" / "tutorial_src.md").read_text(encoding="utf-8").splitlines(True):
        if line.startswith("@@ "):
            command = line[3:].strip()
            out.append(f"```console\n$ {command}\n{run(command)}\n```\n")
        else:
            out.append(line)
    (ROOT / "docs" / "TUTORIAL.md").write_text("".join(out), encoding="utf-8")


if __name__ == "__main__":
    main()
