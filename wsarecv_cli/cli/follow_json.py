"""`follow --json --jobs N`, the parent's side: the workers' flows (parallel/follow.py) merged into one
document with Wireshark's flow ids, and the facts (--flow matches, findings, limits) over all of them."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, TextIO

from wsarecv_cli.capture import CaptureLimits
from wsarecv_cli.cli.flows import FlowFacts
from wsarecv_cli.net import FlowSelector, selects
from wsarecv_cli.parallel.follow import ENCODE, follow_shard, global_ids
from wsarecv_cli.parallel.shards import run_shards
from wsarecv_cli.reassembly import ReassemblyLimits
from wsarecv_cli.render import follow as render_follow


def follow_json_parallel(path: str, jobs: int, capture_limits: CaptureLimits, limits: ReassemblyLimits,
                         selectors: tuple[FlowSelector, ...], out: TextIO,
                         capture: dict[str, Any]) -> tuple[FlowFacts, list[str], bool] | None:
    """follow --json over `jobs` worker processes; writes the document to out.
    Returns (facts, warnings, gaps seen in a selected flow), or None having written nothing when
    flows were evicted: shards cannot match one process then (shards.py)."""
    with run_shards(follow_shard, path, jobs, capture_limits, limits, ".jsonl") as shards:
        if shards is None:
            return None
        paths, results = shards
        ids = global_ids([r["notes"] for r in results])
        facts = FlowFacts(selectors)
        gaps = False
        for w, result in enumerate(results):
            for note in result["notes"]:
                key = (note.transport.label, note.index)
                fid = ids[w][key]
                facts.note(fid, note.a, note.b, note.has_findings, note.limit_hits, note.limit_bytes)
                if selects(selectors, fid, note.a, note.b):
                    gaps = gaps or note.gaps
                else:
                    del ids[w][key]  # not written
        facts.check_selectors()
        for result in results:  # each worker's flows; every worker decoded the whole capture
            facts.reality.merge(result["reality"])
        facts.decode_checksums = SimpleNamespace(**results[0]["checksums"])
        warnings = results[0]["warnings"] + facts.limit_lines(limits, 0)
        document = render_follow.FollowDocument(out, capture)
        for w, shard_path in enumerate(paths):
            with open(shard_path, encoding="utf-8") as lines:
                for line in lines:
                    key, entry = line.rstrip("\n").split("\t", 1)
                    label, index = key.split(" ")
                    fid = ids[w].get((label, int(index)))
                    if fid is None:
                        continue
                    document.flow_json(entry.replace('{"id":""', '{"id":' + ENCODE(str(fid)), 1))
        document.close(warnings)
    return facts, warnings, gaps
