"""`lso agents bind | unbind | bindings`: the store's bindings, edited by the admin, parties checked."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from store.database import Database
from store.enums import AgentRole, UserRole
from store.records import BindingRecord, NewUser
from tests.cli.conftest import Lso


async def _users(url: str) -> dict[str, str]:
    db = await Database.open(url, migrate=True)
    try:
        async with db.transaction() as repos:
            ids = {}
            for role in (UserRole.MANUFACTURER, UserRole.CUSTOMER):
                user = await repos.users.add(
                    NewUser(email=f"{role}@x.org", display_name=str(role), role=role, password_hash="x")
                )
                ids[str(role)] = user.id
            return ids
    finally:
        await db.close()


async def _bindings(url: str) -> list[BindingRecord]:
    db = await Database.open(url)
    try:
        async with db.transaction() as repos:
            return await repos.bindings.list_all()
    finally:
        await db.close()


@pytest.fixture
def store(lso_env: dict[str, str]) -> str:
    data = Path(lso_env["LSO_DATA_DIR"])
    data.mkdir(parents=True)
    return f"sqlite+aiosqlite:///{data / 'lso.db'}"


@pytest.fixture
def users(store: str) -> dict[str, str]:
    return asyncio.run(_users(store))


def test_bind_a_manufacturers_agent_then_list_and_unbind(lso: Lso, store: str, users: dict[str, str]) -> None:
    maker = users["manufacturer"]
    bound = lso("agents", "bind", "Acme@LocalHost/desk", "--role", "manufacturer", "--party", maker)
    assert bound.stdout.strip() == f"bound acme@localhost as manufacturer for {maker}"
    again = lso("agents", "bind", "acme@localhost", "--role", "manufacturer", "--party", maker, "--note", "x")
    assert "was bound as manufacturer" in again.stdout and "already" in again.stdout
    [record] = asyncio.run(_bindings(store))
    assert (record.jid, record.role, record.party_id) == ("acme@localhost", AgentRole.MANUFACTURER, maker)
    assert record.created_by.startswith("lso agents bind (by ")

    lso("agents", "bind", "shop", "--role", "customer", "--party", "*", "--note", "a shop front")
    listed = lso("agents", "bindings").stdout.splitlines()
    assert listed[0].split() == ["JID", "ROLE", "PARTY", "CREATED", "BY", "NOTE"]
    assert any(line.startswith("acme@localhost") and maker in line for line in listed)
    assert any(line.startswith("shop@localhost") and line.endswith("a shop front") for line in listed)
    only = lso("agents", "bindings", "--role", "customer").stdout
    assert "shop@localhost" in only and "acme@localhost" not in only

    none = lso("agents", "unbind", "acme@localhost", "--role", "customer")
    assert "no binding of acme@localhost as customer" in none.stdout
    gone = lso("agents", "unbind", "acme@localhost", "--party", maker)
    assert gone.stdout.strip() == f"removed 1 binding of acme@localhost for {maker}"
    assert [r.jid for r in asyncio.run(_bindings(store))] == ["shop@localhost"]
    lso("agents", "unbind", "shop@localhost")
    assert lso("agents", "bindings").stdout.strip() == "no bindings"


@pytest.mark.parametrize(
    ("role", "party", "why"),
    [
        ("manufacturer", "no-such-user", "there is no user"),
        ("manufacturer", "customer", "is a customer, not a manufacturer"),
        ("customer", "manufacturer", "is a manufacturer, not a customer"),
        ("manufacturer", "*", "never '*'"),
        ("platform", "*", "never '*'"),
    ],
)
def test_a_party_that_cannot_hold_the_binding_is_refused(
    lso: Lso, store: str, users: dict[str, str], role: str, party: str, why: str
) -> None:
    refused = lso(
        "agents", "bind", "acme@localhost", "--role", role, "--party", users.get(party, party), ok=False
    )
    assert refused.exit_code == 1
    assert why in refused.stderr
    assert asyncio.run(_bindings(store)) == []


def test_customers_suppliers_and_platform_services(lso: Lso, store: str, users: dict[str, str]) -> None:
    lso("agents", "bind", "carla@localhost", "--role", "customer", "--party", users["customer"])
    lso("agents", "bind", "proxies@localhost", "--role", "supplier", "--party", "*")
    lso("agents", "bind", "proxies@localhost", "--role", "supplier", "--party", "sup-0001")
    lso("agents", "bind", "audit@localhost", "--role", "platform", "--party", "audit")
    found = {(r.jid, r.role, r.party_id) for r in asyncio.run(_bindings(store))}
    assert found == {
        ("carla@localhost", AgentRole.CUSTOMER, users["customer"]),
        ("proxies@localhost", AgentRole.SUPPLIER, "*"),
        ("proxies@localhost", AgentRole.SUPPLIER, "sup-0001"),
        ("audit@localhost", AgentRole.PLATFORM, "audit"),
    }


def test_an_unknown_role_or_a_bad_jid_is_a_usage_error(lso: Lso, store: str) -> None:
    assert lso("agents", "bind", "a@localhost", "--role", "admin", "--party", "x", ok=False).exit_code == 2
    assert lso("agents", "bind", "@localhost", "--role", "platform", "--party", "x", ok=False).exit_code == 2
