"""The two answers about a connection that every domain gives the same way."""

from __future__ import annotations

from foryou_crm.core.errors import Conflict


class NotConnected(Conflict):
    code = "AMO_NOT_CONNECTED"
    message = "amoCRM is not connected for this user."


class ReconnectRequired(Conflict):
    code = "AMO_RECONNECT_REQUIRED"
    message = "amoCRM no longer accepts this connection; connect amoCRM again."
