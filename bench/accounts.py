"""The benchmarks' XMPP accounts and bindings, made the way the platform's admin makes them.

No agent of a benchmark registers itself: each account is created on the server (its own random password in
the account book of the run's data directory, where agents, in this process or a child, read it), and what
each agent acts for is bound in the store the agents read their directories from.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from agents.runtime.prosody import ProsodyServer
from store.database import Database
from store.enums import AgentRole
from store.records import NewBinding

ACTOR = "bench"

Binding = tuple[str, AgentRole, str]
"""A JID, the role it acts in and the party it acts for."""


class ProsodyAccounts:
    """A :class:`ProsodyServer`'s accounts (``prosodyctl``), as an :class:`AccountServer`."""

    def __init__(self, server: ProsodyServer) -> None:
        self.server = server

    async def create_account(self, node: str, password: str) -> None:
        await asyncio.to_thread(self.server.create_account, node, password)

    async def remove_account(self, node: str) -> None:
        await asyncio.to_thread(self.server.remove_account, node)


async def bind(db: Database, bindings: Iterable[Binding]) -> None:
    async with db.transaction() as repos:
        for jid, role, party in bindings:
            await repos.bindings.bind(NewBinding(jid=jid, role=role, party_id=party, created_by=ACTOR))


async def bind_at(url: str, bindings: Iterable[Binding]) -> None:
    """Bind in the (migrated) store at ``url``."""
    db = await Database.open(url)
    try:
        await bind(db, bindings)
    finally:
        await db.close()
