"""Where amoCRM lives: the consent host, each account's host, and which hosts we trust.

The one place that maps an account domain to a base URL: ``https://{domain}`` against the real
amoCRM/Kommo, the built-in sandbox's per-account prefix otherwise. The domain we store and show is
always the account's own host (``reforyou.amocrm.ru``)."""

from __future__ import annotations

import re

from foryou_crm.core.config import Settings

_HOST_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"


def account_base_url(settings: Settings, domain: str) -> str:
    if settings.amocrm_sandbox_url:
        return f"{settings.amocrm_sandbox_url.rstrip('/')}/accounts/{domain}"
    return f"https://{domain}"


def authorize_base(settings: Settings) -> str:
    if settings.amocrm_sandbox_url:
        return settings.amocrm_sandbox_url.rstrip("/")
    return settings.amocrm_authorize_host.rstrip("/")


def _pattern(entry: str) -> re.Pattern[str]:
    entry = entry.strip().lower()
    if entry.startswith("*."):
        return re.compile(rf"{_HOST_LABEL}\.{re.escape(entry[2:])}")
    return re.compile(re.escape(entry))


def allowed_account_host(settings: Settings, host: str | None) -> str | None:
    """``referer`` decides where we POST the client secret: only an exact account host passes
    (no scheme, port, path, userinfo, whitespace or trailing dot). Returns the host to use —
    the very string that was checked — or None."""
    if not host or len(host) > 253 or not host.isascii():
        return None
    candidate = host.lower()
    if any(_pattern(entry).fullmatch(candidate) for entry in settings.amocrm_allowed_domains):
        return candidate
    return None


def lead_url_prefix(domain: str) -> str:
    """A lead's page in amoCRM, up to the lead's id."""
    return f"https://{domain}/leads/detail/"


def lead_url(domain: str, lead_id: int) -> str:
    return f"{lead_url_prefix(domain)}{lead_id}"
