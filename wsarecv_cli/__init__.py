"""wsarecv: what a Windows application calling WSARecv would have received, from a packet capture."""

__version__ = "0.1.0"
