"""Agent bindings: which party an XMPP account may act for (on SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from store import Database, migrate
from store.engine import create_engine
from store.enums import ANY_PARTY, AgentRole, PolicyKind
from store.records import NewBinding
from tests.store.conftest import Backend, Parties


def _new(jid: str, role: AgentRole, party: str, **more: str) -> NewBinding:
    return NewBinding(jid=jid, role=role, party_id=party, created_by="tests", **more)


async def test_bind_is_idempotent(db: Database, parties: Parties) -> None:
    maker = parties.manufacturer.id
    async with db.transaction() as repos:
        first, created = await repos.bindings.bind(_new("bikes@localhost", AgentRole.MANUFACTURER, maker))
        again, created_again = await repos.bindings.bind(
            _new("bikes@localhost", AgentRole.MANUFACTURER, maker, note="second time")
        )
    assert created and not created_again
    assert again == first, "the first binding stays as it was"
    assert (first.jid, first.role, first.party_id, first.created_by) == (
        "bikes@localhost",
        AgentRole.MANUFACTURER,
        maker,
        "tests",
    )
    assert first.created_at.tzinfo is not None
    async with db.transaction() as repos:
        assert await repos.bindings.list_all() == [first]


async def test_of_list_and_unbind(db: Database, parties: Parties) -> None:
    async with db.transaction() as repos:
        for new in (
            _new("suppliers@localhost", AgentRole.PLATFORM, "suppliers"),
            _new("suppliers@localhost", AgentRole.SUPPLIER, ANY_PARTY),
            _new("suppliers@localhost", AgentRole.SUPPLIER, "sup-1"),
            _new("customers@localhost", AgentRole.CUSTOMER, ANY_PARTY),
            _new("carla@localhost", AgentRole.CUSTOMER, parties.customer.id),
        ):
            await repos.bindings.bind(new)
    async with db.transaction() as repos:
        of = await repos.bindings.of("suppliers@localhost/sup-1")
        customers = await repos.bindings.list_all(AgentRole.CUSTOMER)
        everything = await repos.bindings.list_all()
        nobody = await repos.bindings.of("nobody@localhost")
    assert [(b.role, b.party_id) for b in of] == [
        (AgentRole.PLATFORM, "suppliers"),
        (AgentRole.SUPPLIER, ANY_PARTY),
        (AgentRole.SUPPLIER, "sup-1"),
    ]
    assert [b.jid for b in customers] == ["carla@localhost", "customers@localhost"]
    assert len(everything) == 5 and nobody == []

    async with db.transaction() as repos:
        assert await repos.bindings.unbind("suppliers@localhost", AgentRole.SUPPLIER, "sup-1") == 1
        assert await repos.bindings.unbind("suppliers@localhost", AgentRole.CUSTOMER) == 0
        assert await repos.bindings.unbind("SUPPLIERS@localhost/x", party_id=ANY_PARTY) == 1
        assert [b.party_id for b in await repos.bindings.of("suppliers@localhost")] == ["suppliers"]
        assert await repos.bindings.unbind("carla@localhost") == 1
        assert await repos.bindings.unbind("carla@localhost") == 0
        left = [b.jid for b in await repos.bindings.list_all()]
    assert left == ["customers@localhost", "suppliers@localhost"]


async def test_the_jid_is_stored_bare_and_lower_case(db: Database) -> None:
    async with db.transaction() as repos:
        record, _ = await repos.bindings.bind(_new(" Ping@LocalHost/res ", AgentRole.PLATFORM, "ping"))
        _, created = await repos.bindings.bind(_new("ping@localhost", AgentRole.PLATFORM, "ping"))
        found = await repos.bindings.of("PING@localhost/other")
    assert record.jid == "ping@localhost"
    assert not created
    assert found == [record]


@pytest.mark.parametrize("jid", ["ping", "@localhost", "ping@", "", "  "])
def test_a_binding_names_a_jid(jid: str) -> None:
    with pytest.raises(ValidationError):
        _new(jid, AgentRole.PLATFORM, "ping")


def test_a_binding_names_a_known_role_and_a_party() -> None:
    with pytest.raises(ValidationError):
        NewBinding.model_validate({"jid": "a@b", "role": "admin", "party_id": "x", "created_by": "t"})
    with pytest.raises(ValidationError):
        _new("a@b", AgentRole.PLATFORM, "")


async def test_the_database_refuses_an_unknown_role(db: Database) -> None:
    with pytest.raises(IntegrityError):
        async with db.engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO agent_bindings (jid, role, party_id, created_at, created_by, note) "
                    "VALUES ('a@b', 'admin', 'x', CURRENT_TIMESTAMP, 't', '')"
                )
            )
    async with db.transaction() as repos:
        assert await repos.bindings.list_all() == []


async def test_the_database_refuses_the_same_binding_twice(db: Database) -> None:
    insert = text(
        "INSERT INTO agent_bindings (jid, role, party_id, created_at, created_by, note) "
        "VALUES ('a@b', 'platform', 'x', CURRENT_TIMESTAMP, 't', '')"
    )
    async with db.engine.begin() as connection:
        await connection.execute(insert)
    with pytest.raises(IntegrityError):
        async with db.engine.begin() as connection:
            await connection.execute(insert)


async def test_upgrading_to_0003_binds_the_owners_of_manufacturer_policies(backend: Backend) -> None:
    url = await backend.create_empty()
    await migrate.upgrade(url, "0002")
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            for user, role in (("maker-1", "manufacturer"), ("buyer-1", "customer")):
                await connection.execute(
                    text(
                        "INSERT INTO users (id, email, display_name, role, password_hash, created_at) "
                        "VALUES (:id, :email, :id, :role, 'x', CURRENT_TIMESTAMP)"
                    ),
                    {"id": user, "email": f"{user}@x.org", "role": role},
                )
            for jid, kind, owner in (
                ("Bikes@LocalHost", PolicyKind.MANUFACTURER, "maker-1"),
                ("orphan@localhost", PolicyKind.MANUFACTURER, None),
                ("supplier@localhost", PolicyKind.SUPPLIER, "maker-1"),
            ):
                await connection.execute(
                    text(
                        "INSERT INTO agent_policies "
                        "(agent_jid, owner_user_id, kind, policy, version, updated_at) "
                        "VALUES (:jid, :owner, :kind, '{}', 1, CURRENT_TIMESTAMP)"
                    ),
                    {"jid": jid, "owner": owner, "kind": str(kind)},
                )
    finally:
        await engine.dispose()
    await migrate.upgrade(url)
    db = Database(create_engine(url))
    try:
        async with db.transaction() as repos:
            bound = await repos.bindings.list_all()
    finally:
        await db.close()
    assert [(b.jid, b.role, b.party_id, b.created_by) for b in bound] == [
        ("bikes@localhost", AgentRole.MANUFACTURER, "maker-1", "migration 0003")
    ]
