"""Answers to messages an agent cannot take: ``not-understood`` with a :class:`Reason`."""

from __future__ import annotations

from ontology.common import Reason
from protocols.acl import AclMessage
from protocols.performative import Performative
from protocols.wire import XmppEnvelope

REASON_LIMIT = 2000


def _clip(text: str) -> str:
    text = text.strip() or "-"
    return text if len(text) <= REASON_LIMIT else text[: REASON_LIMIT - 3] + "..."


def never_answered(envelope: XmppEnvelope) -> bool:
    """A ``not-understood`` is never answered, even a malformed one: no reply loops."""
    return envelope.metadata.get("performative", "").strip().lower() == Performative.NOT_UNDERSTOOD.value


def not_understood_for_envelope(me: str, envelope: XmppEnvelope, why: str) -> AclMessage:
    """The answer to a message that is not a well-formed ACL message.

    It goes to the XMPP sender (never to a claimed ``reply-to``), and copies what can be copied
    safely: conversation-id (or the XMPP thread), protocol, and in-reply-to = the peer's reply-with.
    """
    meta = envelope.metadata
    params: dict[str, object] = {
        "conversation_id": meta.get("conversation-id") or envelope.thread or None,
        "protocol": meta.get("protocol") or None,
        "in_reply_to": meta.get("reply-with") or None,
    }
    return AclMessage.build(
        Performative.NOT_UNDERSTOOD, me, envelope.sender, Reason(reason=_clip(why)), **params
    )


def reason_reply(me: str, message: AclMessage, performative: Performative, why: str) -> AclMessage:
    """``performative`` with a :class:`Reason` to the XMPP sender of a well-formed message.

    Its ``reply-to`` is not honoured: an agent only answers whoever really sent the message.
    """
    return AclMessage.build(
        performative,
        me,
        message.sender,
        Reason(reason=_clip(why)),
        conversation_id=message.conversation_id,
        protocol=message.protocol,
        in_reply_to=message.reply_with,
    )


def not_understood_for(me: str, message: AclMessage, why: str) -> AclMessage:
    """The answer to a well-formed ACL message this agent cannot handle."""
    return reason_reply(me, message, Performative.NOT_UNDERSTOOD, why)
