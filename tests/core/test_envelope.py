"""One envelope for every error, honest statuses, request ids, no 500 for bad input."""

from __future__ import annotations

import os
import re
from collections.abc import Callable

import httpx

from foryou_crm.core import middleware
from foryou_crm.core.clock import Clock
from foryou_crm.core.config import Settings
from tests.conftest import bearer, register, serve


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body  # type: ignore[no-any-return]


async def test_malformed_json_is_422(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/api/auth/login", content=b'{"email": ', headers={"Content-Type": "application/json"}
    )
    assert_error(r, 422, "VALIDATION_ERROR")


async def test_wrong_types_and_missing_fields_are_listed(client: httpx.AsyncClient) -> None:
    r = await client.post("/api/auth/login", json={"email": 42})
    body = assert_error(r, 422, "VALIDATION_ERROR")
    fields = {f["field"] for f in body["error"]["details"]["fields"]}  # type: ignore[index]
    assert {"email", "password"} <= fields


async def test_oversized_body_is_413(client: httpx.AsyncClient) -> None:
    r = await client.post(
        "/api/auth/login", content=b"x" * 2_000_000, headers={"Content-Type": "application/json"}
    )
    assert_error(r, 413, "PAYLOAD_TOO_LARGE")


async def test_oversized_streamed_body_is_413(client: httpx.AsyncClient) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(40):
            yield b"y" * 65536

    r = await client.post(
        "/api/auth/login", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert_error(r, 413, "PAYLOAD_TOO_LARGE")


async def test_unknown_route_and_wrong_method(client: httpx.AsyncClient) -> None:
    assert_error(await client.get("/api/nope"), 404, "NOT_FOUND")
    assert_error(await client.get("/api/auth/login"), 405, "METHOD_NOT_ALLOWED")


async def test_request_id_is_accepted_and_returned(client: httpx.AsyncClient) -> None:
    r = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert r.headers["X-Request-ID"] == "abc-123"
    generated = await client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert generated.headers["X-Request-ID"] != "bad id with spaces"
    assert len(generated.headers["X-Request-ID"]) == 32


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"success": True, "data": {"status": "ok"}}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["data"]["database"] == "ok"


async def test_openapi_declares_error_responses(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    exchange = spec["paths"]["/api/amo-crm/exchange-code"]["post"]["responses"]
    assert {"400", "401", "403", "422"} <= set(exchange)
    assert "401" in spec["paths"]["/api/auth/me"]["get"]["responses"]


async def test_bad_query_parameter_is_422_not_500(client: httpx.AsyncClient) -> None:
    token = (await register(client, "q@example.com"))["accessToken"]
    r = await client.get("/api/amo-crm/auth-url?client=desktop", headers=bearer(token))
    assert_error(r, 422, "VALIDATION_ERROR")


async def test_request_id_is_taken_from_trusted_proxies_only(
    settings_factory: Callable[..., Settings], clock: Clock
) -> None:
    # The in-process client's peer is 127.0.0.1: trusted by default, not when the setting
    # names only another proxy.
    async with serve(settings_factory(forwarded_allow_ips="10.9.8.7"), clock) as untrusted:
        r = await untrusted.get("/healthz", headers={"X-Request-ID": "forged-1"})
        assert r.headers["X-Request-ID"] != "forged-1"
        assert len(r.headers["X-Request-ID"]) == 32
    async with serve(settings_factory(forwarded_allow_ips="127.0.0.0/8"), clock) as trusted:
        r = await trusted.get(
            "/healthz", headers={"X-Request-ID": "proxy-1", "X-Forwarded-For": "203.0.113.9"}
        )
        assert r.headers["X-Request-ID"] == "proxy-1"


async def test_every_response_carries_a_request_id(client: httpx.AsyncClient) -> None:
    for response in (
        await client.get("/healthz"),
        await client.get("/api/nope"),
        await client.get("/api/auth/me"),
        await client.post("/api/auth/login", json={}),
        await client.post("/api/auth/login", content=b"x" * 2_000_000),
        await client.get("/app"),
    ):
        assert len(response.headers["X-Request-ID"]) == 32, response.request.url


async def test_new_request_ids_are_distinct_and_a_forked_worker_makes_its_own(
    client: httpx.AsyncClient,
) -> None:
    ids = [(await client.get("/healthz")).headers["X-Request-ID"] for _ in range(20)]
    assert len(set(ids)) == 20
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    # A forked child must not repeat its parent's ids.
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (runs in the child)
        try:
            os.write(writer, middleware._ids.next().encode())
        finally:
            os._exit(0)
    os.close(writer)  # the child's end only: a child that wrote nothing reads as b""
    os.waitpid(child, 0)
    from_child = os.read(reader, 64).decode()
    os.close(reader)
    assert len(from_child) == 32
    assert from_child[:16] != middleware._ids.next()[:16]
