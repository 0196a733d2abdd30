"""Reading captures: pcap/pcapng/gzip files or stdin -> RawFrame -> Packet (the only dpkt user).

Public API (everything else in this package is private):

    read_packets(path, limits=CaptureLimits()) -> PacketStream   # Packets, IP-reassembled
    open_capture(path) -> CaptureSource                          # RawFrames
    decode_frame(frame, stats) -> Packet | Fragment | None       # one frame, no reassembly
    lean_batches(stream, feed) -> lists of Packet                 # the rest go to feed, as tuples (lean.py)
    CaptureLimits, CaptureInfo, Interface, DecodeStats, DecodeSummary, SkipReason, Defragmenter

`path` may be "-" for standard input. Both streams are iterators and context managers with
`info`, `warnings` (damage after the header, dropped fragment sets), `bytes_read` and
`total_bytes` (None for stdin and gzip) for a progress bar; `PacketStream.stats` counts skipped
frames by reason (`stats.skip_lines()` gives summary lines). A capture that cannot be read at all
raises CaptureError("<path>: <reason>").
"""

from typing import TYPE_CHECKING

from wsarecv_cli.lazy import lazy_exports

_EXPORTS = {
    "ChecksumPolicy": "limits", "ChecksumVerdict": "checksums", "Fragment": "decode", "decode_frame": "decode",
    "CaptureLimits": "limits", "Defragmenter": "defrag", "lean_batches": "lean", "LinkType": "linktypes",
    "describe_linktype": "linktypes", "linktype_name": "linktypes", "Interface": "pcapng",
    "CaptureInfo": "reader", "CaptureSource": "reader", "open_capture": "reader", "DecodeStats": "stats",
    "DecodeSummary": "stats", "SkipReason": "stats", "PacketStream": "stream", "read_packets": "stream",
}
__all__ = [
    "CaptureInfo", "CaptureLimits", "CaptureSource", "ChecksumPolicy", "ChecksumVerdict", "DecodeStats",
    "DecodeSummary", "Defragmenter", "Fragment", "Interface", "LinkType", "PacketStream", "SkipReason",
    "decode_frame", "describe_linktype", "lean_batches", "linktype_name", "open_capture", "read_packets",
]
__getattr__ = lazy_exports(__name__, _EXPORTS)

if TYPE_CHECKING:
    from wsarecv_cli.capture.checksums import ChecksumVerdict
    from wsarecv_cli.capture.decode import Fragment, decode_frame
    from wsarecv_cli.capture.defrag import Defragmenter
    from wsarecv_cli.capture.limits import CaptureLimits, ChecksumPolicy
    from wsarecv_cli.capture.lean import lean_batches
    from wsarecv_cli.capture.linktypes import LinkType, describe_linktype, linktype_name
    from wsarecv_cli.capture.pcapng import Interface
    from wsarecv_cli.capture.reader import CaptureInfo, CaptureSource, open_capture
    from wsarecv_cli.capture.stats import DecodeStats, DecodeSummary, SkipReason
    from wsarecv_cli.capture.stream import PacketStream, read_packets

