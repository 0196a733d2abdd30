"""Link-layer header types (tcpdump.org LINKTYPE_* values) the decoder knows, and their names.

Theory of operation: the decoder dispatches on the integer linktype of each RawFrame; this module
only names them, so a summary can say "linktype 274 (unknown): 3 frames" or "LINUX_SLL2".
"""

from __future__ import annotations

import enum


class LinkType(enum.IntEnum):
    """LINKTYPE_* values we decode (tcpdump.org/linktypes.html)."""

    NULL = 0  # BSD loopback: 4-byte address family in the capturing host's byte order
    ETHERNET = 1
    RAW_OPENBSD = 12  # DLT_RAW on some BSDs: raw IPv4/IPv6
    RAW_BSDOS = 14
    RAW = 101  # raw IPv4/IPv6, version nibble decides
    LOOP = 108  # OpenBSD loopback: address family in network byte order
    LINUX_SLL = 113
    IPV4 = 228
    IPV6 = 229
    LINUX_SLL2 = 276


# Names of common link types we do not decode, so skip counters read well.
_OTHER_NAMES = {
    6: "IEEE802_5", 9: "PPP", 10: "FDDI", 50: "PPP_HDLC", 51: "PPP_ETHER", 105: "IEEE802_11",
    127: "IEEE802_11_RADIOTAP", 119: "PRISM", 143: "DOCSIS", 147: "USER0", 192: "PPI",
    195: "IEEE802_15_4", 220: "USB_LINUX_MMAPPED", 249: "NETLINK", 253: "NFLOG",
}


def linktype_name(linktype: int) -> str:
    """'ETHERNET', 'PPP', or 'unknown' for a number we have no name for."""
    try:
        return LinkType(linktype).name
    except ValueError:
        return _OTHER_NAMES.get(linktype, "unknown")


def describe_linktype(linktype: int) -> str:
    """'linktype 274 (unknown)' — the form used in skip counters and warnings."""
    return f"linktype {linktype} ({linktype_name(linktype)})"
