"""Who is the client of a flow: the SYN when the capture has it, else the ports (documented rule).

Wireshark decides a TCP conversation's initiator from the SYN. A capture that starts mid-stream
(ring buffers, a capture started after the connection) has none, and UDP never has one; then the
server is inferred from the ports, in this order (docs/CAPTURE_REALITY.md):
  1. a well-known port (< 1024) against a non-well-known one: the well-known side is the server;
  2. an ephemeral port (>= 32768: Linux's default range starts there, Windows' and IANA's at
     49152) against a non-ephemeral one: the non-ephemeral side is the server;
  3. otherwise the lower port is the server;
  4. equal ports: the receiver of the first packet is the server (its sender is tshark's node0).
"""

from __future__ import annotations

from wsarecv_cli.net import Endpoint

WELL_KNOWN_BELOW = 1024
EPHEMERAL_FROM = 32768


def _server_rank(port: int) -> int:
    """Lower ranks are more server-like."""
    if port < WELL_KNOWN_BELOW:
        return 0
    return 1 if port < EPHEMERAL_FROM else 2


def inferred_client(a: Endpoint, b: Endpoint) -> Endpoint:
    """The client of a flow without a SYN; `a` sent the flow's first packet."""
    rank_a, rank_b = _server_rank(a.port), _server_rank(b.port)
    if rank_a != rank_b:
        return b if rank_a < rank_b else a
    if a.port != b.port:
        return b if a.port < b.port else a
    return a
