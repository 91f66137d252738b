"""docs/openapi.json is the API's contract: written from the app by
``python -m foryou_crm.apidocs.snapshot`` (a test fails when it drifts from what the app
serves), and every error an operation declares carries the envelope's schema and an example
for each of its codes, each with a sentence in the glossary."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx

from foryou_crm.apidocs.snapshot import COMMAND
from tests.ops.conftest import REPO

CONTRACT = REPO / "docs" / "openapi.json"
GLOSSARY = REPO / "src" / "foryou_crm" / "web" / "static" / "i18n"


def _operations(spec: dict) -> list[tuple[str, str, dict]]:  # type: ignore[type-arg]
    return [
        (method.upper(), path, operation)
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
    ]


def test_the_contract_is_what_the_snapshot_writes(tmp_path: Path) -> None:
    written = tmp_path / "openapi.json"
    subprocess.run(
        [sys.executable, "-m", "foryou_crm.apidocs.snapshot", str(written)],
        check=True,
        timeout=120,
    )
    assert written.read_text(encoding="utf-8") == CONTRACT.read_text(encoding="utf-8"), (
        f"docs/openapi.json is out of date: run `{COMMAND}`"
    )


async def test_the_contract_is_what_the_app_serves(client: httpx.AsyncClient) -> None:
    served = (await client.get("/openapi.json")).json()
    assert served == json.loads(CONTRACT.read_text(encoding="utf-8"))


def test_every_error_has_the_envelope_and_an_example_per_code_in_the_glossary() -> None:
    spec = json.loads(CONTRACT.read_text(encoding="utf-8"))
    glossaries = [json.loads((GLOSSARY / f"{lang}.json").read_text()) for lang in ("uk", "en")]
    missing = []
    for method, path, operation in _operations(spec):
        for status, response in operation["responses"].items():
            if not status.startswith(("4", "5")):
                continue
            content = response["content"]["application/json"]
            assert content["schema"]["title"] == "ErrorEnvelope", (method, path, status)
            examples = content["examples"]
            assert examples, (method, path, status)
            for code, example in examples.items():
                assert example["value"]["error"]["code"] == code
                missing += [
                    (code, lang)
                    for lang, words in zip(("uk", "en"), glossaries, strict=True)
                    if f"err.{code}" not in words
                ]
            if status == "429":
                assert "Retry-After" in response["headers"], (method, path)
    assert not sorted(set(missing)), sorted(set(missing))


def test_every_operation_that_needs_a_jwt_declares_401_and_every_body_422() -> None:
    spec = json.loads(CONTRACT.read_text(encoding="utf-8"))
    for method, path, operation in _operations(spec):
        if operation.get("security"):
            assert "401" in operation["responses"], (method, path)
        if "requestBody" in operation or operation.get("parameters"):
            assert "422" in operation["responses"] or path.startswith(
                "/api/amo-crm/webhooks/dis"
            ), (
                method,
                path,
            )
