"""The ``foryou-crm`` command: demo, serve, worker, migrate, users, keys, sandbox, sync, jobs."""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import click
import uvicorn
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from foryou_crm.admin import service as admin
from foryou_crm.admin.schemas import AdminUserOut
from foryou_crm.amocrm import key_rotation
from foryou_crm.connections.models import SyncRequest
from foryou_crm.core.config import (
    ConfigurationError,
    Settings,
    ensure_local_secrets,
    validate_for_production,
)
from foryou_crm.core.errors import AppError
from foryou_crm.core.logging import configure_logging
from foryou_crm.core.migrate import upgrade
from foryou_crm.leads.sync.queue import WorkerStopped
from foryou_crm.metrics import exposition
from foryou_crm.services import Services
from foryou_crm.users import service as user_service
from foryou_crm.users.demo import DEMO_EMAIL, DEMO_PASSWORD
from foryou_crm.users.models import User

T = TypeVar("T")

DEMO_CLIENT_ID = "8c3f4b2e-1d6a-4f0e-9b7c-2a5d8e1f3c40"
DEMO_CLIENT_SECRET = "demo-client-secret-0f4c1a9e7b2d"


def _settings(**defaults: Any) -> Settings:
    """Settings from the environment; ``defaults`` fill only what the environment left unset."""
    try:
        settings = Settings()
    except ValueError as exc:  # pydantic's ValidationError or SettingsError; names the variable
        raise click.ClickException(f"invalid settings: {exc}") from exc
    unset = {k: v for k, v in defaults.items() if k not in settings.model_fields_set}
    return settings.model_copy(update=unset) if unset else settings


@click.group()
def main() -> None:
    """ForYou CRM: per-agent amoCRM connections and leads for the ForYou app."""


@main.command()
def migrate() -> None:
    """Apply database migrations (Alembic upgrade head)."""
    settings = ensure_local_secrets(_settings())
    upgrade(settings.resolved_database_url)
    click.echo("database is up to date")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
def serve(host: str, port: int, workers: int) -> None:
    """Run the production server from settings (run `migrate` first)."""
    settings = Settings()
    try:
        validate_for_production(settings)
    except ConfigurationError as exc:
        raise click.ClickException(str(exc)) from exc
    if workers > 1 and settings.resolved_database_url.startswith("sqlite"):
        # SQLite has no row locks: token refreshes would not be single-flight across workers.
        raise click.ClickException("more than one worker needs PostgreSQL (FORYOU_DATABASE_URL)")
    exposed = exposition.exposure(settings) != "off"
    with exposition.multiprocess_directory(workers=workers, exposed=exposed):
        uvicorn.run(
            "foryou_crm.asgi:app",
            host=host,
            port=port,
            workers=workers,
            # The app applies X-Forwarded-* itself (create_app), from the same setting.
            proxy_headers=False,
            access_log=False,
            log_config=None,
        )


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--leads", default=300, show_default=True, type=int, help="Leads per sandbox account")
def demo(host: str, port: int, leads: int) -> None:
    """The embedded default: SQLite under ./var, the built-in amoCRM sandbox, a demo user."""
    from foryou_crm.app import create_app
    from foryou_crm.sandbox import SandboxConfig, create_sandbox_app, describe

    base = f"http://{host}:{port}"
    settings = _settings(
        demo_mode=True,
        registration_enabled=True,
        public_base_url=base,
        amocrm_client_id=DEMO_CLIENT_ID,
        amocrm_client_secret=SecretStr(DEMO_CLIENT_SECRET),
    )
    public = settings.public_base_url.rstrip("/")
    if "amocrm_sandbox_url" not in settings.model_fields_set:
        settings = settings.model_copy(update={"amocrm_sandbox_url": f"{public}/sandbox"})
    settings = ensure_local_secrets(settings)
    upgrade(settings.resolved_database_url)
    asyncio.run(_ensure_user(settings, DEMO_EMAIL, DEMO_PASSWORD, "Demo Agent"))

    app = create_app(Services.build(settings), freeze_startup_heap=True)
    sandbox_config = SandboxConfig(
        leads=leads,
        client_id=settings.amocrm_client_id,
        client_secret=settings.amocrm_client_secret.get_secret_value(),
        redirect_uri=settings.redirect_uri,
        disconnect_hook_url=f"{public}/api/amo-crm/webhooks/disconnect",
    )
    app.mount("/sandbox", create_sandbox_app(sandbox_config))
    click.echo(
        "\nForYou CRM demo\n"
        f"  API            {public}/api\n"
        f"  API docs       {public}/docs\n"
        f"  CRM screen     {public}/app\n"
        f"  Database       {settings.resolved_database_url}\n"
        f"  Sign in        {DEMO_EMAIL} / {DEMO_PASSWORD}\n\n"
        + describe(sandbox_config, f"{public}/sandbox")
        + "\n"
    )
    uvicorn.run(app, host=host, port=port, proxy_headers=False, access_log=False, log_config=None)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8100, show_default=True, type=int)
@click.option("--leads", default=300, show_default=True, type=int)
@click.option("--seed", default=1, show_default=True, type=int)
@click.option(
    "--agencies", default=0, show_default=True, type=int, help="More amoCRM accounts (loads)"
)
@click.option("--agency-leads", default=300, show_default=True, type=int)
def sandbox(host: str, port: int, leads: int, seed: int, agencies: int, agency_leads: int) -> None:
    """Run the amoCRM sandbox on its own."""
    from foryou_crm.sandbox.server import run

    run(host=host, port=port, leads=leads, seed=seed, agencies=agencies, agency_leads=agency_leads)


@main.group()
def users() -> None:
    """Manage app users."""


@users.command("create")
@click.argument("email")
@click.option("--password", default=None, help="Prompted for when omitted")
@click.option("--name", default="")
@click.option("--admin", is_flag=True, help="May use /api/admin (administer users)")
def users_create(email: str, password: str | None, name: str, admin: bool) -> None:
    """Create an app user (an agent), or an administrator with --admin."""
    settings = ensure_local_secrets(_settings())
    configure_logging(json=settings.json_logs, level=settings.log_level)
    if password is None:
        password = getpass.getpass("Password: ")
    _check_password(password)
    created = asyncio.run(
        _ensure_user(settings, email, password, name, must_be_new=True, admin=admin)
    )
    click.echo(f"created {'admin' if admin else 'user'} {created}")


@users.command("list")
def users_list() -> None:
    """Every user: role, status, amoCRM connection and last sync."""

    async def overview(services: Services, session: AsyncSession) -> list[AdminUserOut]:
        return (await admin.overview(session))[0]

    click.echo("ID\tEMAIL\tNAME\tROLE\tSTATUS\tAMOCRM\tSYNC")
    for user in _administer(overview):
        click.echo("\t".join(_user_columns(user)))


def _user_columns(user: AdminUserOut) -> list[str]:
    amo, sync = user.amocrm, user.amocrm.sync
    if not amo.has_tokens:
        connection = "not connected"
    else:
        connection = f"{amo.domain} ({'reconnect needed' if amo.needs_reconnect else 'connected'})"
    last = sync.last_synced_at.isoformat(timespec="seconds") if sync and sync.last_synced_at else ""
    return [
        str(user.id),
        user.email,
        user.name,
        "admin" if user.is_admin else "agent",
        "disabled" if user.disabled else "active",
        connection,
        f"{sync.state}, last {last or 'never'}" if sync else "",
    ]


def _user_command(name: str, help_text: str, change: Callable[[Services, User], None]) -> None:
    """``users <name> EMAIL``: one change to one user, in one transaction."""

    @users.command(name, help=help_text)
    @click.argument("email")
    def command(email: str) -> None:
        async def task(services: Services, session: AsyncSession) -> None:
            change(services, await admin.by_email(session, email))

        _administer(task)
        click.echo(f"{name}d {email.lower()}")


_user_command(
    "disable",
    "Stop the user's access at once: their JWTs answer 401 and sign-in 403. Their amoCRM "
    "connection and leads stay until `enable` or `delete`.",
    lambda services, user: user_service.set_disabled(user, disabled=True, now=services.clock.now()),
)
_user_command(
    "enable",
    "Let a disabled user in again.",
    lambda services, user: user_service.set_disabled(
        user, disabled=False, now=services.clock.now()
    ),
)
_user_command(
    "promote",
    "Make the user an administrator (/api/admin).",
    lambda _services, user: user_service.set_admin(user, admin=True),
)
_user_command(
    "demote",
    "Take administration away from the user.",
    lambda _services, user: user_service.set_admin(user, admin=False),
)


@users.command("reset-password")
@click.argument("email")
@click.option("--generate", is_flag=True, help="Generate a password and print it once")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input")
def users_reset_password(email: str, generate: bool, password_stdin: bool) -> None:
    """Set a new password (prompted for unless --generate or --password-stdin); every JWT the
    user holds stops working."""
    if generate and password_stdin:
        raise click.UsageError("--generate and --password-stdin exclude each other")
    password: str | None = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif not generate:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    if password is not None:
        _check_password(password)

    async def task(services: Services, session: AsyncSession) -> str | None:
        return await admin.reset_password(await admin.by_email(session, email), password)

    generated = _administer(task)
    click.echo(f"password reset for {email.lower()}; every session of theirs is signed out")
    if generated:
        click.echo(f"new password (shown once): {generated}")


@users.command("delete")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation")
def users_delete(email: str, yes: bool) -> None:
    """Delete the user with their amoCRM tokens, pending connects and leads mirror. amoCRM has
    no endpoint to revoke tokens: the lead webhook is removed there when this was the account's
    last connection; the agent removes the integration in amoCRM."""
    if not yes:
        click.confirm(f"Delete {email} and everything stored for them?", abort=True)

    async def task(services: Services, session: AsyncSession) -> admin.Deleted:
        user = await admin.by_email(session, email)
        return await admin.delete_user(session, services.settings, services.tokens, user)

    deleted = _administer(task)
    click.echo(
        f"deleted {email.lower()}"
        + ("; amoCRM connection removed" if deleted.connection_removed else "")
        + ("; lead webhook removed at amoCRM" if deleted.amocrm_webhook_removed else "")
    )


def _check_password(password: str) -> None:
    if len(password) < 8:
        raise click.ClickException("password must be at least 8 characters")


def _administer(task: Callable[[Services, AsyncSession], Awaitable[T]]) -> T:
    """One administrative task on the service's own services, in one transaction; an
    expected refusal (no such user, amoCRM away) becomes the command's error message. Logs
    go to stderr, as the service writes them: stdout is the command's answer."""
    settings = ensure_local_secrets(_settings())
    configure_logging(json=settings.json_logs, level=settings.log_level)

    async def run() -> T:
        async with (
            _services(settings) as services,
            services.sessionmaker() as session,
            session.begin(),
        ):
            return await task(services, session)

    try:
        return asyncio.run(run())
    except AppError as exc:
        raise click.ClickException(exc.message) from exc


@main.group()
def keys() -> None:
    """The keys that encrypt amoCRM tokens at rest (FORYOU_TOKEN_ENCRYPTION_KEYS)."""


@keys.command("rotate")
def keys_rotate() -> None:
    """Re-encrypt every stored amoCRM token under the first key of
    FORYOU_TOKEN_ENCRYPTION_KEYS, so the others can be removed. Safe while the API serves;
    running it again changes nothing."""
    settings = ensure_local_secrets(_settings())
    configure_logging(json=settings.json_logs, level=settings.log_level)

    async def run() -> key_rotation.RotationReport:
        async with _services(settings) as services:
            return await key_rotation.rotate(services.sessionmaker, services.tokens.cipher)

    report = asyncio.run(run())
    in_use = ", ".join(f"{kid}: {n}" for kid, n in sorted(report.keys_in_use.items()))
    click.echo(
        f"re-encrypted under {report.active_kid!r}: {report.connections} connection(s), "
        f"{report.pending_connects} pending connect(s); tokens by key: {in_use or 'none'}"
    )
    if report.unreadable:
        raise click.ClickException(
            f"{report.unreadable} stored token pair(s) open with none of the configured keys: "
            "put back the key they were encrypted with"
        )
    if not report.complete:
        raise click.ClickException(
            "tokens are still being written under another key: restart every API and worker "
            f"process with {report.active_kid!r} first in FORYOU_TOKEN_ENCRYPTION_KEYS, then "
            "run again"
        )
    click.echo("every stored token is under the active key; the others can be removed")


@main.command()
@click.option(
    "--concurrency",
    type=click.IntRange(1, 200),
    default=None,
    help="Jobs run at once [default: FORYOU_QUEUE_WORKER_CONCURRENCY, 10]",
)
@click.option(
    "--metrics-port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Serve this worker's /metrics and /healthz here [default: FORYOU_WORKER_METRICS_PORT]",
)
def worker(concurrency: int | None, metrics_port: int | None) -> None:
    """Run the leads sync jobs (PostgreSQL), in the foreground, until SIGTERM or Ctrl-C.

    Any number of workers, on any number of machines, may share one PostgreSQL (and Redis):
    the queue runs each connection's sync on one of them at a time. On SQLite there is no
    worker: `serve` runs the jobs itself."""
    from foryou_crm.core.logging import configure_logging

    settings = _settings()
    try:
        validate_for_production(settings)
    except ConfigurationError as exc:
        raise click.ClickException(str(exc)) from exc
    if settings.resolved_database_url.startswith("sqlite"):
        raise click.ClickException(
            "the job worker needs PostgreSQL (FORYOU_DATABASE_URL); on SQLite `foryou-crm "
            "serve` runs the jobs itself"
        )
    settings = ensure_local_secrets(settings)
    configure_logging(json=settings.json_logs, level=settings.log_level)
    # With PROMETHEUS_MULTIPROC_DIR set, the jobs' first recorded value writes a file there.
    exposition.ensure_directory()
    port = metrics_port or settings.worker_metrics_port
    try:
        asyncio.run(_work(settings, concurrency or settings.queue_worker_concurrency, port))
    except WorkerStopped as exc:
        # Non-zero, so that a process manager restarts it (systemd's Restart=on-failure too).
        raise click.ClickException(f"{exc}; exiting so that it is started again") from exc


async def _work(settings: Settings, concurrency: int, metrics_port: int | None) -> None:
    """The worker until a signal: the first SIGTERM/SIGINT lets running jobs save their place
    and release their locks (within the grace period), a second one aborts them at once.
    With ``metrics_port``, its listener (``metrics/listener.py``) runs beside the jobs."""
    from foryou_crm.leads.sync.queue import WORKER_POOL
    from foryou_crm.metrics.listener import listener

    server = None
    if metrics_port is not None:
        server = listener(settings, host=settings.worker_metrics_host, port=metrics_port)
        serving = asyncio.create_task(server.serve())
        while not server.started:  # a port taken stops the worker here, not silently later
            if serving.done():
                raise SystemExit(f"the metrics listener could not start on port {metrics_port}")
            await asyncio.sleep(0.05)
    services = Services.build(settings, queue_pool=WORKER_POOL)
    stopping = asyncio.Event()
    name = f"worker-{os.uname().nodename}-{os.getpid()}"
    working = asyncio.create_task(
        services.queue.run_worker(concurrency=concurrency, stopping=stopping, name=name)
    )

    def stop() -> None:
        stopping.set()
        working.cancel()

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop)
    try:
        with contextlib.suppress(asyncio.CancelledError):
            await working
    finally:
        if server is not None:
            server.should_exit = True
            await serving
        await services.aclose()


@main.command()
@click.option("--user", "email", required=True, help="The app user whose amoCRM leads to sync")
@click.option("--full/--incremental", default=None, help="Default: what the scheduler would do")
@click.option(
    "--pickup-timeout",
    default=60.0,
    show_default=True,
    help="Seconds to wait for a worker to start the job before giving up watching",
)
def sync(email: str, full: bool | None, pickup_timeout: float) -> None:
    """Ask for a sync of a user's amoCRM leads now and follow it with a progress bar.

    The sync runs where every sync runs — a `foryou-crm worker` (PostgreSQL) or the running
    `serve`/`demo` (SQLite) — with that process's settings; this command only asks (with the
    same FORYOU_* settings, so the same database) and watches. Its own configuration never
    reaches amoCRM, so it cannot mark a live connection failed."""
    settings = ensure_local_secrets(_settings())
    kind: SyncRequest = "auto" if full is None else "full" if full else "incremental"
    state = asyncio.run(_sync(settings, email, kind, pickup_timeout))
    if state != "idle":
        raise click.ClickException(f"sync {state}")


@contextlib.asynccontextmanager
async def _services(settings: Settings) -> AsyncIterator[Services]:
    """The same services the web app runs on, closed when the command is done."""
    services = Services.build(settings)
    try:
        yield services
    finally:
        await services.aclose()


async def _sync(
    settings: Settings, email: str, kind: SyncRequest, pickup_timeout: float = 60.0
) -> str:
    from foryou_crm.connections.models import SyncState
    from foryou_crm.connections.repository import connection_of, request_sync
    from foryou_crm.core.logging import configure_logging
    from foryou_crm.users import service

    # Warnings only: info lines would break the progress bar.
    configure_logging(json=settings.json_logs, level="WARNING")
    async with _services(settings) as services:
        async with services.sessionmaker() as session, session.begin():
            user = await service.get_by_email(session, email)
            connection = await connection_of(session, user.id) if user else None
            if user is None or connection is None:
                raise click.ClickException(f"{email} has not connected amoCRM")
            if connection.needs_reconnect:
                raise click.ClickException(f"{email} must connect amoCRM again")
            cid, domain = connection.id, connection.domain
            state, queued = await request_sync(session, cid, services.clock.now(), kind)
            current = state.state
        if not queued:
            # One sync per connection at a time: this one is followed instead.
            asked = "" if kind == "auto" else f"the {kind} sync asked for was not queued; "
            click.echo(f"a sync is already {current}: {asked}following it", err=True)
        if not services.queue.embedded:
            await services.queue.defer_sync(cid)

        async def read() -> SyncState:
            async with services.sessionmaker() as session:
                row = await session.get(SyncState, cid)
                assert row is not None
                return row

        row = await _follow(read, domain, pickup_timeout)
        if row.error:
            click.echo(row.error, err=True)
        click.echo(f"{row.state}: {row.leads_count} leads mirrored")
        return str(row.state)


async def _follow(read: Any, domain: str, pickup_timeout: float) -> Any:
    """Poll the sync state with a progress bar until the sync is neither queued nor running."""
    from rich.console import Console
    from rich.progress import Progress

    queued_since = time.monotonic()
    with Progress(console=Console(stderr=True), transient=True) as progress:
        bar = progress.add_task(f"Syncing {domain}: queued", total=1.0)
        while True:
            row = await read()
            if row.state not in ("queued", "running"):
                progress.update(bar, completed=1.0)
                return row
            if row.state == "queued" and time.monotonic() - queued_since > pickup_timeout:
                raise click.ClickException(
                    f"still queued after {pickup_timeout:.0f} s: no worker picked the sync up "
                    "(start `foryou-crm worker`, or on SQLite `foryou-crm serve`/`demo`); it "
                    "runs when one does"
                )
            if row.state == "running":
                label = f"Syncing {domain}: {row.phase or 'starting'}"
                progress.update(bar, completed=row.progress or 0.0, description=label)
            await asyncio.sleep(0.5)


@main.command()
def jobs() -> None:
    """List queued, running and failed syncs and the queue's jobs behind them.

    The queue's own CLI shows the same jobs in more detail on PostgreSQL:
    `procrastinate --app=foryou_crm.queue_app.app shell` (list_jobs, list_locks)."""
    settings = ensure_local_secrets(_settings())
    states, rows = asyncio.run(_jobs(settings))
    click.echo("CONNECTION\tUSER\tSTATE\tPHASE\tPROGRESS\tERROR")
    for line in states:
        click.echo("\t".join(line))
    if rows is None:
        click.echo(
            "\n(SQLite: the jobs run inside `serve`, on an in-memory queue; the states above "
            "are what it works from)"
        )
        return
    click.echo("\nJOB\tTASK\tSTATUS\tCONNECTION\tSCHEDULED\tATTEMPTS")
    for job in rows:
        click.echo(
            f"{job.id}\t{job.task}\t{job.status}\t{job.connection_id or ''}\t"
            f"{job.scheduled_at or ''}\t{job.attempts}"
        )


async def _jobs(settings: Settings) -> tuple[list[list[str]], list[Any] | None]:
    from foryou_crm.connections.models import AmoConnection, SyncState
    from foryou_crm.users.models import User

    async with _services(settings) as services:
        async with services.sessionmaker() as session:
            found = await session.execute(
                select(SyncState, User.email)
                .join(AmoConnection, AmoConnection.id == SyncState.connection_id)
                .join(User, User.id == AmoConnection.user_id)
                .where(SyncState.state.in_(("queued", "running", "failed")))
                .order_by(SyncState.connection_id)
            )
            states = [
                [
                    str(st.connection_id),
                    email,
                    st.state,
                    st.phase or "-",
                    f"{100 * (st.progress or 0):.0f}%",
                    st.error or "",
                ]
                for st, email in found.all()
            ]
        if services.queue.embedded:
            return states, None
        return states, await services.queue.jobs()


async def _ensure_user(
    settings: Settings,
    email: str,
    password: str,
    name: str,
    *,
    must_be_new: bool = False,
    admin: bool = False,
) -> int:
    from foryou_crm.users import service

    async with (
        _services(settings) as services,
        services.sessionmaker() as session,
        session.begin(),
    ):
        existing = await service.get_by_email(session, email)
        if existing is not None:
            if must_be_new:
                raise click.ClickException(f"{email} already exists")
            return existing.id
        user = await service.create_user(
            session,
            email=email,
            password=password,
            name=name,
            now=services.clock.now(),
            admin=admin,
        )
        return user.id


@main.command()
@click.option("--url", default="http://127.0.0.1:8000/healthz", show_default=True)
@click.option("--timeout", default=5.0, show_default=True, type=float, help="Seconds")
def healthcheck(url: str, timeout: float) -> None:
    """Exit 0 when a running server answers its /healthz, else 1 (the image's HEALTHCHECK)."""
    import httpx

    try:
        response = httpx.get(url, timeout=timeout)
    except httpx.HTTPError as exc:
        raise click.ClickException(f"unhealthy: {url}: {exc!r}") from exc
    if response.status_code != 200:
        raise click.ClickException(f"unhealthy: {url} answered {response.status_code}")
    click.echo(f"healthy: {url}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
