"""What `lso run` prepares before the XMPP server starts: the accounts of the agents it runs, in the account
book and the embedded server's database, and their bindings in the store (idempotently)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from agents.runtime.accounts.book import AccountBook
from cli.launcher import prepare_agents
from cli.roster import roster
from common.settings import Settings, XmppMode
from gateway.bridge.settings import BridgeSettings
from gateway.demo import seed_demo
from store.database import Database
from store.enums import AgentRole, PolicyKind, UserRole
from store.records import NewBinding, NewUser


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    opened = await Database.open(f"sqlite+aiosqlite:///{tmp_path / 'lso.db'}", migrate=True)
    yield opened
    await opened.close()


def _settings(tmp_path: Path, mode: XmppMode = XmppMode.EMBEDDED) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path / "data", xmpp_mode=mode, xmpp_domain="lso.test")


async def _bindings(db: Database) -> set[tuple[str, AgentRole, str, str]]:
    async with db.transaction() as repos:
        return {(b.jid, b.role, b.party_id, b.created_by) for b in await repos.bindings.list_all()}


async def test_lso_run_creates_and_binds_every_agent_it_runs(tmp_path: Path, db: Database) -> None:
    settings = _settings(tmp_path)
    demo = await seed_demo(db, xmpp_domain=settings.xmpp_domain)
    await prepare_agents(settings, db, actor="lso run", agents=True, gateway=True)

    book = AccountBook.of(settings)
    nodes = {"ping", "matchmaker", "suppliers", "manufacturer", "customers", "console"}
    assert set(book.accounts()) == nodes
    expected = {
        ("ping@lso.test", AgentRole.PLATFORM, "ping"),
        ("matchmaker@lso.test", AgentRole.PLATFORM, "matchmaker"),
        ("suppliers@lso.test", AgentRole.PLATFORM, "suppliers"),
        ("suppliers@lso.test", AgentRole.SUPPLIER, "*"),
        ("manufacturer@lso.test", AgentRole.MANUFACTURER, demo.manufacturer_id),
        ("customers@lso.test", AgentRole.CUSTOMER, "*"),
        ("console@lso.test", AgentRole.PLATFORM, "console"),
    }
    assert await _bindings(db) == {(*binding, "lso run") for binding in expected}

    passwords = book.accounts()
    await prepare_agents(settings, db, actor="lso run", agents=True, gateway=True)
    assert book.accounts() == passwords, "a restart keeps the passwords"
    assert len(await _bindings(db)) == len(expected), "and binds nothing twice"


async def test_agents_run_and_gateway_serve_prepare_only_their_own(tmp_path: Path, db: Database) -> None:
    settings = _settings(tmp_path, XmppMode.EXTERNAL)
    await prepare_agents(settings, db, actor="lso gateway serve", agents=False, gateway=True)
    assert set(AccountBook.of(settings).accounts()) == {"customers", "console"}
    assert {b[0] for b in await _bindings(db)} == {"customers@lso.test", "console@lso.test"}
    assert not (settings.data_dir / "xmpp").exists(), "an external server's accounts are its admin's"

    await prepare_agents(settings, db, actor="lso agents run", agents=True, gateway=False)
    created_by = {b[0]: b[3] for b in await _bindings(db)}
    assert created_by["ping@lso.test"] == "lso agents run"
    assert created_by["console@lso.test"] == "lso gateway serve"


async def test_only_manufacturer_policies_of_manufacturers_in_the_domain_get_an_agent(
    tmp_path: Path, db: Database
) -> None:
    settings = _settings(tmp_path)
    async with db.transaction() as repos:
        maker = await repos.users.add(
            NewUser(email="m@x.org", display_name="M", role=UserRole.MANUFACTURER, password_hash="x")
        )
        buyer = await repos.users.add(
            NewUser(email="c@x.org", display_name="C", role=UserRole.CUSTOMER, password_hash="x")
        )
        put = repos.policies.put
        await put("Acme@LSO.test", PolicyKind.MANUFACTURER, {}, owner_user_id=maker.id)
        await put("contract@lso.test", PolicyKind.MANUFACTURER, {}, owner_user_id=maker.id)
        await put("console@lso.test", PolicyKind.MANUFACTURER, {}, owner_user_id=maker.id)
        await put("far@elsewhere.example", PolicyKind.MANUFACTURER, {}, owner_user_id=maker.id)
        await put("by-customer@lso.test", PolicyKind.MANUFACTURER, {}, owner_user_id=buyer.id)
        await put("nobodys@lso.test", PolicyKind.MANUFACTURER, {})
        await put("supplier@lso.test", PolicyKind.SUPPLIER, {}, owner_user_id=maker.id)
    planned = await roster(settings, db, bridge=BridgeSettings(_env_file=None))
    manufacturers = [a for a in planned if any(b.role is AgentRole.MANUFACTURER for b in a.bindings)]
    assert [(a.jid, a.bindings[0].party_id) for a in manufacturers] == [("acme@lso.test", maker.id)]
    assert "manufacturer@lso.test" in {a.jid for a in planned}, "the demo's, seeded by lso run"


async def test_a_manufacturer_agent_bound_to_another_manufacturer_is_reported(
    tmp_path: Path, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    settings = _settings(tmp_path)
    demo = await seed_demo(db, xmpp_domain=settings.xmpp_domain)
    async with db.transaction() as repos:
        other = await repos.users.add(
            NewUser(email="o@x.org", display_name="O", role=UserRole.MANUFACTURER, password_hash="x")
        )
        await repos.bindings.bind(
            NewBinding(
                jid=demo.manufacturer_jid, role=AgentRole.MANUFACTURER, party_id=other.id, created_by="t"
            )
        )
    await prepare_agents(settings, db, actor="lso run", agents=True, gateway=False)
    assert f"is also bound as the manufacturer {other.id}" in caplog.text
