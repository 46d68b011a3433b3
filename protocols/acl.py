"""The FIPA ACL message with every parameter of FIPA SC00061."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from ontology.codec import ONTOLOGY_NAME, Content, encode
from protocols.performative import Performative

CONTENT_LANGUAGE = "application/json"


class MalformedAclError(ValueError):
    """A message that is not a well-formed ACL message (missing performative, bad parameter...)."""


def _agent_id(value: str) -> str:
    value = value.strip()
    if not value or " " in value:
        raise ValueError(f"not an agent identifier: {value!r}")
    return value


AgentId = Annotated[str, AfterValidator(_agent_id)]


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("reply-by must carry a time zone")
    return value.astimezone(UTC)


def new_id() -> str:
    return uuid.uuid4().hex


class AclMessage(BaseModel):
    """One ACL message. Agent identifiers are bare XMPP JIDs (``name@domain``), or full JIDs
    (``account@domain/name``) for agents hosted under one XMPP account (see :mod:`protocols.wire`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    performative: Performative
    sender: AgentId
    receivers: tuple[AgentId, ...] = Field(min_length=1)
    reply_to: tuple[AgentId, ...] = ()
    content: str = Field(min_length=1)
    language: str | None = CONTENT_LANGUAGE
    encoding: str | None = None
    ontology: str | None = ONTOLOGY_NAME
    protocol: str | None = None
    conversation_id: str | None = None
    reply_with: str | None = None
    in_reply_to: str | None = None
    reply_by: Annotated[datetime | None, AfterValidator(_aware)] = None
    user_params: dict[str, str] = Field(default_factory=dict)

    @field_validator("user_params")
    @classmethod
    def _user_params_prefixed(cls, value: dict[str, str]) -> dict[str, str]:
        bad = [key for key in value if not key.startswith("X-") or len(key) < 3]
        if bad:
            raise ValueError(f"user-defined parameters must start with 'X-': {bad}")
        return value

    @model_validator(mode="after")
    def _receivers_unique(self) -> AclMessage:
        if len(set(self.receivers)) != len(self.receivers):
            raise ValueError("receivers must be distinct")
        return self

    @classmethod
    def build(
        cls,
        performative: Performative,
        sender: str,
        receivers: str | tuple[str, ...] | list[str],
        content: Content | str,
        **params: object,
    ) -> AclMessage:
        """Make a message; ``content`` may be an ontology model, encoded here."""
        targets = (receivers,) if isinstance(receivers, str) else tuple(receivers)
        text = content if isinstance(content, str) else encode(content)
        params.setdefault("reply_with", new_id())
        return cls.model_validate(
            {"performative": performative, "sender": sender, "receivers": targets, "content": text, **params}
        )

    def create_reply(
        self,
        performative: Performative,
        content: Content | str,
        *,
        sender: str | None = None,
        reply_by: datetime | None = None,
    ) -> AclMessage:
        """A reply per FIPA: to reply-to (or the sender), same conversation, protocol, language, ontology."""
        me = sender or (self.receivers[0])
        return AclMessage.build(
            performative,
            me,
            self.reply_to or (self.sender,),
            content,
            language=self.language,
            encoding=self.encoding,
            ontology=self.ontology,
            protocol=self.protocol,
            conversation_id=self.conversation_id,
            in_reply_to=self.reply_with,
            reply_by=reply_by,
        )

    def is_late(self, now: datetime | None = None) -> bool:
        """True when a reply-by deadline is set and has passed."""
        return self.reply_by is not None and (now or datetime.now(UTC)) > self.reply_by
