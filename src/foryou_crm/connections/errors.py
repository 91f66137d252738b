"""The two answers about a connection that every domain gives the same way."""

from __future__ import annotations

from foryou_crm.core.errors import Conflict


class NotConnected(Conflict):
    """The caller has no connection: never connected, disconnected, or amoCRM's uninstall
    hook removed it."""

    code = "AMO_NOT_CONNECTED"
    message = "amoCRM is not connected for this user."


class ReconnectRequired(Conflict):
    """amoCRM refused the connection's refresh token. The connection stays (its mirror stays
    readable) until the agent connects again."""

    code = "AMO_RECONNECT_REQUIRED"
    message = "amoCRM no longer accepts this connection; connect amoCRM again."
