"""Helpers shared by the route modules: URLs relative to wherever the sandbox is mounted."""

from __future__ import annotations

from pathlib import Path

from starlette.datastructures import URL
from starlette.requests import Request
from starlette.templating import Jinja2Templates

from .gate import PUBLIC_BASE_KEY
from .state import Sandbox

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


def sandbox_of(request: Request) -> Sandbox:
    sandbox: Sandbox = request.app.state.sandbox
    return sandbox


def sandbox_base(request: Request) -> str:
    """The absolute base URL S the sandbox is mounted at (its own root_path included).

    Not `request.base_url`: under a Mount that is the *parent* app's root.
    """
    scope = dict(request.scope)
    scope["path"] = str(scope.get("root_path", "")) + "/"
    scope["query_string"] = b""
    return str(URL(scope=scope)).rstrip("/")


def account_base(request: Request, host: str) -> str:
    """Absolute base of an account's routes, as the client reached them."""
    public = request.scope.get(PUBLIC_BASE_KEY)
    if isinstance(public, str):
        return public
    return f"{sandbox_base(request)}/accounts/{host}"


def cookie_path(request: Request) -> str:
    root = str(request.scope.get("root_path", "")).rstrip("/")
    return root or "/"
