"""A database handle for the applications: engine, session factory and transactions over repositories."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from store.engine import create_engine, session_factory, unit_of_work
from store.records import NewAclMessage
from store.repositories import Repositories
from store.transitions import TransitionRule

log = logging.getLogger(__name__)


class Database:
    def __init__(self, engine: AsyncEngine, *, order_rule: TransitionRule | None = None) -> None:
        self.engine = engine
        self.sessionmaker: async_sessionmaker[AsyncSession] = session_factory(engine)
        self.order_rule = order_rule
        self._deferred_acl: list[NewAclMessage] = []
        self._acl_lock: asyncio.Lock | None = None

    @classmethod
    async def open(cls, url: str | None = None, *, migrate: bool = False, **engine_kwargs: Any) -> Database:
        """Connect to ``url`` (default: the settings' database); ``migrate`` upgrades the schema first."""
        if url is None:
            from common.settings import get_settings

            url = get_settings().resolved_database_url
        if migrate:
            from store.migrate import upgrade

            await upgrade(url)
        return cls(create_engine(url, **engine_kwargs))

    @asynccontextmanager
    async def transaction(self, *, flush_acl_log: bool = True) -> AsyncIterator[Repositories]:
        """All repositories over one transaction: committed when the block ends, rolled back if it raises.

        ACL messages logged with :meth:`log_acl_later` are written first (in their own transaction), so
        the transaction sees them; ``flush_acl_log=False`` leaves them queued (for writers that do not
        read the ACL log and flush it soon anyway)."""
        if flush_acl_log and self._deferred_acl:
            await self.flush_acl_log()
        async with unit_of_work(self.sessionmaker) as session:
            yield Repositories(session, self.order_rule)

    @asynccontextmanager
    async def reader(self) -> AsyncIterator[AsyncConnection]:
        """A bare connection for a read of one statement, which needs no transaction of its own:
        rolled back when the block ends, which is all the pool needs too, where a :meth:`transaction`
        commits and the pool then resets its connection (one round trip less); not for writes."""
        async with self.engine.connect() as connection:
            yield connection

    # ----------------------------------------------------------------- write-behind ACL log

    def log_acl_later(self, message: NewAclMessage) -> None:
        """Queue ``message`` for the ACL log; written by the next :meth:`flush_acl_log`, before the next
        :meth:`transaction` and on :meth:`close` (the caller flushes soon, e.g. within a few ms).

        Many messages then cost one transaction, not one each."""
        self._deferred_acl.append(message)

    @property
    def acl_pending(self) -> int:
        """ACL messages queued by :meth:`log_acl_later` and not written yet."""
        return len(self._deferred_acl)

    async def flush_acl_log(self) -> None:
        """Write every queued ACL message, in the order queued: one transaction for all of them; when
        that fails, one each (a message that cannot be logged is reported and dropped, never raised)."""
        if self._acl_lock is None:
            self._acl_lock = asyncio.Lock()
        async with self._acl_lock:
            while self._deferred_acl:
                batch, self._deferred_acl = self._deferred_acl, []
                try:
                    await self._write_acl(batch)
                except BaseException:
                    self._deferred_acl[:0] = batch  # cancelled: write it again (logging is idempotent)
                    raise

    async def _write_acl(self, batch: list[NewAclMessage]) -> None:
        try:
            async with unit_of_work(self.sessionmaker) as session:
                await Repositories(session, self.order_rule).acl.log_many(batch)
            return
        except Exception:
            if len(batch) == 1:
                log.exception("could not log a %s message", batch[0].performative)
                return
        for message in batch:
            try:
                async with unit_of_work(self.sessionmaker) as session:
                    await Repositories(session, self.order_rule).acl.log_many([message])
            except Exception:
                log.exception("could not log a %s message", message.performative)

    async def close(self) -> None:
        try:
            if self._deferred_acl:
                await self.flush_acl_log()
        finally:
            await self.engine.dispose()
