"""Bodies of an order's negotiation transcript: its ACL conversations, from the store's ACL log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class DecodedContent(BaseModel):
    """The content of a message as an ontology model: its type name and its data."""

    type: str
    data: dict[str, Any]


class AclMessagePublic(BaseModel):
    position: int = Field(
        description="the message's place in the order's log: `?after=` it asks for the messages logged since"
    )
    performative: str
    sender: str
    receivers: list[str]
    conversation_id: str | None
    protocol: str | None
    in_reply_to: str | None
    reply_by: datetime | None
    at: datetime = Field(description="when the message was logged")
    content: str = Field(description="the content as sent")
    decoded: DecodedContent | None = Field(description="the content as an ontology model, when it parses")


class ConversationPublic(BaseModel):
    conversation_id: str | None
    protocol: str | None
    participants: list[str]
    messages: list[AclMessagePublic]


class NegotiationTranscript(BaseModel):
    """Every conversation about the order, each message once, in the order they were logged."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "order_id": "0f8e6c0a-4b4e-4a8b-9a59-0c1d2e3f4a5b",
                    "conversations": [
                        {
                            "conversation_id": "order-0f8e6c0a",
                            "protocol": "fipa-iterated-contract-net",
                            "participants": ["customer@localhost", "manufacturer@localhost"],
                            "messages": [
                                {
                                    "position": 1,
                                    "performative": "cfp",
                                    "sender": "customer@localhost",
                                    "receivers": ["manufacturer@localhost"],
                                    "conversation_id": "order-0f8e6c0a",
                                    "protocol": "fipa-iterated-contract-net",
                                    "in_reply_to": None,
                                    "reply_by": None,
                                    "at": "2026-11-25T18:00:00Z",
                                    "content": '{"ontology": "lot-size-one", "version": "1.0", ...}',
                                    "decoded": {"type": "Order", "data": {"id": "0f8e6c0a-..."}},
                                }
                            ],
                        }
                    ],
                }
            ]
        }
    )

    order_id: str
    conversations: list[ConversationPublic]
