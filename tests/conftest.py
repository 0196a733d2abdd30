"""Shared fixtures: the public capture corpus beside the clone, when it is there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SHARED_CAPTURES = ROOT.parent / "shared" / "captures"


def corpus_files() -> list[Path]:
    """Every capture of ../shared/captures (empty when the folder is absent)."""
    if not SHARED_CAPTURES.is_dir():
        return []
    return sorted(p for p in SHARED_CAPTURES.iterdir() if p.suffix in (".pcap", ".pcapng"))


def corpus_params() -> list:
    """pytest params over the corpus, or one param that skips with the reason when it is absent."""
    files = corpus_files()
    if not files:
        return [pytest.param(None, id="no-corpus", marks=pytest.mark.skip(
            reason=f"public capture corpus not found at {SHARED_CAPTURES} (CI has ../shared beside the clone)"))]
    return [pytest.param(p, id=p.stem) for p in files]


def reference_for(capture: Path) -> dict:
    """tshark's reference JSON for a corpus capture."""
    return json.loads((capture.parent / "reference" / f"{capture.stem}.json").read_text())


def is_damaged(capture: Path) -> bool:
    """MANIFEST.md marks damaged files as corrupt_*; tshark's stderr says so for the cut-short ones."""
    return bool(reference_for(capture).get("tshark_read_stderr"))
