"""A database handle for the applications: engine, session factory and transactions over repositories."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from store.db import create_engine, session_factory, unit_of_work
from store.repositories import Repositories
from store.transitions import TransitionRule


class Database:
    def __init__(self, engine: AsyncEngine, *, order_rule: TransitionRule | None = None) -> None:
        self.engine = engine
        self.sessionmaker: async_sessionmaker[AsyncSession] = session_factory(engine)
        self.order_rule = order_rule

    @classmethod
    async def open(cls, url: str | None = None, *, migrate: bool = False, **engine_kwargs: Any) -> Database:
        """Connect to ``url`` (default: the settings' database); ``migrate`` upgrades the schema first."""
        if url is None:
            from core.settings import get_settings

            url = get_settings().resolved_database_url
        if migrate:
            from store.migrate import upgrade

            await upgrade(url)
        return cls(create_engine(url, **engine_kwargs))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Repositories]:
        """All repositories over one transaction: committed when the block ends, rolled back if it raises."""
        async with unit_of_work(self.sessionmaker) as session:
            yield Repositories(session, self.order_rule)

    async def close(self) -> None:
        await self.engine.dispose()
