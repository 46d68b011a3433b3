"""Accounts and bindings for the tests, made the way an admin makes them (never registered in-band).

Each test XMPP server registers how an account is created on it (:func:`register_server`);
:func:`create_account` puts the password in the test data directory's account book and creates the account on
the server ``settings`` point at; :func:`started` does that for an agent and starts it. :func:`bind` writes a
binding (which party a JID may act for) into the store an agent reads its directory from.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from agents.runtime.accounts.book import AccountBook, node_of
from agents.runtime.platform_agent import PlatformAgent
from common.settings import Settings
from store.database import Database
from store.enums import ANY_PARTY, AgentRole
from store.records import NewBinding

CreateAccount = Callable[[str, str], Awaitable[None]]
A = TypeVar("A", bound=PlatformAgent)

_servers: dict[tuple[str, int], CreateAccount] = {}
_databases: dict[str, Database] = {}
_lock = asyncio.Lock()


def register_server(settings: Settings, create: CreateAccount) -> None:
    _servers[(settings.xmpp_host, settings.xmpp_port)] = create


async def create_account(settings: Settings, name: str) -> str:
    """Create account ``name`` on the server of ``settings`` (its password in the book); the password."""
    node = node_of(name, settings.xmpp_domain)
    password, _ = AccountBook.of(settings).create(node, actor="tests")
    create = _servers.get((settings.xmpp_host, settings.xmpp_port))
    if create is None:
        raise LookupError(f"no test XMPP server on {settings.xmpp_host}:{settings.xmpp_port} registered")
    await create(node, password)
    return password


async def started(
    agent: A,
    *,
    role: AgentRole | None = AgentRole.PLATFORM,
    party: str | None = None,
    db: Database | None = None,
) -> A:
    """Create ``agent``'s account, bind it (default: a platform service named after its node) in the store it
    reads (``db``, else the store of its settings), and start it."""
    await create_account(agent.settings, agent.address)
    if role is not None:
        await bind(db or agent.settings, agent.address, role, party or _default_party(agent, role))
    await agent.start()
    return agent


def _default_party(agent: PlatformAgent, role: AgentRole) -> str:
    return str(agent.jid.node) if role is AgentRole.PLATFORM else ANY_PARTY


async def store_of(settings: Settings) -> Database:
    """The (migrated) store of ``settings``, opened once per test session."""
    url = settings.resolved_database_url
    async with _lock:
        db = _databases.get(url)
        if db is None:
            await asyncio.to_thread(settings.data_dir.mkdir, parents=True, exist_ok=True)
            db = _databases[url] = await Database.open(url, migrate=True)
    return db


async def bind(target: Settings | Database, jid: str, role: AgentRole, party: str = ANY_PARTY) -> None:
    """Bind ``jid`` to ``party`` in ``role`` in ``target`` (a store, or the store of some settings)."""
    db = target if isinstance(target, Database) else await store_of(target)
    async with db.transaction() as repos:
        await repos.bindings.bind(NewBinding(jid=jid, role=role, party_id=party, created_by="tests"))


async def close_stores() -> None:
    for db in _databases.values():
        await db.close()
    _databases.clear()
