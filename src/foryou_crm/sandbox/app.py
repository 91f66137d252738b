"""`create_sandbox_app`: the sandbox as one Starlette ASGI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware

from . import api, control, oauth
from .config import SandboxConfig
from .gate import SandboxGate
from .state import Sandbox


def create_sandbox_app(config: SandboxConfig | None = None) -> Starlette:
    """A fresh sandbox (seeded from `config`); its state is `app.state.sandbox`."""
    sandbox = Sandbox(config or SandboxConfig())

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        sandbox.start_drawing()
        yield
        await sandbox.aclose()

    app = Starlette(
        routes=[*oauth.routes(), *api.routes(), *control.routes()],
        middleware=[Middleware(SandboxGate, sandbox=sandbox)],
        lifespan=lifespan,
    )
    app.state.sandbox = sandbox
    return app
