"""The API docs, ``/docs`` (Swagger UI) and ``/redoc`` (ReDoc), served wholly from this machine.

FastAPI's built-in pages load Swagger UI and ReDoc from a CDN and start them with inline
scripts: blank on a closed network, and impossible under a strict Content-Security-Policy.
As FastAPI's how-to "Custom Docs UI Static Assets (Self-Hosting)" describes, the app is created
with ``docs_url=None, redoc_url=None`` and these routes serve the pages instead:

- the Swagger UI and ReDoc bundles come from the ``fastapi-offline`` package, which exists to
  ship them (released along with Swagger UI 5 / ReDoc 2, so a dependency bump updates them);
- the pages and the few lines that start each UI are ours (``pages/``, ``static/``), so no
  inline script is needed and the policy allows scripts from this origin only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from foryou_crm.core.errors import error_responses

DOCS_URL: Final = "/docs"
REDOC_URL: Final = "/redoc"
ASSETS_URL: Final = "/docs/assets"
PAGES: Final = Path(__file__).parent / "pages"
# Our start-up scripts first, then the bundles (swagger-ui-bundle.js, swagger-ui.css,
# redoc.standalone.js) where fastapi-offline installs them.
ASSET_PACKAGES: Final[list[str | tuple[str, str]]] = [
    ("foryou_crm.apidocs", "static"),
    ("fastapi_offline", "static"),
]

_COMMON_POLICY: Final = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; img-src 'self' data:; "
    "font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
# Swagger UI needs nothing beyond this origin (its icons are data: URLs in its stylesheet).
SWAGGER_CSP: Final = f"{_COMMON_POLICY}; style-src 'self'"
# ReDoc styles itself at run time with <style> elements (styled-components) and builds its
# search index in a Web Worker made from a blob: URL; neither can load anything from elsewhere.
# Its "API docs by Redocly" logo points at cdn.redoc.ly: img-src refuses it and ReDoc hides it.
REDOC_CSP: Final = f"{_COMMON_POLICY}; style-src 'self' 'unsafe-inline'; worker-src blob:"

_HEADERS: Final = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}

router = APIRouter(include_in_schema=False)


@router.api_route(DOCS_URL, methods=["GET", "HEAD"])
def swagger_ui() -> FileResponse:
    return _page("swagger.html", SWAGGER_CSP)


@router.api_route(REDOC_URL, methods=["GET", "HEAD"])
def redoc() -> FileResponse:
    return _page("redoc.html", REDOC_CSP)


def _page(name: str, policy: str) -> FileResponse:
    return FileResponse(
        PAGES / name,
        media_type="text/html; charset=utf-8",
        headers={**_HEADERS, "Content-Security-Policy": policy, "Cache-Control": "no-cache"},
    )


class ContractAPI(FastAPI):
    """FastAPI whose OpenAPI document is the contract: FastAPI's own 422
    (``HTTPValidationError``: ``{"detail": [...]}``, added to every operation with parameters
    that declares no 422 itself) is replaced by what the service really answers, the error
    envelope (``core/errors.py``); and its paths are listed in ``documented_order``'s, not
    in the order the routers were included (the busiest first, to be matched first)."""

    documented_order: tuple[APIRouter, ...] = ()

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is not None:
            return self.openapi_schema
        spec = super().openapi()
        paths = spec.get("paths", {})
        documented = dict.fromkeys(
            getattr(route, "path", "")
            for router in self.documented_order
            for route in router.routes
        )
        spec["paths"] = {**{p: paths[p] for p in documented if p in paths}, **paths}
        ours = error_responses(422)[422]
        for operations in spec.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.get("responses", {})
                found = responses.get("422", {})
                schema = found.get("content", {}).get("application/json", {}).get("schema", {})
                if schema.get("$ref", "").endswith("/HTTPValidationError"):
                    responses["422"] = ours
        schemas = spec.get("components", {}).get("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        self.openapi_schema = spec
        return spec


def install_api_docs(app: FastAPI) -> None:
    """Serve ``/docs`` and ``/redoc`` with their assets under ``/docs/assets``."""
    if app.docs_url or app.redoc_url:
        # FastAPI's own CDN pages would answer first and these routes would never be reached.
        raise RuntimeError("create the app with docs_url=None and redoc_url=None")
    app.mount(ASSETS_URL, StaticFiles(packages=ASSET_PACKAGES), name="apidocs-assets")
    app.include_router(router)
