"""Status notices: on every status change of an order (and every production progress report) the
manufacturer sends a plain ``inform`` (no protocol) with an :class:`~ontology.console.OrderStatusNotice`
to the order's customer agent and to each of its consoles.

All notices of one order share the conversation-id ``<order id>/status`` (so a follower can tell
them apart from its own conversations); each has its own reply-with. Nothing answers a notice.
"""

from __future__ import annotations

from collections.abc import Iterable

from ontology.console import OrderStatusNotice
from protocols.acl import AclMessage
from protocols.performative import Performative

NOTICE_SUFFIX = "/status"


def notice_conversation(order_id: str) -> str:
    """The conversation-id of the status notices of ``order_id``."""
    return f"{order_id}{NOTICE_SUFFIX}"


def notice_message(me: str, followers: Iterable[str], notice: OrderStatusNotice) -> AclMessage | None:
    """The ``inform`` carrying ``notice`` to ``followers`` (``me`` left out), or None when no one follows."""
    receivers = tuple(dict.fromkeys(jid for jid in followers if jid and jid != me))
    if not receivers:
        return None
    return AclMessage.build(
        Performative.INFORM,
        me,
        receivers,
        notice,
        protocol=None,
        conversation_id=notice_conversation(str(notice.order_id)),
    )
