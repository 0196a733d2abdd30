"""One direction of a TCP connection, rebuilt as the receiving stack queues it.

Theory of operation
-------------------
Sequence numbers become stream offsets at once (`seq.unwrap`, nearest to the next expected
offset), so wraparound past 2**32 never shows up below this line. Offset 0 is the byte after the
sender's ISN, or, when the capture starts mid-stream, the sequence number of the first packet seen
from that sender (as Wireshark's follow does).

For every segment, in this order:
  1. Keep-alives (0/1 byte at snd.nxt-1) and zero-window probes (1 byte at snd.nxt while the
     receiver advertises a zero window) are counted and dropped: they are not stream data.
  2. Bytes already delivered are trimmed; the overlap is compared with the last
     `conflict_window` delivered bytes and a disagreement is counted. The FIRST copy wins (Windows).
  3. Fast path: an in-order segment with nothing held is delivered as it is (the commonest
     segments, with their ACK, in one call: `common_segment`).
  4. Otherwise the parts not already held are stored in the direction's HeldChunks (held.py;
     first copy wins again), up to `max_held_bytes` for the direction and `max_held_total` for
     the tracker (bytes plus CHUNK_COST a chunk); parts beyond are dropped and remembered as
     LIMIT ranges.
  5. Held data that now starts at the next expected offset is released in order.
A hole becomes a `StreamGap` when it is proven lost (holes.py: by an ACK, the gap wait, a RST or
the end of the capture). Data behind a hole keeps its own capture time (`StreamData.ts_ns`, what
follow shows) and gets a `ready_ns`: when the receiving stack could hand it on, the later of its arrival and the moment
the hole was filled or declared (never the end of the flow, unless that is when it was
declared). A snaplen-truncated segment holds its captured bytes plus a SNAPLEN gap for the rest.
The urgent byte (R39) is cut out of the data and emitted as `UrgentData` at its offset. A FIN is
emitted once everything before it was.

Overlapping bytes not yet delivered are resolved by `limits.overlap` (first copy wins by default,
as tshark; see OverlapPolicy); bytes already delivered are never replaced. Frames identical to the
previous data segment of the direction within `limits.duplicate_window_ns` are capture artefacts
(pktmon logging one packet at several components, a packet captured on two interfaces): they are
counted as `duplicates` and dropped before reassembly, never counted as retransmissions.

Events are passed to `emit`; with `emit=None` the direction only keeps counters (stats mode).
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Callable

from wsarecv_cli.net import TcpFlags
from wsarecv_cli.reassembly.events import (
    GapEvidence,
    GapReason,
    StreamData,
    StreamEvent,
    StreamFin,
    StreamGap,
    StreamReset,
    UrgentData,
)
from wsarecv_cli.reassembly.delivered import DeliveredWindow
from wsarecv_cli.reassembly.held import HeldChunks, MemoryBudget, room
from wsarecv_cli.reassembly.holes import NO_ACK, HoleDecisions
from wsarecv_cli.reassembly.ranges import RangeSet
from wsarecv_cli.reassembly.seq import HALF, SEQ_MASK
from wsarecv_cli.reassembly.stats import DirectionStats, ReassemblyLimits, UrgentMode

SYN, FIN, RST, PSH, ACK, URG = (int(f) for f in (TcpFlags.SYN, TcpFlags.FIN, TcpFlags.RST,
                                                   TcpFlags.PSH, TcpFlags.ACK, TcpFlags.URG))

Emit = Callable[[StreamEvent], None]

# Ranges dropped at the memory limit are remembered exactly up to this many, then as one hull
# (holes inside it are then reported as LIMIT rather than NOT_CAPTURED).
_MAX_DROPPED_RANGES = 1024

# Urgent marks ahead of the delivered data kept at once (each URG segment behind a hole adds one).
_MAX_URGENT = 1024

_new = tuple.__new__
_ACK, _RST, _END = GapEvidence.ACK, GapEvidence.RST, GapEvidence.END_OF_CAPTURE


class TcpDirection(HoleDecisions):
    """Reassembles what one sender sent; see the module docstring for the rules."""

    __slots__ = (
        "stats", "limits", "_emit", "base", "nxt", "hi", "window", "acked", "_tail", "_store",
        "_budget", "_dropped", "_urgent", "fin_at", "fin_done",
        "reset", "_last", "ws_base", "_ticks", "_proof", "_ack_frames", "_large", "_window",
        "_ack_ts", "_acked_ts", "_ready", "_last_ts",
    )

    def __init__(self, stats: DirectionStats, limits: ReassemblyLimits, emit: Emit | None,
                 budget: MemoryBudget | None = None) -> None:
        self.stats = stats
        self.limits = limits
        self._large = limits.large_segment  # read per segment: one attribute, not two
        self._window = limits.conflict_window
        self._emit = emit
        self.base: int | None = None  # sequence number of stream offset 0
        self.ws_base: int | None = None  # Wireshark's base_seq (the SYN's seq, else seq - 1)
        self.nxt = 0  # next offset to deliver
        self.hi = 0  # highest offset seen (Wireshark's nextseq)
        self.window = -1  # last window this sender advertised (-1: none yet)
        self.acked = 0  # highest offset of this direction the peer acknowledged
        # The delivered-bytes window (delivered.py), to compare retransmitted bytes with; made at
        # the first data (most directions of a SYN scan never carry any), None again once dropped.
        self._tail: DeliveredWindow | None = None
        # Made on first use, and None again once empty: most directions never hold data out of
        # order, and with 100k live flows the empty containers were ~1 KB each.
        self._store: HeldChunks | None = None  # data held behind a hole
        self._budget = budget if budget is not None else MemoryBudget(limits.max_held_total)
        self._dropped: RangeSet | None = None  # offsets dropped at the memory limit
        self._urgent: list[int] | tuple[()] = ()  # offsets of urgent bytes not yet delivered
        self.fin_at: int | None = None
        self.fin_done = False
        self.reset = False
        self._last: tuple = ()
        self._ticks = 0  # packets of the connection seen by this direction (segments and ACKs)
        # A pending ACK proof: (acked offset, tick at which its holes are declared lost, frames of
        # the ACK, capture time of the ACK: when the holes are declared).
        self._proof: tuple[int, int, tuple[int, ...], int] | None = None
        self._ack_frames: tuple[int, ...] = ()  # frames of the ACK that last raised `acked`
        self._acked_ts = 0  # capture time of that ACK
        self._ack_ts = NO_ACK  # capture time of the receiver's latest ACK (any)
        self._ready = 0  # latest ready time emitted by the held-data paths (keeps ready_ns monotonic)
        self._last_ts = -1  # capture time of `_last` (duplicate-frame window)

    # ------------------------------------------------------------------ input

    def segment(self, seq: int, flags: int, payload: bytes, missing: int, urg: int,
                ts: int, frames: tuple[int, ...], peer_window_zero: bool) -> None:
        """One TCP segment from this sender (any flags, any length)."""
        st = self.stats
        n = len(payload) + missing
        st.payload_bytes += n
        if flags & SYN:
            st.syn = True
            seq = (seq + 1) & SEQ_MASK
        base = self.base
        if base is None:
            self.base = base = seq
            self.ws_base = (seq - 1) & SEQ_MASK
            if not flags & SYN:
                st.midstream = True
        nxt = self.nxt
        off = nxt + ((seq - base - nxt + HALF) & SEQ_MASK) - HALF  # seq.unwrap, inlined
        end = off + n
        if n:
            if missing:
                st.truncated += 1
            if n > self._large:
                st.large_segments += 1
            last = (seq, n, flags, payload)
            if last == self._last and ts - self._last_ts <= self.limits.duplicate_window_ns:
                st.duplicates += 1  # the same frame logged twice: not a retransmission, not data
                return
            self._last = last
            self._last_ts = ts
            if flags & URG:
                self._mark_urgent(off, urg)
            if n == 1 and self._is_probe(off, n, flags, peer_window_zero):
                pass  # counted, not data
            elif off == nxt and self._store is None:
                if payload:
                    self._deliver(payload, ts, frames, flags & PSH, ts)
                if missing:
                    self._gap(missing, GapReason.SNAPLEN, ts, frames, GapEvidence.FRAME)
                if end > self.hi:
                    self.hi = end
            else:
                self._accept(off, payload, missing, ts, frames, flags & PSH)
        elif off == self.hi - 1 and not flags & (SYN | FIN | RST):
            st.keepalives += 1
        if flags & FIN:
            st.fin = True
            if self.fin_at is None:
                self.fin_at = end
        if flags & RST:
            self._reset(off, ts, frames)
        elif self.fin_at is not None and not self.fin_done:
            self._try_fin(ts, frames)
        self._ticks = ticks = self._ticks + 1
        proof = self._proof
        if proof is not None:
            if ticks >= proof[1]:
                self._settle_proof(ts)
        elif self._store is not None:
            self._check_wait(ts)

    def ack(self, ack: int, ts: int, frames: tuple[int, ...]) -> None:
        """The peer acknowledged up to `ack`: holes below held data it covers are lost, once the
        late data had ACK_REORDER_PACKETS packets to show up (holes.py)."""
        base = self.base
        if base is None:
            return
        nxt = self.nxt
        acked = nxt + ((ack - base - nxt + HALF) & SEQ_MASK) - HALF  # seq.unwrap, inlined
        if acked > self.acked:
            self.acked = acked
            self._ack_frames = frames
            self._acked_ts = ts
        self._ack_ts = ts
        self._ticks += 1
        if self._store is not None or self._proof is not None:
            self._ack_proof(ts, frames)
        if self.fin_at is not None and not self.fin_done:
            self._try_fin(ts, frames)

    def common_segment(self, peer: TcpDirection, seq: int, ack: int, payload: bytes, ts: int,
                       frames: tuple[int, ...], flags: int) -> bool:
        """`peer.ack(ack, ts, frames)` then `self.segment(seq, flags, payload, 0, 0, ts, frames, ...)`
        for the commonest segment: in-order data or a pure ACK, with nothing held, pending or urgent
        on either side (so `peer.ack` has only its bookkeeping to do, and the segment's part is done
        here without `segment`'s tests). Returns False, having changed nothing, for any other
        segment (the caller then makes those two calls). The caller has checked the rest: ACK set,
        no SYN/FIN/RST/URG, no byte cut by the snaplen, no window event due.

        Why: most packets of a capture are this case (93-95 % of the TCP packets of the benchmark
        captures), and the general path cost ~0.15 us a packet more (bench/TRACKER.md). The
        updates below are exactly those `segment` makes for it: tests/reassembly/test_common_segment.py
        runs both ways in lockstep on generated conversations and on every capture."""
        base = self.base
        if base is None or self._store is not None or self._proof is not None or self._urgent \
                or peer._store is not None or peer._proof is not None \
                or (self.fin_at is not None and not self.fin_done) or (peer.fin_at is not None and not peer.fin_done):
            return False
        n = len(payload)
        nxt = self.nxt
        off = nxt + ((seq - base - nxt + HALF) & SEQ_MASK) - HALF  # seq.unwrap, inlined
        if n:
            if off != nxt or n == 1 or n > self._large:  # out of order, maybe a probe, large
                return False
            last = (seq, n, flags, payload)
            if last == self._last and ts - self._last_ts <= self.limits.duplicate_window_ns:
                return False
        elif off == self.hi - 1:  # a keep-alive
            return False
        peer.ack(ack, ts, frames)  # nothing held or pending there: only its ACK bookkeeping
        if n:  # self.segment's in-order delivery (_deliver -> _deliver_plain -> _append_tail)
            st = self.stats
            st.payload_bytes += n
            st.stream_bytes += n
            self._last = last
            self._last_ts = ts
            emit = self._emit
            if emit is not None:
                emit(_new(StreamData, (nxt, payload, ts, frames, bool(flags & PSH), ts)))
            tail = self._tail  # _append_tail, written out
            if tail is None:
                tail = self._tail = DeliveredWindow(self._window, self._budget)
            tail.append(payload)
            self.nxt = end = nxt + n
            if end > self.hi:
                self.hi = end
        self._ticks += 1
        return True

    def finish(self, ts: int, frames: tuple[int, ...]) -> None:
        """End of capture: every hole left is a gap; acknowledged bytes never seen are one too."""
        while self._proof is not None:  # ACK-proven holes first, with their ACK as evidence
            self._settle_proof(ts)
        if self._store is not None:
            self._check_wait(ts)  # holes whose --gap-wait ran out before the end
        self._flush(ts, frames, _END)
        dropped = self._dropped
        if dropped is not None and len(dropped) and dropped.bounds().stop > self.nxt:
            self._fill_holes(dropped.bounds().stop, ts, frames, _END)
        # One byte acknowledged beyond the data may be an uncaptured FIN, not data.
        unseen = self.acked - self.nxt - (1 if self.fin_at is None else 0)
        if self.fin_at is not None:
            unseen = min(unseen, self.fin_at - self.nxt)
        if unseen > 0 and not self.reset:
            self._gap(unseen, GapReason.END_OF_CAPTURE, ts, frames, _ACK)
        if self.fin_at is not None and not self.fin_done:
            self._try_fin(ts, frames)
        self.close()

    def close(self) -> None:
        """Free everything held; counters stay."""
        self._drop_tail()
        if self._store is not None:
            self._store.discard()
            self._store = None
        self._dropped = None
        self._urgent = ()
        self._proof = None

    def set_mss(self, mss: int) -> None:
        """The receiver announced `mss` in its SYN: a larger segment from this sender was built by
        segmentation offload (TSO/GSO on the sending host) or merged by GRO on the capturing one."""
        if mss > 0:
            self.stats.mss = self._large = mss

    # -------------------------------------------------------------- decisions

    def _is_probe(self, off: int, n: int, flags: int, peer_window_zero: bool) -> bool:
        if flags & (SYN | FIN | RST):
            return False
        if n == 1 and off == self.hi - 1 and self.hi > 0:
            self.stats.keepalives += 1
            return True
        if n == 1 and off == self.hi and peer_window_zero and self.hi > 0:
            self.stats.zero_window_probes += 1
            return True
        return False

    def _mark_urgent(self, off: int, urg: int) -> None:
        if self.limits.urgent is UrgentMode.BSD:
            if urg == 0:
                return
            at = off + urg - 1
        else:
            at = off + urg
        if at >= self.nxt and at not in self._urgent:
            if len(self._urgent) >= _MAX_URGENT:
                # A stack keeps one urgent mark (a newer pointer supersedes it, RFC 6093); marks
                # piling up behind a hole are a hostile pattern: bounded, the byte stays inline.
                self.stats.limit_hits += 1
                return
            if not self._urgent:
                self._urgent = []
            insort(self._urgent, at)

    def _accept(self, off: int, payload: bytes, missing: int, ts: int,
                frames: tuple[int, ...], push: int) -> None:
        """The general path: trim what was delivered, store the rest, release what is in order."""
        st = self.stats
        if self._proof is not None and self._store is not None \
                and not self._store.fits(len(payload), self.limits.max_held_bytes):
            self._settle_proof(ts)  # out of room: stop waiting for late data the peer already had
        nxt = self.nxt
        end = off + len(payload) + missing
        if end > self.hi:
            self.hi = end
        retransmitted = off < nxt
        if retransmitted:
            st.retransmitted += 1
            self._compare_delivered(off, payload)
            if end <= nxt:
                return
            cut = nxt - off
            if cut <= len(payload):
                payload = payload[cut:]
            else:
                missing -= cut - len(payload)
                payload = b""
            off = nxt
        elif off > nxt:
            st.out_of_order += 1
        # Store data and the snaplen-missing tail as separate pieces (data=None for the latter).
        pieces = []
        if payload:
            pieces.append((off, off + len(payload), payload))
        if missing:
            pieces.append((end - missing, end, None))
        overlapped = False
        for start, stop, data in pieces:
            store = self._store
            if store is not None and data is not None:
                hit, replaced = store.overlap(start, data, self.limits.overlap, self._conflict)
                overlapped |= hit
                st.overlap_replaced += replaced
            for r in store.missing(start, stop) if store is not None else (range(start, stop),):
                if data is not None and r.start > self.nxt and not self._room(len(r)):
                    st.limit_hits += 1
                    st.limit_bytes += len(r)
                    if self._dropped is None:
                        self._dropped = RangeSet()
                    self._dropped.add(r.start, r.stop)
                    if len(self._dropped) > _MAX_DROPPED_RANGES:  # stay bounded: keep the hull
                        self._dropped = RangeSet([self._dropped.bounds()])
                    continue
                piece = data if data is None or len(r) == len(data) else \
                    data[r.start - start:r.stop - start]
                self._store_chunk(r.start, r.stop, piece, ts, frames)
        if overlapped and not retransmitted:
            st.retransmitted += 1
        if self._store is not None and self._store.first() == self.nxt:
            self._release(ts)

    def _room(self, size: int) -> bool:
        held = 0 if self._store is None else self._store.cost
        return room(held, size, self.limits.max_held_bytes, self._budget)

    def _store_chunk(self, start: int, stop: int, data: bytes | None, ts: int, frames: tuple[int, ...]) -> None:
        if self._store is None:
            self._store = HeldChunks(self._budget)
        self._store.put(start, stop, data, ts, frames)

    def _compare_delivered(self, off: int, payload: bytes) -> None:
        tail = self._tail
        if tail is None:
            return
        nxt = self.nxt
        a = max(off, nxt - tail.length)
        b = min(off + len(payload), nxt)
        if a < b:
            old = tail.get(a, b, nxt)
            if old != payload[a - off:b - off]:
                self._conflict(old, payload[a - off:b - off])

    def _conflict(self, old: bytes | bytearray, new: bytes) -> None:
        self.stats.overlap_conflicts += 1
        self.stats.conflict_bytes += sum(1 for x, y in zip(old, new) if x != y)

    def _reset(self, off: int, ts: int, frames: tuple[int, ...]) -> None:
        span = self.limits.rst_window
        if not (self.nxt - span <= off <= max(self.hi, self.nxt) + span):
            self.stats.rst_ignored += 1
            return
        self.stats.rst += 1
        if self.reset:
            return
        while self._proof is not None:  # holes the receiver acknowledged: lost at their ACK's time
            self._settle_proof(ts)
        self._flush(ts, frames, _RST)
        self.reset = True
        if self._emit is not None:
            self._emit(StreamReset(self.nxt, ts, frames))
        self.close()

    def _try_fin(self, ts: int, frames: tuple[int, ...]) -> None:
        if self.nxt >= self.fin_at:
            self.fin_done = True
            self._drop_tail()  # closed: nothing left to compare retransmissions with
            if self._emit is not None:
                self._emit(StreamFin(self.fin_at, ts, frames))

    # ---------------------------------------------------------------- output

    def _release(self, ts: int) -> None:
        """Deliver held chunks while the first one starts at nxt. `ts` is when the hole before
        them was filled or declared; each chunk keeps its own capture time and is ready at the
        latest of `ts`, its arrival and the chunk before it."""
        store = self._store
        ready = self._ready if self._ready > ts else ts
        while store is not None and store.first() == self.nxt:
            _, (stop, data, c_ts, c_frames) = store.pop_first()
            if not store:
                self._store = store = None
            if c_ts > ready:
                ready = c_ts
            if data is None:
                self._gap(stop - self.nxt, GapReason.SNAPLEN, ready, c_frames, GapEvidence.FRAME)
            else:
                self._deliver(data, c_ts, c_frames, 0, ready)
        self._ready = ready

    def _gap(self, length: int, reason: GapReason, ts: int, frames: tuple[int, ...],
             evidence: GapEvidence) -> None:
        """Advance over `length` bytes the capture does not hold (only where nothing is held)."""
        st = self.stats
        st.gaps += 1
        st.missing_bytes += length
        if ts > self._ready:
            self._ready = ts
        if self._emit is not None:
            self._emit(StreamGap(self.nxt, length, ts, frames, reason, evidence))
        self.nxt += length
        self._drop_tail()
        if self._urgent:
            self._urgent = [u for u in self._urgent if u >= self.nxt]

    def _deliver(self, data: bytes, ts: int, frames: tuple[int, ...], push: int, ready: int) -> None:
        """Bytes at nxt, in order, captured at `ts` and ready at `ready`; the urgent byte, if
        inside, is cut out and emitted apart (at its ready time: replay delivers it then)."""
        off = self.nxt
        n = len(data)
        end = off + n
        urgent = self._urgent
        while urgent and urgent[0] < end:
            at = urgent.pop(0)
            if at < off:
                continue
            if at > off:
                self._deliver_plain(data[:at - off], ts, frames, 0, ready)
            self.stats.urgent += 1
            self.stats.stream_bytes += 1
            if self._emit is not None:
                self._emit(UrgentData(at, data[at - off], ready, frames))
            self._append_tail(data[at - off:at - off + 1])
            self.nxt = at + 1
            data = data[at + 1 - off:]
            off = at + 1
        if data:
            self._deliver_plain(data, ts, frames, push, ready)

    def _deliver_plain(self, data: bytes, ts: int, frames: tuple[int, ...], push: int, ready: int) -> None:
        self.stats.stream_bytes += len(data)
        if self._emit is not None:
            self._emit(_new(StreamData, (self.nxt, data, ts, frames, bool(push), ready)))
        self._append_tail(data)
        self.nxt += len(data)

    def _append_tail(self, data: bytes) -> None:
        """Delivered bytes into the window (made at the first)."""
        tail = self._tail
        if tail is None:
            tail = self._tail = DeliveredWindow(self._window, self._budget)
        tail.append(data)

    def _drop_tail(self) -> None:
        """Forget the delivered-bytes window (a gap, a FIN, the end): nothing to compare with."""
        if self._tail is not None:
            self._tail.drop()
            self._tail = None

    def delivered_tail(self) -> bytes:
        """The delivered-bytes window (what retransmitted bytes are compared with)."""
        return b"" if self._tail is None else self._tail.tail(self.nxt)

    @property
    def held_bytes(self) -> int:
        """What the held chunks cost against the limits: their bytes + CHUNK_COST each."""
        return 0 if self._store is None else self._store.cost

    def pending(self) -> list[range]:
        """Offsets held out of order, merged where adjacent (for tests and diagnostics)."""
        held = RangeSet()
        if self._store is not None:
            for start in self._store.keys:
                held.add(start, self._store.get(start)[0])
        return list(held)
