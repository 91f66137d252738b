"""Property-based fuzzing of the service's API from its own OpenAPI document (schemathesis),
against the real app over HTTP: authenticated as a user with a connected amoCRM account and a
full mirror (so filters, the sync and the webhook receiver are reached), and without a JWT.
Every response must be: not a 5xx, a status the operation declares, the content type it
declares, and a body that matches the declared schema. Fixed seed; FORYOU_FUZZ_CASES cases
per run (conftest)."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, seed, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.fuzz import conftest as tally
from tests.fuzz.harness import Target

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
# The operations of the contract (the tests are parametrized per operation).
OPERATIONS = sum(len(ops) for ops in json.loads(CONTRACT.read_text())["paths"].values())
# Ends the connection the authenticated run fuzzes through: fuzzed in the unauthenticated run.
DISCONNECT = "/api/amo-crm/disconnect"


def examples_per_operation(operations: int) -> int:
    # Hypothesis stops early on operations with little to vary (no parameters): ask for more
    # than the even share so the run still reaches FORYOU_FUZZ_CASES.
    return math.ceil(tally.CASES * 1.1 / operations)


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:  # keep-alive: one connection for the whole run
        yield session


def run(case: Any, name: str, target: Target, http: requests.Session, **headers: str) -> None:
    tally.sent[f"{name} ({tally.database_name()})"] += 1
    response = case.call(base_url=target.base_url, session=http, headers=headers or None)
    try:
        case.validate_response(response, checks=CHECKS, headers=headers or None)
    except FailureGroup as group:
        for failure in group.exceptions:
            tally.failed[f"{name} ({tally.database_name()})"][type(failure).__name__] += 1
        raise


# The committed contract (its drift test keeps it equal to what the app serves).
schema = schemathesis.openapi.from_path(str(CONTRACT))
FUZZ = settings(
    max_examples=examples_per_operation(OPERATIONS),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)


@schema.exclude(path=DISCONNECT).parametrize()
@FUZZ
@seed(tally.SEED)
def test_authenticated(case: Any, target: Target, http: requests.Session) -> None:
    run(case, "authenticated", target, http, Authorization=f"Bearer {target.token}")


@schema.parametrize()
@FUZZ
@seed(tally.SEED)
def test_unauthenticated(case: Any, target: Target, http: requests.Session) -> None:
    run(case, "unauthenticated", target, http)


STATEFUL_STEPS = 10


@pytest.mark.timeout(1800)  # one test of FORYOU_FUZZ_CASES calls
def test_stateful_over_the_links(target: Target, http: requests.Session) -> None:
    """Sequences of calls along the contract's links (pipelines → leads by the pipeline,
    status and user it answered), as the connected user: real ids from one response in the
    next request's filters. FORYOU_FUZZ_CASES calls or more, in scenarios of up to 10."""
    name = f"stateful ({tally.database_name()})"
    auth = {"Authorization": f"Bearer {target.token}"}

    # Only the linked operations: each scenario's data then depends on answers that stay the
    # same when Hypothesis replays it (the mirror), never on what other calls changed meanwhile
    # (users registered, flows started), which it would report as flaky generation.
    linked = schema.include(path=["/api/amo-crm/pipelines", "/api/amo-crm/leads"])

    class Workflow(linked.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"base_url": target.base_url, "session": http, "headers": auth}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            tally.sent[name] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=auth)
            except FailureGroup as group:
                for failure in group.exceptions:
                    tally.failed[name][type(failure).__name__] += 1
                raise

    Workflow.run(
        settings=settings(
            max_examples=math.ceil(tally.CASES / STATEFUL_STEPS * 1.2),
            stateful_step_count=STATEFUL_STEPS,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
