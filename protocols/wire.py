"""Mapping of ACL messages to and from XMPP messages, without depending on an XMPP library.

An ACL message travels as one XMPP ``<message/>`` per receiver: the content is the body (never
empty: XMPP drops messages with an empty body), every other parameter is a metadata field whose
name is the FIPA parameter name, and the conversation-id is also the XMPP thread. The sender is
always taken from the XMPP ``from`` address the server stamped, never from metadata, so a peer
cannot claim to be somebody else.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, ValidationError

from protocols.acl import AclMessage, MalformedAclError
from protocols.performative import Performative

_FIPA_TIME = re.compile(r"^(\d{8})T(\d{6})(\d{3})?Z?$")


class XmppEnvelope(BaseModel):
    """What an XMPP message carries: addresses (bare JIDs), body, thread and string metadata."""

    model_config = ConfigDict(frozen=True)

    to: str
    sender: str
    body: str
    thread: str | None = None
    metadata: dict[str, str] = {}


def format_fipa_time(value: datetime) -> str:
    """FIPA SC00061 date-time: ``YYYYMMDDTHHMMSSsssZ`` in UTC."""
    value = value.astimezone(UTC)
    return value.strftime("%Y%m%dT%H%M%S") + f"{value.microsecond // 1000:03d}Z"


def parse_fipa_time(text: str) -> datetime:
    """Parse FIPA's date-time, or ISO 8601 with a time zone."""
    match = _FIPA_TIME.match(text)
    if match:
        day, clock, millis = match.groups()
        base = datetime.strptime(day + clock, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
        return base.replace(microsecond=int(millis or 0) * 1000)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise MalformedAclError(f"reply-by is not a date-time: {text!r}") from exc
    if parsed.tzinfo is None:
        raise MalformedAclError(f"reply-by has no time zone: {text!r}")
    return parsed.astimezone(UTC)


_OPTIONAL_FIELDS = {
    "language": "language",
    "encoding": "encoding",
    "ontology": "ontology",
    "protocol": "protocol",
    "conversation-id": "conversation_id",
    "reply-with": "reply_with",
    "in-reply-to": "in_reply_to",
}


def to_envelopes(message: AclMessage) -> list[XmppEnvelope]:
    """One envelope per receiver; each names all receivers in the ``receiver`` field."""
    metadata: dict[str, str] = {
        "performative": message.performative.value,
        "receiver": " ".join(message.receivers),
    }
    for key, attribute in _OPTIONAL_FIELDS.items():
        value = getattr(message, attribute)
        if value is not None:
            metadata[key] = value
    if message.reply_to:
        metadata["reply-to"] = " ".join(message.reply_to)
    if message.reply_by is not None:
        metadata["reply-by"] = format_fipa_time(message.reply_by)
    metadata.update(message.user_params)
    return [
        XmppEnvelope(
            to=receiver,
            sender=message.sender,
            body=message.content,
            thread=message.conversation_id,
            metadata=metadata,
        )
        for receiver in message.receivers
    ]


def from_envelope(envelope: XmppEnvelope) -> AclMessage:
    """Rebuild the ACL message; raise :class:`MalformedAclError` saying what is wrong."""
    meta = envelope.metadata
    raw_performative = meta.get("performative")
    if raw_performative is None:
        raise MalformedAclError("message has no performative")
    try:
        performative = Performative(raw_performative)
    except ValueError as exc:
        raise MalformedAclError(f"unknown performative {raw_performative!r}") from exc
    if not envelope.body:
        raise MalformedAclError("message has an empty content")
    receivers = tuple(meta.get("receiver", "").split()) or (envelope.to,)
    if envelope.to not in receivers:
        receivers = (*receivers, envelope.to)
    fields: dict[str, object] = {
        "performative": performative,
        "sender": envelope.sender,
        "receivers": receivers,
        "content": envelope.body,
        "reply_to": tuple(meta.get("reply-to", "").split()),
        "user_params": {k: v for k, v in meta.items() if k.startswith("X-")},
        "language": None,
        "ontology": None,
    }
    for key, attribute in _OPTIONAL_FIELDS.items():
        if key in meta:
            fields[attribute] = meta[key]
    if "conversation_id" not in fields and envelope.thread:
        fields["conversation_id"] = envelope.thread
    if "reply-by" in meta:
        fields["reply_by"] = parse_fipa_time(meta["reply-by"])
    try:
        return AclMessage.model_validate(fields)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise MalformedAclError(f"malformed ACL message: {problems}") from exc
