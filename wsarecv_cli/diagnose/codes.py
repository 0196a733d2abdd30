"""The findings catalogue: every receive bug `wsarecv check` reports, as data.

Codes are stable: a code (`WR101`) and its name (`split-message`) are never renamed or reused,
so CI configurations (`--fail-on WR101,WR103`) keep their meaning; new findings get new codes.
WR1xx are about the application's receive code, WR2xx about what the capture lets us vouch for.
docs/FINDINGS.md is generated from this table (`python -m wsarecv_cli.diagnose.catalogue`), and a
test keeps the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FindingCode:
    code: str  # "WR101": stable, never renamed
    name: str  # "split-message": stable too; --fail-on takes either
    title: str  # one line
    what: str  # what happened, in the capture and the replay
    why: str  # why it breaks real application code
    fix: str  # how to fix the application
    rules: tuple[str, ...]  # spec rules involved (wsarecv rules R9)
    shown_by: str  # a command on the project's own samples that reports it
    scenario: str = ""  # samples/scenarios file that teaches the behaviour (wsarecv simulate)

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"


CATALOGUE: tuple[FindingCode, ...] = (
    FindingCode(
        "WR101", "split-message", "a framed message split across calls",
        what="With `--framing`, the bytes of one application message were returned by two or more "
             "WSARecv calls. The finding names the message number, its stream byte range and the "
             "calls that carried it.",
        why="TCP is a byte stream: one call returns whatever is queued, up to the buffers' size (R9), "
            "and never waits for a message to be complete. Code that parses each receive as one "
            "message reads a truncated message and then takes the rest of it for the next one.",
        fix="Accumulate received bytes in a buffer and parse messages out of it: read the header, "
            "then loop until the whole body is there (or use MSG_WAITALL for a known length, R13).",
        rules=("R9", "R10", "R13"),
        shown_by="wsarecv check samples/framed_messages.pcap --buffers 64 --framing len:u16be",
        scenario="coalesce_and_split.toml"),
    FindingCode(
        "WR102", "multi-message-call", "one call returned several messages (or the tail of one and the head of the next)",
        what="With `--framing`, one WSARecv call returned bytes of more than one application message. "
             "The finding names the messages and the call's stream byte range.",
        why="Writes are not preserved on a stream (R9): several small messages arrive together and one "
            "receive returns them all. Code that handles one message per receive drops the others or "
            "mistakes them for garbage after the first.",
        fix="After parsing a message, keep the remaining bytes and parse again before the next receive; "
            "never discard what follows a message.",
        rules=("R9",),
        shown_by="wsarecv check samples/framed_messages.pcap --buffers 64 --framing len:u16be",
        scenario="coalesce_and_split.toml"),
    FindingCode(
        "WR103", "msgsize-lost", "WSAEMSGSIZE: a datagram larger than the buffers, its tail lost",
        what="A datagram (or message of an unreliable message protocol) did not fit the WSABUFs: the "
             "call failed with WSAEMSGSIZE, the buffers hold its head and the rest was discarded. "
             "One finding per such datagram, with the bytes lost.",
        why="The lost bytes are gone for good (R17): the next receive returns the next datagram. Code "
            "that treats WSAEMSGSIZE as fatal drops traffic; code that ignores it parses a cut datagram.",
        fix="Size the buffers for the largest datagram the protocol allows (64 KiB for UDP), or peek "
            "first (MSG_PEEK, R20), or use a provider with MSG_PARTIAL. Treat WSAEMSGSIZE as data loss.",
        rules=("R16", "R17", "R18"),
        shown_by="wsarecv check samples/udp_big_datagrams.pcap --buffers 1024,1024",
        scenario="udp_truncation.toml"),
    FindingCode(
        "WR104", "msg-partial", "MSG_PARTIAL: a message delivered in parts",
        what="A message-oriented provider supporting partial messages returned part of a message with "
             "MSG_PARTIAL set in lpFlags: the rest comes in the next calls. One finding per message.",
        why="The call succeeds, so code that does not test lpFlags for MSG_PARTIAL takes the first "
            "part for the whole message (R19).",
        fix="Test MSG_PARTIAL after every receive and keep appending until a call returns without it; "
            "or use buffers as large as the largest message.",
        rules=("R19", "R38"),
        shown_by="wsarecv check samples/udp_big_datagrams.pcap --protocol partial-msg --buffers 1024",
        scenario="partial_msg_provider.toml"),
    FindingCode(
        "WR105", "reset-discarded", "a reset discarded data the application had not read",
        what="The peer reset the connection (RST) while received bytes were still queued: the next "
             "receive fails with WSAECONNRESET (or WSAECONNABORTED after a FIN) and those bytes are "
             "lost. The finding gives the count.",
        why="On Windows the unread bytes are discarded (R24): the application never sees the last "
            "response the peer sent before resetting, although the capture shows it arrived.",
        fix="Read promptly (keep a receive posted); when a protocol ends with a reset, treat what was "
            "read before it as possibly incomplete. Peers should close gracefully after sending.",
        rules=("R23", "R24", "R25"),
        shown_by="wsarecv check samples/tcp_rst.pcap --schedule drain",
        scenario="rst_data_lost.toml"),
    FindingCode(
        "WR106", "urgent-unread", "urgent data a reader without MSG_OOB or SO_OOBINLINE loses",
        what="The peer sent TCP urgent data. With SO_OOBINLINE off the urgent byte is taken out of the "
             "stream and normal receives stop at the mark (R40); only a MSG_OOB receive returns it. The "
             "replay read it with MSG_OOB; an application configured without MSG_OOB never would.",
        why="The byte never reaches a reader that does not ask for it, and the stream is cut short at "
            "the mark, so the data around it arrives in more pieces than the peer wrote.",
        fix="Either read urgent data with MSG_OOB when select/WSAEventSelect signals it, or set "
            "SO_OOBINLINE so it stays in the stream (R42), or make sure no peer sends it.",
        rules=("R39", "R40", "R41", "R42"),
        shown_by="wsarecv check samples/tcp_urgent.pcap",
        scenario="urgent_out_of_line.toml"),
    FindingCode(
        "WR107", "recv-after-end", "a receive posted after the connection ended",
        what="The application called WSARecv after an earlier call had already reported the end of "
             "the connection (0 bytes after FIN, WSAECONNRESET, WSAECONNABORTED, WSAEDISCON) or after "
             "shutdown(SD_RECEIVE).",
        why="Nothing more can arrive: a graceful close returns 0 again forever (R22), a reset fails "
            "every later call (R23). A loop that does not stop at the end spins, or reports the same "
            "error again and again.",
        fix="Stop receiving at the first 0-byte return or connection error, and close the socket.",
        rules=("R22", "R23", "R27", "R44"),
        shown_by="wsarecv check samples/tcp_rst.pcap --receiver client "
                 "--schedule script:samples/scenarios/recv_after_reset.toml",
        scenario="recv_after_reset.toml"),
    FindingCode(
        "WR108", "zero-window", "the receiver's TCP window closed: the application read too slowly",
        what="The capture shows the receiving host advertising a zero TCP window: its socket buffer "
             "was full because the application did not read. The finding gives when and for how long "
             "(to the end of the capture when it never opened again).",
        why="The sender stalls while the window is closed; the application's reads, not the network, "
            "set the throughput, and a peer with timeouts may give up.",
        fix="Keep a receive posted (or several overlapped receives, R32), read in larger buffers, and "
            "move slow processing off the receiving thread.",
        rules=("R32",),
        shown_by="wsarecv check samples/tcp_zero_window.pcap"),
    FindingCode(
        "WR109", "connected-udp-drop", "a connected UDP socket dropped a datagram from another peer",
        what="With `--connected-peer`, a datagram from a different source arrived: the socket silently "
             "drops it (R21). The finding names the source and the size.",
        why="No error and no count tell the application: replies from another address (a server "
            "answering from a different port or interface) simply never arrive, and the reader waits.",
        fix="Do not connect() a UDP socket whose peer may answer from elsewhere; use recvfrom/WSARecvFrom "
            "and check the source yourself.",
        rules=("R21",),
        shown_by="wsarecv check samples/udp_big_datagrams.pcap --connected-peer 10.0.0.2:5001",
        scenario="connected_udp_filter.toml"),
    FindingCode(
        "WR201", "capture-gap", "bytes the capture lacks: the replay cannot vouch for what follows",
        what="Stream bytes that the peer acknowledged (or that fell outside a limit) are not in the "
             "capture. The finding gives the stream offset, the length and, when known, the reason.",
        why="The replayed calls around the hole are only as good as the capture: message boundaries "
            "and the data after a gap are not what the application saw.",
        fix="Not an application bug: capture again (bigger capture buffer, no snaplen, capture on the "
            "receiving host), or raise --max-ooo-bytes.",
        rules=(),
        shown_by="wsarecv check samples/tcp_lost_segment.pcap"),
    FindingCode(
        "WR202", "capture-incomplete", "the capture was damaged, cut by the snaplen, or a limit was hit",
        what="A capture-wide problem: frames cut short by the snaplen, damaged blocks, incomplete IP "
             "fragment sets, or a wsarecv limit (flows, out-of-order bytes, fragments) was reached.",
        why="Some of what the application received is not in the replay, so its findings may be "
            "incomplete (docs/DAMAGED_CAPTURES.md).",
        fix="Not an application bug: capture with a full snaplen and enough buffer, or raise the limit "
            "named in the finding.",
        rules=(),
        shown_by="wsarecv check samples/udp_fragments.pcap --max-fragment-bytes 1000"),
)

BY_KEY: dict[str, FindingCode] = {key: c for c in CATALOGUE for key in (c.code.lower(), c.name)}

# What `--strict` always meant (gaps, truncation, limits hit), kept as a preset of --fail-on.
STRICT_CODES: tuple[str, ...] = ("WR201", "WR202")


def lookup(key: str) -> FindingCode:
    """A code by its code or name, any case; KeyError names the known ones."""
    found = BY_KEY.get(key.strip().lower())
    if found is None:
        raise KeyError(f"unknown finding {key!r}; known: {', '.join(c.code for c in CATALOGUE)}")
    return found


def parse_fail_on(text: str) -> frozenset[str]:
    """--fail-on 'WR101,msgsize-lost' | 'any' | 'strict' | 'none' -> the codes that fail the run."""
    codes: set[str] = set()
    for part in filter(None, (p.strip() for p in text.split(","))):
        word = part.lower()
        if word == "any":
            codes.update(c.code for c in CATALOGUE)
        elif word == "strict":
            codes.update(STRICT_CODES)
        elif word != "none":
            try:
                codes.add(lookup(part).code)
            except KeyError as exc:
                raise ValueError(exc.args[0]) from None
    return frozenset(codes)
