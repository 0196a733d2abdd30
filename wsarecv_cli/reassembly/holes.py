"""When a hole in one TCP direction is declared lost: the decisions TcpDirection (tcp.py) takes
about the data it holds behind a hole, apart from the reassembly itself.

A hole becomes a `StreamGap` when it is proven lost (`GapEvidence`, docs/CAPTURE_REALITY.md):
  * ACK: the receiver acknowledged bytes beyond it, so it had them and the capture missed them.
    The gap is declared *at that ACK's capture time*. Captures are reordered (several interfaces,
    GRO on the capturing host), so an ACK may be seen before the data it covers: the decision is
    taken `ACK_REORDER_PACKETS` packets of the connection later (or when held data would hit
    `max_held_bytes`, on a RST, at the end); a late segment that fills the hole before then is
    taken normally. The gap's time is still the ACK's.
  * GAP_WAIT: the capture holds no ACK at all from the receiver of this direction (a one-way
    capture): the hole is declared `gap_wait_ns` after the data behind it arrived, unless a
    retransmission filled it first. Where the receiver's ACKs are in the capture, only an ACK
    covering the hole proves it: one that does not means the receiver really lacks those bytes
    and waits for the retransmission (with backoff, retransmissions come seconds later: the
    corpus' suricata_snaplen_truncated_ooo waits 15 s), and so do we.
  * RST, END_OF_CAPTURE: what is still open then.
Each declaration fills the holes with `StreamGap`s (LIMIT where the data was dropped at the
memory limit, NOT_CAPTURED elsewhere) and releases the held data behind them.
"""

from __future__ import annotations

from wsarecv_cli.reassembly.events import GapEvidence, GapReason

# Packets of the connection (both directions) an ACK-covered hole waits for its late data before it
# is declared lost. Capture reordering (multi-interface, GRO) spans a few packets; this leaves room.
ACK_REORDER_PACKETS = 32

NO_ACK = -(1 << 62)  # TcpDirection._ack_ts before the receiver's first ACK
_ACK, _GAP_WAIT = GapEvidence.ACK, GapEvidence.GAP_WAIT


class HoleDecisions:
    """The hole-declaring half of TcpDirection (a mixin: it works on TcpDirection's fields —
    `_store`, `_proof`, `_ticks`, the ACK bookkeeping — and calls its `_release` and `_gap`)."""

    __slots__ = ()

    def _ack_proof(self, ts: int, frames: tuple[int, ...]) -> None:
        """An ACK (already counted in `acked`, `_ticks`) while data is held or a proof pends:
        start the reordering allowance of the holes it covers, or settle a proof that is due."""
        proof = self._proof
        store = self._store
        if proof is not None and (store is None or store.first() >= proof[0]):
            self._proof = proof = None  # the late data filled its holes
        if proof is not None:
            if self._ticks >= proof[1]:
                self._settle_proof(ts)
        elif store is not None and self.acked > store.first():
            self._proof = (self.acked, self._ticks + ACK_REORDER_PACKETS, frames, self._acked_ts)

    def _settle_proof(self, ts: int) -> None:
        """The pending ACK proof is due: holes below held data it covers are lost for good. Holes
        covered only by later ACKs get a proof (and a full reordering allowance) of their own."""
        upto, _, frames, declared = self._proof
        self._proof = None
        while self._store is not None and upto > self._store.first():
            self._fill_holes(self._store.first(), declared, frames, _ACK)
            self._release(declared)
        if self._store is not None and self.acked > self._store.first():
            self._proof = (self.acked, self._ticks + ACK_REORDER_PACKETS, self._ack_frames, self._acked_ts)

    def _check_wait(self, now: int) -> None:
        """Declare holes lost whose --gap-wait ran out (only where the capture holds no ACK of
        the receiver at all): at the arrival of the data behind the hole + the wait."""
        wait = self.limits.gap_wait_ns
        if wait is None or self._ack_ts != NO_ACK:
            return
        while self._store is not None and self._proof is None:
            first = self._store.first()
            _, _, since, frames = self._store.get(first)
            if now - since < wait:
                return
            declared = since + wait
            self._fill_holes(first, declared, frames, _GAP_WAIT)
            self._release(declared)

    def _flush(self, ts: int, frames: tuple[int, ...], evidence: GapEvidence) -> None:
        """Declare every hole below held data lost and deliver all of it."""
        while self._store is not None:
            self._fill_holes(self._store.first(), ts, frames, evidence)
            self._release(ts)

    def _fill_holes(self, upto: int, ts: int, frames: tuple[int, ...], evidence: GapEvidence) -> None:
        """Declare [nxt, upto) lost at `ts`: LIMIT where we dropped it, NOT_CAPTURED elsewhere."""
        if upto <= self.nxt:
            return
        if self._dropped is not None and len(self._dropped):
            dropped = [r for r in self._dropped.missing(self.nxt, upto)]
            pos = self.nxt
            for r in dropped:  # the parts NOT dropped
                if r.start > pos:
                    self._gap(r.start - pos, GapReason.LIMIT, ts, frames, GapEvidence.LIMIT)
                self._gap(len(r), GapReason.NOT_CAPTURED, ts, frames, evidence)
                pos = r.stop
            if upto > pos:
                self._gap(upto - pos, GapReason.LIMIT, ts, frames, GapEvidence.LIMIT)
            self._dropped.subtract(-1 << 62, upto)
        else:
            self._gap(upto - self.nxt, GapReason.NOT_CAPTURED, ts, frames, evidence)
