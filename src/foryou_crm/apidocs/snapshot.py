"""docs/openapi.json, the API's contract, written from the app itself:

    python -m foryou_crm.apidocs.snapshot docs/openapi.json

A test fails when the committed file differs from what the app serves at ``/openapi.json``;
the fuzzers (tests/fuzz) and the mobile app's API types (``npm run api:types``) are generated
from the committed file, so a change of behaviour that is not in the contract fails CI."""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from foryou_crm.core.config import Settings

COMMAND = "python -m foryou_crm.apidocs.snapshot docs/openapi.json"


def document() -> dict[str, Any]:
    """The OpenAPI document of an app built from default settings (none of which changes
    the document); nothing is connected or started."""
    from foryou_crm.app import create_app
    from foryou_crm.services import Services

    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            _env_file=None,
            data_dir=Path(folder),
            database_url=f"sqlite+aiosqlite:///{folder}/openapi.db",
            jwt_secret=SecretStr("openapi-snapshot-" * 3),
        )
        services = Services.build(settings)
        try:
            app = create_app(services, background_jobs=False, configure_logs=False)
            return app.openapi()
        finally:
            asyncio.run(services.aclose())


def render(spec: dict[str, Any]) -> str:
    return json.dumps(spec, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(f"usage: {COMMAND}", file=sys.stderr)
        return 2
    Path(argv[0]).write_text(render(document()), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
