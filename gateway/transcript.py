"""An order's negotiation transcript from the ACL log: conversations, each message once.

The log holds one row per message and per agent that logged it (the sender's ``out`` copy and each
receiver's ``in`` copy); the transcript keeps the first copy of each message. A message's ``position`` is
the lowest row id among its copies: ``after`` a position gives only the messages logged since (catch-up).
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


def message_identity(record: AclMessageRecord) -> tuple[str | None, ...]:
    """What the sender's and the receivers' copies of one message share (times may be rounded on the wire)."""
    return (
        record.performative,
        record.sender,
        record.conversation_id,
        record.reply_with,
        record.in_reply_to,
        record.content,
    )


def message_public(record: AclMessageRecord, position: int | None = None) -> AclMessagePublic:
    """One logged message as the transcript shows it (``position``: the record's id unless given)."""
    return AclMessagePublic(
        position=record.id if position is None else position,
        performative=record.performative,
        sender=record.sender,
        receivers=record.receivers,
        conversation_id=record.conversation_id,
        protocol=record.protocol,
        in_reply_to=record.in_reply_to,
        reply_by=record.reply_by,
        at=record.logged_at,
        content=record.content,
        decoded=decoded(record.content),
    )


def conversations(records: list[AclMessageRecord], after: int | None = None) -> list[ConversationPublic]:
    """Group logged messages by conversation (in the order each conversation began), once each;
    ``after``: only the messages whose position is greater (conversations without one are left out)."""
    first: dict[tuple[str | None, ...], AclMessageRecord] = {}
    positions: dict[tuple[str | None, ...], int] = {}
    for record in records:
        identity = message_identity(record)
        first.setdefault(identity, record)
        positions[identity] = min(positions.get(identity, record.id), record.id)
    grouped: dict[str | None, list[AclMessageRecord]] = {}
    for record in first.values():
        grouped.setdefault(record.conversation_id, []).append(record)
    result: list[ConversationPublic] = []
    for conversation_id, messages in grouped.items():
        participants: dict[str, None] = {}
        for message in messages:
            participants.update(dict.fromkeys([message.sender, *message.receivers]))
        shown = [
            message_public(m, positions[message_identity(m)])
            for m in messages
            if after is None or positions[message_identity(m)] > after
        ]
        if not shown:
            continue
        result.append(
            ConversationPublic(
                conversation_id=conversation_id,
                protocol=next((m.protocol for m in messages if m.protocol), None),
                participants=list(participants),
                messages=shown,
            )
        )
    return result
