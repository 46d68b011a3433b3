"""The REST gateway for the mobile app (FastAPI). Later issues add its resources."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.api.routes import health
from store.db import create_engine


def create_app(database_url: str, engine: AsyncEngine | None = None) -> FastAPI:
    owned = engine is None
    app_engine = engine or create_engine(database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = app_engine
        try:
            yield
        finally:
            if owned:
                await app_engine.dispose()

    app = FastAPI(
        title="Lot-size-one platform gateway",
        version="0.1.0",
        description="REST gateway between the mobile app and the negotiating agents.",
        lifespan=lifespan,
    )
    app.include_router(health.router)
    return app
