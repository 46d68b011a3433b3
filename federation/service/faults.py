"""Test controls of the local federation service: injected faults and request counters.

Each route calls :meth:`Faults.hit` with its target (``token``, ``registry``, ``search``); a pending
fault for that target then shapes the answer. Faults and counters are set over HTTP under
``/_test`` (mounted only with ``service_test_controls``), so fault tests run over real HTTP.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

from fastapi import Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field


class Target(StrEnum):
    TOKEN = "token"
    REGISTRY = "registry"
    SEARCH = "search"


class FaultMode(StrEnum):
    STATUS = "status"  # answer with ``status`` (default 500) and an error body
    MALFORMED = "malformed"  # 200 with a body that is not JSON
    WRONG_SHAPE = "wrong-shape"  # 200 with JSON of the wrong shape
    DELAY = "delay"  # wait ``delay`` seconds, then answer normally


class FaultSpec(BaseModel):
    """``POST /_test/faults``: the next ``count`` requests to ``target`` get this fault."""

    target: Target
    mode: FaultMode = FaultMode.STATUS
    count: int = Field(default=1, ge=1, le=10_000)
    status: int = Field(default=500, ge=400, le=599)
    delay: float = Field(default=0.0, ge=0, le=60)


class InjectedFault(Exception):
    """Raised by a route's fault point; the app answers with :attr:`response`."""

    def __init__(self, response: Response) -> None:
        super().__init__("injected fault")
        self.response = response


@dataclass
class _Pending:
    spec: FaultSpec
    left: int


MALFORMED_BODY = '{"totalElements": 3, "result": [{"id": "SUP-0001", "name": '


class Faults:
    """Pending faults per target, and how many requests each target got."""

    def __init__(self) -> None:
        self._pending: dict[Target, list[_Pending]] = {}
        self.counters: Counter[str] = Counter()

    def add(self, spec: FaultSpec) -> None:
        self._pending.setdefault(spec.target, []).append(_Pending(spec, spec.count))

    def clear(self) -> None:
        self._pending.clear()
        self.counters.clear()

    def count(self, name: str) -> None:
        self.counters[name] += 1

    async def hit(self, target: Target) -> None:
        """Count the request; apply and use up the oldest pending fault for ``target``, if any."""
        self.counters[target.value] += 1
        queue = self._pending.get(target)
        if not queue:
            return
        pending = queue[0]
        pending.left -= 1
        if pending.left <= 0:
            queue.pop(0)
        spec = pending.spec
        self.counters[f"{target.value}:fault"] += 1
        if spec.mode is FaultMode.DELAY:
            await asyncio.sleep(spec.delay)
        elif spec.mode is FaultMode.STATUS:
            raise InjectedFault(
                JSONResponse({"error": "injected fault", "status": spec.status}, status_code=spec.status)
            )
        elif spec.mode is FaultMode.MALFORMED:
            raise InjectedFault(Response(MALFORMED_BODY, media_type="application/json"))
        else:
            raise InjectedFault(JSONResponse({"unexpected": True, "services": "none", "result": 42}))
