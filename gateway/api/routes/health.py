"""Liveness and readiness of the gateway."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text

from gateway.api.deps import EngineDep
from gateway.core.problems import database_refusal

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    database: str


@router.get(
    "/health",
    response_model=Health,
    summary="Is the gateway up, can it reach its database, and did the database take its requests lately?",
)
async def health(engine: EngineDep, request: Request) -> Health:
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        database = "ok"
    except Exception as exc:  # the probe reports any database error instead of failing
        database = f"unavailable: {type(exc).__name__}"
    refused = database_refusal(request.app)
    if database == "ok" and refused is not None:  # it reads, but refused a request (a full disk) lately
        database = f"refusing requests: {refused}"
    return Health(status="ok" if database == "ok" else "degraded", database=database)


class Live(BaseModel):
    status: str


@router.get("/health/live", response_model=Live, summary="Is the gateway process up? (no database call)")
async def live() -> Live:
    return Live(status="ok")
