"""The async amoCRM/Kommo client: the token endpoint and API v4.

Works against the real amoCRM and the sandbox alike; only ``base_url`` differs. Token requests
never follow redirects and are never retried blindly (a lost response may already have rotated
the refresh token). Every call is bounded by an overall timeout (``asyncio.timeout``, which also
holds for in-process transports) and spends one unit of the account's rate budget."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from foryou_crm.amocrm.errors import (
    AmoCRMAuthError,
    AmoCRMBadRequest,
    AmoCRMError,
    AmoCRMForbidden,
    AmoCRMPaymentRequired,
    AmoCRMRateLimited,
    AmoCRMUnavailable,
)
from foryou_crm.amocrm.ratelimit import RateBudget, RedisRateBudget
from foryou_crm.core import metrics


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int


def _problem(response: httpx.Response) -> dict[str, Any]:
    """The JSON object amoCRM answered (an empty one for any other body). orjson parses a page
    of 250 leads 2.5× faster than ``json``; what it refuses and ``json`` reads (``NaN``, a
    lone surrogate) is read by ``json`` as before. An integer beyond 64 bits comes as a float:
    out of range for every id and price either way (``leads.amo`` drops such values)."""
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return {}
    return body if isinstance(body, dict) else {}


def _embedded(data: dict[str, Any] | None, key: str) -> list[dict[str, Any]]:
    """The list amoCRM answers under ``_embedded.<key>`` (none when it answered nothing)."""
    return list(((data or {}).get("_embedded") or {}).get(key) or [])


def _has_next(data: dict[str, Any] | None) -> bool:
    return "next" in ((data or {}).get("_links") or {})


def raise_for_amocrm(response: httpx.Response) -> None:
    status = response.status_code
    if status < 400:
        return
    problem = _problem(response)
    hint = problem.get("hint")
    detail = str(problem.get("detail") or problem.get("title") or "")
    if status == 401:
        raise AmoCRMAuthError(hint=hint)
    if status == 400:
        raise AmoCRMBadRequest(f"amoCRM rejected the request: {hint or detail}", hint=hint)
    if status == 402:
        raise AmoCRMPaymentRequired()
    if status == 403:
        raise AmoCRMForbidden(hint=hint)
    if status == 429:
        retry = problem.get("retry_after")
        try:
            retry_after = float(
                retry if retry is not None else response.headers.get("Retry-After", 1)
            )
        except ValueError:
            retry_after = 1.0
        raise AmoCRMRateLimited(retry_after)
    if status >= 500:
        raise AmoCRMUnavailable()
    raise AmoCRMError(f"amoCRM answered {status}: {detail}", hint=hint)


class AmoCRMTransport:
    """One shared ``httpx.AsyncClient`` for all amoCRM traffic, plus the rate budget."""

    def __init__(
        self,
        *,
        timeout: float,
        budget: RateBudget,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.timeout = timeout
        self.budget = budget
        self._budget_kind: metrics.RateBudgetKind = (
            "redis" if isinstance(budget, RedisRateBudget) else "memory"
        )
        self.http = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
            headers={"User-Agent": "foryou-crm/0.1 (+https://foryou-realestate.com)"},
        )

    async def aclose(self) -> None:
        await self.http.aclose()

    async def request(
        self, method: str, url: str, *, account: str, **kwargs: Any
    ) -> httpx.Response:
        endpoint = metrics.amocrm_endpoint(httpx.URL(url).path)
        asked = time.perf_counter()
        await self.budget.acquire(account)
        sent = time.perf_counter()
        metrics.rate_budget_waited(self._budget_kind, sent - asked)
        try:
            async with asyncio.timeout(self.timeout):
                response = await self.http.request(method, url, **kwargs)
        except (TimeoutError, httpx.TimeoutException) as exc:
            metrics.amocrm_call_finished(endpoint, "timeout", time.perf_counter() - sent)
            raise AmoCRMUnavailable("amoCRM did not answer in time.") from exc
        except httpx.TransportError as exc:
            metrics.amocrm_call_finished(endpoint, "unreachable", time.perf_counter() - sent)
            raise AmoCRMUnavailable("Could not reach amoCRM.") from exc
        outcome = metrics.amocrm_outcome(response.status_code)
        metrics.amocrm_call_finished(endpoint, outcome, time.perf_counter() - sent)
        if 300 <= response.status_code < 400:
            # A redirect from the token endpoint or API is never followed: it could send our
            # secret or token to another host.
            raise AmoCRMError(f"amoCRM answered with a redirect ({response.status_code}).")
        if response.status_code == 429:
            await self.budget.rate_limited(account)
        return response


async def request_tokens(
    transport: AmoCRMTransport,
    *,
    base_url: str,
    account: str,
    client_id: str,
    client_secret: str,
    redirect_uri: str,
    grant: dict[str, str],
) -> TokenPair:
    """``POST {account}/oauth2/access_token`` for either grant."""
    body = {
        "client_id": client_id,
        "client_secret": client_secret,
        "redirect_uri": redirect_uri,
        **grant,
    }
    response = await transport.request(
        "POST", f"{base_url}/oauth2/access_token", account=account, json=body
    )
    raise_for_amocrm(response)
    data = _problem(response)
    try:
        return TokenPair(
            access_token=str(data["access_token"]),
            refresh_token=str(data["refresh_token"]),
            expires_in=int(data["expires_in"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise AmoCRMError("amoCRM's token response is not what amoCRM documents.") from exc


@dataclass(frozen=True)
class LeadsPage:
    leads: list[dict[str, Any]]
    has_next: bool


class AmoCRMClient:
    """API v4 calls for one account with one access token."""

    def __init__(
        self, transport: AmoCRMTransport, *, base_url: str, account: str, access_token: str
    ) -> None:
        self.transport = transport
        self.base_url = base_url.rstrip("/")
        self.account = account
        self._auth = {"Authorization": f"Bearer {access_token}"}

    async def _get(self, path: str, params: Any = None) -> dict[str, Any] | None:
        response = await self.transport.request(
            "GET", f"{self.base_url}{path}", account=self.account, params=params, headers=self._auth
        )
        raise_for_amocrm(response)
        if response.status_code == 204 or not response.content:
            return None  # amoCRM's "nothing found": an empty result, not an error
        return _problem(response)

    async def get_account(self) -> dict[str, Any]:
        data = await self._get("/api/v4/account", {"with": "is_api_filter_enabled"})
        if not data or "id" not in data:
            raise AmoCRMError("amoCRM returned no account.")
        return data

    async def get_pipelines(self) -> list[dict[str, Any]]:
        return _embedded(await self._get("/api/v4/leads/pipelines"), "pipelines")

    async def get_users_page(self, page: int = 1, limit: int = 1) -> dict[str, Any] | None:
        """Admin tokens only (403 otherwise)."""
        return await self._get("/api/v4/users", {"page": page, "limit": limit})

    async def get_users(self) -> list[dict[str, Any]]:
        """Admin tokens only (403 otherwise)."""
        users: list[dict[str, Any]] = []
        page = 1
        while True:
            data = await self._get("/api/v4/users", {"page": page, "limit": 250})
            users.extend(_embedded(data, "users"))
            if not _has_next(data):
                return users
            page += 1

    async def list_leads(
        self,
        *,
        page: int,
        limit: int = 250,
        order: tuple[str, str] | None = None,
        params: list[tuple[str, str]] | None = None,
    ) -> LeadsPage:
        query: list[tuple[str, str]] = [
            ("page", str(page)),
            ("limit", str(limit)),
            ("with", "contacts"),
        ]
        if order:
            query.append((f"order[{order[0]}]", order[1]))
        query.extend(params or [])
        data = await self._get("/api/v4/leads", query)
        return LeadsPage(_embedded(data, "leads"), _has_next(data))

    async def get_lead(self, lead_id: int) -> dict[str, Any] | None:
        return await self._get(f"/api/v4/leads/{lead_id}", {"with": "contacts"})

    async def get_current_user(self) -> dict[str, Any] | None:
        """The token owner's profile (``/v3/user``; undocumented, used by amoCRM's own OAuth
        provider): how a non-admin token learns its own name."""
        return await self._get("/v3/user")

    async def list_page(
        self, entity: str, params: list[tuple[str, str]], *, page: int, limit: int = 250
    ) -> tuple[list[dict[str, Any]], bool]:
        """One page of an entity list — ``contacts``, ``companies``, ``leads/notes``,
        ``tasks``, ``leads/custom_fields`` — with these parameters (filters, ``order``,
        ``with``), and whether another page follows. The items are under ``_embedded``
        by the list's last path segment."""
        query = [("page", str(page)), ("limit", str(limit)), *params]
        data = await self._get(f"/api/v4/{entity}", query)
        key = entity.rsplit("/", 1)[-1]
        return _embedded(data, key), _has_next(data)

    async def _send(self, method: str, path: str, body: dict[str, Any]) -> httpx.Response:
        response = await self.transport.request(
            method, f"{self.base_url}{path}", account=self.account, json=body, headers=self._auth
        )
        raise_for_amocrm(response)
        return response

    async def subscribe_webhook(self, destination: str, settings: list[str]) -> dict[str, Any]:
        body = {"destination": destination, "settings": settings, "sort": 10}
        return _problem(await self._send("POST", "/api/v4/webhooks", body))

    async def unsubscribe_webhook(self, destination: str) -> None:
        """``DELETE /api/v4/webhooks`` (admins only; 204). amoCRM answers 400 when no webhook
        has this destination."""
        await self._send("DELETE", "/api/v4/webhooks", {"destination": destination})
