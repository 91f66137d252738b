"""The page the callback answers with: 200 with HTML that hands over to the app (a 302 to a
custom scheme is what made Safari say "cannot open the page"). It says what happened, in words,
for each outcome, and carries the target both as a link and as an immediate redirect."""

from __future__ import annotations

import secrets
from pathlib import Path

import structlog
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from foryou_crm.amocrm.oauth.callback import HandOver

log = structlog.get_logger("foryou_crm.amocrm")
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))

SERVER_ERROR = "server_error"
BACK = "Back to ForYou"
# (title, message, button) per outcome code; None is success.
TEXTS: dict[str | None, tuple[str, str, str]] = {
    None: ("Redirecting to app...", "amoCRM is connected. Returning you to ForYou…", "Open ForYou"),
    "access_denied": (
        "Access was not granted",
        "amoCRM access was declined. Returning you to ForYou…",
        BACK,
    ),
    "state_invalid": (
        "This link has expired",
        "This sign-in link is no longer valid (used or expired). Start connecting amoCRM again "
        "from the app.",
        BACK,
    ),
    "referer_not_allowed": (
        "Unknown amoCRM address",
        "The answer did not come from an amoCRM or Kommo account address, so it was ignored.",
        BACK,
    ),
    "exchange_failed": (
        "amoCRM refused the connection",
        "amoCRM did not accept this authorization. Start connecting again from the app.",
        BACK,
    ),
    SERVER_ERROR: (
        "Something went wrong",
        "We could not finish connecting amoCRM. Nothing was saved; start again from the app.",
        BACK,
    ),
    "amocrm_unavailable": (
        "amoCRM is not answering",
        "amoCRM did not answer in time. Nothing was saved; try again in a minute.",
        BACK,
    ),
}


def render(request: Request, handed: HandOver) -> HTMLResponse:
    title, message, button = TEXTS.get(handed.error, TEXTS["exchange_failed"])
    nonce = secrets.token_urlsafe(16)
    response = templates.TemplateResponse(
        request,
        "callback.html",
        {
            "lang": "en",
            "title": title,
            "message": message,
            "button": button,
            "noscript": "JavaScript is off: tap the button above to return to the app.",
            "target": handed.target,
            "auto_redirect": True,
            "is_error": handed.error is not None,
            "nonce": nonce,
        },
        status_code=200,
    )
    response.headers.update(
        {
            "Cache-Control": "no-store",
            "Pragma": "no-cache",
            "Referrer-Policy": "no-referrer",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": (
                f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
                "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
            ),
        }
    )
    scheme = (handed.target or "").split(":", 1)[0] or None
    log.info("redirect_page_rendered", target_scheme=scheme, error_code=handed.error)
    return response
