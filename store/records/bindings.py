"""Records of agent bindings (which party an XMPP account may act for)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, field_validator

from store.enums import AgentRole
from store.records.base import NewRecord, Record


def normalise_jid(jid: str) -> str:
    """The bare JID, lower-cased (XMPP compares node and domain case-insensitively)."""
    return jid.split("/", 1)[0].strip().lower()


class NewBinding(NewRecord):
    jid: str = Field(min_length=3, max_length=512)
    role: AgentRole
    party_id: str = Field(min_length=1, max_length=512)
    created_by: str = Field(min_length=1, max_length=200)
    note: str = Field(default="", max_length=2000)

    @field_validator("jid")
    @classmethod
    def _bare(cls, value: str) -> str:
        bare = normalise_jid(value)
        node, at, domain = bare.partition("@")
        if not at or not node or not domain:
            raise ValueError(f"{value!r} is not a JID (node@domain)")
        return bare


class BindingRecord(Record):
    jid: str
    role: AgentRole
    party_id: str
    created_at: datetime
    created_by: str
    note: str
