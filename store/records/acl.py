"""Records of the ACL message log."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, model_validator

from store.enums import Direction
from store.records.base import JsonObject, NewRecord, Record, jsonable

_FIELDS = (
    "performative",
    "sender",
    "receivers",
    "conversation_id",
    "protocol",
    "ontology",
    "language",
    "reply_with",
    "in_reply_to",
    "reply_by",
    "content",
)


class NewAclMessage(NewRecord):
    """One message as seen by one agent. Build it with :meth:`from_message` from an ACL message.

    ``message`` is the full message as JSON (every FIPA parameter, user-defined ones included); when
    omitted it is made of the other fields. The log's idempotency key is derived from
    (``agent_jid``, ``direction``, ``message``).
    """

    agent_jid: str = Field(min_length=1, max_length=512)
    direction: Direction
    performative: str = Field(min_length=1, max_length=32)
    sender: str = Field(min_length=1, max_length=512)
    receivers: list[str] = Field(default_factory=list)
    conversation_id: str | None = Field(default=None, max_length=255)
    order_id: str | None = Field(default=None, max_length=64)
    protocol: str | None = Field(default=None, max_length=128)
    ontology: str | None = Field(default=None, max_length=128)
    language: str | None = Field(default=None, max_length=128)
    reply_with: str | None = Field(default=None, max_length=255)
    in_reply_to: str | None = Field(default=None, max_length=255)
    reply_by: datetime | None = None
    content: str = ""
    message: JsonObject = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _default_message(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("message") is None:
            data = dict(data)
            data["message"] = jsonable({key: data.get(key) for key in _FIELDS})
        return data

    @classmethod
    def from_message(
        cls,
        message: BaseModel | Mapping[str, Any],
        *,
        agent_jid: str,
        direction: Direction | str,
        order_id: str | None = None,
    ) -> NewAclMessage:
        """From an ACL message: a pydantic model (e.g. ``protocols.acl.AclMessage``) or a mapping
        whose keys are the FIPA parameter names (``conversation-id``) or their Python spelling
        (``conversation_id``); ``receiver`` is accepted for ``receivers``."""
        raw = message.model_dump(mode="json") if isinstance(message, BaseModel) else jsonable(dict(message))
        params = {str(key).replace("-", "_"): value for key, value in raw.items()}
        if "receivers" not in params and "receiver" in params:
            params["receivers"] = params["receiver"]
        receivers = params.get("receivers") or []
        content = params.get("content")
        fields: dict[str, Any] = {key: params.get(key) for key in _FIELDS}
        fields["receivers"] = [receivers] if isinstance(receivers, str) else list(receivers)
        fields["content"] = (
            "" if content is None else content if isinstance(content, str) else json.dumps(content)
        )
        return cls.model_validate(
            {**fields, "agent_jid": agent_jid, "direction": direction, "order_id": order_id, "message": raw}
        )

    def key(self) -> str:
        """The idempotency key: sha256 over agent, direction and the canonical message JSON."""
        canonical = json.dumps(
            {"agent": self.agent_jid, "direction": str(self.direction), "message": self.message},
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class AclMessageRecord(Record):
    id: int
    agent_jid: str
    direction: Direction
    conversation_id: str | None
    order_id: str | None
    performative: str
    sender: str
    receivers: list[str]
    protocol: str | None
    ontology: str | None
    language: str | None
    reply_with: str | None
    in_reply_to: str | None
    reply_by: datetime | None
    content: str
    message: dict[str, Any]
    logged_at: datetime
