"""``/_test``: fault injection, counters, token lifetime, revocation, reset. Mounted only when
``service_test_controls`` is on (tests and benchmarks); never part of the EFPF surface."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from federation.service.deps import state_of
from federation.service.faults import FaultSpec

router = APIRouter(prefix="/_test", tags=["test controls"])


class TokenLifetime(BaseModel):
    access_seconds: int = Field(ge=1, le=86_400)
    refresh_seconds: int | None = Field(default=None, ge=1, le=604_800)


@router.post("/faults", status_code=204)
async def add_fault(spec: FaultSpec, request: Request) -> None:
    state_of(request).faults.add(spec)


@router.get("/counters")
async def counters(request: Request) -> dict[str, int]:
    return dict(state_of(request).faults.counters)


@router.put("/token-lifetime", status_code=204)
async def token_lifetime(lifetime: TokenLifetime, request: Request) -> None:
    issuer = state_of(request).issuer
    issuer.access_lifetime = lifetime.access_seconds
    if lifetime.refresh_seconds is not None:
        issuer.refresh_lifetime = lifetime.refresh_seconds


@router.post("/revoke-tokens", status_code=204)
async def revoke_tokens(request: Request) -> None:
    state_of(request).issuer.revoke_all()


@router.post("/reset")
async def reset(request: Request) -> dict[str, Any]:
    state = state_of(request)
    state.reset()
    return {"services": len(state.registry.services), "suppliers": len(state.entries)}
