"""The REST gateway for the mobile app (FastAPI)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.middleware.gzip import GZipMiddleware

from gateway.api.routes import (
    auth,
    clients,
    health,
    me,
    negotiation,
    notifications,
    oauth,
    order_actions,
    orders,
    policy,
    products,
    uploads,
)
from gateway.bridge.base import AgentBridge
from gateway.core.config import GatewaySettings
from gateway.core.login import LoginThrottle, ThrottlePolicy
from gateway.core.signing_key import signing_key
from gateway.core.tokens import TokenService
from gateway.core.wiring import GatewaySecurity, install_api_quality
from gateway.webapp import install_webapp
from store.database import Database
from store.engine import create_engine

COMPRESS_FROM_BYTES = 1000
"""Responses smaller than this go uncompressed (gzip would save next to nothing on them)."""
COMPRESS_LEVEL = 6
"""zlib's default level: about the size of level 9 at a fraction of its CPU."""


def create_app(
    database_url: str,
    engine: AsyncEngine | None = None,
    *,
    settings: GatewaySettings | None = None,
    data_dir: Path = Path("var"),
    bridge: AgentBridge | None = None,
) -> FastAPI:
    """The gateway over the database at ``database_url``; ``bridge`` connects it to the agents."""
    owned = engine is None
    app_engine = engine or create_engine(database_url)
    config = settings or GatewaySettings()
    tokens = TokenService(signing_key(config, data_dir), timedelta(days=config.token_lifetime_days))
    db = Database(app_engine)
    security = GatewaySecurity(db, tokens, config)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await security.aclose()
            if owned:
                await app_engine.dispose()

    app = FastAPI(
        title="Lot-size-one platform gateway",
        version="0.1.0",
        description="REST gateway between the mobile app and the negotiating agents.",
        lifespan=lifespan,
    )
    app.state.engine = app_engine
    app.state.db = db
    app.state.settings = config
    app.state.tokens = tokens
    app.state.authenticator = security.authenticator
    app.state.login_throttle = LoginThrottle(ThrottlePolicy.of(config))
    app.state.bridge = bridge
    app.include_router(health.router)
    app.include_router(auth.router)
    app.include_router(oauth.router)
    app.include_router(clients.router)
    app.include_router(me.router)
    app.include_router(notifications.router)
    app.include_router(products.router)
    app.include_router(orders.router)
    app.include_router(order_actions.router)
    app.include_router(negotiation.router)
    app.include_router(policy.router)
    app.include_router(uploads.router)
    install_webapp(app, config.webapp_dir)
    # innermost: gzip for JSON and the app's files (Vary: Accept-Encoding); never for text/event-stream,
    # which Starlette excludes so that push events are not held back in the compressor
    app.add_middleware(GZipMiddleware, minimum_size=COMPRESS_FROM_BYTES, compresslevel=COMPRESS_LEVEL)
    install_api_quality(app, config)
    return app
