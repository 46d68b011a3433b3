"""User management on the JSON API v1 against a running ``python -m ledger``, on SQLite and PostgreSQL: with
httpx (the exact paths and bodies of Daml's HTTP JSON API docs) and with Digital Asset's own @daml/ledger
client (``daml_client/users.test.js``, run by node)."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from ledger import samples
from ledger.engine.templates import MODULE
from ledger.testing import LedgerProcess
from tests.ledger.node_client import run_script
from tests.ledger.users_support import (
    OPERATOR,
    allocate,
    bearer,
    custom_token,
    ledger_fixture,
    user_token,
)

ADMIN = "participant_admin"


ledger = ledger_fixture("users-json")


@pytest.fixture
async def http(ledger: LedgerProcess) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=ledger.info.json_api, timeout=10) as client:
        yield client


@pytest.fixture
def uid() -> str:
    return uuid.uuid4().hex[:8]


async def call(
    http: httpx.AsyncClient, method: str, path: str, token: str, body: Any = None, status: int = 200
) -> Any:
    response = await http.request(method, path, json=body, headers=bearer(token))
    assert response.status_code == status, response.text
    envelope = response.json()
    assert envelope["status"] == status
    return envelope.get("result", envelope.get("errors"))


async def test_the_documented_endpoints(ledger: LedgerProcess, http: httpx.AsyncClient, uid: str) -> None:
    carol, alice, bob = f"Carol-{uid}", f"Alice-{uid}", f"Bob-{uid}"
    await allocate(ledger, carol, alice, bob)
    admin = user_token(ADMIN)
    user = f"carol-{uid}"
    rights = [
        {"type": "CanActAs", "party": carol},
        {"type": "CanReadAs", "party": alice},
        {"type": "CanReadAs", "party": bob},
        {"type": "ParticipantAdmin"},
    ]
    assert (
        await call(
            http, "POST", "/v1/user/create", admin, {"userId": user, "primaryParty": carol, "rights": rights}
        )
        == {}
    )
    await call(http, "POST", "/v1/user/create", admin, {"userId": user}, status=409)
    assert await call(http, "POST", "/v1/user", admin, {"userId": user}) == {
        "userId": user,
        "primaryParty": carol,
    }
    listed = await call(http, "GET", "/v1/users", admin)
    assert {"userId": user, "primaryParty": carol} in listed
    assert {ADMIN, OPERATOR} <= {u["userId"] for u in listed}
    assert sorted(
        map(json.dumps, await call(http, "POST", "/v1/user/rights", admin, {"userId": user}))
    ) == sorted(map(json.dumps, rights))
    # the user's own token: GET forms
    own = user_token(user)
    assert await call(http, "GET", "/v1/user", own) == {"userId": user, "primaryParty": carol}
    assert len(await call(http, "GET", "/v1/user/rights", own)) == 4

    revoked = await call(
        http,
        "POST",
        "/v1/user/rights/revoke",
        admin,
        {"userId": user, "rights": [{"type": "CanReadAs", "party": bob}, {"type": "ParticipantAdmin"}]},
    )
    assert revoked == [{"type": "CanReadAs", "party": bob}, {"type": "ParticipantAdmin"}] or sorted(
        map(json.dumps, revoked)
    ) == sorted(map(json.dumps, [{"type": "CanReadAs", "party": bob}, {"type": "ParticipantAdmin"}]))
    granted = await call(
        http,
        "POST",
        "/v1/user/rights/grant",
        admin,
        {
            "userId": user,
            "rights": [{"type": "CanReadAs", "party": bob}, {"type": "CanActAs", "party": carol}],
        },
    )
    assert granted == [{"type": "CanReadAs", "party": bob}]  # CanActAs carol was held already
    # no longer an admin: the user cannot list users any more (the change applies to the next request)
    await call(http, "GET", "/v1/users", own, status=403)

    assert await call(http, "POST", "/v1/user/delete", admin, {"userId": user}) == {}
    await call(http, "POST", "/v1/user", admin, {"userId": user}, status=404)
    await call(http, "POST", "/v1/user/delete", admin, {"userId": user}, status=404)
    await call(http, "POST", "/v1/user/rights/grant", admin, {"userId": user, "rights": []}, status=404)
    # malformed bodies
    await call(http, "POST", "/v1/user/create", admin, {"userId": "has spaces"}, status=400)
    await call(http, "POST", "/v1/user/create", admin, {"primaryParty": carol}, status=400)
    await call(
        http,
        "POST",
        "/v1/user/create",
        admin,
        {"userId": f"z-{uid}", "rights": [{"type": "CanActAs"}]},
        status=400,
    )
    await call(
        http,
        "POST",
        "/v1/user/create",
        admin,
        {"userId": f"z-{uid}", "rights": [{"type": "CanActAs", "party": f"Ghost-{uid}"}]},
        status=400,
    )


async def test_only_admins_manage_users(ledger: LedgerProcess, http: httpx.AsyncClient, uid: str) -> None:
    dave = f"Dave-{uid}"
    await allocate(ledger, dave)
    admin = user_token(ADMIN)
    user = f"dave-{uid}"
    await call(
        http,
        "POST",
        "/v1/user/create",
        admin,
        {"userId": user, "rights": [{"type": "CanActAs", "party": dave}]},
    )
    own = user_token(user)
    for method, path, body in [
        ("GET", "/v1/users", None),
        ("POST", "/v1/user/create", {"userId": f"e-{uid}"}),
        ("POST", "/v1/user/delete", {"userId": OPERATOR}),
        ("POST", "/v1/user", {"userId": OPERATOR}),
        ("POST", "/v1/user/rights", {"userId": OPERATOR}),
        ("POST", "/v1/user/rights/grant", {"userId": user, "rights": [{"type": "ParticipantAdmin"}]}),
        ("POST", "/v1/user/rights/revoke", {"userId": OPERATOR, "rights": [{"type": "ParticipantAdmin"}]}),
    ]:
        await call(http, method, path, own, body, status=403)
    # a 1.x token: admin manages, a party token does not
    await call(http, "GET", "/v1/users", custom_token(dave), status=403)
    assert user in {u["userId"] for u in await call(http, "GET", "/v1/users", custom_token(admin=True))}
    # the operator configured by LSO_LEDGER_AUTH_USERS is an admin
    assert user in {u["userId"] for u in await call(http, "GET", "/v1/users", user_token(OPERATOR))}
    # a 1.x party token still describes itself on GET /v1/user (a choice: Daml answers 401 there)
    assert (await call(http, "GET", "/v1/user", custom_token(dave)))["primaryParty"] == dave


@pytest.mark.parametrize("audience", [False, True])
async def test_a_token_of_an_unknown_user_is_refused(
    ledger: LedgerProcess, http: httpx.AsyncClient, uid: str, audience: bool
) -> None:
    stranger = user_token(f"mallory-{uid}", audience=audience)
    for method, path, body in [
        ("GET", "/v1/parties", None),
        ("GET", "/v1/packages", None),
        ("GET", f"/v1/packages/{ledger.info.package_id}", None),
        ("GET", "/v1/query", None),
        ("POST", "/v1/query", {"templateIds": [f"{MODULE}:CustomerOrder"]}),
        ("GET", "/v1/user", None),
        (
            "POST",
            "/v1/create",
            {"templateId": f"{MODULE}:CustomerOrder", "payload": samples.customer_order()},
        ),
    ]:
        response = await http.request(method, path, json=body, headers=bearer(stranger))
        assert response.status_code == 403, (path, response.text)
        assert response.json()["status"] == 403
        assert response.json()["errors"][0].startswith("PERMISSION_DENIED")
    # once the user exists it is served
    await call(http, "POST", "/v1/user/create", user_token(ADMIN), {"userId": f"mallory-{uid}"})
    assert await call(http, "GET", "/v1/packages", stranger)


async def test_rights_apply_to_the_next_request_and_survive_a_restart(
    ledger: LedgerProcess, http: httpx.AsyncClient, uid: str
) -> None:
    erin, frank = f"Erin-{uid}", f"Frank-{uid}"
    await allocate(ledger, erin, frank)
    admin = user_token(ADMIN)
    user = f"erin-{uid}"
    await call(http, "POST", "/v1/user/create", admin, {"userId": user, "primaryParty": erin})
    own = user_token(user)
    order = {
        "templateId": f"{MODULE}:CustomerOrder",
        "payload": samples.customer_order(f"o-{uid}", erin, frank),
    }
    await call(http, "POST", "/v1/create", own, order, status=403)
    await call(
        http,
        "POST",
        "/v1/user/rights/grant",
        admin,
        {"userId": user, "rights": [{"type": "CanActAs", "party": erin}]},
    )
    created = await call(http, "POST", "/v1/create", own, order)
    assert created["payload"]["customer"] == erin
    await ledger.astop()
    await ledger.astart()
    async with httpx.AsyncClient(base_url=ledger.info.json_api, timeout=10) as after:
        assert await call(after, "GET", "/v1/user", own) == {"userId": user, "primaryParty": erin}
        assert await call(after, "GET", "/v1/user/rights", own) == [{"type": "CanActAs", "party": erin}]
        found = await call(after, "POST", "/v1/query", own, {"templateIds": [f"{MODULE}:CustomerOrder"]})
        assert [c["contractId"] for c in found] == [created["contractId"]]


async def test_daml_ledger_client(ledger: LedgerProcess, uid: str) -> None:
    party, other = f"Gina-{uid}", f"Hank-{uid}"
    await allocate(ledger, party, other)
    user = f"gina-{uid}"
    env = {
        **os.environ,
        "LEDGER_URL": ledger.info.json_api + "/",
        "ADMIN_TOKEN": user_token(ADMIN),
        "USER_ID": user,
        "USER_TOKEN": user_token(user),
        "STRANGER_TOKEN": user_token(f"stranger-{uid}"),
        "PARTY": party,
        "OTHER": other,
    }
    result = await run_script("users.test.js", env)
    assert result.returncode == 0, result.tail()
    seen = result.json_lines()[-1]
    assert seen["createdByUser"] is True
    assert seen["stranger"] == {"parties": 403, "packages": 403, "user": 403}
    assert seen["afterDelete"] == 404 and seen["ownAfterDelete"] == 403
