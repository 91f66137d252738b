"""OAuth as amoCRM does it: the consent pages ("www" host) and the token endpoint.

Consent: `GET S/oauth?client_id&state&mode` → sign-in form → consent page → 302 to the
integration's registered redirect URI. Token: `POST S/accounts/{host}/oauth2/access_token`.
"""

from __future__ import annotations

import hmac
import json
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from . import problems
from .config import DEMO_PASSWORD
from .gate import CENTRAL_HOST, SUBDOMAIN_PATH
from .models import Account, User
from .tokens import TokenError
from .web import cookie_path, sandbox_base, sandbox_of, templates

SESSION_COOKIE = "amo_sandbox_session"


def _error_page(request: Request, status: int, title: str, message: str) -> Response:
    return templates.TemplateResponse(
        request, "error.html", {"title": title, "message": message}, status_code=status
    )


def _flow(params: Any) -> dict[str, Any]:
    """The three documented query params, plus whether `state` was sent at all."""
    has_state = "state" in params if "has_state" not in params else params["has_state"] == "1"
    return {
        "client_id": str(params.get("client_id", "")),
        "state": str(params.get("state", "")),
        "mode": str(params.get("mode", "")),
        "has_state": has_state,
    }


def _same(given: object, expected: str) -> bool:
    """A constant-time comparison of what a client sent with a secret. As UTF-8 bytes:
    ``compare_digest`` refuses str with non-ASCII characters (a TypeError, a 500, for a
    client secret like "пароль"); anything not a string is simply not equal."""
    return isinstance(given, str) and hmac.compare_digest(
        given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    )


def _check_client(request: Request, flow: dict[str, Any]) -> Response | None:
    sb = sandbox_of(request)
    if not flow["client_id"]:
        return _error_page(request, 400, "Ошибка авторизации", "Не передан client_id интеграции.")
    if not _same(flow["client_id"], sb.config.client_id):
        # No redirect: with an unknown integration there is no trusted redirect URI.
        return _error_page(
            request,
            400,
            "Интеграция не найдена",
            f"Интеграция с ID {flow['client_id']} не найдена.",
        )
    return None


def _session_user(request: Request) -> tuple[Account, User, str] | None:
    sb = sandbox_of(request)
    session = sb.sessions.get(request.cookies.get(SESSION_COOKIE, ""))
    if session is None:
        return None
    account = sb.account(session.host)
    if account is None or session.user_id not in account.users:
        return None
    return account, account.users[session.user_id], session.csrf


def _oauth_query(flow: dict[str, Any]) -> str:
    params = {"client_id": flow["client_id"]}
    if flow["has_state"]:
        params["state"] = flow["state"]
    if flow["mode"]:
        params["mode"] = flow["mode"]
    return urlencode(params)


def _login_page(
    request: Request, flow: dict[str, Any], error: str = "", login: str = "", status: int = 200
) -> Response:
    sb = sandbox_of(request)
    ctx = {
        **flow,
        "integration_name": sb.config.integration_name,
        "action": f"{sandbox_base(request)}/oauth/login",
        "error": error,
        "login": login,
    }
    return templates.TemplateResponse(request, "login.html", ctx, status_code=status)


async def authorize(request: Request) -> Response:
    flow = _flow(request.query_params)
    refused = _check_client(request, flow)
    if refused is not None:
        return refused
    current = _session_user(request)
    if current is None:
        return _login_page(request, flow)
    account, user, csrf = current
    sb = sandbox_of(request)
    if not account.installed and not user.is_admin:
        # amoCRM: only an account admin can give an integration its first access.
        return _error_page(
            request,
            403,
            "Недостаточно прав",
            "Интеграцию может установить только администратор аккаунта. "
            "Попросите администратора предоставить доступ.",
        )
    ctx = {
        **flow,
        "integration_name": sb.config.integration_name,
        "account": account,
        "user": user,
        "csrf": csrf,
        "action": f"{sandbox_base(request)}/oauth/consent",
        "logout_url": f"{sandbox_base(request)}/oauth/logout?{_oauth_query(flow)}",
    }
    return templates.TemplateResponse(request, "consent.html", ctx)


async def login(request: Request) -> Response:
    form = await request.form()
    flow = _flow(form)
    refused = _check_client(request, flow)
    if refused is not None:
        return refused
    sb = sandbox_of(request)
    login_value = str(form.get("login", "")).strip()
    found = sb.find_login(login_value)
    password_ok = _same(form.get("password", ""), DEMO_PASSWORD)
    if found is None or not password_ok:
        return _login_page(
            request, flow, error="Неверный логин или пароль", login=login_value, status=401
        )
    account, user = found
    sid = sb.open_session(account, user)
    # Post/Redirect/Get: the consent page is served by GET /oauth with the same params.
    response = RedirectResponse(f"{sandbox_base(request)}/oauth?{_oauth_query(flow)}", 303)
    response.set_cookie(
        SESSION_COOKIE, sid, httponly=True, samesite="lax", path=cookie_path(request)
    )
    return response


async def logout(request: Request) -> Response:
    sb = sandbox_of(request)
    sb.sessions.pop(request.cookies.get(SESSION_COOKIE, ""), None)
    flow = _flow(request.query_params)
    response = RedirectResponse(f"{sandbox_base(request)}/oauth?{_oauth_query(flow)}", 303)
    response.delete_cookie(SESSION_COOKIE, path=cookie_path(request))
    return response


def _redirect_to(base: str, params: dict[str, str]) -> str:
    # The registered URI may carry its own query; amoCRM appends to it.
    return f"{base}{'&' if '?' in base else '?'}{urlencode(params)}"


async def consent(request: Request) -> Response:
    form = await request.form()
    flow = _flow(form)
    refused = _check_client(request, flow)
    if refused is not None:
        return refused
    current = _session_user(request)
    if current is None:
        return _login_page(request, flow, error="Сессия истекла, войдите снова", status=401)
    account, user, csrf = current
    if not _same(form.get("csrf", ""), csrf):
        return _error_page(request, 400, "Ошибка", "Форма устарела, откройте ссылку заново.")
    sb = sandbox_of(request)
    redirect_uri = sb.config.redirect_uri
    if form.get("decision") != "allow":
        params = {"error": "access_denied"}
        if flow["has_state"]:
            params["state"] = flow["state"]
        params["client_id"] = flow["client_id"]
        return RedirectResponse(_redirect_to(redirect_uri, params), 302)
    if not account.installed and not user.is_admin:
        return _error_page(
            request, 403, "Недостаточно прав", "Интеграцию может установить только администратор."
        )
    account.installed = True
    code = sb.tokens.issue_code(account, user.id, flow["client_id"])
    params = {"code": code}
    if flow["has_state"]:
        params["state"] = flow["state"]
    params.update(
        {"referer": account.host, "platform": str(account.platform), "client_id": flow["client_id"]}
    )
    return RedirectResponse(_redirect_to(redirect_uri, params), 302)


# --- token endpoint ------------------------------------------------------------------------


async def _token_params(request: Request) -> dict[str, str]:
    raw = await request.body()
    ctype = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    # Both encodings are accepted: the docs use JSON, the official PHP library sends a form.
    if ctype == "application/json" or (not ctype and raw.lstrip().startswith(b"{")):
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(k): str(v) for k, v in data.items() if v is not None}
    return dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))


async def access_token(request: Request) -> Response:
    sb = sandbox_of(request)
    account = sb.account(request.path_params["host"])
    assert account is not None  # the gate answers 404 for unknown hosts
    params = await _token_params(request)
    grant = params.get("grant_type", "")
    if grant not in ("authorization_code", "refresh_token"):
        return problems.oauth_problem(400, "Check that all required parameters have been provided")
    if not params.get("client_id") or not _same(params["client_id"], sb.config.client_id):
        return problems.oauth_problem(400, "Check the `client_id` parameter")
    if not _same(params.get("client_secret", ""), sb.config.client_secret):
        return problems.oauth_problem(400, "Check the `client_secret` parameter")
    # Exact match, trailing slashes and query included (amocrm-api.md §1).
    if params.get("redirect_uri", "") != sb.config.redirect_uri:
        return problems.oauth_problem(400, "Redirect URI is not associated with client")
    try:
        if grant == "authorization_code":
            if not params.get("code"):
                return problems.oauth_problem(400, "Check the `code` parameter")
            issued = sb.tokens.exchange_code(account, params["code"], params["client_id"])
        else:
            if not params.get("refresh_token"):
                return problems.oauth_problem(400, "Check the `refresh_token` parameter")
            issued = sb.tokens.refresh(account, params["refresh_token"], params["client_id"])
    except TokenError as exc:
        return problems.oauth_problem(exc.status, exc.hint)
    return JSONResponse(issued.body())


async def current_subdomain(request: Request) -> Response:
    """`GET https://{api_domain}/oauth2/account/current/subdomain` with `X-Refresh-Token`
    (account-subdomain-info.md): served only on the central host a token's `api_domain`
    names (api-b.amocrm.ru, api-c.kommo.com), never on the account host."""
    sb = sandbox_of(request)
    host = request.path_params["host"].lower()
    if not CENTRAL_HOST.match(host):
        return problems.not_found(f"https://{host}{SUBDOMAIN_PATH}")
    platforms = {a.host: a.platform for a in sb.accounts.values()}
    pair = sb.tokens.active_refresh(request.headers.get("x-refresh-token", ""), platforms)
    account = sb.account(pair.account_host) if pair is not None else None
    if account is None or account.api_domain != host:
        return problems.unauthorized(2 if host.endswith("kommo.com") else 1)
    return JSONResponse(
        {
            "id": account.id,
            "subdomain": account.subdomain,
            "domain": account.host,
            "top_level_domain": account.host.rsplit(".", 1)[1],
        }
    )


def routes() -> list[Route]:
    return [
        Route("/oauth", authorize, methods=["GET"]),
        Route("/oauth/", authorize, methods=["GET"]),
        Route("/oauth/login", login, methods=["POST"]),
        Route("/oauth/consent", consent, methods=["POST"]),
        Route("/oauth/logout", logout, methods=["GET"]),
        Route("/accounts/{host}/oauth2/access_token", access_token, methods=["POST"]),
        Route(
            "/accounts/{host}/oauth2/account/current/subdomain", current_subdomain, methods=["GET"]
        ),
    ]
