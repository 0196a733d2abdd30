"""IPv4 and IPv6 fragment reassembly, deterministic and bounded.

Theory of operation: fragments are grouped by key ((4, src, dst, id, proto) or (6, src, dst, id)).
Each set keeps non-overlapping pieces (start, end, captured bytes). A new fragment contributes only
the ranges no earlier piece covers: the first copy of every byte wins, whatever order fragments
arrive in, and a fragment that adds nothing is a duplicate, one that adds part of itself an
overlap (both counted). The set is complete once the last fragment (MF=0) fixed the length and the
pieces cover [0, length); the datagram then goes to `transport_packet` with frame = the completing
frame (as Wireshark shows it), ts of that frame, and frames = every contributing frame.

Memory is bounded by CaptureLimits: sets older than `fragment_timeout_ns` (capture time) are
dropped as incomplete, and the oldest sets are evicted while more than `fragment_sets` sets or
`fragment_bytes` bytes are held. Each piece is also clamped to the 64 KiB an IP datagram can hold.
A piece cut by the snaplen counts with its full length; bytes after the first such cut are
reported as `missing` instead of being invented.
"""

from __future__ import annotations

from collections import OrderedDict

from wsarecv_cli.capture.decode import Fragment, transport_packet, walk_ipv6_ext
from wsarecv_cli.capture.limits import CaptureLimits
from wsarecv_cli.capture.stats import DecodeStats, SkipReason
from wsarecv_cli.net import Packet

MAX_DATAGRAM = 65535  # an IP datagram (without jumbo options) cannot be longer
WARN_SETS = 5  # dropped fragment sets named one by one in warnings; the rest are summed up


class _Set:
    __slots__ = ("first_ts", "pieces", "length", "held", "frames", "proto", "src", "dst")

    def __init__(self, frag: Fragment) -> None:
        self.first_ts = frag.ts_ns
        self.pieces: list[tuple[int, int, bytes]] = []
        self.length = -1  # unknown until the MF=0 fragment
        self.held = 0
        self.frames: list[int] = []
        self.proto, self.src, self.dst = frag.proto, frag.src, frag.dst

    def add(self, start: int, end: int, data: bytes) -> tuple[int, int]:
        """Insert the uncovered parts of [start, end); returns (bytes added, bytes already covered)."""
        added = 0
        cursor = start
        new: list[tuple[int, int, bytes]] = []
        for ps, pe, _ in self.pieces:
            if pe <= cursor or ps >= end:
                continue
            if ps > cursor:
                new.append((cursor, ps, data[cursor - start:ps - start]))
            cursor = max(cursor, pe)
        if cursor < end:
            new.append((cursor, end, data[cursor - start:end - start]))
        for piece in new:
            added += piece[1] - piece[0]
            self.held += len(piece[2])
        self.pieces.extend(new)
        self.pieces.sort()
        return added, (end - start) - added

    def complete(self) -> bool:
        if self.length < 0:
            return False
        cursor = 0
        for ps, pe, _ in self.pieces:
            if ps > cursor:
                return False
            cursor = max(cursor, pe)
        return cursor >= self.length

    def assemble(self) -> tuple[bytes, int]:
        """(contiguous captured bytes from 0, bytes missing after them)."""
        parts = []
        for ps, pe, data in self.pieces:
            if ps >= self.length:
                break
            pe = min(pe, self.length)
            parts.append(data[:pe - ps])
            if len(data) < pe - ps:  # snaplen cut this piece: nothing after it is known
                break
        payload = b"".join(parts)
        return payload, self.length - len(payload)


class Defragmenter:
    """Feed `Fragment`s in capture order; `add` returns a Packet when a datagram completes."""

    def __init__(self, stats: DecodeStats, limits: CaptureLimits, warnings: list[str]) -> None:
        self.stats = stats
        self.limits = limits
        self.warnings = warnings
        self._sets: OrderedDict[tuple, _Set] = OrderedDict()  # oldest first
        self._held = 0
        self._named = 0  # dropped sets named in a warning of their own
        self._unnamed: dict[str, int] = {}  # the rest, by reason

    def add(self, frag: Fragment) -> Packet | None:
        self._expire(frag.ts_ns)
        start, end = frag.offset, frag.offset + frag.length
        if end > MAX_DATAGRAM or frag.length < 0 or (frag.more and frag.length % 8):
            self.stats.skip(SkipReason.FRAGMENT_MALFORMED)
            return None
        fset = self._sets.get(frag.key)
        if fset is None:
            fset = self._sets[frag.key] = _Set(frag)
        fset.frames.append(frag.frame)
        if not frag.more and fset.length < 0:
            fset.length = end
        before = fset.held
        added, covered = fset.add(start, end, frag.data)
        self._held += fset.held - before
        if covered:
            if added:
                self.stats.fragment_overlaps += 1
            else:
                self.stats.fragment_duplicates += 1
        if fset.complete():
            del self._sets[frag.key]
            self._held -= fset.held
            return self._finish(fset, frag)
        self._enforce_limits()
        return None

    def _finish(self, fset: _Set, last: Fragment) -> Packet | None:
        payload, missing = fset.assemble()
        self.stats.reassembled += 1
        # Decode the transport header from the reassembled payload; missing bytes trail it.
        proto = fset.proto
        pos = 0
        if len(last.key) == 4:  # IPv6: the fragmentable part may start with more ext headers
            walked = walk_ipv6_ext(payload, 0, proto, len(payload) + missing)
            if walked.__class__ is SkipReason:
                self.stats.skip(walked)
                return None
            proto, pos = walked
        packet = transport_packet(proto, payload, pos, len(payload) + missing, fset.src, fset.dst,
                                  last.frame, last.ts_ns, self.stats, tuple(fset.frames))
        if packet.__class__ is SkipReason:
            self.stats.skip(packet)
            return None
        return packet

    def _expire(self, now_ns: int) -> None:
        limit = now_ns - self.limits.fragment_timeout_ns
        while self._sets:
            key, fset = next(iter(self._sets.items()))
            if fset.first_ts >= limit:
                break
            self._drop(key, "timed out")

    def _enforce_limits(self) -> None:
        while self._sets and (len(self._sets) > self.limits.fragment_sets or self._held > self.limits.fragment_bytes):
            self._drop(next(iter(self._sets)), "memory limit")
            self.stats.fragment_sets_evicted += 1

    def _drop(self, key: tuple, why: str) -> None:
        fset = self._sets.pop(key)
        self._held -= fset.held
        if why != "memory limit":
            self.stats.fragments_incomplete += 1
        # A fragment flood must not become a warning flood: the first few sets are named, the rest
        # are counted and summed up in one line at the end (flush).
        if self._named < WARN_SETS:
            self._named += 1
            frames = ",".join(map(str, fset.frames[:8])) + ("…" if len(fset.frames) > 8 else "")
            self.warnings.append(f"incomplete IP fragment set dropped ({why}): frames {frames}")
        else:
            self._unnamed[why] = self._unnamed.get(why, 0) + 1

    def flush(self) -> None:
        """End of capture: whatever is still incomplete is dropped and reported."""
        for key in list(self._sets):
            self._drop(key, "end of capture")
        if self._unnamed:
            detail = ", ".join(f"{n} {why}" for why, n in self._unnamed.items())
            self.warnings.append(f"{sum(self._unnamed.values())} more incomplete IP fragment sets dropped ({detail}); "
                                 f"a flood of fragments that never complete is bounded by --max-fragment-bytes "
                                 f"and {self.limits.fragment_sets} sets")
            self._unnamed = {}
