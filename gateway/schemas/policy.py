"""Bodies of the manufacturer's agent policy."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from ontology.policy import ManufacturerPolicy

POLICY_EXAMPLE: dict[str, Any] = {
    "auto_accept": True,
    "auto_source": True,
    "auto_produce": True,
    "auto_invoice": True,
    "capacity_hours_per_week": 80,
    "own_processes": ["assembly", "packaging", "quality-inspection"],
    "sourced_processes": ["cnc-milling", "laser-cutting", "painting", "welding"],
    "margin": "0.25",
    "currency": "EUR",
    "strategy": "boulware",
    "deadline_seconds": 30,
    "max_rounds": 3,
    "production_days": 5,
    "max_suppliers_per_part": 5,
}


class PolicyUpdate(ManufacturerPolicy):
    """The manufacturer agent's new policy (all of it); it applies from the next order on."""

    model_config = ConfigDict(json_schema_extra={"examples": [POLICY_EXAMPLE]})


class PolicyPublic(BaseModel):
    """The policy of the manufacturer's agent; ``version`` grows by one with every change."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "agent_jid": "manufacturer@localhost",
                    "version": 2,
                    "updated_at": "2026-11-25T18:00:00Z",
                    "policy": POLICY_EXAMPLE,
                }
            ]
        }
    )

    agent_jid: str
    version: int
    updated_at: datetime
    policy: ManufacturerPolicy
