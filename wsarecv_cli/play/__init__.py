"""`wsarecv play`: stand in for one side of a captured flow and talk to the user's real application.

The only package that opens network sockets. Public API:

    load_script(path, selector, role, ...) -> LoadedFlow(script, warnings)   the flow's events -> a PlayScript
    reslice(sends, SliceSpec.parse("bytewise"))                              --slice
    resolve("127.0.0.1:9000", allow_remote, passive) -> SocketAddress   (AddressError)
    open_channel(transport, as_client, address, timeout, on_listen)          (NetworkError)
    Player(script, channel, Pacing(...), emit).run() -> PlayResult           records as they happen
"""

from wsarecv_cli.play.address import AddressError, SocketAddress, resolve
from wsarecv_cli.play.channels import NetworkError, open_channel
from wsarecv_cli.play.compare import ReplyCheck
from wsarecv_cli.play.player import Pacing, Player, PlayResult
from wsarecv_cli.play.records import CloseRecord, DirectionSummary, RecvRecord, SendRecord
from wsarecv_cli.play.script import CloseKind, PlayScript, Reply, Role, Send
from wsarecv_cli.play.slicing import SliceKind, SliceSpec, reslice
from wsarecv_cli.play.source import LoadedFlow, load_script

__all__ = [
    "AddressError", "CloseKind", "CloseRecord", "DirectionSummary", "LoadedFlow", "NetworkError", "Pacing",
    "PlayResult", "PlayScript", "Player", "RecvRecord", "Reply", "ReplyCheck", "Role", "Send", "SendRecord",
    "SliceKind", "SliceSpec", "SocketAddress", "load_script", "open_channel", "reslice", "resolve",
]
