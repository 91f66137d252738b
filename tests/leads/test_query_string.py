"""The lead list reads its query string itself (``leads.query_string``): what it declares in
OpenAPI is what FastAPI declares for the same model as a query-parameter model, and it reads
values as FastAPI does."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError

from foryou_crm.leads.filter import LeadFilter
from foryou_crm.leads.query_string import MAX_KEPT_BYTES, lead_filter, openapi_parameters
from tests.conftest import bearer
from tests.leads.conftest import api_leads, connect
from tests.support import World


def test_declared_parameters_are_fastapis_own_for_the_model() -> None:
    reference = FastAPI()

    @reference.get("/leads")
    async def leads(f: Annotated[LeadFilter, Query()]) -> dict[str, Any]:
        return {}

    declared = reference.openapi()["paths"]["/leads"]["get"]["parameters"]
    assert openapi_parameters() == declared
    assert len(declared) == len(LeadFilter.model_fields)


async def test_repeats_last_values_and_unknown_parameters(world: World) -> None:
    token = await connect(world, "q@foryou.example")
    everything = await api_leads(world, token, {"limit": 250})
    statuses = sorted({i["statusId"] for i in everything["items"]})[:2]
    # A repeatable parameter takes every value given.
    both = await world.client.get(
        "/api/amo-crm/leads",
        params=[("statusId", str(s)) for s in statuses] + [("limit", "250")],
        headers=bearer(token),
    )
    assert both.status_code == 200
    assert {i["statusId"] for i in both.json()["data"]["items"]} == set(statuses)
    # One that does not repeat counts by its last value; unknown names are ignored.
    last = await world.client.get(
        "/api/amo-crm/leads",
        params=[("limit", "1"), ("limit", "3"), ("colour", "red")],
        headers=bearer(token),
    )
    assert last.status_code == 200
    assert len(last.json()["data"]["items"]) == 3


def _request(query_string: bytes) -> Request:
    return Request({"type": "http", "query_string": query_string, "headers": []})


def test_a_query_string_is_read_once_and_a_bad_one_fails_every_time() -> None:
    asked = b"statusId=3&statusId=4&query=%D0%BF&sort=-price&limit=20"
    first = lead_filter(_request(asked))
    assert first.status_id == [3, 4] and first.query == "п" and first.limit == 20
    assert lead_filter(_request(asked)) is first  # kept: frozen, and the same bytes
    # Padded with a parameter the filter ignores, past what is kept: read, not kept.
    padded = asked + b"&junk=" + b"x" * MAX_KEPT_BYTES
    again = lead_filter(_request(padded))
    assert again == first and again is not lead_filter(_request(padded))
    bad = b"limit=0&statusId=x"
    for _ in range(2):
        with pytest.raises(RequestValidationError) as raised:
            lead_filter(_request(bad))
        assert {e["loc"] for e in raised.value.errors()} == {
            ("query", "limit"),
            ("query", "statusId", 0),
        }
