"""Property-based fuzzing of the amoCRM sandbox's own endpoints (people run it as a standalone
amoCRM): every route of its table, with path values from plausible to absurd (10^30 ids, odd
hosts), amoCRM's query parameters with hostile values, JSON, form and undecodable bodies, a
valid access token most of the time. It answers like amoCRM — 2xx, 204, 4xx — and never 5xx
(except when a test injects a fault on purpose: the fault routes are left out)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from foryou_crm.sandbox import SandboxConfig, create_sandbox_app
from tests.conftest import SERVICE, TEST_CLIENT_ID, TEST_CLIENT_SECRET
from tests.fuzz import conftest as tally
from tests.fuzz.harness import Target

HOST = "reforyou.amocrm.ru"
# Injected faults answer 5xx by design; a reset would undo the account the others work on.
LEFT_OUT = {("POST", "/_sandbox/faults"), ("POST", "/_sandbox/reset")}


def _routes() -> list[tuple[str, str]]:
    app = create_sandbox_app(SandboxConfig())
    found = []
    for route in app.routes:
        for method in sorted(getattr(route, "methods", None) or []):
            if method != "HEAD" and (method, route.path) not in LEFT_OUT:
                found.append((method, route.path))
    return found


ROUTES = _routes()
# The sign-in pages and the token endpoint check credentials first: drawn more often, with
# their own fields, so requests get past one check to the next.
OAUTH_ROUTES = [(method, path) for method, path in ROUTES if "oauth" in path]
OAUTH_KEYS = [
    "grant_type",
    "client_id",
    "client_secret",
    "redirect_uri",
    "code",
    "refresh_token",
    "login",
    "password",
    "csrf",
    "decision",
    "state",
    "mode",
]
_PARAM = re.compile(r"\{(\w+)(?::(\w+))?\}")

ints = st.one_of(
    st.integers(min_value=0, max_value=30_000_000),
    st.sampled_from([0, 1, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 10**30]),
)
texts = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "\x00", "é", "ü" * 300, "-1", "1e400", "NaN", "[]", "{}", "%00"]),
    ints.map(str),
)
hosts = st.one_of(st.just(HOST), st.just(HOST), st.just(HOST), st.text(min_size=1, max_size=30))
QUERY_KEYS = [
    "page",
    "limit",
    "with",
    "query",
    "order[id]",
    "order[updated_at]",
    "order[created_at]",
    "filter[id]",
    "filter[id][]",
    "filter[id][0]",
    "filter[statuses][0][pipeline_id]",
    "filter[statuses][0][status_id]",
    "filter[responsible_user_id]",
    "filter[responsible_user_id][]",
    "filter[price][from]",
    "filter[price][to]",
    "filter[created_at][from]",
    "filter[created_at][to]",
    "filter[updated_at][from]",
    "filter[updated_at][to]",
    "filter[pipeline_id]",
    "filter[entity]",
    "filter[type]",
    "filter[tag]",
    "client_id",
    "state",
    "mode",
    "code",
    "seconds",
]
BODY_KEYS = [
    "id",
    "name",
    "price",
    "status_id",
    "pipeline_id",
    "responsible_user_id",
    "created_at",
    "updated_at",
    "closed_at",
    "_embedded",
    "tags",
    "contacts",
    "companies",
    "custom_fields_values",
    "values",
    "field_id",
    "value",
    "enum_id",
    "to_entity_id",
    "to_entity_type",
    "metadata",
    "note_type",
    "params",
    "text",
    "entity_id",
    "entity_type",
    "complete_till",
    "task_type_id",
    "result",
    "destination",
    "settings",
    "client_id",
    "client_secret",
    "grant_type",
    "code",
    "refresh_token",
    "redirect_uri",
    "login",
    "password",
    "seconds",
    "status",
    "kind",
    "times",
    "leads",
    "is_api_filter_enabled",
]
# What a real client sends for these keys, so requests get past the first checks (a grant type,
# the integration's id, the redirect URI…) to the code behind them; mixed with hostile values.
PLAUSIBLE: dict[str, st.SearchStrategy[Any]] = {
    "grant_type": st.sampled_from(["authorization_code", "refresh_token"]),
    "client_id": st.just(TEST_CLIENT_ID),
    "client_secret": st.just(TEST_CLIENT_SECRET),
    "redirect_uri": st.just(f"{SERVICE}/api/amo-crm/callback"),
    "login": st.sampled_from(["amo-admin@reforyou.example", "amo-agent@reforyou.example"]),
    "password": st.just("amo-password"),
    "limit": st.sampled_from(["1", "50", "250"]),
    "page": st.sampled_from(["1", "2"]),
    "with": st.sampled_from(["contacts", "is_api_filter_enabled", "leads", "catalog_elements"]),
    "mode": st.sampled_from(["popup", "post_message"]),
}


def value_for(key: str) -> st.SearchStrategy[Any]:
    plausible = PLAUSIBLE.get(key)
    return st.one_of(plausible, plausible, texts) if plausible is not None else texts


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), ints, texts, st.floats(allow_nan=False)),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(BODY_KEYS), inner, max_size=5),
    ),
    max_leaves=12,
)


def form_fields(draw: st.DrawFn, oauth: bool = False) -> dict[str, Any]:
    if oauth:
        keys = draw(st.lists(st.sampled_from(OAUTH_KEYS), min_size=3, max_size=8, unique=True))
    else:
        keys = draw(st.lists(st.sampled_from(BODY_KEYS), max_size=7, unique=True))
    return {key: draw(value_for(key)) for key in keys}


@st.composite
def sandbox_requests(draw: st.DrawFn) -> dict[str, Any]:
    method, template = draw(st.one_of(st.sampled_from(ROUTES), st.sampled_from(OAUTH_ROUTES)))
    oauth = "oauth" in template

    def fill(match: re.Match[str]) -> str:
        name, kind = match.group(1), match.group(2)
        if name == "host":
            return draw(hosts).replace("/", "%2F")
        if kind == "int":
            return str(draw(ints))
        if kind == "path":
            return draw(st.sampled_from(["api/v4/unknown", "x", "api/v4/leads/1/x", "..%2F"]))
        return draw(texts).replace("/", "%2F") or "x"

    path = _PARAM.sub(fill, template)
    keys = draw(st.lists(st.sampled_from(QUERY_KEYS), max_size=5))
    params = [(key, draw(value_for(key))) for key in keys]
    kind = draw(st.sampled_from(["none", "json", "json", "form", "bytes"]))
    headers = {}
    token = draw(st.sampled_from(["valid", "valid", "valid", "none", "junk"]))
    body: dict[str, Any] = {}
    if kind == "json":
        value = form_fields(draw, oauth) if oauth or draw(st.booleans()) else draw(json_values)
        body["data"] = json.dumps(value).encode()
        headers["Content-Type"] = "application/json"
    elif kind == "form":
        body["data"] = form_fields(draw, oauth)
    elif kind == "bytes":
        body["data"] = draw(st.binary(max_size=64))
        headers["Content-Type"] = draw(
            st.sampled_from(["application/json", "application/x-www-form-urlencoded"])
        )
    return {
        "method": method,
        "path": path,
        "params": params,
        "headers": headers,
        "token": token,
        **body,
    }


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


@pytest.mark.timeout(1800)  # one test of FORYOU_FUZZ_CASES cases
@settings(
    max_examples=tally.CASES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@seed(tally.SEED)
@given(request=sandbox_requests())
def test_sandbox_never_answers_5xx(
    request: dict[str, Any], target: Target, http: requests.Session
) -> None:
    run = f"sandbox ({tally.database_name()})"
    tally.sent[run] += 1
    headers = dict(request["headers"])
    if request["token"] == "valid":
        headers["Authorization"] = f"Bearer {target.sandbox_token}"
    elif request["token"] == "junk":
        headers["Authorization"] = "Bearer junk"
    response = http.request(
        request["method"],
        target.sandbox_url + request["path"],
        params=request["params"],
        headers=headers,
        data=request.get("data"),
        allow_redirects=False,
        timeout=30,
    )
    if response.status_code >= 500:
        tally.failed[run]["not_a_server_error"] += 1
    assert response.status_code < 500, (
        f"{request['method']} {request['path']} {request['params']} -> "
        f"{response.status_code}: {response.text[:500]}"
    )
