"""docs/configuration.md is generated from the settings class, and production validation names
every problem at once."""

from __future__ import annotations

import base64
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic.fields import FieldInfo

from foryou_crm.core.config import (
    PRODUCTION_SECRETS,
    ConfigurationError,
    Settings,
    env_name,
    validate_for_production,
)
from foryou_crm.core.settings_docs import COMMAND, _row
from tests.core.test_settings import production
from tests.ops.conftest import REPO

REFERENCE = REPO / "docs" / "configuration.md"


def test_reference_is_what_the_generator_writes(tmp_path: Path) -> None:
    written = tmp_path / "configuration.md"
    subprocess.run(
        [sys.executable, "-m", "foryou_crm.core.settings_docs", str(written)],
        check=True,
        timeout=60,
    )
    assert written.read_text(encoding="utf-8") == REFERENCE.read_text(encoding="utf-8"), (
        f"docs/configuration.md is out of date: run `{COMMAND}`"
    )


def test_reference_has_a_row_for_every_setting() -> None:
    rows = [line for line in REFERENCE.read_text().splitlines() if line.startswith("| `FORYOU_")]
    assert [row.split("`")[1] for row in rows] == [env_name(name) for name in Settings.model_fields]
    assert "| `FORYOU_FORWARDED_ALLOW_IPS` | string | `127.0.0.1` |" in REFERENCE.read_text()
    for name in PRODUCTION_SECRETS:
        row = next(row for row in rows if row.startswith(f"| `{env_name(name)}`"))
        assert "**Required in production.**" in row


def test_a_setting_without_description_cannot_be_documented() -> None:
    with pytest.raises(ValueError, match=r"Settings\.mystery has no Field\(description"):
        _row("mystery", FieldInfo(annotation=str, default=""))


def test_readme_links_the_reference_instead_of_a_table() -> None:
    readme = (REPO / "README.md").read_text()
    assert "(docs/configuration.md)" in readme
    assert "| `FORYOU_" not in readme


def test_every_production_problem_is_named_in_one_error() -> None:
    settings = production(
        jwt_secret="",
        token_encryption_keys="k1:" + base64.b64encode(b"\x03" * 16).decode(),
        amocrm_client_secret="change-me",
        amocrm_webhook_secret="placeholder",
        public_base_url="http://crm.example.org",
        external_jwt_issuer="foryou-crm",
    )
    with pytest.raises(ConfigurationError) as raised:
        validate_for_production(settings)
    assert raised.value.problems == [
        "FORYOU_EXTERNAL_JWT_ISSUER must differ from FORYOU_JWT_ISSUER (our own tokens)",
        "FORYOU_JWT_SECRET is missing or a placeholder; set a real secret",
        "FORYOU_AMOCRM_CLIENT_SECRET is missing or a placeholder; set a real secret",
        "FORYOU_AMOCRM_WEBHOOK_SECRET is missing or a placeholder; set a real secret",
        "FORYOU_TOKEN_ENCRYPTION_KEYS: token encryption key 'k1' must be 32 bytes",
        "FORYOU_PUBLIC_BASE_URL must be https in production",
    ]
    message = str(raised.value)
    assert message.startswith("the settings cannot be used (6 problems):\n")
    assert all(f"  - {problem}" in message for problem in raised.value.problems)


def test_development_reports_only_what_is_wrong_everywhere() -> None:
    validate_for_production(production(environment="development", jwt_secret=""))
    with pytest.raises(ConfigurationError, match=r"\(1 problem\)") as raised:
        validate_for_production(
            production(environment="development", external_jwt_issuer="foryou-crm")
        )
    assert len(raised.value.problems) == 1
