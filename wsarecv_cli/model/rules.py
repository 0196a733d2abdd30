"""The spec's rules R1..R49, its error table, the R15 mode table and the section-6 decisions, as data.

Everything here is quoted or closely paraphrased from spec/WSARECV.md so `wsarecv rules` and
`--explain` can show a student where each cell of a table comes from. `modelled=False` rules are
listed with the reason the model leaves them out; `limits` says which part of a modelled rule is
not reproduced.
"""

from __future__ import annotations

from dataclasses import dataclass

from wsarecv_cli.model.types import WsaError


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    title: str
    text: str
    sources: tuple[str, ...]
    modelled: bool = True
    reason_not_modelled: str = ""
    limits: str = ""  # added: the part of a modelled rule the model does not reproduce


def _r(id, title, text, sources, modelled=True, why="", limits=""):
    return Rule(id, title, text, tuple(sources), modelled, why, limits)


RULES: tuple[Rule, ...] = (
    _r("R1", "overlapped vs non-overlapped",
       "A call is overlapped when lpOverlapped is non-NULL. On a socket without the overlapped "
       "attribute an lpOverlapped call runs synchronously (blocks even in non-blocking mode) and "
       "also posts its result.",
       ["[T] WT test_nonblocking_async_recv"],
       limits="a capture replay always uses sockets with the attribute; scenarios set "
              "overlapped_attribute = false"),
    _r("R2", "lpNumberOfBytesRecvd",
       "lpNumberOfBytesRecvd may be NULL only when lpOverlapped is non-NULL; otherwise the call "
       "fails with WSAEFAULT.",
       ["[D] MR parameters", "[I] RM WSPRecv", "[T] WT test_valid_handle"],
       limits="a capture cannot show pointers: replays pass a count pointer; scenarios set "
              "recv.null_count"),
    _r("R3", "buffer count",
       "dwBufferCount == 0 fails immediately with WSAEINVAL, even when overlapped; no completion "
       "is posted.",
       ["[T] WT test_empty_recv"]),
    _r("R4", "buffer lengths",
       "WSABUF entries of length 0 are legal and skipped; a total capacity of 0 is legal (R12). An "
       "unwritable buffer gives WSAEFAULT; recv() with a negative length gives WSAEFAULT.",
       ["[T] WT test_read_events", "[I] WN sock_recv"],
       limits="unwritable memory is not representable; a negative length gives WSAEFAULT"),
    _r("R5", "state errors",
       "TCP not connected -> WSAENOTCONN; unbound UDP -> WSAEINVAL; invalid handle -> WSAENOTSOCK; "
       "completion routine on a socket associated with a completion port -> WSAEINVAL.",
       ["[T] WT test_completion_port", "test_connecting_socket", "test_connect_udp", "test_WSARecv"],
       limits="a replayed socket is connected/bound (its flow is in the capture); scenarios set "
              "socket.state, completion_port and the call's mode; invalid handles other than a closed "
              "socket are not representable"),
    _r("R6", "failed calls have no side effects",
       "Any error other than WSA_IO_PENDING (and the WSAEMSGSIZE case of R17/R18) returns "
       "SOCKET_ERROR, leaves the count and lpFlags untouched and posts no completion.",
       ["[D] MR return value", "[T] WT test_completion_port", "test_timeout"]),
    _r("R7", "blocking and timeouts",
       "Non-blocking with nothing deliverable -> WSAEWOULDBLOCK; a blocking call waits. SO_RCVTIMEO "
       "applies to blocking non-overlapped calls only: expiry -> WSAETIMEDOUT, count untouched; "
       "overlapped receives ignore it.",
       ["[T] WT test_nonblocking_async_recv", "test_WSARecv", "test_timeout"],
       limits="the alertability of a blocking wait (user APCs running in it) is not modelled"),
    _r("R8", "gather order",
       "Received bytes fill WSABUF[0] completely, then WSABUF[1], and so on, with no holes.",
       ["[T] WA test_recv", "[T] WT test_WSARecv", "[D] MR"]),
    _r("R9", "how much one call returns",
       "A stream receive is satisfiable as soon as one byte is queued and returns min(total "
       "capacity, bytes queued): segments coalesce and a segment may be split across calls.",
       ["[D] MR", "[T] WT test_close_events", "test_simultaneous_async_recv",
        "[I] RA TryToSatisfyRecvRequestFromBuffer"]),
    _r("R10", "boundaries a stream receive never crosses",
       "A stream receive stops at (a) the urgent mark with SO_OOBINLINE off, (b) end of stream "
       "(data before the FIN first, the 0-byte result on a later call), (c) a pending error state.",
       ["[D] MO", "[D] MV"]),
    _r("R11", "MSG_PEEK on streams",
       "Copies exactly like a normal receive but consumes nothing; repeated peeks return the same bytes.",
       ["[T] WA test_recv", "[D] MV"]),
    _r("R12", "zero-length receive",
       "One WSABUF of length 0 on a stream: overlapped with nothing queued pends; it completes with "
       "0 bytes when data arrives and consumes nothing; with data queued it completes at once with 0.",
       ["[T] WT test_empty_recv"],
       limits="a blocking 0-length receive with nothing queued waits like any other (untested, Q4)"),
    _r("R13", "MSG_WAITALL",
       "Completes only when the buffers are full, the connection closes or an error/cancel occurs. "
       "WSAEOPNOTSUPP on a non-blocking socket, with MSG_OOB/MSG_PEEK/MSG_PARTIAL, on message-oriented "
       "sockets, and (assumption) always in CE mode.",
       ["[D] MR", "[D] MV", "[T] WA test_recv"]),
    _r("R14", "PSH hint",
       "Desktop TCP may hold a partially filled pending receive until PSH, full buffers or a short "
       "timer; MSG_PUSH_IMMEDIATE asks it not to. Default: complete on each arrival; optional hold mode.",
       ["[D] MR"], limits="the hold timer length is unknown (Q11); the model uses 200 ms"),
    _r("R15", "mode table",
       "Not MESSAGE_ORIENTED -> byte stream; PSEUDO_STREAM -> byte stream; MESSAGE_ORIENTED without "
       "PSEUDO_STREAM: MSG_PARTIAL on input -> byte stream, otherwise message-oriented.",
       ["[D] MR table"]),
    _r("R16", "one message per call",
       "A message-oriented receive never returns more than one message and needs a whole message to "
       "complete; a zero-length datagram completes with 0 bytes (not a closure).",
       ["[D] MR", "[L] Linux identical"]),
    _r("R17", "oversize datagram, unreliable, no MSG_PARTIAL",
       "The first part is scattered over the WSABUFs, the rest is discarded, and the call reports "
       "WSAEMSGSIZE with the copied count; lpFlags gets no MSG_PARTIAL.",
       ["[T] WA test_recv", "[T] WT test_ip_pktinfo", "[D] MR", "[D] MV",
        "[I] RA SatisfyPacketRecvRequest", "[I] WS supported_protocols[]"]),
    _r("R18", "truncation on the overlapped path",
       "Truncation completes the I/O with STATUS_BUFFER_OVERFLOW, a warning, so a completion IS "
       "delivered; WSAGetOverlappedResult returns FALSE / WSAEMSGSIZE and leaves lpdwFlags unchanged. "
       "With the datagram already queued the receive does not pend: WSARecv returns SOCKET_ERROR / "
       "WSAEMSGSIZE at once with the copied count, and the completion is still delivered.",
       ["[T] WA test_recv", "WT test_ip_pktinfo", "test_WSAGetOverlappedResult", "[I] WS WS2_recv_base"]),
    _r("R19", "reliable message protocols and MSG_PARTIAL",
       "Reliable provider without MSG_PARTIAL: WSAEMSGSIZE and the message is retained. Provider with "
       "XP1_PARTIAL_MESSAGE: parts are returned with MSG_PARTIAL, cleared on the part that ends the message.",
       ["[D] MR", "[D] CE", "[I] WS supported_protocols[]"]),
    _r("R20", "MSG_PEEK on datagrams",
       "Copies the first queued datagram (truncated if needed, still WSAEMSGSIZE) and leaves it queued.",
       ["[I] RA", "[D] MV"]),
    _r("R21", "connected UDP",
       "After connect(), only datagrams from the peer address are delivered; others are silently dropped.",
       ["[D] MR", "[D] CE", "[T] WT test_connect_udp", "[L]"],
       limits="a replay's peer is fixed per socket; scenarios connect and connect(AF_UNSPEC) with the "
              "connect step"),
    _r("R22", "graceful close (FIN)",
       "Data queued before the FIN is delivered first; afterwards every receive succeeds with 0 bytes, "
       "repeatedly; a receive pending at FIN time completes with 0 bytes.",
       ["[T] WT test_shutdown", "test_close_events", "test_completion_port", "WA test_recv", "[D] MR", "[D] MV"]),
    _r("R23", "abortive close (RST)",
       "A pending receive completes with STATUS_CONNECTION_RESET and 0 bytes (Win32 64); every later "
       "WSARecv fails at once with WSAECONNRESET, sticky, no completion.",
       ["[T] WT test_tcp_reset", "test_WSARecv", "test_completion_port"]),
    _r("R24", "RST discards unread data",
       "Bytes that arrived before the RST but were not yet read are lost: the next receive fails with "
       "WSAECONNRESET without returning them.",
       ["[D] MC", "[F] FI dotnet/runtime#57186", "objeck/objeck-lang#669"]),
    _r("R25", "RST after FIN",
       "If the peer's FIN was received and a RST follows, the receive fails with WSAECONNABORTED.",
       ["[T] WT test_shutdown", "test_close_events"]),
    _r("R26", "which abort code",
       "WSAECONNRESET: peer reset / ICMP port-unreachable; WSAECONNABORTED: local abort, R25, local "
       "close with pending I/O; WSAENETRESET: keep-alive failure / ICMP time-exceeded; WSAETIMEDOUT: "
       "connection dropped.",
       ["[D] MR error table", "[F] FI"],
       limits="keep-alive failures and retransmission time-outs are not visible in a capture; "
              "only the codes of R23/R25/R33/R46 are produced"),
    _r("R27", "WSAEDISCON",
       "Only for message-oriented connection-oriented providers with XP1_GRACEFUL_CLOSE: a graceful "
       "close is reported as SOCKET_ERROR / WSAEDISCON; modelled as sticky (assumption).",
       ["[D] MR", "[I] WS", "[T] WT map_status"]),
    _r("R28", "immediate vs pending",
       "With data, EOF or an error already available an overlapped call usually completes at once; "
       "Windows may pend anyway. The model completes at once (switchable).",
       ["[T] WT test_nonblocking_async_recv", "test_ip_pktinfo"]),
    _r("R29", "pending state",
       "On WSA_IO_PENDING the count and lpFlags are not written; OVERLAPPED.Internal = STATUS_PENDING; "
       "results come later.",
       ["[T] WT iocp_async_read", "test_nonblocking_async_recv", "[D] MR"]),
    _r("R30", "desktop completion delivery",
       "hEvent is signalled; a completion routine is queued as an APC that runs only in an alertable "
       "wait; an IOCP packet is queued, also for immediate success, unless "
       "FILE_SKIP_COMPLETION_PORT_ON_SUCCESS (immediate successes only).",
       ["[T] WT test_WSARecv", "test_nonblocking_async_recv", "test_completion_port",
        "test_connect_completion_port", "[D] MR"],
       limits="hEvent NULL / low bit: scenarios set recv.hevent; a replay always passes an event"),
    _r("R31", "completion routine",
       "Called as (dwError, cbTransferred, lpOverlapped, dwFlags) with dwError mapped as in section 1; "
       "buffers are always filled in posting order.",
       ["[D] MR", "[T] WT test_ip_pktinfo"],
       limits="routines are run in posting order; nesting and routines posting receives are up to the driver"),
    _r("R32", "several outstanding receives",
       "Satisfied FIFO in posting order; one arrival is split across them.",
       ["[T] WT test_simultaneous_async_recv", "test_read_events", "[D] MR"]),
    _r("R33", "cancellation and closesocket",
       "CancelIo -> 995. closesocket with receives pending: UDP -> 995, connected TCP -> "
       "WSAECONNABORTED (Win32 1236); a blocking receive aborted by closesocket -> WSAEINTR.",
       ["[D] MC", "[D] CE", "[T] WA test_recv", "WT iocp_async_read_closesocket", "test_completion_port"],
       limits="the XP result (ERROR_NETNAME_DELETED) is not modelled"),
    _r("R34", "WSAGetOverlappedResult",
       "Success -> TRUE; STATUS_PENDING without wait -> WSA_IO_INCOMPLETE; warnings/errors -> FALSE "
       "with the mapped code; lpdwFlags unchanged on failure; duplicated handle -> WSAENOTSOCK.",
       ["[T] WT test_WSAGetOverlappedResult", "test_ip_pktinfo"],
       limits="scenarios poll with get_result (fWait TRUE on a pending call is shown as 'blocks'); "
              "duplicated handles are not modelled"),
    _r("R35", "WSAEWOULDBLOCK and non-blocking mode",
       "FIONBIO affects only non-overlapped calls; the 'too many outstanding overlapped requests' "
       "WSAEWOULDBLOCK is a configurable limit, unlimited by default.",
       ["[T] WT test_nonblocking_async_recv", "test_completion_port", "[D] MR", "[D] CE"]),
    _r("R36", "MSG_PEEK with overlapped",
       "Documented as valid only for non-overlapped sockets; the model accepts it, behaves as R11/R20 "
       "and logs a doc-invalid diagnostic.",
       ["[D] MR", "[D] CE", "[T] WA test_recv"]),
    _r("R37", "captured arguments",
       "The WSABUF array is captured at call time; the data buffers and OVERLAPPED must stay valid "
       "until completion.",
       ["[T] WA test_recv", "[D] MR"],
       limits="the WSABUF lengths are captured when the call is made (RecvCall is immutable): a pending "
              "receive keeps them whatever later calls pass; data buffers or an OVERLAPPED freed before "
              "completion are undefined behaviour, not an outcome, so they are not modelled"),
    _r("R38", "output flags",
       "On immediate completion lpFlags is overwritten with the result flags (0, MSG_PARTIAL, MSG_OOB); "
       "on pending it is untouched; MSG_TRUNC/MSG_CTRUNC are not reported by WSARecv.",
       ["[I] RM WSPRecv", "[I] WN try_recv", "[D] MR"]),
    _r("R39", "urgent pointer",
       "BSD style by default: the OOB byte is at SEG.SEQ + UP - 1; with TCP_EXPEDITED_1122 the pointer "
       "designates the byte itself. Each urgent indication carries one OOB byte.",
       ["[D] MT", "[D] MO"],
       limits="the pointer arithmetic is applied by reassembly; the model receives the byte at its position"),
    _r("R40", "SO_OOBINLINE off",
       "The OOB byte leaves the normal stream, is read with MSG_OOB (one byte); a normal receive stops "
       "at the mark; several urgent bytes are all kept.",
       ["[T] WT test_fionread_siocatmark", "test_oob_events", "WA test_recv", "[D] MO"]),
    _r("R41", "MSG_OOB with nothing pending",
       "Non-blocking -> WSAEWOULDBLOCK; blocking -> waits; with SO_OOBINLINE -> WSAEINVAL; non-stream "
       "socket -> WSAEOPNOTSUPP.",
       ["[I] WN try_recv", "[T] WT test_select", "[D] MV", "[D] MO", "[D] CE"]),
    _r("R42", "SO_OOBINLINE on",
       "The urgent byte stays in the stream and is delivered by normal receives, with block boundaries "
       "preserved (data before, the byte, data after come from separate reads).",
       ["[D] MO", "[D] MV", "[T] WT test_fionread_siocatmark", "test_select"],
       limits="SO_OOBINLINE is fixed during a replay; scenarios toggle it with setsockopt (urgent bytes "
              "already held out of band stay there, Q12)"),
    _r("R43", "readiness",
       "With SO_OOBINLINE off, pending OOB data sets exceptfds / FD_OOB / POLLRDBAND, never FD_READ.",
       ["[T] WT test_select", "test_WSAPoll", "test_oob_events", "[D] MO"],
       limits="readiness is a level (what select/WSAPoll would report now); WSAEventSelect's "
              "re-enabling of FD_READ/FD_OOB by the next receive is not modelled"),
    _r("R44", "SD_RECEIVE / SD_BOTH",
       "Afterwards every receive fails at once with WSAESHUTDOWN, repeatedly, without a completion; a "
       "receive already pending is not cancelled and can still complete with later data.",
       ["[T] WT test_shutdown", "test_close_events", "WA test_recv"]),
    _r("R45", "data after SD_RECEIVE",
       "Documented: for TCP, data queued or arriving later resets the connection; for UDP datagrams "
       "keep being queued but are unreadable. Model: RST (configurable) when no receive is pending.",
       ["[D] MS"]),
    _r("R46", "ICMP-driven errors",
       "An earlier send's ICMP port-unreachable fails the next datagram receive with WSAECONNRESET, "
       "time-exceeded with WSAENETRESET; each ICMP is one queued error the next receive consumes.",
       ["[D] MR", "[D] MV", "[F] FI"]),
    _r("R47", "CE: no signal on immediate completion",
       "An overlapped call that completes at once returns 0 with count and flags written, but its "
       "event is not signalled.",
       ["[D] CE"]),
    _r("R48", "CE: completion routines without APCs",
       "A thread is created per call naming a completion routine; the routine runs on it without an "
       "alertable wait.",
       ["[D] CE"]),
    _r("R49", "other CE differences",
       "No MSG_PARTIAL from the default provider; MSG_PEEK documented for non-overlapped sockets only; "
       "WSAEINTR means the socket was closed; WSAETIMEDOUT not listed.",
       ["[D] CE"],
       limits="the model still reports WSAETIMEDOUT for an SO_RCVTIMEO expiry in CE mode, with a note"),
)

_BY_ID = {r.id: r for r in RULES}


def rule(rule_id: str) -> Rule:
    """The rule with this id ("R17"); KeyError for an unknown id."""
    return _BY_ID[rule_id.upper()]


# ---- section 1: the error table, in the order of the Windows Mobile 6.5 WSARecv page -----------


@dataclass(frozen=True, slots=True)
class ErrorRow:
    error: WsaError
    description: str
    note: str = ""
    ce_page: bool = True  # False for the desktop additions


ERROR_TABLE: tuple[ErrorRow, ...] = (
    ErrorRow(WsaError.WSANOTINITIALISED, "WSAStartup must have succeeded", "also after the last WSACleanup"),
    ErrorRow(WsaError.WSAENETDOWN, "network subsystem has failed", "not produced by replay unless injected"),
    ErrorRow(WsaError.WSAENOTCONN, "socket is not connected", "TCP never connected, listening or connecting"),
    ErrorRow(WsaError.WSAEINTR, "the socket was closed (CE); desktop: blocking call cancelled",
             "blocking call aborted by closesocket from another thread (R33)"),
    ErrorRow(WsaError.WSAEINPROGRESS, "blocking call in progress / callback running",
             "Winsock 1.1 legacy; not modelled"),
    ErrorRow(WsaError.WSAENETRESET, "connection broken by keep-alive failure",
             "datagram: ICMP time-exceeded for an earlier send (R46)"),
    ErrorRow(WsaError.WSAENOTSOCK, "descriptor is not a socket", "a receive after closesocket"),
    ErrorRow(WsaError.WSAEFAULT, "lpBuffers not in valid user memory", "also R2"),
    ErrorRow(WsaError.WSAEOPNOTSUPP, "MSG_OOB on non-stream socket / OOB unsupported / send-only socket",
             "also bad MSG_WAITALL combinations (R13)"),
    ErrorRow(WsaError.WSAESHUTDOWN, "socket shut down with SD_RECEIVE / SD_BOTH", "sticky (R44)"),
    ErrorRow(WsaError.WSAEWOULDBLOCK,
             "overlapped: too many outstanding requests; non-overlapped: nonblocking and would block",
             "desktop doc prefixes the overlapped case with 'Windows NT'"),
    ErrorRow(WsaError.WSAEMSGSIZE, "message too large; trailing part discarded (unreliable protocols)",
             "NTSTATUS 0x80000005 STATUS_BUFFER_OVERFLOW"),
    ErrorRow(WsaError.WSAEINVAL, "socket not bound",
             "also dwBufferCount 0, MSG_OOB with SO_OOBINLINE, completion routine on IOCP socket"),
    ErrorRow(WsaError.WSAECONNABORTED, "virtual circuit terminated (time-out / other failure)",
             "also RST after FIN, local close of a TCP socket with pending I/O (R25, R33)"),
    ErrorRow(WsaError.WSAECONNRESET, "virtual circuit reset by remote side",
             "UDP: earlier send drew ICMP port-unreachable (R46)"),
    ErrorRow(WsaError.WSAEDISCON, "message-oriented socket gracefully closed by remote",
             "NTSTATUS 0xC0000237 (R27)"),
    ErrorRow(WsaError.WSA_IO_PENDING, "overlapped operation started, completes later", "= ERROR_IO_PENDING"),
    ErrorRow(WsaError.WSA_OPERATION_ABORTED, "overlapped operation cancelled by socket closure",
             "= ERROR_OPERATION_ABORTED, NTSTATUS 0xC0000120 (R33)"),
    ErrorRow(WsaError.WSAETIMEDOUT, "connection dropped; SO_RCVTIMEO expiry", "desktop addition", False),
    ErrorRow(WsaError.WSA_IO_INCOMPLETE, "WSAGetOverlappedResult on a still-pending request",
             "desktop addition", False),
)


# ---- R15 mode table ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ModeRow:
    message_oriented: bool | None  # None: any
    pseudo_stream: bool | None
    msg_partial_in: bool | None
    result: str  # "byte stream" | "message oriented"


MODE_TABLE: tuple[ModeRow, ...] = (
    ModeRow(False, None, None, "byte stream"),
    ModeRow(True, True, None, "byte stream"),
    ModeRow(True, False, True, "byte stream"),
    ModeRow(True, False, False, "message oriented"),
)


# ---- section 6: model decisions ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Decision:
    id: str
    question: str
    default: str
    switch: str = ""  # SocketConfig field that selects the other behaviour, "" when fixed


DECISIONS: tuple[Decision, ...] = (
    Decision("Q1", "Synchronous WSARecv count on WSAEMSGSIZE",
             "a synchronous WSAEMSGSIZE result reports the copied byte count"),
    Decision("Q2", "Overlapped truncation with the datagram already queued",
             "settled: it completes at once with SOCKET_ERROR / WSAEMSGSIZE and the copied count; the "
             "completion is still delivered (R18, R30); the switch reproduces the earlier pending model",
             "pend_on_queued_truncation"),
    Decision("Q3", "MSG_PEEK with an overlapped WSARecv; MSG_PEEK on an oversize datagram",
             "accepted, behaves as R11/R20, with a doc-invalid diagnostic"),
    Decision("Q4", "recv with len 0 on a stream socket",
             "the tests win: 0 is returned (R12); a blocking 0-length receive with nothing queued waits"),
    Decision("Q5", "Data after SD_RECEIVE with no receive pending",
             "TCP sends RST (shown as a note), UDP queues silently", "rst_after_shutdown"),
    Decision("Q6", "Several urgent bytes", "all kept, delivered first-in first-out"),
    Decision("Q7", "RST and unread data", "RST discards unread data (desktop and CE)", "keep_on_reset"),
    Decision("Q8", "closesocket with receives pending",
             "UDP -> WSA_OPERATION_ABORTED; connected TCP -> WSAECONNABORTED (desktop), "
             "WSA_OPERATION_ABORTED (CE)"),
    Decision("Q9", "CE: completion routine after an immediate completion",
             "the routine runs (on its own thread)"),
    Decision("Q10", "lpFlags after an immediate completion", "holds the result flags only"),
    Decision("Q11", "PSH hold time (R14)", "200 ms when hold_until_push is on", "hold_until_push"),
    Decision("Q12", "SIOCATMARK with SO_OOBINLINE",
             "TRUE unless an urgent byte queued before SO_OOBINLINE was turned on is still unread (then "
             "FALSE, as observed); that byte stays out of band"),
    Decision("Q13", "WSAEDISCON sticky", "sticky, like R22/R23"),
)


def decision(qid: str) -> Decision:
    return {d.id: d for d in DECISIONS}[qid.upper()]


# Where the rules' evidence comes from (spec section 0): the kind in brackets, then the source tag.
EVIDENCE_KINDS: tuple[tuple[str, str], ...] = (
    ("[T]", "a conformance test run on real Windows (Wine's test suite)"),
    ("[D]", "Microsoft documentation"),
    ("[I]", "implementation evidence (Wine / ReactOS emulation code)"),
    ("[F]", "field reports (issue threads)"),
    ("[L]", "observed on Linux 6.x with a loopback probe (Linux differential only)"),
)
SOURCES: tuple[tuple[str, str], ...] = (
    ("WT", "wine-mirror/wine dlls/ws2_32/tests/sock.c (the test function named)"),
    ("WA", "wine-mirror/wine dlls/ws2_32/tests/afd.c (test_recv)"),
    ("WS", "wine-mirror/wine dlls/ws2_32/socket.c (WS2_recv_base, NtStatusToWSAError, supported_protocols[])"),
    ("WN", "wine-mirror/wine dlls/ntdll/unix/socket.c (try_recv, sock_recv)"),
    ("RA", "reactos/reactos drivers/network/afd/afd/read.c (SatisfyPacketRecvRequest, ReceiveActivity)"),
    ("RM", "reactos/reactos dll/win32/msafd/misc/sndrcv.c (WSPRecv)"),
    ("MR", "Microsoft docs: WSARecv (sdk-api nf-winsock2-wsarecv)"),
    ("MV", "Microsoft docs: recv (sdk-api nf-winsock2-recv)"),
    ("MS", "Microsoft docs: shutdown (sdk-api nf-winsock2-shutdown)"),
    ("MC", "Microsoft docs: closesocket (sdk-api nf-winsock2-closesocket)"),
    ("MO", "Microsoft docs: protocol-independent out-of-band data"),
    ("MT", "Microsoft docs: IPPROTO_TCP socket options"),
    ("CE", "Microsoft docs, previous versions: WSARecv / recv / error codes on Windows CE 5.0-6.0"),
    ("FI", "issue threads: dotnet/runtime#57186, objeck/objeck-lang#669, godotengine/godot#22332, "
           "golang/go#68614, tailscale/tailscale#12927"),
)


def spec_version() -> str:
    """The model's spec, named by what it holds (WSARECV.md has no version number in its header)."""
    return f"WSARECV.md rules R1-{RULES[-1].id}, decisions Q1-{DECISIONS[-1].id}"
