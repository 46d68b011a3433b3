"""The gateway reports its health and the state of its database."""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy.ext.asyncio import create_async_engine

from gateway.app import create_app


async def test_health_ok_with_a_reachable_database(tmp_path: Path) -> None:
    app = create_app(f"sqlite+aiosqlite:///{tmp_path / 'g.db'}", data_dir=tmp_path)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_health_degraded_when_the_database_is_unreachable(tmp_path: Path) -> None:
    engine = create_async_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    app = create_app("unused", engine=engine, data_dir=tmp_path)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            response = await client.get("/health")
    await engine.dispose()
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"].startswith("unavailable")
