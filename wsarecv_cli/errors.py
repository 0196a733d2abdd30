"""The package's own error family (stdlib only).

Every failure a user can cause with bad input is one of these; the CLI turns them into one line on
stderr and an exit code (1 for input problems). Third-party errors (dpkt, tomllib) are translated
into these at the boundary where they are caught.
"""


class WsarecvError(Exception):
    """Base of every error this package raises on purpose."""


class CaptureError(WsarecvError):
    """The capture cannot be read at all (missing, not a capture, corrupt header)."""


class ScenarioError(WsarecvError):
    """A scenario file or inline scenario is malformed."""


class ModelError(WsarecvError):
    """An input the WSARecv model cannot accept in its current state (names state and input)."""


class SelectionError(WsarecvError):
    """A --flow / --receiver selection that matches nothing or cannot be parsed."""


class NoReceiverError(SelectionError):
    """A --receiver selection that matches none of the capture's receivers: a usage error (exit 2)."""
