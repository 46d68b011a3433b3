"""Mapping of ACL messages to and from XMPP messages, without depending on an XMPP library.

An ACL message travels as one XMPP ``<message/>`` per receiver: the content is the body (never
empty: XMPP drops messages with an empty body), every other parameter is a metadata field whose
name is the FIPA parameter name, and the conversation-id is also the XMPP thread. The sender is
always taken from the XMPP ``from`` address the server stamped, never from metadata, so a peer
cannot claim to be somebody else.

Hosted agents. Several agents may share one XMPP account (a host such as the supplier-proxy host):
each is identified by a full JID ``account@domain/name``. Such a message travels to the account's
bare JID (XMPP servers do not route to resources that are not bound), and two metadata fields, in
the spirit of the FIPA transport envelope (SC00067), say who is meant:

* ``intended-receiver``: the full JID this copy is for (only when that receiver has a resource);
* ``sender``: the sender's full JID (only when the sender has a resource). It is believed only when
  its bare JID is the server-stamped one: an account may name its own resources, never another
  account (so the server still vouches for who sent a message).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, ValidationError

from ontology.codec import problems
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


#: Metadata naming a hosted receiver / sender (full JIDs); see the module doc.
INTENDED_RECEIVER = "intended-receiver"
SENDER = "sender"

_OPTIONAL_FIELDS = {
    "language": "language",
    "encoding": "encoding",
    "ontology": "ontology",
    "protocol": "protocol",
    "conversation-id": "conversation_id",
    "reply-with": "reply_with",
    "in-reply-to": "in_reply_to",
}


def bare_jid(address: str) -> str:
    """``name@domain`` of ``name@domain/resource`` (unchanged when there is no resource)."""
    return address.split("/", 1)[0]


def intended_receiver(envelope: XmppEnvelope) -> str:
    """The agent this copy is for: the ``intended-receiver`` if it is under the addressed account."""
    named = envelope.metadata.get(INTENDED_RECEIVER)
    if named and bare_jid(named) == bare_jid(envelope.to):
        return named
    return envelope.to


def vouched_sender(envelope: XmppEnvelope) -> str:
    """The sender: the stamped address, or its own resource named in ``sender`` metadata."""
    named = envelope.metadata.get(SENDER)
    if named and "/" in named and bare_jid(named) == bare_jid(envelope.sender):
        return named
    return envelope.sender


def to_envelopes(message: AclMessage) -> list[XmppEnvelope]:
    """One envelope per receiver; each names all receivers in the ``receiver`` field.

    A receiver with a resource (a hosted agent) gets its copy at its bare JID, with
    ``intended-receiver``; a sender with a resource is named in ``sender`` (see the module doc).
    """
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
    if "/" in message.sender:
        metadata[SENDER] = message.sender
    envelopes: list[XmppEnvelope] = []
    for receiver in message.receivers:
        to = bare_jid(receiver)
        fields = metadata if to == receiver else {**metadata, INTENDED_RECEIVER: receiver}
        envelopes.append(
            XmppEnvelope(
                to=to,
                sender=message.sender,
                body=message.content,
                thread=message.conversation_id,
                metadata=fields,
            )
        )
    return envelopes


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
    addressee = intended_receiver(envelope)
    receivers = tuple(meta.get("receiver", "").split()) or (addressee,)
    if addressee not in receivers:
        receivers = (*receivers, addressee)
    fields: dict[str, object] = {
        "performative": performative,
        "sender": vouched_sender(envelope),
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
        raise MalformedAclError(f"malformed ACL message: {problems(exc)}") from exc
