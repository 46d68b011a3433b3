"""An order's negotiation transcript from the ACL log: conversations, each message once.

The log holds one row per message and per agent that logged it (the sender's ``out`` copy and each
receiver's ``in`` copy); the transcript keeps the first copy of each message.
"""

from __future__ import annotations

import ontology  # noqa: F401  (registers every content type with the codec)
from gateway.schemas.negotiation import AclMessagePublic, ConversationPublic, DecodedContent
from ontology.codec import Content, ContentError, decode
from store.records import AclMessageRecord


def decoded(content: str) -> DecodedContent | None:
    """The content as an ontology model, or None when it is not ontology content."""
    try:
        model: Content = decode(content)
    except ContentError:
        return None
    return DecodedContent(type=type(model).content_type, data=model.model_dump(mode="json"))


def _identity(record: AclMessageRecord) -> tuple[str | None, ...]:
    """What the sender's and the receivers' copies of one message share (times may be rounded on the wire)."""
    return (
        record.performative,
        record.sender,
        record.conversation_id,
        record.reply_with,
        record.in_reply_to,
        record.content,
    )


def conversations(records: list[AclMessageRecord]) -> list[ConversationPublic]:
    """Group logged messages by conversation (in the order each conversation began), once each."""
    seen: set[tuple[str | None, ...]] = set()
    grouped: dict[str | None, list[AclMessageRecord]] = {}
    for record in records:
        identity = _identity(record)
        if identity in seen:
            continue
        seen.add(identity)
        grouped.setdefault(record.conversation_id, []).append(record)
    result: list[ConversationPublic] = []
    for conversation_id, messages in grouped.items():
        participants: dict[str, None] = {}
        for message in messages:
            participants.update(dict.fromkeys([message.sender, *message.receivers]))
        result.append(
            ConversationPublic(
                conversation_id=conversation_id,
                protocol=next((m.protocol for m in messages if m.protocol), None),
                participants=list(participants),
                messages=[
                    AclMessagePublic(
                        performative=m.performative,
                        sender=m.sender,
                        receivers=m.receivers,
                        conversation_id=m.conversation_id,
                        protocol=m.protocol,
                        in_reply_to=m.in_reply_to,
                        reply_by=m.reply_by,
                        at=m.logged_at,
                        content=m.content,
                        decoded=decoded(m.content),
                    )
                    for m in messages
                ],
            )
        )
    return result
