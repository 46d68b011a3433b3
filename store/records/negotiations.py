"""Records of negotiation state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from store.enums import NegotiationRole
from store.records.base import JsonObject, Record


class NegotiationState(Record):
    """One agent's side of one conversation.

    ``version`` is the version this state was read at: 0 for a state never saved. Saving checks it
    (optimistic locking) and returns the state with the next version.
    """

    agent_jid: str = Field(min_length=1, max_length=512)
    conversation_id: str = Field(min_length=1, max_length=255)
    role: NegotiationRole
    protocol: str = Field(min_length=1, max_length=128)
    state_name: str = Field(min_length=1, max_length=64)
    state: JsonObject = Field(default_factory=dict)
    order_id: str | None = Field(default=None, max_length=64)
    round: int = Field(default=0, ge=0)
    deadline: datetime | None = None
    finished: bool = False
    version: int = Field(default=0, ge=0)
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def evolve(self, **changes: Any) -> NegotiationState:
        """A copy with some fields changed (validated), keeping the version it was read at."""
        return NegotiationState.model_validate({**self.model_dump(), **changes})
