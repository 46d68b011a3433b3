"""Who may act for whom: the store's bindings of XMPP accounts to parties, as the agents ask for them.

Identity comes from the transport, authority from the store. An agent believes only the bare JID the XMPP
server stamped on a message (or its own container, for an agent in the same process); what that JID may do is
what its bindings (:class:`~store.models.bindings.AgentBindingRow`) say, never what the message claims. A
binding gives a role (:class:`~store.enums.AgentRole`) and the party the JID acts for in it: a manufacturer
user's id, a customer user's id or ``*`` (the gateway's bridge agent acts for every app customer), a supplier
id or ``*`` (a proxy host), a platform service's name (``ping``, ``matchmaker``, ``contract``, ...).

:class:`StoreDirectory` reads the store and remembers each answer for ``ttl`` seconds (a binding removed
stops working within that time); :class:`StaticDirectory` holds a fixed list, for a simulation whose scenario
is the authority, and for tests of an agent alone. A directory that cannot read the store denies (fails
closed) and logs why.
"""

from __future__ import annotations

import abc
import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from store.database import Database
from store.enums import ANY_PARTY, AgentRole
from store.records.bindings import normalise_jid

log = logging.getLogger(__name__)

DEFAULT_TTL = 5.0
"""Seconds an answer of the store is remembered."""
REMEMBERED = 10_000
"""JIDs whose answer is remembered at most (the least recently asked are forgotten first)."""


class Binding(BaseModel):
    model_config = ConfigDict(frozen=True)

    jid: str
    role: AgentRole
    party_id: str

    def covers(self, role: AgentRole, party_id: str | None) -> bool:
        """Whether this binding lets its JID act in ``role`` for ``party_id`` (any party when None)."""
        if self.role is not role:
            return False
        return party_id is None or self.party_id in (party_id, ANY_PARTY)


class AgentDirectory(abc.ABC):
    """Answers "what may this JID act as?"."""

    @abc.abstractmethod
    async def bindings(self, jid: str) -> tuple[Binding, ...]:
        """Every binding of ``jid`` (bare or full); empty for an account the platform does not know."""

    def known(self, jid: str) -> bool | None:
        """Without waiting: whether ``jid`` had a binding when last asked (possibly longer ago than the TTL:
        good enough to pick a rate limit, never to authorise), else None."""
        return None

    def fresh(self, jid: str) -> bool:
        """Whether what :meth:`known` says of ``jid`` is within its TTL."""
        return True

    async def may_act_as(self, jid: str, role: AgentRole, party_id: str | None = None) -> bool:
        """Whether ``jid`` may act in ``role`` for ``party_id`` (for some party of that role when None)."""
        return any(b.covers(role, party_id) for b in await self.bindings(jid))

    async def acts_for_exactly(self, jid: str, role: AgentRole, party_id: str) -> bool:
        """Whether ``jid`` is bound to ``party_id`` itself in ``role`` (a ``*`` binding does not count)."""
        return any(b.role is role and b.party_id == party_id for b in await self.bindings(jid))

    async def is_bound(self, jid: str, roles: Iterable[AgentRole] | None = None) -> bool:
        """Whether ``jid`` has a binding (of one of ``roles`` when given)."""
        wanted = None if roles is None else set(roles)
        return any(wanted is None or b.role in wanted for b in await self.bindings(jid))


class StaticDirectory(AgentDirectory):
    """A fixed set of bindings (a simulation's scenario, a test)."""

    def __init__(self, bindings: Iterable[Binding | tuple[str, AgentRole, str]] = ()) -> None:
        self._by_jid: dict[str, tuple[Binding, ...]] = {}
        for item in bindings:
            self.add(
                item if isinstance(item, Binding) else Binding(jid=item[0], role=item[1], party_id=item[2])
            )

    def add(self, binding: Binding) -> None:
        jid = normalise_jid(binding.jid)
        binding = binding.model_copy(update={"jid": jid})
        self._by_jid[jid] = (*self._by_jid.get(jid, ()), binding)

    def bind(self, jid: str, role: AgentRole, party_id: str) -> None:
        self.add(Binding(jid=jid, role=role, party_id=party_id))

    async def bindings(self, jid: str) -> tuple[Binding, ...]:
        return self._by_jid.get(normalise_jid(jid), ())

    def known(self, jid: str) -> bool | None:
        return normalise_jid(jid) in self._by_jid


class StoreDirectory(AgentDirectory):
    """The store's bindings, each JID's remembered for ``ttl`` seconds."""

    def __init__(self, db: Database, *, ttl: float = DEFAULT_TTL, remembered: int = REMEMBERED) -> None:
        self.db = db
        self.ttl = ttl
        self.remembered = remembered
        self._cache: OrderedDict[str, tuple[float, tuple[Binding, ...]]] = OrderedDict()
        self._asking: dict[str, asyncio.Future[tuple[Binding, ...]]] = {}

    async def bindings(self, jid: str) -> tuple[Binding, ...]:
        key = normalise_jid(jid)
        cached = self._cache.get(key)
        if cached is not None and cached[0] > time.monotonic():
            self._cache.move_to_end(key)
            return cached[1]
        # One query per JID at a time: a burst of messages from one sender waits for the same answer
        # instead of queueing a query each (which would exhaust the store's connections).
        asking = self._asking.get(key)
        if asking is None:
            asking = self._asking[key] = asyncio.ensure_future(self._read(key))
            asking.add_done_callback(lambda _: self._asking.pop(key, None))
        return await asyncio.shield(asking)

    async def _read(self, key: str) -> tuple[Binding, ...]:
        try:
            async with self.db.transaction(flush_acl_log=False) as repos:
                records = await repos.bindings.of(key)
        except Exception:
            log.exception("cannot read the bindings of %s from the store: treated as unknown", key)
            return ()
        found = tuple(Binding(jid=r.jid, role=r.role, party_id=r.party_id) for r in records)
        self._cache[key] = (time.monotonic() + self.ttl, found)
        self._cache.move_to_end(key)
        while len(self._cache) > self.remembered:
            self._cache.popitem(last=False)
        return found

    def known(self, jid: str) -> bool | None:
        cached = self._cache.get(normalise_jid(jid))
        return None if cached is None else bool(cached[1])

    def fresh(self, jid: str) -> bool:
        cached = self._cache.get(normalise_jid(jid))
        return cached is not None and cached[0] > time.monotonic()

    def forget(self, jid: str | None = None) -> None:
        """Drop what is remembered (of ``jid``, or of everyone)."""
        if jid is None:
            self._cache.clear()
        else:
            self._cache.pop(normalise_jid(jid), None)
