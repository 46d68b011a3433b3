"""Who is who, from the store: a manufacturer user's agent (its agent_policies row), an order's parties."""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from uuid import UUID

from store.database import Database
from store.enums import PolicyKind

AGENT_TTL = 10.0
"""Seconds a manufacturer's agent JID is remembered."""


@dataclass(frozen=True, slots=True)
class Parties:
    customer_id: str
    manufacturer_id: str


class Directory:
    """Looks up agents and order parties; remembers order parties (they never change)."""

    def __init__(self, db: Database, *, remembered: int = 10_000) -> None:
        self.db = db
        self.remembered = remembered
        self._parties: OrderedDict[UUID, Parties] = OrderedDict()
        self._agents: dict[str, tuple[str, float]] = {}

    async def manufacturer_agent(self, manufacturer_id: str) -> str | None:
        """The bare JID of the manufacturer agent owned by the user ``manufacturer_id``, if any
        (remembered for ``AGENT_TTL`` seconds: every status notice asks)."""
        known = self._agents.get(manufacturer_id)
        if known is not None and known[1] > time.monotonic():
            return known[0]
        async with self.db.transaction(flush_acl_log=False) as repos:
            policies = await repos.policies.list_all(PolicyKind.MANUFACTURER)
        owned = sorted(p.agent_jid for p in policies if p.owner_user_id == manufacturer_id)
        jid = owned[0] if owned else None
        if jid is not None:
            self._agents[manufacturer_id] = (jid, time.monotonic() + AGENT_TTL)
        return jid

    async def parties(self, order_id: UUID) -> Parties | None:
        known = self._parties.get(order_id)
        if known is not None:
            return known
        async with self.db.transaction(flush_acl_log=False) as repos:
            record = await repos.orders.get(str(order_id))
        if record is None:
            return None
        return self.remember(order_id, Parties(record.customer_id, record.manufacturer_id))

    def parties_known(self, order_id: UUID) -> Parties | None:
        """The parties of an order remembered (placed or looked up by this process), without a query."""
        return self._parties.get(order_id)

    def remember(self, order_id: UUID, parties: Parties) -> Parties:
        self._parties[order_id] = parties
        while len(self._parties) > self.remembered:
            self._parties.popitem(last=False)
        return parties
