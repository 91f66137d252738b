"""API v4: account, users, pipelines, leads (paging, filters, rights), contacts, writes."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest

from .conftest import AGENT, AMO, KOMMO, KOMMO_ADMIN, Amo, Tokens


@pytest.fixture
async def everything(amo: Amo, admin: Tokens) -> list[dict[str, Any]]:
    """All leads as the admin sees them, unfiltered: the ground truth for filter tests."""
    leads = await amo.leads(admin)
    assert len(leads) == 300
    return leads


# --- account, users, pipelines ---------------------------------------------------------


async def test_account_with_api_filter_flag(amo: Amo, admin: Tokens, agent: Tokens) -> None:
    response = await amo.get(admin, "/api/v4/account", {"with": "is_api_filter_enabled"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/hal+json"
    body = response.json()
    assert body["id"] == 31920194
    assert body["subdomain"] == "reforyou"
    assert body["is_api_filter_enabled"] is True
    assert body["_links"]["self"]["href"] == f"http://sandbox.test/accounts/{AMO}/api/v4/account"
    plain = (await amo.get(admin, "/api/v4/account")).json()
    assert "is_api_filter_enabled" not in plain
    as_agent = (await amo.get(agent, "/api/v4/account")).json()
    assert as_agent["current_user_id"] != body["current_user_id"]


async def test_users_are_admin_only(amo: Amo, admin: Tokens, agent: Tokens) -> None:
    users = await amo.get(admin, "/api/v4/users")
    assert users.status_code == 200
    body = users.json()
    assert body["_total_items"] == len(body["_embedded"]["users"]) >= 3
    roles = [u["rights"]["is_admin"] for u in body["_embedded"]["users"]]
    assert roles.count(True) == 1 and roles.count(False) >= 2
    denied = await amo.get(agent, "/api/v4/users")
    assert denied.status_code == 403
    assert denied.json()["status"] == 403


async def test_pipelines_have_system_statuses(amo: Amo, agent: Tokens) -> None:
    response = await amo.get(agent, "/api/v4/leads/pipelines")
    assert response.status_code == 200
    body = response.json()
    pipelines = body["_embedded"]["pipelines"]
    assert body["_total_items"] == len(pipelines) == 2
    assert [p["is_main"] for p in pipelines].count(True) == 1
    for pipeline in pipelines:
        statuses = pipeline["_embedded"]["statuses"]
        assert statuses[0]["type"] == 1
        ids = [s["id"] for s in statuses]
        assert 142 in ids and 143 in ids
        assert len([s for s in statuses if s["type"] == 0 and s["id"] not in (142, 143)]) >= 2
        assert all(s["color"].startswith("#") for s in statuses)
        assert all(s["pipeline_id"] == pipeline["id"] for s in statuses)


# --- leads: shapes and paging ----------------------------------------------------------


async def test_lead_shape_matches_the_reference(amo: Amo, admin: Tokens) -> None:
    body = (await amo.get(admin, "/api/v4/leads", {"limit": 1})).json()
    lead = body["_embedded"]["leads"][0]
    expected = {
        "id", "name", "price", "responsible_user_id", "group_id", "status_id", "pipeline_id",
        "loss_reason_id", "source_id", "created_by", "updated_by", "created_at", "updated_at",
        "closed_at", "closest_task_at", "is_deleted", "custom_fields_values", "score",
        "account_id", "_links", "_embedded",
    }  # fmt: skip
    assert set(lead) == expected
    assert "contacts" not in lead["_embedded"]
    assert set(lead["_embedded"]) == {"tags", "companies"}
    one = await amo.get(admin, f"/api/v4/leads/{lead['id']}")
    assert one.status_code == 200
    assert one.json() == lead


async def test_bodies_are_compact_json_with_raw_utf8(amo: Amo, admin: Tokens) -> None:
    """As amoCRM writes them: no spaces between tokens, Cyrillic as UTF-8 bytes rather than
    ``\\u`` escapes."""
    response = await amo.get(admin, "/api/v4/leads", {"limit": 250, "with": "contacts"})
    body = response.json()
    assert response.content == json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    assert any(ord(ch) > 127 for ch in response.text)  # the seed's names are Ukrainian


async def test_missing_lead_is_204_with_empty_body(amo: Amo, admin: Tokens) -> None:
    response = await amo.get(admin, "/api/v4/leads/1")
    assert response.status_code == 204
    assert response.content == b""


async def test_hal_links_are_absolute_and_followable(amo: Amo, admin: Tokens) -> None:
    first = await amo.get(admin, "/api/v4/leads", {"limit": 2, "page": 2})
    body = first.json()
    assert body["_page"] == 2
    links = body["_links"]
    base = f"http://sandbox.test/accounts/{AMO}/api/v4/leads"
    assert links["self"]["href"] == f"{base}?limit=2&page=2"
    assert links["next"]["href"] == f"{base}?limit=2&page=3"
    assert links["first"]["href"] == f"{base}?limit=2&page=1"
    assert links["prev"]["href"] == f"{base}?limit=2&page=1"
    following = await amo.http.get(links["next"]["href"], headers=admin.headers)
    assert following.json()["_page"] == 3
    page_one = await amo.get(admin, "/api/v4/leads", {"limit": 2})
    assert "prev" not in page_one.json()["_links"]


async def test_paging_covers_every_lead_once_and_the_last_page_has_no_next(
    amo: Amo, admin: Tokens
) -> None:
    seen: list[int] = []
    page = 1
    while True:
        response = await amo.get(admin, "/api/v4/leads", {"limit": 70, "page": page})
        assert response.status_code == 200
        body = response.json()
        seen += [lead["id"] for lead in body["_embedded"]["leads"]]
        if "next" not in body["_links"]:
            break
        page += 1
    assert len(seen) == len(set(seen)) == 300
    assert seen == sorted(seen)
    beyond = await amo.get(admin, "/api/v4/leads", {"limit": 70, "page": page + 1})
    assert beyond.status_code == 204
    assert beyond.content == b""


async def test_links_keep_filters(amo: Amo, admin: Tokens) -> None:
    query = "filter[pipeline_id][]=7710001&limit=5"
    body = (
        await amo.http.get(f"/accounts/{AMO}/api/v4/leads?{query}", headers=admin.headers)
    ).json()
    assert "filter[pipeline_id]" in body["_links"]["next"]["href"]
    following = await amo.http.get(body["_links"]["next"]["href"], headers=admin.headers)
    assert all(lead["pipeline_id"] == 7710001 for lead in following.json()["_embedded"]["leads"])


async def test_limit_above_250_falls_back_to_50(amo: Amo, admin: Tokens) -> None:
    body = (await amo.get(admin, "/api/v4/leads", {"limit": 500})).json()
    assert len(body["_embedded"]["leads"]) == 50
    full = (await amo.get(admin, "/api/v4/leads", {"limit": 250})).json()
    assert len(full["_embedded"]["leads"]) == 250


async def test_nothing_matches_is_204_empty(amo: Amo, admin: Tokens) -> None:
    response = await amo.http.get(
        f"/accounts/{AMO}/api/v4/leads?filter[price][from]=999999999999", headers=admin.headers
    )
    assert response.status_code == 204
    assert response.content == b""
    assert "content-type" not in response.headers


# --- filters ---------------------------------------------------------------------------


def _ids(leads: list[dict[str, Any]]) -> list[int]:
    return sorted(lead["id"] for lead in leads)


async def _both_syntaxes(amo: Amo, tokens: Tokens, key: str, values: list[Any]) -> list[int]:
    indexed = "&".join(f"{key}[{i}]={v}" for i, v in enumerate(values))
    appended = "&".join(f"{key}[]={v}" for v in values)
    a = _ids(await amo.leads(tokens, indexed))
    b = _ids(await amo.leads(tokens, appended))
    assert a == b
    if len(values) == 1:
        assert _ids(await amo.leads(tokens, f"{key}={values[0]}")) == a
    return a


async def test_filter_id(amo: Amo, admin: Tokens, everything: list[dict[str, Any]]) -> None:
    wanted = [everything[3]["id"], everything[150]["id"], 1]
    assert await _both_syntaxes(amo, admin, "filter[id]", wanted) == sorted(wanted[:2])
    assert await _both_syntaxes(amo, admin, "filter[id]", wanted[:1]) == wanted[:1]


async def test_filter_name(amo: Amo, admin: Tokens, everything: list[dict[str, Any]]) -> None:
    name = everything[10]["name"]
    expected = _ids([x for x in everything if x["name"] == name])
    query = urlencode({"filter[name]": name})
    assert _ids(await amo.leads(admin, query)) == expected
    query = urlencode({"filter[name][]": name})
    assert _ids(await amo.leads(admin, query)) == expected


@pytest.mark.parametrize("low,high", [(100_000, 500_000), (None, 1000), (5_000_000, None)])
async def test_filter_price_range(
    amo: Amo, admin: Tokens, everything: list[dict[str, Any]], low: int | None, high: int | None
) -> None:
    parts = []
    if low is not None:
        parts.append(f"filter[price][from]={low}")
    if high is not None:
        parts.append(f"filter[price][to]={high}")
    expected = _ids(
        [
            x
            for x in everything
            if (low is None or x["price"] >= low) and (high is None or x["price"] <= high)
        ]
    )
    assert expected
    assert _ids(await amo.leads(admin, "&".join(parts))) == expected


async def test_filter_pipeline_id(
    amo: Amo, admin: Tokens, everything: list[dict[str, Any]]
) -> None:
    expected = _ids([x for x in everything if x["pipeline_id"] == 7710002])
    assert 0 < len(expected) < 300
    assert await _both_syntaxes(amo, admin, "filter[pipeline_id]", [7710002]) == expected
    both = await _both_syntaxes(amo, admin, "filter[pipeline_id]", [7710001, 7710002])
    assert len(both) == 300


async def test_filter_statuses_pairs(
    amo: Amo, admin: Tokens, everything: list[dict[str, Any]]
) -> None:
    expected = _ids(
        [
            x
            for x in everything
            if (x["pipeline_id"], x["status_id"]) in {(7710001, 142), (7710002, 61000022)}
        ]
    )
    assert expected
    indexed = (
        "filter[statuses][0][pipeline_id]=7710001&filter[statuses][0][status_id]=142"
        "&filter[statuses][1][pipeline_id]=7710002&filter[statuses][1][status_id]=61000022"
    )
    assert _ids(await amo.leads(admin, indexed)) == expected
    # 142 alone is ambiguous (every pipeline has it): won leads of pipeline 1 only.
    won_main = _ids([x for x in everything if (x["pipeline_id"], x["status_id"]) == (7710001, 142)])
    single = "filter[statuses][0][pipeline_id]=7710001&filter[statuses][0][status_id]=142"
    assert _ids(await amo.leads(admin, single)) == won_main


@pytest.mark.parametrize("field", ["responsible_user_id", "created_by", "updated_by"])
async def test_filter_users(
    amo: Amo, admin: Tokens, everything: list[dict[str, Any]], field: str
) -> None:
    users = sorted({x[field] for x in everything})
    assert len(users) >= 2
    expected = _ids([x for x in everything if x[field] == users[0]])
    assert await _both_syntaxes(amo, admin, f"filter[{field}]", [users[0]]) == expected
    two = _ids([x for x in everything if x[field] in users[:2]])
    assert await _both_syntaxes(amo, admin, f"filter[{field}]", users[:2]) == two


@pytest.mark.parametrize("field", ["created_at", "updated_at", "closed_at", "closest_task_at"])
async def test_filter_time_ranges(
    amo: Amo, admin: Tokens, everything: list[dict[str, Any]], field: str
) -> None:
    values = sorted(x[field] for x in everything if x[field] is not None)
    low, high = values[len(values) // 4], values[3 * len(values) // 4]
    expected = _ids([x for x in everything if x[field] is not None and low <= x[field] <= high])
    query = f"filter[{field}][from]={low}&filter[{field}][to]={high}"
    assert _ids(await amo.leads(admin, query)) == expected
    # A scalar means that exact moment.
    exact = _ids([x for x in everything if x[field] == low])
    assert _ids(await amo.leads(admin, f"filter[{field}]={low}")) == exact


async def test_filters_combine_with_and(
    amo: Amo, admin: Tokens, everything: list[dict[str, Any]]
) -> None:
    expected = _ids(
        [x for x in everything if x["pipeline_id"] == 7710001 and x["price"] >= 300_000]
    )
    query = "filter[pipeline_id][]=7710001&filter[price][from]=300000"
    assert _ids(await amo.leads(admin, query)) == expected


async def test_invalid_filter_value_is_a_validation_error(amo: Amo, admin: Tokens) -> None:
    response = await amo.http.get(
        f"/accounts/{AMO}/api/v4/leads?filter[id][]=abc", headers=admin.headers
    )
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Request validation failed"
    assert body["validation-errors"][0]["errors"][0]["path"] == "filter.id"


async def test_query_searches_names(
    amo: Amo, admin: Tokens, everything: list[dict[str, Any]]
) -> None:
    hits = await amo.leads(admin, urlencode({"query": "villa"}))
    assert hits
    assert all(
        "villa" in x["name"].lower()
        or any("villa" in t["name"].lower() for t in x["_embedded"]["tags"])
        for x in hits
    )
    assert len(hits) >= len([x for x in everything if "villa" in x["name"].lower()])


@pytest.mark.parametrize("field", ["created_at", "updated_at", "id"])
async def test_order(amo: Amo, admin: Tokens, field: str) -> None:
    asc = await amo.leads(admin, f"order[{field}]=asc")
    desc = await amo.leads(admin, f"order[{field}]=desc")
    assert [x[field] for x in asc] == sorted(x[field] for x in asc)
    assert [x[field] for x in desc] == sorted((x[field] for x in desc), reverse=True)
    assert len(asc) == len(desc) == 300


async def test_with_contacts_and_contact_names(amo: Amo, admin: Tokens) -> None:
    body = (await amo.get(admin, "/api/v4/leads", {"with": "contacts", "limit": 250})).json()
    leads = body["_embedded"]["leads"]
    with_contacts = [x for x in leads if x["_embedded"]["contacts"]]
    assert with_contacts
    ids = sorted({c["id"] for x in with_contacts[:20] for c in x["_embedded"]["contacts"]})
    assert all(x["_embedded"]["contacts"][0]["is_main"] for x in with_contacts)
    query = "&".join(f"filter[id][]={i}" for i in ids)
    contacts = await amo.http.get(
        f"/accounts/{AMO}/api/v4/contacts?{query}&limit=250", headers=admin.headers
    )
    assert contacts.status_code == 200
    found = contacts.json()["_embedded"]["contacts"]
    assert sorted(c["id"] for c in found) == ids
    assert all(c["name"] and c["first_name"] for c in found)
    none = await amo.http.get(
        f"/accounts/{AMO}/api/v4/contacts?filter[id][]=5", headers=admin.headers
    )
    assert none.status_code == 204


# --- rights and filtering switched off -------------------------------------------------


async def test_agent_sees_only_own_leads(
    amo: Amo, agent: Tokens, everything: list[dict[str, Any]]
) -> None:
    me = (await amo.get(agent, "/api/v4/account")).json()["current_user_id"]
    mine = await amo.leads(agent)
    assert mine
    assert _ids(mine) == _ids([x for x in everything if x["responsible_user_id"] == me])
    other = next(x for x in everything if x["responsible_user_id"] != me)
    assert (await amo.get(agent, f"/api/v4/leads/{other['id']}")).status_code == 204
    # Filtering by someone else's id returns nothing rather than their leads.
    assert (
        await amo.leads(agent, f"filter[responsible_user_id][]={other['responsible_user_id']}")
        == []
    )


async def test_filters_are_ignored_without_the_addon(
    amo: Amo, admin: Tokens, everything: list[dict[str, Any]]
) -> None:
    off = await amo.control("PATCH", f"/accounts/{AMO}", json={"isApiFilterEnabled": False})
    assert off.json()["isApiFilterEnabled"] is False
    flag = (await amo.get(admin, "/api/v4/account", {"with": "is_api_filter_enabled"})).json()
    assert flag["is_api_filter_enabled"] is False
    ignored = await amo.leads(admin, "filter[pipeline_id][]=7710002&filter[price][to]=1000")
    assert _ids(ignored) == _ids(everything)
    # Ordering and paging still work.
    ordered = await amo.leads(admin, "order[updated_at]=desc")
    assert [x["updated_at"] for x in ordered] == sorted(
        (x["updated_at"] for x in ordered), reverse=True
    )


# --- auth failures ---------------------------------------------------------------------


async def test_401_bodies(amo: Amo, admin: Tokens) -> None:
    amo_401 = {
        "title": "Unauthorized",
        "type": "https://httpstatus.es/401",
        "status": 401,
        "detail": "Неверный логин или пароль",
    }
    for headers in ({}, {"Authorization": "Bearer not-a-jwt"}, {"Authorization": "Basic x"}):
        response = await amo.http.get(f"/accounts/{AMO}/api/v4/leads", headers=headers)
        assert response.status_code == 401
        assert response.json() == amo_401
    # A token of one account is no good on another.
    wrong = await amo.http.get(f"/accounts/{KOMMO}/api/v4/leads", headers=admin.headers)
    assert wrong.status_code == 401
    assert wrong.json()["detail"] == "Invalid user name or password"
    # Expired after a day.
    await amo.control("POST", "/clock", json={"seconds": 86401})
    assert (await amo.get(admin, "/api/v4/leads")).status_code == 401


async def test_revoked_tokens_get_401(amo: Amo, admin: Tokens) -> None:
    revoked = await amo.control("POST", f"/accounts/{AMO}/revoke-tokens")
    assert revoked.json()["revoked"] >= 1
    assert (await amo.get(admin, "/api/v4/account")).status_code == 401
    refresh = await amo.token(AMO, grant_type="refresh_token", refresh_token=admin.refresh_token)
    assert refresh.status_code == 401
    assert refresh.json()["hint"] == "Token has been revoked"


async def test_unpaid_account_gets_402(amo: Amo, admin: Tokens) -> None:
    await amo.control("PATCH", f"/accounts/{AMO}", json={"paid": False})
    response = await amo.get(admin, "/api/v4/leads")
    assert response.status_code == 402
    assert response.json() == {
        "title": "Payment Required",
        "type": "https://httpstatus.es/402",
        "status": 402,
        "detail": "Payment required",
    }


async def test_kommo_account_is_isolated(amo: Amo) -> None:
    kommo = await amo.login(KOMMO_ADMIN)
    leads = await amo.leads(kommo)
    assert leads and all(x["account_id"] == 32845510 for x in leads)


# --- writes ----------------------------------------------------------------------------


async def test_create_update_and_updated_at_moves(amo: Amo, agent: Tokens) -> None:
    created = await amo.http.post(
        f"/accounts/{AMO}/api/v4/leads",
        headers=agent.headers,
        json=[
            {
                "name": "Квартира 3к, Поділ",
                "price": 210000,
                "_embedded": {"tags": [{"name": "Новий"}]},
            }
        ],
    )
    assert created.status_code == 200, created.text
    lead_id = created.json()["_embedded"]["leads"][0]["id"]
    lead = (await amo.get(agent, f"/api/v4/leads/{lead_id}")).json()
    me = (await amo.get(agent, "/api/v4/account")).json()["current_user_id"]
    assert lead["responsible_user_id"] == me
    assert lead["status_id"] not in (142, 143)
    assert [t["name"] for t in lead["_embedded"]["tags"]] == ["Новий"]
    stamps = [lead["updated_at"]]
    for price in (220000, 230000):
        patched = await amo.http.patch(
            f"/accounts/{AMO}/api/v4/leads",
            headers=agent.headers,
            json=[{"id": lead_id, "price": price}],
        )
        assert patched.status_code == 200, patched.text
        stamps.append(patched.json()["_embedded"]["leads"][0]["updated_at"])
    assert stamps == sorted(stamps) and len(set(stamps)) == 3
    won = await amo.http.patch(
        f"/accounts/{AMO}/api/v4/leads/{lead_id}", headers=agent.headers, json={"status_id": 142}
    )
    assert won.status_code == 200
    after = (await amo.get(agent, f"/api/v4/leads/{lead_id}")).json()
    assert after["status_id"] == 142 and after["closed_at"] is not None
    assert after["updated_at"] > stamps[-1]


async def test_write_validation_and_batch_limit(amo: Amo, admin: Tokens) -> None:
    bad = await amo.http.post(
        f"/accounts/{AMO}/api/v4/leads", headers=admin.headers, json=[{"status_id": 12345}]
    )
    assert bad.status_code == 400
    assert bad.json()["validation-errors"][0]["errors"][0]["path"] == "status_id"
    too_many = await amo.http.post(
        f"/accounts/{AMO}/api/v4/leads", headers=admin.headers, json=[{"name": "x"}] * 251
    )
    assert too_many.status_code == 422
    assert too_many.json()["detail"] == "Limit 250 per page"
    ok = await amo.http.post(
        f"/accounts/{AMO}/api/v4/leads", headers=admin.headers, json=[{"name": "x"}] * 250
    )
    assert ok.status_code == 200


async def test_agent_cannot_update_someone_elses_lead(
    amo: Amo, agent: Tokens, everything: list[dict[str, Any]]
) -> None:
    me = (await amo.get(agent, "/api/v4/account")).json()["current_user_id"]
    other = next(x for x in everything if x["responsible_user_id"] != me)
    response = await amo.http.patch(
        f"/accounts/{AMO}/api/v4/leads",
        headers=agent.headers,
        json=[{"id": other["id"], "price": 1}],
    )
    assert response.status_code == 400


async def test_deleted_leads_leave_the_list_and_show_with_only_deleted(
    amo: Amo, admin: Tokens, everything: list[dict[str, Any]]
) -> None:
    victim = everything[42]["id"]
    deleted = await amo.control("DELETE", f"/accounts/{AMO}/leads/{victim}")
    assert deleted.status_code == 200
    remaining = await amo.leads(admin)
    assert victim not in _ids(remaining) and len(remaining) == 299
    assert (await amo.get(admin, f"/api/v4/leads/{victim}")).status_code == 204
    trash = await amo.leads(admin, "with=only_deleted")
    assert [x["id"] for x in trash] == [victim]
    assert trash[0]["is_deleted"] is True


async def test_unknown_path_is_404_problem(amo: Amo, admin: Tokens) -> None:
    # The classic mistake: the filter in the path instead of the query (issue #384).
    response = await amo.get(admin, "/api/v4/leads/filter[id]=1")
    assert response.status_code == 404
    assert response.json()["title"] == "Not Found"


async def test_a_batch_with_one_bad_entity_changes_nothing(
    amo: Amo, admin: Tokens, everything: list[dict[str, Any]]
) -> None:
    first, second = everything[0], everything[1]
    response = await amo.http.patch(
        f"/accounts/{AMO}/api/v4/leads",
        headers=admin.headers,
        json=[
            {"id": first["id"], "price": 1, "_embedded": {"tags": [{"name": "Новий"}]}},
            {"id": second["id"], "_embedded": {"tags": [{"id": 12345}]}},
            {"id": second["id"], "_embedded": "not an object"},
        ],
    )
    assert response.status_code == 400
    errors = response.json()["validation-errors"]
    assert [e["request_id"] for e in errors] == ["1", "2"]
    assert errors[0]["errors"][0]["path"] == "_embedded.tags.0.id"
    unchanged = (await amo.get(admin, f"/api/v4/leads/{first['id']}")).json()
    assert unchanged == first


async def test_single_lead_with_contacts_and_pipeline_statuses(
    amo: Amo, admin: Tokens, everything: list[dict[str, Any]]
) -> None:
    lead = next(x for x in everything if x["pipeline_id"] == 7710002)
    one = (await amo.get(admin, f"/api/v4/leads/{lead['id']}", {"with": "contacts"})).json()
    assert "contacts" in one["_embedded"]
    statuses = await amo.get(admin, "/api/v4/leads/pipelines/7710002/statuses")
    assert statuses.status_code == 200
    ids = [s["id"] for s in statuses.json()["_embedded"]["statuses"]]
    assert lead["status_id"] in ids
    won = await amo.get(admin, "/api/v4/leads/pipelines/7710002/statuses/142")
    assert won.json()["pipeline_id"] == 7710002 and won.json()["id"] == 142
    assert (await amo.get(admin, "/api/v4/leads/pipelines/1")).status_code == 204


async def test_token_owner(amo: Amo, agent: Tokens) -> None:
    me = (await amo.get(agent, "/v3/user")).json()
    assert me["email"] == AGENT
