"""Settings: one object, read once from the environment (prefix ``FORYOU_``) and ``.env``.

Production refuses to start with a missing or placeholder secret; development and the demo run with
no configuration at all (secrets are generated once under the data directory)."""

from __future__ import annotations

import base64
import secrets
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PLACEHOLDER_MARKERS = ("change-me", "changeme", "placeholder", "dev-insecure", "example")

AMOCRM_AUTHORIZE_HOST = "https://www.amocrm.ru"

CommaList = Annotated[list[str], NoDecode]


def _split_commas(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="FORYOU_", env_file=".env", extra="ignore", case_sensitive=False
    )

    environment: Literal["development", "production"] = "development"
    demo_mode: bool = False
    data_dir: Path = Path("./var")
    database_url: str = ""
    public_base_url: str = "http://127.0.0.1:8000"
    log_level: str = "INFO"
    log_json: bool | None = None
    max_body_bytes: int = 1_048_576
    cors_origins: CommaList = Field(default_factory=list)
    redis_url: str | None = None
    # Addresses of the reverse proxies whose X-Forwarded-For we trust (the client address is what
    # sign-in throttling counts per).
    forwarded_allow_ips: str = "127.0.0.1"

    # The app's own sign-in.
    jwt_secret: SecretStr = SecretStr("")
    jwt_issuer: str = "foryou-crm"
    jwt_ttl_seconds: int = 12 * 3600
    registration_enabled: bool = False
    login_max_failures: int = 5
    login_window_seconds: int = 900

    # JWTs issued by ForYou's existing admin backend, accepted beside our own.
    external_jwt_issuer: str | None = None
    external_jwt_audience: str | None = None
    external_jwt_secret: SecretStr | None = None
    external_jwt_public_key: str | None = None
    external_jwt_jwks_url: str | None = None
    external_jwt_user_id_claim: str = "sub"
    external_jwt_email_claim: str = "email"
    external_jwt_name_claim: str = "name"

    # amoCRM tokens at rest: "kid:base64(32 bytes)" entries, comma separated; the first encrypts.
    token_encryption_keys: SecretStr = SecretStr("")

    # The amoCRM / Kommo integration.
    amocrm_client_id: str = ""
    amocrm_client_secret: SecretStr = SecretStr("")
    amocrm_redirect_uri: str = ""
    amocrm_authorize_host: str = AMOCRM_AUTHORIZE_HOST
    amocrm_allowed_domains: CommaList = Field(
        default_factory=lambda: ["*.amocrm.ru", "*.kommo.com", "*.amocrm.com"]
    )
    amocrm_sandbox_url: str | None = None
    amocrm_http_timeout: float = 10.0
    amocrm_rate_limit_rps: float = Field(default=7.0, gt=0)
    # Requests leave evenly spaced at rps / (1 + margin): headroom for requests that arrive
    # at amoCRM later than they left (see amocrm/ratelimit.py).
    amocrm_rate_margin: float = Field(default=0.05, ge=0, le=1)
    amocrm_refresh_ahead_seconds: int = 3600
    amocrm_idle_refresh_days: int = 30
    amocrm_sync_interval_seconds: int = 300
    amocrm_webhook_secret: SecretStr = SecretStr("")

    # The OAuth hand-over to the app.
    app_scheme: str = "foryoure"
    app_callback_path: str = "amo-crm/callback"
    web_return_to_allowlist: CommaList = Field(default_factory=list)
    state_ttl_seconds: int = 600
    completion_ttl_seconds: int = 600

    _split = field_validator(
        "cors_origins", "amocrm_allowed_domains", "web_return_to_allowlist", mode="before"
    )(_split_commas)

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'foryou.db'}"

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def redirect_uri(self) -> str:
        return (
            self.amocrm_redirect_uri or f"{self.public_base_url.rstrip('/')}/api/amo-crm/callback"
        )

    @property
    def app_callback_url(self) -> str:
        return f"{self.app_scheme}://{self.app_callback_path}"

    @property
    def json_logs(self) -> bool:
        return self.log_json if self.log_json is not None else self.is_production


class ConfigurationError(RuntimeError):
    """The service cannot start with these settings; the message names the setting."""


def _is_placeholder(value: str) -> bool:
    lowered = value.lower()
    return not value or any(marker in lowered for marker in PLACEHOLDER_MARKERS)


def validate_for_production(settings: Settings) -> None:
    """Refuse to start with settings that cannot be right; in production also with a missing or
    placeholder secret, naming it."""
    if settings.external_jwt_issuer and settings.external_jwt_issuer == settings.jwt_issuer:
        raise ConfigurationError(
            "FORYOU_EXTERNAL_JWT_ISSUER must differ from FORYOU_JWT_ISSUER (our own tokens)"
        )
    if not settings.is_production:
        return
    checks = {
        "FORYOU_JWT_SECRET": settings.jwt_secret.get_secret_value(),
        "FORYOU_TOKEN_ENCRYPTION_KEYS": settings.token_encryption_keys.get_secret_value(),
        "FORYOU_AMOCRM_CLIENT_ID": settings.amocrm_client_id,
        "FORYOU_AMOCRM_CLIENT_SECRET": settings.amocrm_client_secret.get_secret_value(),
        "FORYOU_AMOCRM_WEBHOOK_SECRET": settings.amocrm_webhook_secret.get_secret_value(),
    }
    for name, value in checks.items():
        if _is_placeholder(value):
            raise ConfigurationError(f"{name} is missing or a placeholder; set a real secret")
    if len(settings.jwt_secret.get_secret_value()) < 32:
        raise ConfigurationError("FORYOU_JWT_SECRET must be at least 32 characters")
    if settings.amocrm_sandbox_url:
        raise ConfigurationError("FORYOU_AMOCRM_SANDBOX_URL must not be set in production")
    if not settings.public_base_url.startswith("https://"):
        raise ConfigurationError("FORYOU_PUBLIC_BASE_URL must be https in production")


def ensure_local_secrets(settings: Settings) -> Settings:
    """Development/demo only: fill missing secrets from files under the data dir (made once),
    so restarts keep sessions and stored tokens readable."""
    if settings.is_production:
        return settings
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    updates: dict[str, object] = {}
    if not settings.jwt_secret.get_secret_value():
        updates["jwt_secret"] = SecretStr(_local_secret(settings.data_dir / "jwt.secret"))
    if not settings.token_encryption_keys.get_secret_value():
        key = _local_secret(
            settings.data_dir / "token-key.secret",
            lambda: "local1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        )
        updates["token_encryption_keys"] = SecretStr(key)
    if not settings.amocrm_webhook_secret.get_secret_value():
        updates["amocrm_webhook_secret"] = SecretStr(
            _local_secret(settings.data_dir / "webhook.secret")
        )
    return settings.model_copy(update=updates) if updates else settings


def _local_secret(path: Path, make: object = None) -> str:
    if path.exists():
        return path.read_text().strip()
    value = make() if callable(make) else secrets.token_urlsafe(48)
    path.write_text(str(value))
    path.chmod(0o600)
    return str(value)
