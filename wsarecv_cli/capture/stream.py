"""read_packets: a capture as a stream of Packets, with IP reassembly and counters.

Theory of operation: `PacketStream` opens the capture with decode=True, so the reader's batches
already hold Packets for the common Ethernet frames (decoded by `decode.fast_decode` straight from
the read buffer) and RawFrames for the rest. One loop per batch counts the former and sends the
latter to `decode.decode_frame` (same results, every case), whose Fragments go to the
Defragmenter. Packets are handed out a batch at a time too, so memory stays at one read buffer
plus the bounded fragment store whatever the capture's size. With `--checksums verify` the reader
hands out RawFrames only (the fast decoder does not look at checksums) and each frame is judged
first (checksums.py): a wrong checksum drops the frame, as the receiving stack did.
"""

from __future__ import annotations

from collections.abc import Iterator

from wsarecv_cli.capture.checksums import ChecksumVerdict, verdict
from wsarecv_cli.capture.decode import Fragment, decode_frame
from wsarecv_cli.capture.defrag import Defragmenter
from wsarecv_cli.capture.limits import CaptureLimits, ChecksumPolicy
from wsarecv_cli.capture.reader import CaptureInfo, CaptureSource, open_capture
from wsarecv_cli.capture.stats import DecodeStats
from wsarecv_cli.net import IcmpNotice, Packet, RawFrame, Transport

_TCP = Transport.TCP


class PacketStream:
    """Iterator of Packet and context manager; `stats`, `warnings`, progress like CaptureSource."""

    def __init__(self, source: CaptureSource, limits: CaptureLimits, icmp: bool = False) -> None:
        self.source = source
        self.icmp = icmp  # also hand out IcmpNotices (replay's R46); others only count them
        self.stats = DecodeStats()
        self.warnings = source.warnings  # one list: reader damage and decode notes, in order
        self._defrag = Defragmenter(self.stats, limits, self.warnings)
        self._verify = limits.checksums is ChecksumPolicy.VERIFY
        self._packets = self._run()

    @property
    def info(self) -> CaptureInfo:
        return self.source.info

    @property
    def verifies_checksums(self) -> bool:
        return self._verify

    @property
    def bytes_read(self) -> int:
        return self.source.bytes_read

    @property
    def first_ts_ns(self) -> int | None:
        """The capture's first frame's time (any protocol): the origin of relative times."""
        return self.source.first_ts_ns

    @property
    def total_bytes(self) -> int | None:
        return self.source.total_bytes

    def __iter__(self) -> Iterator[Packet]:
        return self._packets

    def __next__(self) -> Packet:
        return next(self._packets)

    def batches(self) -> Iterator[list[Packet]]:
        """Packets a batch (one read buffer) at a time: fewer generator resumes for fast consumers."""
        return self._batches()

    def _run(self) -> Iterator[Packet]:
        for batch in self._batches():
            yield from batch

    def _batches(self) -> Iterator[list[Packet]]:
        stats = self.stats
        general = self.general
        for raw_batch in self.source.batches():
            out: list[Packet] = []
            append = out.append
            tcp = udp = 0
            for frame in raw_batch:
                if frame.__class__ is Packet:
                    if frame[2] is _TCP:
                        tcp += 1
                    else:
                        udp += 1
                    append(frame)
                    continue
                result = general(frame)
                if result is not None:
                    append(result)
            # Added, not set: a record taker (capture/lean.py) counts the frames it takes itself.
            stats.frames += len(raw_batch)
            stats.tcp += tcp
            stats.udp += udp
            stats.untimed = self.source.untimed_frames
            if out or not raw_batch:  # an empty batch: a taker's buffer, for progress bars
                yield out
        self._defrag.flush()

    def general(self, frame: RawFrame) -> Packet | IcmpNotice | None:
        """One RawFrame the whole way: checksums (verify mode), decode_frame, IP reassembly; None
        when it gives nothing to hand out (counted in stats)."""
        if self._verify and self._drop_bad(frame):
            return None
        result = decode_frame(frame, self.stats)
        if result is None:
            return None
        if result.__class__ is Fragment:
            result = self._defrag.add(result)
            if result is None:
                return None
        if result.__class__ is IcmpNotice and not self.icmp:
            return None
        return result

    def _drop_bad(self, frame) -> bool:
        judged = verdict(frame.linktype, frame.data, frame.wire_len)
        if judged is ChecksumVerdict.BAD:
            self.stats.checksum_bad += 1
            return True
        if judged is ChecksumVerdict.OFFLOAD:
            self.stats.checksum_offload += 1
        return False

    def close(self) -> None:
        self.source.close()

    def __enter__(self) -> PacketStream:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def read_packets(path: str, limits: CaptureLimits = CaptureLimits(),  # noqa: B008 - frozen
                 icmp: bool = False) -> PacketStream:
    """Open a capture ('-' = stdin) as Packets (and IcmpNotices with icmp=True); CaptureError if
    it cannot be read at all."""
    return PacketStream(open_capture(path, decode=limits.checksums is ChecksumPolicy.IGNORE), limits, icmp)
