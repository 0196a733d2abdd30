"""follow --json's segments written by %-formatting (render/follow_spool.py `segments_text`) are the
text the json encoder writes for the same segments: on made-up blocks (hypothesis: offsets,
lengths, multi-frame tuples, every kind of float, several encoders), and as whole `follow --json`
documents on every sample and corpus capture, against the writers they replaced (kept here as the
reference: a dict per segment through the encoder; an entry naming each endpoint with str() every
time) and against re-encoding the parsed document."""

from __future__ import annotations

import json
from array import array
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import SAMPLES, corpus_params
from wsarecv_cli.cli.main import cli
from wsarecv_cli.render import follow as render_follow
from wsarecv_cli.render import follow_spool
from wsarecv_cli.render.follow import COMPACT, encode_compact
from wsarecv_cli.render.follow_spool import pack_block, segment_dicts, segment_format, segments_text, unpack_block


class OwnEncoder(json.JSONEncoder):
    """A subclass may encode anything its own way: it gets the encoder's text, never the format's."""


ENCODERS = {
    "compact": COMPACT,
    "default": json.JSONEncoder(),
    "ascii-spaced": json.JSONEncoder(separators=(", ", ": "), ensure_ascii=True),
    "odd-separators": json.JSONEncoder(separators=(" ;", "=")),
    "percent-separator": json.JSONEncoder(separators=("%", "%s")),
    "indent": json.JSONEncoder(indent=2),
    "sorted": json.JSONEncoder(sort_keys=True, separators=(",", ":")),
    "subclass": OwnEncoder(separators=(",", ":")),
}

times = st.one_of(
    st.floats(),  # negative, huge, tiny, subnormal, -0.0, inf, nan
    st.integers(-2**53, 2**53).map(float),  # exact integers (repr "12.0", "1e+16")
    st.integers(-2**70, 2**70).map(lambda ns: ns / 1e9),  # what a digest makes
    st.integers(-10**6, 10**6).map(lambda ns: ns / 1e9),  # around the repr's switch to exponents (1e-05)
)
frame_tuples = st.one_of(st.integers(0, 2**63 - 1).map(lambda f: (f,)),  # one frame: kept in place
                         st.lists(st.integers(0, 2**63 - 1), max_size=4).filter(lambda f: len(f) != 1).map(tuple))
segments = st.lists(st.tuples(st.integers(0, 2**63 - 1), st.integers(0, 2**63 - 1), times, frame_tuples), max_size=70)


def block_of(items: list[tuple[int, int, float, tuple[int, ...]]]) -> tuple[array, array, list[tuple[int, ...]]]:
    """The segments as a DirectionDigest holds them (a multi-frame tuple k as frame -1-k)."""
    segs, ts, multi = array("q"), array("d"), []
    for offset, length, t, frames in items:
        if len(frames) == 1:
            frame = frames[0]
        else:
            frame = -1 - len(multi)
            multi.append(frames)
        segs.extend((offset, length, frame))
        ts.append(t)
    return segs, ts, multi


def encoded(block, encoder: json.JSONEncoder) -> str:
    """What the json encoder writes for the block (ValueError's text where it refuses)."""
    try:
        return encoder.encode(segment_dicts(*block))[1:-1]
    except ValueError as exc:
        return f"ValueError: {exc}"


def written(block, encoder: json.JSONEncoder) -> str:
    try:
        return segments_text(*block, encoder)
    except ValueError as exc:
        return f"ValueError: {exc}"


@settings(max_examples=400, deadline=None)
@given(items=segments, encoder=st.sampled_from(sorted(ENCODERS)))
def test_segments_text_is_the_encoders_text(items, encoder: str) -> None:
    block = block_of(items)
    assert written(block, ENCODERS[encoder]) == encoded(block, ENCODERS[encoder])


@settings(max_examples=200, deadline=None)
@given(items=segments)
def test_segments_text_of_a_spooled_block(items) -> None:
    """A block read back from the spool's bytes (frames as plain ints from int64s) writes the same."""
    block = block_of(items)
    again = unpack_block(*pack_block(*block))
    assert segments_text(*again, COMPACT) == encoded(block, COMPACT)


@pytest.mark.parametrize("t, text", [
    (0.0, "0.0"), (-0.0, "-0.0"), (1.0, "1.0"), (-3.0, "-3.0"), (1e16, "1e+16"), (1e-05, "1e-05"),
    (0.0001, "0.0001"), (123456789.123456789, "123456789.12345679"), (5e-324, "5e-324"),
    (1.7976931348623157e308, "1.7976931348623157e+308"), (float("inf"), "Infinity"), (float("-inf"), "-Infinity"),
    (float("nan"), "NaN"),
], ids=lambda v: repr(v) if isinstance(v, float) else "")
def test_a_time_is_written_as_the_encoder_writes_it(t: float, text: str) -> None:
    block = block_of([(0, 1, t, (7,)), (1, 2, 0.5, (8, 9))])
    assert segments_text(*block, COMPACT) == \
        f'{{"offset":0,"length":1,"t":{text},"frames":[7]}},{{"offset":1,"length":2,"t":0.5,"frames":[8,9]}}'


def test_a_refusing_encoder_still_refuses() -> None:
    with pytest.raises(ValueError):
        segments_text(*block_of([(0, 1, float("nan"), (1,))]), json.JSONEncoder(allow_nan=False))


@pytest.mark.parametrize("name", ["indent", "sorted", "subclass", "percent-separator"])
def test_encoders_written_their_own_way_get_no_format(name: str) -> None:
    assert segment_format(ENCODERS[name]) is None


def reference_segments_text(segs, ts, multi, encoder) -> str:
    """The writer segments_text replaced: a dict per segment through the encoder."""
    return encoder.encode(segment_dicts(segs, ts, multi))[1:-1]


CAPTURES = [pytest.param(p, id=p.name) for p in sorted(SAMPLES.glob("*.pcap*"))] + corpus_params()


def follow_json(path: Path, jobs: int = 1):
    result = CliRunner().invoke(cli, ["follow", str(path), "--json", "--jobs", str(jobs)])
    return result.exit_code, result.stdout, result.stderr


def reference_entry(info, both, segments=None) -> dict:
    """The flow entry as render/follow.py `_entry` made it before it named each endpoint once."""
    directions = [dict(digest.as_dict(segments), sender=str(digest.sender), receiver=str(digest.receiver))
                  for digest in both]
    return {
        "id": str(info.id), "transport": info.transport.label, "a": str(info.a), "b": str(info.b),
        "initiator": None if info.initiator is None else str(info.initiator), "client": str(info.client),
        "roles": "inferred" if info.roles_inferred else "syn", "directions": directions,
    }


@pytest.mark.parametrize("path", CAPTURES)
def test_follow_json_is_the_dict_writers(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    formatted = follow_json(path)
    monkeypatch.setattr(follow_spool, "segments_text", reference_segments_text)
    monkeypatch.setattr(render_follow, "_entry", reference_entry)
    assert formatted == follow_json(path)


@pytest.mark.parametrize("jobs", [1, 2], ids=["one-process", "jobs-2"])
@pytest.mark.parametrize("path", CAPTURES)
def test_follow_json_is_its_document_encoded(path: Path, jobs: int) -> None:
    code, out, _ = follow_json(path, jobs)
    if not out:  # a capture that cannot be read: no document (its error is tested elsewhere)
        assert code != 0
        return
    assert out == encode_compact(json.loads(out)) + "\n"
