"""What a call's pointer arguments and receive function change in its outcome (R1, R2, R18, R30).

The receive decision (take.py) does not depend on these; they only change what the application
is told: lpNumberOfBytesRecvd NULL (R2), a socket without the overlapped attribute running an
overlapped call synchronously (R1), hEvent NULL or with its low bit set (R30), and the extra
outputs of WSARecvFrom (source address) and WSARecvMsg (WSAMSG.dwFlags: MSG_TRUNC, MSG_CTRUNC).
Calls with the usual arguments (`RecvCall.plain_args`) never come here.
"""

from __future__ import annotations

from wsarecv_cli.model.overlapped import delivery_for, merge_rules
from wsarecv_cli.model.queues import RxState
from wsarecv_cli.model.take import Take
from wsarecv_cli.model.types import (
    Api, Completion, Delivery, Event, HEvent, Mode, RecvCall, RecvFlags, RecvResult, SocketConfig, Status,
    WsaError,
)

# WSA_CMSG_SPACE(sizeof(IN_PKTINFO)) on 64-bit Windows: a 16-byte WSACMSGHDR and 8 bytes of data
PKTINFO_SPACE = 24
CTRUNC_NOTE = "control truncated: MSG_CTRUNC"

_R1_NOTE = ("the socket lacks the overlapped attribute (no WSA_FLAG_OVERLAPPED): the overlapped call runs "
            "synchronously, blocking even with FIONBIO, and also posts its result to the OVERLAPPED (R1)")


def head_source(rx: RxState, call: RecvCall) -> str | None:
    """The source address a WSARecvFrom/WSARecvMsg would report: the first queued datagram's."""
    if call.api is Api.WSARECV or not rx.messages:
        return None
    return rx.messages[0].source


def truncate_control(config: SocketConfig, call: RecvCall, got: Take) -> bool:
    """WSARecvMsg with IP_PKTINFO on and a control buffer too small: the message is delivered,
    MSG_CTRUNC is set and the call reports WSAEMSGSIZE (R18; WT test_ip_pktinfo). Changes `got`."""
    if (call.api is not Api.WSARECVMSG or not config.pktinfo or call.control >= PKTINFO_SPACE
            or got.error is not None or got.event not in (Event.DATA, Event.ZERO_BYTE)):
        return False
    got.error, got.event = WsaError.WSAEMSGSIZE, Event.TRUNCATED
    got.rules = merge_rules(got.rules, ("R18",))
    got.reason += (f"; the {call.control}-byte control buffer cannot hold IP_PKTINFO ({PKTINFO_SPACE} bytes): "
                   "MSG_CTRUNC, WSAEMSGSIZE (R18, WT test_ip_pktinfo)")
    got.notes += (CTRUNC_NOTE,)
    return True


def finish(outcome: RecvResult | Completion, call: RecvCall, config: SocketConfig, *, source: str | None,
           ctrunc: bool = False, posted: Mode | None = None) -> RecvResult | Completion:
    """`outcome` as the application sees it given the call's arguments."""
    changes: dict = {}
    rules, notes = outcome.rules, outcome.notes
    # a call refused at once (R6) reports nothing else: no delivery, no count to leave out
    failed_early = isinstance(outcome, RecvResult) and outcome.status is Status.FAILED and outcome.bytes is None
    if posted is not None:
        rules, notes = merge_rules(rules, ("R1",)), notes + (_R1_NOTE,)
        done = isinstance(outcome, Completion) or outcome.status in (Status.COMPLETED, Status.FAILED)
        if done and not failed_early:  # the call returns, and the OVERLAPPED gets the result too
            changes["delivery"] = delivery_for(posted, config.platform, immediate=isinstance(outcome, RecvResult),
                                               success=outcome.error is None, skip_on_success=False)
    if call.null_count and isinstance(outcome, RecvResult) and not failed_early:
        rules = merge_rules(rules, ("R2",))
        if outcome.bytes is not None:
            changes["bytes"] = None
            notes += ("lpNumberOfBytesRecvd is NULL: the count is not written; read it with "
                      "WSAGetOverlappedResult (R2)",)
    delivery = changes.get("delivery", outcome.delivery)
    if call.hevent is HEvent.NULL and delivery is Delivery.EVENT:
        changes["delivery"] = Delivery.SOCKET_HANDLE
        rules, notes = merge_rules(rules, ("R30",)), notes + ("hEvent is NULL: the socket handle is signalled (R30)",)
    elif call.hevent is HEvent.LOW_BIT and delivery is Delivery.IOCP:
        changes["delivery"] = Delivery.EVENT
        rules = merge_rules(rules, ("R30",))
        notes += ("hEvent has its low bit set: the event is signalled, no completion packet is queued (R30)",)
    if call.api is not Api.WSARECV and outcome.error in (None, WsaError.WSAEMSGSIZE) and outcome.event not in (
            Event.PENDING, Event.GRACEFUL_CLOSE):
        changes["source"] = source
        if call.api is Api.WSARECVMSG:
            flags = outcome.flags_out or RecvFlags.NONE
            if outcome.event is Event.TRUNCATED and outcome.lost:
                flags |= RecvFlags.MSG_TRUNC
            if ctrunc:
                flags |= RecvFlags.MSG_CTRUNC
            changes["msg_flags"] = flags
    if rules is not outcome.rules:
        changes["rules"] = rules
    if notes is not outcome.notes:
        changes["notes"] = notes
    return outcome._replace(**changes) if changes else outcome
