"""`--jobs 1` against `--jobs 2` with the second core idle and with it busy (bench/run.py calls this).

Both commands that take --jobs (`flows`, `follow --json`) run on each capture with --jobs 1 and 2;
each round runs every variant once with nothing else started ("idle": the machine's own load is
noted), then once more while a CPU burner (measure.cpu_burner: one process spinning) holds a
core ("busy"). Rounds alternate idle and busy blocks, so slow drift of the shared machine hits
both alike. The default of --jobs is chosen from this table (README, "Performance").
"""

from __future__ import annotations

import os
import statistics
import sys
from pathlib import Path

from measure import Row, cpu_burner, measure_round_robin, wsarecv_cmd

VARIANTS = (("flows", []), ("follow", ["--json"]))
CONDITIONS = ("idle", "busy")


def jobs_rows(cmd: str, extra: list[str]) -> list[Row]:
    rows = []
    for jobs in (1, 2):
        argv, note = wsarecv_cmd(cmd, extra + ["--jobs", str(jobs)])
        rows.append(Row(f"{cmd}_j{jobs}", argv, f"wsarecv {cmd} {' '.join(extra)} --jobs {jobs}".replace("  ", " "),
                        note))
    return rows


def measure_jobs(captures: dict[str, Path], runs: int, timeout: float) -> dict:
    """{shape: {condition: [Row, ...]}} plus the load average seen at the start of each block."""
    rows = {shape: {cond: [r for cmd, extra in VARIANTS for r in jobs_rows(cmd, extra)] for cond in CONDITIONS}
            for shape in captures}
    loads: dict[str, list[float]] = {cond: [] for cond in CONDITIONS}
    for i in range(runs):
        for cond in CONDITIONS:
            groups = [(f"jobs-{cond}-{shape}", path, rows[shape][cond]) for shape, path in captures.items()]
            loads[cond].append(os.getloadavg()[0])
            if cond == "busy":
                with cpu_burner(seconds=900):   # a bound: the block ends long before
                    measure_round_robin(groups, 1, timeout)
            else:
                measure_round_robin(groups, 1, timeout)
            print(f"  jobs round {i + 1}/{runs} {cond} done", file=sys.stderr)
    return {"rows": rows, "loads": loads}


def ratio(rows: list[Row], cmd: str) -> float | None:
    """--jobs 2 wall / --jobs 1 wall (below 1: two processes pay)."""
    by = {r.name: r for r in rows}
    one, two = by.get(f"{cmd}_j1"), by.get(f"{cmd}_j2")
    if one is None or two is None or not one.runs or not two.runs:
        return None
    return two.median / one.median


def jobs_table(result: dict) -> list[str]:
    loads = result["loads"]
    lines = ["| capture | command | idle: --jobs 1 s | idle: --jobs 2 s | idle: j2/j1 | "
             "busy: --jobs 1 s | busy: --jobs 2 s | busy: j2/j1 | peak RSS MB j1 / j2 (largest process) |",
             "|---|---|---|---|---|---|---|---|---|"]
    for shape, by_cond in result["rows"].items():
        for cmd, _ in VARIANTS:
            cells = []
            for cond in CONDITIONS:
                by = {r.name: r for r in by_cond[cond]}
                one, two = by[f"{cmd}_j1"], by[f"{cmd}_j2"]
                r = ratio(by_cond[cond], cmd)
                cells += [f"{one.median:.3f}" if one.runs else (one.error or one.note or "—"),
                          f"{two.median:.3f}" if two.runs else (two.error or two.note or "—"),
                          f"**{r:.2f}**" if r else "—"]
            idle = {r.name: r for r in by_cond["idle"]}
            rss = " / ".join(f"{idle[f'{cmd}_j{j}'].rss_mb:.0f}" if idle[f"{cmd}_j{j}"].runs else "—" for j in (1, 2))
            lines.append(f"| {shape} | {cmd} | " + " | ".join(cells) + f" | {rss} |")
    n = len(next(iter(next(iter(result["rows"].values())).values()))[0].runs)
    lines += ["", f"Median of {n} runs per cell; idle and busy blocks alternate. Load average (1 min) at the start "
              "of the blocks: idle " + ", ".join(f"{x:.2f}" for x in loads["idle"])
              + "; busy " + ", ".join(f"{x:.2f}" for x in loads["busy"]) + " (before the burner started)."]
    return lines


def jobs_summary(result: dict) -> dict:
    """{condition: worst and best j2/j1 over shapes and commands} for the verdict text."""
    out = {}
    for cond in CONDITIONS:
        vals = [r for by_cond in result["rows"].values() for cmd, _ in VARIANTS
                if (r := ratio(by_cond[cond], cmd)) is not None]
        out[cond] = (min(vals), max(vals), statistics.median(vals)) if vals else None
    return out
