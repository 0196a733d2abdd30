"""`wsarecv follow`: Wireshark's Follow Stream, event by event, and its JSON summary.

Pretty output: one header line per segment (flow, direction, offset, length, time, frames) and its
bytes as text (non-printable bytes as '.') or a hexdump, colored by direction (A→B red, B→A blue,
as Wireshark does). Gaps, urgent bytes, FIN and RST are one bracketed line each:
"[14 bytes missing in capture]".

JSON (`follow_document`): {"capture", "warnings", "flows": [{"id", "transport", "a", "b",
"initiator", "client", "roles", "directions": [{"sender", "receiver", "bytes", "sha256", "gaps": [[offset, length]],
"gap_reasons": [...], "urgent": [[offset, byte]], "segments": [{"offset", "length", "t", "frames"}],
"fin", "reset"}]}]}. `bytes`/`sha256` cover every captured byte in stream order with urgent bytes
in place (like Wireshark's follow), gaps excluded; `t` is seconds from the capture's first frame.
"""

from __future__ import annotations

import hashlib
import json
from array import array
from collections.abc import Callable, Iterator
from typing import Any

from rich.text import Text

from wsarecv_cli.net import Endpoint
from wsarecv_cli.reassembly import (
    Datagram,
    FlowEvent,
    GapReason,
    StreamData,
    StreamFin,
    StreamGap,
    StreamReset,
    UrgentData,
)
from wsarecv_cli.render.follow_spool import (
    PLACEHOLDER,
    SPOOL_AT,
    Block,
    pack_block,
    segment_dicts,
    unpack_block,
    write_flow_entry,
)
from wsarecv_cli.render.timefmt import Clock, TimeFormat
from wsarecv_cli.render.sanitize import json_safe, printable_bytes
from wsarecv_cli.spool import Spool

DIRECTION_STYLES = ("red", "blue")

_GAP_TEXT = {
    GapReason.NOT_CAPTURED: "missing in capture",
    GapReason.SNAPLEN: "cut by the snaplen",
    GapReason.LIMIT: "dropped at the memory limit",
    GapReason.END_OF_CAPTURE: "acknowledged but not in capture",
}


def hexdump(data: bytes, offset: int = 0) -> str:
    lines = []
    for i in range(0, len(data), 16):
        chunk = data[i:i + 16]
        hexes = " ".join(f"{b:02x}" for b in chunk)
        text = printable_bytes(chunk).replace("\n", ".").replace("\t", ".")
        lines.append(f"{offset + i:08x}  {hexes:<47}  {text}")
    return "\n".join(lines)


def _payload(event: Any) -> bytes | None:
    if isinstance(event, (StreamData, Datagram)):
        return event.data
    return None


def event_lines(fe: FlowEvent, a: Endpoint, origin_ns: int | Clock, hex_mode: bool) -> list[Text]:
    """The lines one event shows as: a header then the data, or one bracketed note; times from
    `origin_ns` in seconds, or as a Clock (-t) shows them."""
    e = fe.event
    side = 0 if fe.sender == a else 1
    style = DIRECTION_STYLES[side]
    clock = origin_ns if isinstance(origin_ns, Clock) else Clock(TimeFormat.RELATIVE, origin_ns)
    t = clock.text(e.ts_ns)
    # A FIN or RST the capture implies (end of capture, a flow closed by the limits) has no frame.
    frames = f"  frame {','.join(str(f) for f in e.frames)}" if e.frames else ""
    where = f"{fe.flow} {fe.sender} → {fe.receiver}"
    data = _payload(e)
    if data is not None:
        offset = getattr(e, "offset", 0)
        head = Text(f"── {where}  @{offset}  {len(data)} B  t={t}{frames}", style=f"dim {style}")
        if isinstance(e, Datagram) and e.wire_length > len(data):
            head.append(f"  ({e.wire_length - len(data)} B cut by the snaplen)", style="yellow")
        body = hexdump(data, offset) if hex_mode else printable_bytes(data)
        return [head, Text(body, style=style)] if data else [head]
    if isinstance(e, StreamGap):
        note = f"[{e.length:,} bytes {_GAP_TEXT[e.reason]}]  {where} @{e.offset}  t={t}"
        return [Text(note, style="bold yellow")]
    if isinstance(e, UrgentData):
        return [Text(f"[urgent byte 0x{e.byte:02x} {printable_bytes(bytes([e.byte]))!r} at offset {e.offset}]  {where}  "
                     f"t={t}{frames}", style=f"bold {style}")]
    if isinstance(e, StreamFin):
        return [Text(f"[FIN at offset {e.offset}]  {where}  t={t}{frames}", style=f"dim {style}")]
    if isinstance(e, StreamReset):
        return [Text(f"[RST at offset {e.offset}]  {where}  t={t}{frames}", style="bold red")]
    return []


# What a digest that got data holds before its segments (the hash context, the arrays): counted
# against --max-flow-memory while its flow is live (follow --json on 55k two-way flows: ~0.5 KB of
# RSS a direction).
DIGEST_COST = 600

# Below this many nanoseconds (2**23 s, ~97 days) from the first frame, a float's spacing is under
# 1e-9: ns / 1e9 is then the float nearest the 9-decimal value, which round(., 9) gives back as it is.
EXACT_NS = 2**23 * 10**9


class DirectionDigest:
    """What --json keeps of one direction: hashes and metadata, never the bytes themselves.

    Segments are held as three int64s each in one array (offset, length, frame — or -1-k for the
    k-th multi-frame tuple in `_multi`) and a double (`t`) in another, and become dicts only when
    written: a flow with many segments stays live until it finishes, and a dict per segment cost
    ~300 bytes against 32 here. (`t` is a double because capture clocks can be anything: some
    real pcapng files have timestamps beyond int64 nanoseconds.) With a `spool`, every SPOOL_AT
    segments go to it as a block (follow_spool.py), so a live flow holds at most that many."""

    __slots__ = ("sender", "receiver", "origin_ns", "sha", "bytes", "gaps", "gap_reasons", "urgent", "_segs",
                 "_times", "_multi", "fin", "reset", "meter", "spool", "_blocks")

    def __init__(self, sender: Endpoint, receiver: Endpoint, origin_ns: int = 0) -> None:
        self.sender = sender
        self.receiver = receiver
        self.origin_ns = origin_ns
        # Made on first use: most directions of a SYN scan or a one-way capture never carry data,
        # and with 100k live flows the hash and the empty containers were ~1.5 KB per flow.
        self.sha: Any = None
        self.bytes = 0
        self.gaps: list[list[int]] | tuple[()] = ()
        self.gap_reasons: list[str] | tuple[()] = ()
        self.urgent: list[list[int]] | tuple[()] = ()
        self._segs: array | None = None
        self._times: array | None = None
        self._multi: list[tuple[int, ...]] | tuple[()] = ()
        self.fin = False
        self.reset = False
        self.meter: Callable[[int], None] | None = None  # told DIGEST_COST when the first data comes
        self.spool: Spool | None = None
        self._blocks: list[tuple[int, int, int, int]] | tuple[()] = ()  # spooled: (pos, size, segments, flat)

    def add(self, e: Any) -> None:
        cls = e.__class__
        if cls is StreamData or cls is Datagram:
            if cls is StreamData:
                offset, data, ts, frames, _, _ = e  # one unpack: most events are this
            else:
                data, _, ts, frames, _ = e
                offset = self.bytes
            segs = self._segs
            if segs is None:  # the first data, or the first since the flow was parked
                segs = self._arrays()
            self.sha.update(data)
            if len(frames) == 1:
                frame = frames[0]
            else:
                if not self._multi:
                    self._multi = []
                frame = -1 - len(self._multi)
                self._multi.append(frames)
            n = len(data)
            segs.extend((offset, n, frame))
            ns = ts - self.origin_ns
            # round(ns / 1e9, 9) is ns / 1e9 itself below 2**23 s (the division is then within half
            # a nanosecond of the exact decimal); round() costs ~0.3 us a segment
            self._times.append(ns / 1e9 if -EXACT_NS < ns < EXACT_NS else round(ns / 1e9, 9))
            self.bytes += n
            if len(self._times) >= SPOOL_AT and self.spool is not None:
                self._spill()
        elif cls is UrgentData:
            if self.sha is None:
                self._open()
            self.sha.update(bytes([e.byte]))
            self.bytes += 1
            if not self.urgent:
                self.urgent = []
            self.urgent.append([e.offset, e.byte])
        elif cls is StreamGap:
            if not self.gaps:
                self.gaps, self.gap_reasons = [], []
            self.gaps.append([e.offset, e.length])
            self.gap_reasons.append(e.reason.value)
        elif cls is StreamFin:
            self.fin = True
        elif cls is StreamReset:
            self.reset = True

    __call__ = add  # the digest is its direction's event sink (a bound method per direction: 64 B more)

    def _open(self) -> None:
        if self.meter is not None:
            self.meter(DIGEST_COST)
        self.sha = hashlib.sha256()

    def _arrays(self) -> array:
        """The segment arrays made (and the hash, on the first data); returns `_segs`."""
        if self.sha is None:
            self._open()
        segs = self._segs = array("q")
        self._times = array("d")
        return segs

    def spill(self) -> None:
        """The segments in memory (if any) to the spool, and the arrays let go until the next data:
        the flow is quiet (parked), and a parked flow's digests are what it costs (~0.25 KB less)."""
        if self.spool is None:
            return
        if self._times:
            self._spill()
        self._segs = self._times = None

    def _spill(self) -> None:
        """The segments in memory to the spool, as one block."""
        block, count, flat = pack_block(self._segs, self._times, self._multi)
        if not self._blocks:
            self._blocks = []
        self._blocks.append((self.spool.write(block), len(block), count, flat))
        self._segs, self._times = array("q"), array("d")
        self._multi = ()

    def segment_blocks(self) -> Iterator[Block]:
        """The segments, in order, as (segs, times, multi) blocks: the spooled ones, then those in memory."""
        for pos, size, count, flat in self._blocks:
            yield unpack_block(self.spool.read(pos, size), count, flat)
        if self._segs is not None:
            yield self._segs, self._times, self._multi

    def segments(self) -> list[dict[str, Any]]:
        """[{"offset", "length", "t" (s from the capture's first frame), "frames"}], in order."""
        return [segment for block in self.segment_blocks() for segment in segment_dicts(*block)]

    def as_dict(self, segments: Any = None, names: tuple[str, str] | None = None) -> dict[str, Any]:
        """The direction's part of the document (`segments` in place of the list, if given; `names`:
        the sender's and receiver's text, if known)."""
        sender, receiver = names or (str(self.sender), str(self.receiver))
        return {
            "sender": sender, "receiver": receiver, "bytes": self.bytes,
            "sha256": (self.sha or hashlib.sha256()).hexdigest(), "gaps": self.gaps, "gap_reasons": self.gap_reasons,
            "urgent": self.urgent, "segments": self.segments() if segments is None else segments, "fin": self.fin,
            "reset": self.reset,
        }


def flow_entry(info: Any, digests: dict[Endpoint, DirectionDigest]) -> dict[str, Any]:
    """One flow of the JSON document, segments and all (what write_entry writes in pieces)."""
    return _entry(info, _both(info, digests))


def _entry(info: Any, both: list[DirectionDigest], segments: Any = None) -> dict[str, Any]:
    """The entry of `both` directions, a→b first (with `segments` in place of each direction's
    list, if given)."""
    # Each endpoint as text once: str() of one is ~1.2 us (ipaddress), and an entry names a and b
    # eight times (per flow: 1000 flows of bench-many-200k.pcap, ~0.03 us a packet).
    a, b = str(info.a), str(info.b)

    def name(endpoint: Endpoint) -> str:
        return a if endpoint == info.a else b if endpoint == info.b else str(endpoint)

    directions = [both[0].as_dict(segments, (a, b)), both[1].as_dict(segments, (b, a))]
    return {
        "id": str(info.id), "transport": info.transport.label, "a": a, "b": b,
        "initiator": None if info.initiator is None else name(info.initiator), "client": name(info.client),
        "roles": "inferred" if info.roles_inferred else "syn", "directions": directions,
    }


def _both(info: Any, digests: dict[Endpoint, DirectionDigest]) -> list[DirectionDigest]:
    """Both directions' digests, a→b first (an empty one for a direction that sent nothing)."""
    return [digests.get(sender) or DirectionDigest(sender, receiver)
            for sender, receiver in ((info.a, info.b), (info.b, info.a))]


# The document's one JSON encoding (also used by `follow --jobs` workers for their entries).
COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
encode_compact = COMPACT.encode


def write_entry(write: Callable[[str], Any], info: Any, digests: dict[Endpoint, DirectionDigest],
                flow_id: str | None = None) -> None:
    """`flow_entry` encoded (its id replaced by `flow_id` if given), written in pieces: the
    segment lists a block at a time from the spool, never all in memory (follow_spool.py)."""
    both = _both(info, digests)
    entry = _entry(info, both, PLACEHOLDER)
    if flow_id is not None:
        entry["id"] = flow_id
    write_flow_entry(write, entry, [d.segment_blocks() for d in both], COMPACT)


class FollowDocument:
    """`follow --json`, written a flow at a time as flows finish, so memory follows the live flows,
    not the capture: `{"capture": {...}, "flows": [...], "warnings": [...]}` (flows in the order
    they finished; every flow of the capture that was selected appears once)."""

    def __init__(self, stream: Any, capture: dict[str, Any]) -> None:
        self._stream = stream
        self._capture = capture
        self._started = False
        self._dumps = encode_compact

    def _start(self) -> None:
        if not self._started:
            self._stream.write('{"capture":' + json_safe(self._dumps(self._capture)) + ',"flows":[')
            self._started = True
            self._first = True

    def flow_digests(self, info: Any, digests: dict[Endpoint, DirectionDigest]) -> None:
        """One flow's entry from its digests, its segments streamed (write_entry)."""
        self._start()
        if not self._first:
            self._stream.write(",")
        write_entry(self._stream.write, info, digests)
        self._first = False

    def flow_json(self, text: str) -> None:
        """One flow entry already encoded (as write_entry writes it: a --jobs worker's line)."""
        self._start()
        self._stream.write(("" if self._first else ",") + text)
        self._first = False

    def close(self, warnings: list[str]) -> None:
        self._start()
        self._stream.write('],"warnings":' + json_safe(self._dumps(warnings)) + "}\n")
        self._stream.flush()
