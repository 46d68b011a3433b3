"""Refusals an agent gives whoever sends what it will not serve: a FIPA ``refuse`` with a :class:`Reason`.

The reason codes every agent may give, whatever its protocol, and the builders of such answers. The answer
goes to the stamped sender only (never to a claimed ``reply-to``) and copies nothing it cannot trust the size
of: parameters longer than :data:`PARAMETER_LIMIT` are left out.
"""

from __future__ import annotations

from ontology.common import Reason
from protocols.acl import AclMessage
from protocols.performative import Performative
from protocols.wire import XmppEnvelope

NOT_AUTHORISED = "not-authorised"
"""The sender is not bound in the store to a party that may do this (to this order)."""
TOO_MANY_REQUESTS = "too-many-requests"
"""The sender is over its rate limit; what it sent was not looked at."""
MESSAGE_TOO_LARGE = "message-too-large"
"""The message is over the size limit; it was neither parsed nor stored."""
BUSY = "busy"
"""Too many conversations wait for their authorisation; try again later."""

PARAMETER_LIMIT = 256
"""Longest parameter value copied from a message that was not parsed into the answer."""


def refuse(me: str, message: AclMessage, reason: str, detail: str | None = None) -> AclMessage:
    """``refuse`` with ``Reason(reason, detail)`` to the stamped sender of a well-formed message."""
    return AclMessage.build(
        Performative.REFUSE,
        me,
        message.sender,
        Reason(reason=reason, detail=detail[:10_000] if detail else None),
        conversation_id=message.conversation_id,
        protocol=message.protocol,
        in_reply_to=message.reply_with,
    )


def refuse_envelope(
    me: str, envelope: XmppEnvelope, reason: str, detail: str | None = None
) -> AclMessage | None:
    """``refuse`` to the stamped sender of a message that was not parsed (too large, over the rate); None
    when it must not be answered (it is a ``not-understood`` or a ``refuse`` itself, or has no sender)."""
    meta = envelope.metadata
    performative = meta.get("performative", "").strip().lower()
    if not envelope.sender or performative in (Performative.NOT_UNDERSTOOD.value, Performative.REFUSE.value):
        return None

    def short(value: str | None) -> str | None:
        return value if value and len(value) <= PARAMETER_LIMIT else None

    return AclMessage.build(
        Performative.REFUSE,
        me,
        envelope.sender,
        Reason(reason=reason, detail=detail),
        conversation_id=short(meta.get("conversation-id")) or short(envelope.thread),
        protocol=short(meta.get("protocol")),
        in_reply_to=short(meta.get("reply-with")),
    )
