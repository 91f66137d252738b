"""Settings: one object, read once from the environment (prefix ``FORYOU_``) and ``.env``.

Production refuses to start with a missing or placeholder secret; development and the demo run with
no configuration at all (secrets are generated once under the data directory)."""

from __future__ import annotations

import base64
import secrets
from pathlib import Path
from typing import Annotated, Literal

from limits import parse
from pydantic import AfterValidator, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from foryou_crm.core.crypto import KeyConfigError, TokenCipher

PLACEHOLDER_MARKERS = ("change-me", "changeme", "placeholder", "dev-insecure", "example")

AMOCRM_AUTHORIZE_HOST = "https://www.amocrm.ru"

CommaList = Annotated[list[str], NoDecode]


def _rate_limit(value: str) -> str:
    """``N/second|minute|hour|day`` (or ``N per minute``…), as the ``limits`` library reads it."""
    try:
        parse(value)
    except ValueError as exc:
        raise ValueError(f"not a rate limit like '10/minute': {value!r}") from exc
    return value


RateLimit = Annotated[str, AfterValidator(_rate_limit)]


def _split_commas(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="FORYOU_", env_file=".env", extra="ignore", case_sensitive=False
    )

    environment: Literal["development", "production"] = Field(
        default="development",
        description=(
            "`production` refuses to start with missing or placeholder secrets or unsafe "
            "values (naming all of them) and logs JSON; `development` generates the missing "
            "secrets once under `FORYOU_DATA_DIR`."
        ),
    )
    demo_mode: bool = Field(
        default=False,
        description="Set by `foryou-crm demo`: `/api/meta` then shows the demo user's sign-in.",
    )
    data_dir: Path = Field(
        default=Path("./var"),
        description=(
            "Where the SQLite database lives when `FORYOU_DATABASE_URL` is empty, and (outside "
            "production) the secrets generated for development."
        ),
    )
    database_url: str = Field(
        default="",
        description=(
            "SQLAlchemy async URL, e.g. `postgresql+asyncpg://user:password@host:5432/foryou`. "
            "Empty: SQLite at `FORYOU_DATA_DIR/foryou.db` (one worker only)."
        ),
    )
    public_base_url: str = Field(
        default="http://127.0.0.1:8000",
        description=(
            "The service's public URL as browsers and amoCRM reach it (https in production); "
            "the OAuth Redirect URI and the lead-webhook URLs are built from it."
        ),
    )
    log_level: str = Field(
        default="INFO",
        description="Level of the service's logs: `DEBUG`, `INFO`, `WARNING`, `ERROR`.",
    )
    log_json: bool | None = Field(
        default=None,
        description=(
            "One JSON object per log line (`true`) or readable lines (`false`). "
            "Unset: JSON in production, readable in development."
        ),
    )
    max_body_bytes: int = Field(
        default=1_048_576,
        description="Request bodies larger than this are refused with 413 `PAYLOAD_TOO_LARGE`.",
    )
    cors_origins: CommaList = Field(
        default_factory=list,
        description=(
            "Origins (e.g. `https://admin.example.com`) allowed to call the API from a browser. "
            "Empty: no CORS headers; the service's own `/app` needs none."
        ),
    )
    redis_url: str | None = Field(
        default=None,
        description=(
            "Redis 5+ (e.g. `redis://redis:6379/0`) shared by all workers: amoCRM rate budgets "
            "and sign-in throttling. Unset: each process keeps its own, right for one worker "
            "only."
        ),
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description=(
            "Comma-separated addresses or networks (e.g. `10.0.0.0/8`) of the reverse proxies "
            "whose `X-Forwarded-For` / `X-Forwarded-Proto` `foryou-crm serve` trusts; `*` trusts "
            "every peer. The client address is what sign-in throttling counts per, so list "
            "exactly your proxies: a trusted address can claim any client address."
        ),
    )

    metrics_enabled: bool = Field(
        default=True,
        description=(
            "Serve `GET /metrics` (Prometheus text format). In production only when "
            "`FORYOU_METRICS_TOKEN` is set too; `false` turns it off everywhere (404)."
        ),
    )
    metrics_token: SecretStr = Field(
        default=SecretStr(""),
        description=(
            "When set, `/metrics` answers only requests with `Authorization: Bearer <token>` "
            "(else 401); at least 24 characters in production. Empty: open in development, "
            "not served in production."
        ),
    )

    # The app's own sign-in.
    jwt_secret: SecretStr = Field(
        default=SecretStr(""),
        description=(
            "HS256 key of the JWTs the service issues to the app, at least 32 characters. "
            "Changing it signs every user out."
        ),
    )
    jwt_issuer: str = Field(
        default="foryou-crm",
        description="`iss` of the JWTs the service issues (and requires on them).",
    )
    jwt_ttl_seconds: int = Field(
        default=12 * 3600, description="Lifetime of the JWTs the service issues, in seconds."
    )
    registration_enabled: bool = Field(
        default=False,
        description=(
            "Open `POST /api/auth/register` to anyone (on in the demo). Off: users are created "
            "with `foryou-crm users create` or come from the admin backend's JWTs."
        ),
    )
    login_max_failures: int = Field(
        default=5,
        description=(
            "Failed sign-ins allowed per email and per client address within "
            "`FORYOU_LOGIN_WINDOW_SECONDS` before sign-in answers 429."
        ),
    )
    login_window_seconds: int = Field(
        default=900, description="The window, in seconds, that sign-in failures are counted in."
    )

    # Abuse limits (core/abuse.py): requests that cost us or amoCRM something, counted per
    # user and per client address in a moving window; over a limit → 429 with Retry-After.
    limit_auth_url_per_user: RateLimit = Field(
        default="20/minute",
        description="`GET /api/amo-crm/auth-url` per user (`N/second|minute|hour|day`).",
    )
    limit_exchange_code_per_user: RateLimit = Field(
        default="10/minute", description="`POST /api/amo-crm/exchange-code` per user."
    )
    limit_sync_per_user: RateLimit = Field(
        default="10/minute", description="`POST /api/amo-crm/sync` per user."
    )
    limit_per_address: RateLimit = Field(
        default="120/minute",
        description=(
            "Each of auth-url, exchange-code and sync per client address (as "
            "`FORYOU_FORWARDED_ALLOW_IPS` resolves it): an office behind one address shares it."
        ),
    )
    limit_webhooks_per_account: RateLimit = Field(
        default="600/minute",
        description="amoCRM's lead webhooks per account (per webhook URL).",
    )
    limit_webhooks_per_address: RateLimit = Field(
        default="3000/minute",
        description=(
            "Lead webhooks per sending address, whatever the URL (amoCRM sends every "
            "account's webhooks from a few addresses: keep it well above the per-account one)."
        ),
    )

    # JWTs issued by ForYou's existing admin backend, accepted beside our own.
    external_jwt_issuer: str | None = Field(
        default=None,
        description=(
            "Also accept JWTs whose `iss` is this (ForYou's admin backend); must differ from "
            "`FORYOU_JWT_ISSUER`. Unset: only the service's own JWTs are accepted."
        ),
    )
    external_jwt_audience: str | None = Field(
        default=None,
        description="Required `aud` of the admin backend's JWTs. Unset: `aud` is not checked.",
    )
    external_jwt_secret: SecretStr | None = Field(
        default=None,
        description="HS256 key of the admin backend's JWTs (first choice when set).",
    )
    external_jwt_public_key: str | None = Field(
        default=None,
        description="PEM RS256 public key of the admin backend's JWTs (when no secret is set).",
    )
    external_jwt_jwks_url: str | None = Field(
        default=None,
        description="JWKS URL with the admin backend's RS256 keys (when neither key is set).",
    )
    external_jwt_user_id_claim: str = Field(
        default="sub", description="Claim of the admin backend's JWTs holding the user's id."
    )
    external_jwt_email_claim: str = Field(
        default="email", description="Claim of the admin backend's JWTs holding the email."
    )
    external_jwt_name_claim: str = Field(
        default="name", description="Claim of the admin backend's JWTs holding the name."
    )

    token_encryption_keys: SecretStr = Field(
        default=SecretStr(""),
        description=(
            "Keys that encrypt amoCRM tokens at rest (AES-256-GCM): `kid:base64(32 bytes)` "
            "entries, comma separated; the first encrypts, every one decrypts. Losing them "
            "loses every stored connection: back them up apart from the database."
        ),
    )

    # The amoCRM / Kommo integration.
    amocrm_client_id: str = Field(
        default="", description="The amoCRM/Kommo integration's ID (Integration ID)."
    )
    amocrm_client_secret: SecretStr = Field(
        default=SecretStr(""), description="The amoCRM/Kommo integration's Secret key."
    )
    amocrm_redirect_uri: str = Field(
        default="",
        description=(
            "The integration's Redirect URI, exactly as registered in amoCRM. Empty: "
            "`FORYOU_PUBLIC_BASE_URL` + `/api/amo-crm/callback`."
        ),
    )
    amocrm_authorize_host: str = Field(
        default=AMOCRM_AUTHORIZE_HOST,
        description=(
            f"Where agents approve access: `{AMOCRM_AUTHORIZE_HOST}` for amoCRM.ru "
            f"integrations, `https://www.kommo.com` for Kommo ones."
        ),
    )
    amocrm_allowed_domains: CommaList = Field(
        default_factory=lambda: ["*.amocrm.ru", "*.kommo.com", "*.amocrm.com"],
        description=(
            "Account hosts the OAuth callback's `referer` may name (`*.` matches one label); "
            "the client secret is only ever sent to these."
        ),
    )
    amocrm_sandbox_url: str | None = Field(
        default=None,
        description=(
            "Talk to the built-in amoCRM sandbox at this URL instead of amoCRM (the demo sets "
            "it). Refused in production."
        ),
    )
    amocrm_http_timeout: float = Field(
        default=10.0, description="Overall timeout of one amoCRM request, in seconds."
    )
    amocrm_rate_limit_rps: float = Field(
        default=7.0,
        gt=0,
        description=(
            "amoCRM's request limit per account (requests per second), shared by every "
            "worker and every agent of that account (through Redis when set)."
        ),
    )
    amocrm_rate_margin: float = Field(
        default=0.04,
        ge=0,
        le=1,
        description=(
            "Requests leave evenly spaced at `rps / (1 + margin)`: headroom for requests that "
            "reach amoCRM later than they left (see `amocrm/ratelimit.py`)."
        ),
    )
    amocrm_refresh_ahead_seconds: int = Field(
        default=3600,
        description="Refresh an agent's amoCRM access token this many seconds before it expires.",
    )
    amocrm_idle_refresh_days: int = Field(
        default=30,
        description=(
            "Refresh (hourly check) connections whose tokens were not refreshed for this many "
            "days, so amoCRM's 3-month refresh-token expiry never disconnects an idle agent."
        ),
    )
    amocrm_sync_interval_seconds: int = Field(
        default=300, description="Seconds between incremental syncs of each agent's leads."
    )
    amocrm_full_sync_hours: int = Field(
        default=24,
        ge=1,
        description=(
            "Hours between full passes of a connection (every lead read again: what vanished "
            "without a trace is removed); incremental passes run in between."
        ),
    )

    # The job queue (leads sync). PostgreSQL: Procrastinate's tables, any number of
    # `foryou-crm worker` processes. SQLite: jobs run inside `serve`.
    worker_metrics_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description=(
            "When set, `foryou-crm worker` serves its own `GET /metrics` (what its jobs "
            "recorded: amoCRM calls, rate-budget waits, token refreshes, sync phases) and "
            "`GET /healthz` on this port, under the same rules as the API's `/metrics` "
            "(`FORYOU_METRICS_TOKEN`); `--metrics-port` overrides. Unset: no listener."
        ),
    )
    worker_metrics_host: str = Field(
        default="127.0.0.1",
        description=(
            "Address the worker's metrics listener binds (`0.0.0.0` in a container, so "
            "Prometheus on the container network reaches it)."
        ),
    )
    queue_worker_concurrency: int = Field(
        default=10,
        ge=1,
        le=200,
        description=(
            "Jobs one `foryou-crm worker` runs at once (`--concurrency` overrides): syncs of "
            "different accounts, each within its own amoCRM rate budget."
        ),
    )
    queue_heartbeat_seconds: float = Field(
        default=5.0,
        gt=0,
        description="How often a worker tells the queue it is alive, in seconds.",
    )
    queue_stalled_after_seconds: float = Field(
        default=20.0,
        gt=0,
        description=(
            "A job whose worker sent no heartbeat for this long is taken as dead (`kill -9`, a "
            "lost machine) and handed to another worker; keep it ≥ 3 × the heartbeat. "
            "Recovery takes about this plus 10 s."
        ),
    )
    queue_pool_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        description=(
            "How long the queue waits for a PostgreSQL connection before a query fails. A "
            "worker whose heartbeat fails this way stops and exits with status 1, for its "
            "supervisor to start it again; shorter outages pass unnoticed."
        ),
    )
    queue_shutdown_grace_seconds: float = Field(
        default=25.0,
        gt=0,
        description=(
            "On SIGTERM, how long a worker waits for its jobs to save their place and stop "
            "(they do within a page); keep it below the container's stop grace period."
        ),
    )
    amocrm_webhook_secret: SecretStr = Field(
        default=SecretStr(""),
        description=(
            "Derives the unguessable lead-webhook URL of each amoCRM account. Changing it "
            "changes those URLs, so keep it stable."
        ),
    )

    # The OAuth hand-over to the app.
    app_scheme: str = Field(
        default="foryoure", description="URL scheme of the mobile app's deep link."
    )
    app_callback_path: str = Field(
        default="amo-crm/callback",
        description="Path of the deep link that hands a finished connection back to the app.",
    )
    web_return_to_allowlist: CommaList = Field(
        default_factory=list,
        description=(
            "Exact URLs a web build of the app may pass as `returnTo` to come back to after "
            "amoCRM; anything else is refused."
        ),
    )
    state_ttl_seconds: int = Field(
        default=600,
        description="How long an agent has to approve access on amoCRM's page, in seconds.",
    )
    completion_ttl_seconds: int = Field(
        default=600,
        description=(
            "How long the app has to finish connecting (`exchange-code`) after amoCRM "
            "redirected back, in seconds."
        ),
    )

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
    """The service cannot start with these settings; the message names every problem."""

    def __init__(self, *problems: str) -> None:
        self.problems = list(problems)
        count = f"{len(problems)} problem" + ("s" if len(problems) > 1 else "")
        super().__init__(
            f"the settings cannot be used ({count}):\n" + "\n".join(f"  - {p}" for p in problems)
        )


# The secrets production refuses to start without (also marked in docs/configuration.md).
PRODUCTION_SECRETS = (
    "jwt_secret",
    "token_encryption_keys",
    "amocrm_client_id",
    "amocrm_client_secret",
    "amocrm_webhook_secret",
)


def env_name(field: str) -> str:
    return f"FORYOU_{field.upper()}"


def _is_placeholder(value: str) -> bool:
    lowered = value.lower()
    return not value or any(marker in lowered for marker in PLACEHOLDER_MARKERS)


def _secret_value(value: object) -> str:
    return value.get_secret_value() if isinstance(value, SecretStr) else str(value or "")


def _database_password(url: str) -> str | None:
    try:
        return make_url(url).password if url else None
    except ArgumentError:
        return None  # not a URL at all: the engine names that on start


def production_problems(settings: Settings) -> list[str]:
    """Everything that keeps these settings from running in production, one line each, so an
    operator fixes them in one pass rather than one start per problem."""
    problems = [
        f"{env_name(name)} is missing or a placeholder; set a real secret"
        for name in PRODUCTION_SECRETS
        if _is_placeholder(_secret_value(getattr(settings, name)))
    ]
    jwt_secret = settings.jwt_secret.get_secret_value()
    if not _is_placeholder(jwt_secret) and len(jwt_secret) < 32:
        problems.append("FORYOU_JWT_SECRET must be at least 32 characters")
    keys = settings.token_encryption_keys.get_secret_value()
    if not _is_placeholder(keys):
        try:
            TokenCipher(keys)
        except KeyConfigError as exc:
            problems.append(f"FORYOU_TOKEN_ENCRYPTION_KEYS: {exc}")
    metrics_token = settings.metrics_token.get_secret_value()
    if metrics_token and (_is_placeholder(metrics_token) or len(metrics_token) < 24):
        problems.append("FORYOU_METRICS_TOKEN must be at least 24 characters and not a placeholder")
    password = _database_password(settings.database_url)
    if password is not None and _is_placeholder(password):
        problems.append("FORYOU_DATABASE_URL has a placeholder password")
    if settings.amocrm_sandbox_url:
        problems.append("FORYOU_AMOCRM_SANDBOX_URL must not be set in production")
    if not settings.public_base_url.startswith("https://"):
        problems.append("FORYOU_PUBLIC_BASE_URL must be https in production")
    return problems


def validate_for_production(settings: Settings) -> None:
    """Refuse to start with settings that cannot be right; in production also with a missing or
    placeholder secret. One ConfigurationError names every problem found."""
    problems = []
    if settings.external_jwt_issuer and settings.external_jwt_issuer == settings.jwt_issuer:
        problems.append(
            "FORYOU_EXTERNAL_JWT_ISSUER must differ from FORYOU_JWT_ISSUER (our own tokens)"
        )
    if settings.queue_stalled_after_seconds < 3 * settings.queue_heartbeat_seconds:
        # A heartbeat shares the event loop with the jobs: a busy moment must not make a live
        # worker look dead (its job would run twice, the second copy fencing off the first).
        problems.append(
            "FORYOU_QUEUE_STALLED_AFTER_SECONDS must be at least 3 × FORYOU_QUEUE_HEARTBEAT_SECONDS"
        )
    if settings.is_production:
        problems += production_problems(settings)
    if problems:
        raise ConfigurationError(*problems)


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
