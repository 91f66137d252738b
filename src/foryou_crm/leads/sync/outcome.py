"""What stopped a sync phase, as the bounded outcome its metric counts
(``core.metrics.sync_phase_finished``)."""

from __future__ import annotations

from foryou_crm.amocrm.errors import (
    AmoCRMAuthError,
    AmoCRMError,
    AmoCRMForbidden,
    AmoCRMPaymentRequired,
    AmoCRMRateLimited,
    AmoCRMUnavailable,
)
from foryou_crm.connections.errors import ReconnectRequired
from foryou_crm.core.metrics import SyncOutcome

_OUTCOMES: tuple[tuple[type[Exception] | tuple[type[Exception], ...], SyncOutcome], ...] = (
    (AmoCRMForbidden, "blocked"),
    ((ReconnectRequired, AmoCRMAuthError), "reconnect"),
    (AmoCRMPaymentRequired, "unpaid"),
    (AmoCRMRateLimited, "rate_limited"),
    (AmoCRMUnavailable, "unavailable"),
    (AmoCRMError, "amocrm_error"),
)


def failure_outcome(exc: Exception) -> SyncOutcome:
    """The outcome of a phase that ``exc`` ended; ``error`` for anything on our side."""
    return next((outcome for kind, outcome in _OUTCOMES if isinstance(exc, kind)), "error")
