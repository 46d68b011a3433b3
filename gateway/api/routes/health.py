"""Liveness and readiness of the gateway."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text

from gateway.api.deps import EngineDep

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    database: str


@router.get("/health", response_model=Health, summary="Is the gateway up, and can it reach its database?")
async def health(engine: EngineDep) -> Health:
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        database = "ok"
    except Exception as exc:  # the probe reports any database error instead of failing
        database = f"unavailable: {type(exc).__name__}"
    return Health(status="ok" if database == "ok" else "degraded", database=database)


class Live(BaseModel):
    status: str


@router.get("/health/live", response_model=Live, summary="Is the gateway process up? (no database call)")
async def live() -> Live:
    return Live(status="ok")
