"""The manufacturer's agent policy through the gateway: read, validated replacement, version, ETag."""

from __future__ import annotations

from typing import Any

import httpx

from ontology.policy import ManufacturerPolicy
from store.database import Database
from store.enums import PolicyKind
from tests.gateway.world import People

pytest_plugins = ("tests.gateway.fixtures",)

JID = "maker@localhost"


def policy_body(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "capacity_hours_per_week": 60,
        "own_processes": ["assembly"],
        "sourced_processes": ["welding", "painting"],
        "margin": "0.20",
    }
    return {**body, **changes}


async def _store_policy(db: Database, people: People) -> None:
    async with db.transaction() as repos:
        await repos.policies.put(
            JID,
            PolicyKind.MANUFACTURER,
            ManufacturerPolicy.model_validate(policy_body()),
            owner_user_id=people.maker.id,
        )


async def test_a_manufacturer_reads_its_agents_policy(
    client: httpx.AsyncClient, people: People, db: Database
) -> None:
    await _store_policy(db, people)
    response = await client.get("/manufacturer/policy", headers=people.maker.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["agent_jid"] == JID
    assert body["version"] == 1
    assert response.headers["etag"] == '"1"'
    assert body["policy"]["capacity_hours_per_week"] == 60
    assert body["policy"]["sourced_processes"] == ["painting", "welding"]


async def test_a_new_policy_gets_the_next_version_and_is_what_the_agent_reads(
    client: httpx.AsyncClient, people: People, db: Database
) -> None:
    await _store_policy(db, people)
    new = policy_body(auto_accept=False, capacity_hours_per_week=90, strategy="conceder")
    response = await client.put("/manufacturer/policy", json=new, headers=people.maker.headers)
    assert response.status_code == 200, response.text
    assert response.json()["version"] == 2
    async with db.transaction() as repos:
        stored = await repos.policies.get_as(JID, ManufacturerPolicy)
        record = await repos.policies.get(JID)
    assert stored is not None and record is not None
    assert (stored.auto_accept, stored.capacity_hours_per_week, stored.strategy) == (False, 90, "conceder")
    assert record.version == 2 and record.owner_user_id == people.maker.id


async def test_an_invalid_policy_is_422_with_its_field_errors_and_changes_nothing(
    client: httpx.AsyncClient, people: People, db: Database
) -> None:
    await _store_policy(db, people)
    bad = [
        policy_body(capacity_hours_per_week=0),
        policy_body(margin="99"),
        policy_body(own_processes=["welding"]),
        policy_body(sourced_processes=["alchemy"]),
        policy_body(unknown_field=1),
        {"margin": "0.1"},
    ]
    for body in bad:
        response = await client.put("/manufacturer/policy", json=body, headers=people.maker.headers)
        assert response.status_code == 422, (body, response.text)
    first = await client.put("/manufacturer/policy", json=bad[0], headers=people.maker.headers)
    assert any(error["field"].endswith("capacity_hours_per_week") for error in first.json()["errors"])
    both = await client.put("/manufacturer/policy", json=bad[2], headers=people.maker.headers)
    assert "both as own and as sourced" in both.text
    current = await client.get("/manufacturer/policy", headers=people.maker.headers)
    assert current.json()["version"] == 1


async def test_if_match_guards_against_lost_updates(
    client: httpx.AsyncClient, people: People, db: Database
) -> None:
    await _store_policy(db, people)
    stale = {"If-Match": '"7"', **people.maker.headers}
    response = await client.put("/manufacturer/policy", json=policy_body(), headers=stale)
    assert response.status_code == 412
    fresh = {"If-Match": '"1"', **people.maker.headers}
    assert (await client.put("/manufacturer/policy", json=policy_body(), headers=fresh)).status_code == 200
    again = await client.put("/manufacturer/policy", json=policy_body(), headers=fresh)
    assert again.status_code == 412


async def test_the_policy_is_for_its_manufacturer_only(
    client: httpx.AsyncClient, people: People, db: Database
) -> None:
    await _store_policy(db, people)
    assert (await client.get("/manufacturer/policy", headers=people.alice.headers)).status_code == 403
    put = await client.put("/manufacturer/policy", json=policy_body(), headers=people.alice.headers)
    assert put.status_code == 403
    assert (await client.get("/manufacturer/policy", headers=people.rival.headers)).status_code == 404
    rival_put = await client.put("/manufacturer/policy", json=policy_body(), headers=people.rival.headers)
    assert rival_put.status_code == 404
    assert (await client.get("/manufacturer/policy")).status_code == 401
    async with db.transaction() as repos:
        record = await repos.policies.get(JID)
    assert record is not None and record.version == 1
