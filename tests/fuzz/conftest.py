"""Fixtures and the tally of the fuzz runs: the target (``harness.py``) on the suite's
database (SQLite, or PostgreSQL under FORYOU_TEST_DATABASE_URL), and how many cases each run
sent and how many failed which check, printed at the end of the session.

How many cases: ``FORYOU_FUZZ_CASES`` per run (default 5,000; CI runs 2,500, ``make fuzz``
12,500). ``FORYOU_FUZZ_MIN_CASES`` makes a run that sent fewer fail the session (CI
sets it, so a fuzzer that silently generates little cannot pass)."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import _run_on, _truncate_everything
from tests.fuzz.harness import Target, serve_target

CASES = int(os.environ.get("FORYOU_FUZZ_CASES", "5000"))
MIN_CASES = int(os.environ.get("FORYOU_FUZZ_MIN_CASES", "0"))
SEED = 14  # the number: every run generates the same cases

# run name → cases sent; run name → check name → failures
sent: Counter[str] = Counter()
failed: defaultdict[str, Counter[str]] = defaultdict(Counter)


def database_name() -> str:
    url = os.environ.get("FORYOU_TEST_DATABASE_URL", "")
    return "postgresql" if url.startswith("postgresql") else "sqlite"


@pytest.fixture(scope="package")
def fuzz_database(migrated_database: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    if not migrated_database.startswith("sqlite"):
        asyncio.run(_run_on(migrated_database, _truncate_everything))
        return migrated_database
    template = migrated_database.removeprefix("sqlite+aiosqlite:///")
    copy = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    with sqlite3.connect(template) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    return f"sqlite+aiosqlite:///{copy}"


@pytest.fixture(scope="package")
def target(fuzz_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    data_dir: Path = tmp_path_factory.mktemp("fuzz-data")
    with serve_target(fuzz_database, data_dir) as served:
        yield served


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not sent:
        return
    write = terminalreporter.write_line
    terminalreporter.section("fuzz summary")
    for run in sorted(sent):
        checks = failed.get(run) or {}
        detail = ", ".join(f"{name}: {count}" for name, count in sorted(checks.items()))
        write(f"{run}: {sent[run]} cases, {sum(checks.values())} failures ({detail or 'none'})")
    write(f"total: {sum(sent.values())} cases")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    short = [run for run in sent if sent[run] < MIN_CASES]
    if short and exitstatus == 0:
        print(f"\nfuzz runs below FORYOU_FUZZ_MIN_CASES={MIN_CASES}: {short}")
        session.exitstatus = 1
