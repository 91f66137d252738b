from __future__ import annotations

import base64

import pytest

from foryou_crm.core.config import ConfigurationError, Settings, validate_for_production
from foryou_crm.core.crypto import DecryptionError, KeyConfigError, TokenCipher

KEY = "k1:" + base64.b64encode(b"\x01" * 32).decode()


def production(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "environment": "production",
        "public_base_url": "https://admin.foryou-realestate.com",
        "jwt_secret": "s" * 48,
        "token_encryption_keys": KEY,
        "amocrm_client_id": "a1b2c3d4-real-client",
        "amocrm_client_secret": "real-secret-value-123",
        "amocrm_webhook_secret": "real-webhook-secret-456",
        "database_url": "postgresql+asyncpg://u@db/foryou",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


def test_production_with_real_secrets_starts() -> None:
    validate_for_production(production())


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("jwt_secret", "", "FORYOU_JWT_SECRET"),
        ("jwt_secret", "change-me-please-change-me-please-xx", "FORYOU_JWT_SECRET"),
        ("token_encryption_keys", "", "FORYOU_TOKEN_ENCRYPTION_KEYS"),
        ("amocrm_client_secret", "placeholder", "FORYOU_AMOCRM_CLIENT_SECRET"),
        ("amocrm_client_id", "", "FORYOU_AMOCRM_CLIENT_ID"),
        ("amocrm_webhook_secret", "changeme", "FORYOU_AMOCRM_WEBHOOK_SECRET"),
        ("amocrm_sandbox_url", "http://127.0.0.1:8100", "FORYOU_AMOCRM_SANDBOX_URL"),
        ("public_base_url", "http://admin.example", "FORYOU_PUBLIC_BASE_URL"),
    ],
)
def test_production_refuses_missing_or_placeholder_secrets(
    field: str, value: str, named: str
) -> None:
    with pytest.raises(ConfigurationError, match=named):
        validate_for_production(production(**{field: value}))


def test_env_lists_accept_commas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORYOU_CORS_ORIGINS", "https://a.example, https://b.example")
    assert Settings(_env_file=None).cors_origins == ["https://a.example", "https://b.example"]


def test_cipher_round_trip_binds_purpose_and_rotates_keys() -> None:
    old = TokenCipher(KEY)
    sealed = old.encrypt("refresh-token-value", purpose="amocrm:user:1:refresh")
    assert "refresh-token-value" not in sealed
    assert old.decrypt(sealed, purpose="amocrm:user:1:refresh") == "refresh-token-value"
    with pytest.raises(DecryptionError):
        old.decrypt(sealed, purpose="amocrm:user:2:refresh")
    rotated = TokenCipher("k2:" + base64.b64encode(b"\x02" * 32).decode() + "," + KEY)
    assert rotated.decrypt(sealed, purpose="amocrm:user:1:refresh") == "refresh-token-value"
    assert rotated.key_id(rotated.encrypt("x", purpose="p")) == "k2"


def test_a_key_id_listed_twice_is_refused_before_anything_is_encrypted() -> None:
    """`k2:<new>,k2:<old>` (a second rotation that reused the id): the first entry would
    encrypt while the second decrypted, and `keys rotate` would call it done."""
    new = "k2:" + base64.b64encode(b"\x02" * 32).decode()
    old = "k2:" + base64.b64encode(b"\x03" * 32).decode()
    with pytest.raises(KeyConfigError, match="'k2' is listed twice"):
        TokenCipher(f"{new},{old}")
    with pytest.raises(ConfigurationError, match=r"FORYOU_TOKEN_ENCRYPTION_KEYS: .*listed twice"):
        validate_for_production(production(token_encryption_keys=f"{new},{KEY},{old}"))
