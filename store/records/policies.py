"""Records of agent policies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from store.enums import PolicyKind
from store.records.base import Record


class PolicyRecord(Record):
    agent_jid: str
    owner_user_id: str | None
    kind: PolicyKind
    policy: dict[str, Any]
    version: int
    updated_at: datetime
