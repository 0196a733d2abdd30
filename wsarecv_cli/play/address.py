"""--listen / --connect addresses: parsing, name resolution, and the loopback-only safety rule.

play sends captured bytes, which may be anything, to a real socket: by default it only binds and
connects to loopback addresses (127.0.0.0/8, ::1). Any other address, a wildcard bind included,
needs --allow-remote; the check is made on the resolved addresses, so a name like `localhost` is
fine and a name resolving elsewhere is not.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass


class AddressError(ValueError):
    """A --listen/--connect value that cannot be used (bad syntax, unknown name, not loopback)."""


@dataclass(frozen=True, slots=True)
class SocketAddress:
    """A resolved address: what socket() and bind()/connect() take."""

    family: socket.AddressFamily
    host: str  # the numeric address
    port: int

    @property
    def sockaddr(self) -> tuple[str, int]:
        return (self.host, self.port)

    def __str__(self) -> str:
        return f"[{self.host}]:{self.port}" if self.family == socket.AF_INET6 else f"{self.host}:{self.port}"


def split_host_port(text: str) -> tuple[str, int]:
    """'127.0.0.1:9000', 'localhost:9000', '[::1]:9000' -> (host, port)."""
    match = re.fullmatch(r"\[([^\]]+)\]:(\d+)|([^:\[\]]+):(\d+)", text.strip())
    if not match:
        raise AddressError(f"{text!r} is not HOST:PORT (IPv6 as [ADDR]:PORT)")
    host = match.group(1) or match.group(3)
    port = int(match.group(2) or match.group(4))
    if port > 0xFFFF:
        raise AddressError(f"port {port} in {text!r} is above 65535")
    return host, port


def resolve(text: str, allow_remote: bool, passive: bool = False) -> SocketAddress:
    """HOST:PORT -> the first address it resolves to; AddressError when it cannot be used.

    passive: for bind (port 0 allowed: the system picks one)."""
    host, port = split_host_port(text)
    if port == 0 and not passive:
        raise AddressError(f"{text!r}: port 0 cannot be connected to")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)  # one entry per address, TCP or UDP alike
    except socket.gaierror as exc:
        raise AddressError(f"cannot resolve {host!r}: {exc.strerror}") from exc
    family, _, _, _, sockaddr = infos[0]
    address = SocketAddress(family, sockaddr[0], sockaddr[1])
    if not allow_remote and not ipaddress.ip_address(address.host.split("%")[0]).is_loopback:
        raise AddressError(f"{text} ({address.host}) is not a loopback address; play sends captured bytes to real "
                           "sockets, so other addresses need --allow-remote")
    return address
