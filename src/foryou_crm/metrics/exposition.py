"""One Prometheus text page from what the processes recorded and what the database says, who
may read it, and the directory multiprocess mode keeps its files in.

prometheus-client's multiprocess mode ("Multiprocess Mode", client_python docs): with
``PROMETHEUS_MULTIPROC_DIR`` set when prometheus-client is first imported, every process writes
its values to files there, and a ``MultiProcessCollector`` on a fresh registry sums them at
scrape time; the directory must be wiped between runs, before the workers start."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Final, Literal

from prometheus_client import (
    CONTENT_TYPE_PLAIN_0_0_4,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    values,
)
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from foryou_crm.core.config import Settings

ENV: Final = "PROMETHEUS_MULTIPROC_DIR"
# The classic text format (0.0.4), which every Prometheus version reads.
CONTENT_TYPE: Final = CONTENT_TYPE_PLAIN_0_0_4

Exposure = Literal["open", "token", "off"]


def exposure(settings: Settings) -> Exposure:
    """Who may read /metrics: anyone (development without a token), holders of
    ``FORYOU_METRICS_TOKEN``, or nobody (turned off, or production without a token)."""
    if not settings.metrics_enabled:
        return "off"
    if settings.metrics_token.get_secret_value():
        return "token"
    return "off" if settings.is_production else "open"


def multiprocess() -> bool:
    """Whether this process records into files: prometheus-client decided it once, when first
    imported, from the environment (``values.ValueClass``), whatever the environment says now."""
    return values.ValueClass is not values.MutexValue


def ensure_directory() -> None:
    """In multiprocess mode, the directory must exist before the first value is recorded, or
    every request would fail writing it (a process started without ``foryou-crm serve``,
    e.g. ``uvicorn foryou_crm.asgi:app``). Not wiped here: other workers may be using it."""
    folder = os.environ.get(ENV)
    if multiprocess() and folder:
        Path(folder).mkdir(parents=True, exist_ok=True)


class _Snapshot(Collector):
    """Families computed before the page is written (the database is read asynchronously;
    ``collect`` is synchronous)."""

    def __init__(self, families: Sequence[Metric]) -> None:
        self._families = families

    def collect(self) -> Iterable[Metric]:
        return self._families


def render(families: Sequence[Metric]) -> bytes:
    """The recorded instruments — every worker's files in multiprocess mode, else this
    process's registry (with prometheus-client's process and GC collectors) — then
    ``families``. Two text expositions one after the other are one valid page: no family
    appears in both."""
    if multiprocess():
        recorded = CollectorRegistry()
        MultiProcessCollector(recorded)  # registers itself on ``recorded``
    else:
        recorded = REGISTRY
    snapshot = CollectorRegistry()
    snapshot.register(_Snapshot(families))
    return generate_latest(recorded) + generate_latest(snapshot)


@contextlib.contextmanager
def multiprocess_directory(*, workers: int, exposed: bool) -> Iterator[Path | None]:
    """Set up by ``foryou-crm serve`` before any worker starts.

    ``PROMETHEUS_MULTIPROC_DIR`` set (compose sets it): created if missing, and the files an
    earlier run left there removed. Nothing of this process is lost: every instrument has
    labels, so none has written a file yet (``core/metrics.py``). Unset, with several workers
    and metrics served: a temporary directory for this run, handed to the workers through the
    environment (each is a new interpreter that imports prometheus-client after this), and
    removed afterwards. Otherwise one process keeps its values in memory."""
    configured = os.environ.get(ENV)
    if configured:
        path = Path(configured)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink(missing_ok=True)
        yield path
        return
    if workers <= 1 or not exposed:
        yield None
        return
    with tempfile.TemporaryDirectory(prefix="foryou-metrics-") as folder:
        os.environ[ENV] = folder
        try:
            yield Path(folder)
        finally:
            del os.environ[ENV]
