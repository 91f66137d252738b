"""Serve the browser CRM screen: the single-page app shell and its static assets.

The screen is a dependency-free ES-module app under ``static/``; there is no build step, so
the files on disk are exactly what browsers get. Every client route (``/app``,
``/app/amo-crm/callback`` …) returns the same shell, and the app's JS picks the view.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated, Final

from fastapi import APIRouter, Header, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response

STATIC_DIR: Final = (Path(__file__).parent / "static").resolve()
INDEX_FILE: Final = STATIC_DIR / "index.html"

# Only the file types the app actually ships; anything else (e.g. a stray .py or .map)
# is a 404 rather than a guess at a content type.
CONTENT_TYPES: Final[dict[str, str]] = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".png": "image/png",
    ".woff2": "font/woff2",
}

# No inline script or style anywhere in the app, so the policy can stay this strict.
CSP: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)

# Headers shared by the shell and the assets. ``no-referrer`` matters on the callback
# route: its URL carries a one-time code that must not leak to other origins.
_COMMON_HEADERS: Final[dict[str, str]] = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

SUPPORTED_LANGUAGES: Final = ("uk", "en")
DEFAULT_LANGUAGE: Final = "uk"

router = APIRouter(include_in_schema=False)


def pick_language(accept_language: str | None) -> str:
    """Pick ``uk`` or ``en`` from an ``Accept-Language`` header, defaulting to Ukrainian.

    Only used for the first paint (``<html lang>``); the app then honours the user's switch.
    Entries are taken by descending q-value; unsupported languages are skipped.
    """
    if not accept_language:
        return DEFAULT_LANGUAGE
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        # ``-index`` keeps header order among equal q-values when sorting descending.
        ranked.append((quality, -index, tag.strip().lower().split("-")[0]))
    for quality, _, language in sorted(ranked, reverse=True):
        if quality > 0 and language in SUPPORTED_LANGUAGES:
            return language
    return DEFAULT_LANGUAGE


def resolve_asset(file_path: str) -> Path | None:
    """Map a URL path under ``/app/static/`` to a shipped file, or ``None``.

    Resolving and then checking containment defeats ``..``, absolute paths and symlinks
    pointing outside the static directory; dot-files and unknown types are refused.
    """
    if not file_path or "\\" in file_path or "\x00" in file_path:
        return None
    if any(part.startswith(".") for part in file_path.split("/")):
        return None
    candidate = (STATIC_DIR / file_path).resolve()
    if not candidate.is_relative_to(STATIC_DIR) or not candidate.is_file():
        return None
    if candidate.suffix not in CONTENT_TYPES:
        return None
    return candidate


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


# Handlers are plain ``def`` so FastAPI runs the small blocking file reads in its threadpool
# instead of on the event loop.
@router.api_route("/app/static/{file_path:path}", methods=["GET", "HEAD"])
def static_asset(
    file_path: str,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    asset = resolve_asset(file_path)
    if asset is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Not found")
    body = asset.read_bytes()
    etag = _etag(body)
    # File names are not content-hashed (no build step), so browsers must revalidate on
    # every load; the ETag makes that a cheap 304 instead of a stale mix of old and new JS.
    headers = {**_COMMON_HEADERS, "Cache-Control": "no-cache", "ETag": etag}
    if if_none_match is not None and etag in {t.strip() for t in if_none_match.split(",")}:
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(content=body, media_type=CONTENT_TYPES[asset.suffix], headers=headers)


@router.api_route("/favicon.ico", methods=["GET", "HEAD"])
def favicon(if_none_match: Annotated[str | None, Header()] = None) -> Response:
    # Browsers ask every page on the origin for /favicon.ico (the sandbox's consent pages
    # and the "Redirecting to app..." page too); a 404 there is a console error on each.
    return static_asset("favicon.svg", if_none_match)


def _shell(request: Request) -> Response:
    language = pick_language(request.headers.get("accept-language"))
    html = INDEX_FILE.read_text(encoding="utf-8").replace(
        '<html lang="uk">', f'<html lang="{language}">', 1
    )
    headers = {
        **_COMMON_HEADERS,
        "Content-Security-Policy": CSP,
        "X-Frame-Options": "DENY",
        # The callback URL holds a one-time code: keep the page out of every cache.
        "Cache-Control": "no-store",
        "Vary": "Accept-Language",
    }
    return Response(content=html, media_type="text/html; charset=utf-8", headers=headers)


@router.api_route("/", methods=["GET", "HEAD"])
def root() -> RedirectResponse:
    # The service has no page of its own at the root; people who type the bare address want
    # the CRM screen. Relative, so it stays right behind any proxy or host name; 307 keeps the
    # method (HEAD stays HEAD) and is never cached for good, unlike a 301/308.
    return RedirectResponse("/app", status_code=status.HTTP_307_TEMPORARY_REDIRECT)


@router.api_route("/app", methods=["GET", "HEAD"])
def app_shell(request: Request) -> Response:
    return _shell(request)


@router.api_route("/app/{client_path:path}", methods=["GET", "HEAD"])
def app_client_route(client_path: str, request: Request) -> Response:
    # ``client_path`` is interpreted by the browser app; the server only returns the shell.
    del client_path
    return _shell(request)
