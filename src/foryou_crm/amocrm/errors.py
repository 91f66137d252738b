"""Typed errors of the outbound amoCRM client, and how each one is answered to our caller."""

from __future__ import annotations

from foryou_crm.core.errors import AppError


class AmoCRMError(AppError):
    """Base of everything amoCRM (or the way to it) can do wrong."""

    status_code = 502
    code = "AMOCRM_ERROR"
    message = "amoCRM answered with an error."

    def __init__(self, message: str | None = None, *, hint: str | None = None) -> None:
        super().__init__(message)
        # amoCRM's own explanation (its ``hint``): tells a dead refresh token from our own
        # misconfiguration (``CONFIGURATION_HINTS``).
        self.hint = hint


class AmoCRMAuthError(AmoCRMError):
    """401: the access token is expired/revoked, or a refresh token was refused."""

    code = "AMOCRM_UNAUTHORIZED"
    message = "amoCRM refused our credentials for this account; reconnect amoCRM."
    status_code = 409


class AmoCRMBadRequest(AmoCRMError):
    """400 from the token endpoint (code expired/revoked, redirect URI mismatch, …)."""

    code = "AMOCRM_BAD_REQUEST"


class AmoCRMMisconfigured(AmoCRMError):
    """amoCRM refused *our* credentials (client id/secret, redirect URI): an operator's problem,
    not the user's; their tokens stay as they are."""

    code = "AMOCRM_MISCONFIGURED"
    message = "The amoCRM integration is misconfigured on our side; try again later."
    status_code = 503


# Token-endpoint hints that say the integration's own settings are wrong (see amocrm-api.md §2).
CONFIGURATION_HINTS = (
    "Check the `client_id` parameter",
    "Check the `client_secret` parameter",
    "Redirect URI is not associated with client",
)


class AmoCRMRateLimited(AmoCRMError):
    """429: too many requests for this account; ``retry_after`` says how long to wait."""

    code = "AMOCRM_RATE_LIMITED"
    message = "amoCRM asks us to slow down; try again shortly."
    status_code = 503

    def __init__(self, retry_after: float) -> None:
        super().__init__()
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(max(1, int(retry_after)))}


class AmoCRMForbidden(AmoCRMError):
    """403: no rights for this call, or (after repeated 429s) every call is blocked."""

    code = "AMOCRM_FORBIDDEN"
    message = "amoCRM refused this request (no rights, or the API is blocked for a while)."


class AmoCRMPaymentRequired(AmoCRMError):
    """402: the account's subscription has lapsed."""

    code = "AMOCRM_PAYMENT_REQUIRED"
    message = "The amoCRM account is not paid; amoCRM refuses API access."


class AmoCRMUnavailable(AmoCRMError):
    """5xx, timeouts, connection errors: nothing was decided; safe to retry later."""

    code = "AMOCRM_UNAVAILABLE"
    message = "amoCRM is not answering right now; try again shortly."
    status_code = 503
