"""Recognise the manufacturer's status notices (a plain ``inform`` with an OrderStatusNotice)."""

from __future__ import annotations

from collections.abc import Callable

from ontology.codec import ContentError, decode
from ontology.console import OrderStatusNotice
from protocols.acl import AclMessage
from protocols.performative import Performative

NoticeHandler = Callable[[OrderStatusNotice, str], None]
"""Called with a notice and the bare JID of its sender."""


def notice_in(message: AclMessage) -> OrderStatusNotice | None:
    """The notice ``message`` carries, or None when it is something else."""
    if message.performative is not Performative.INFORM or message.protocol:
        return None
    try:
        return decode(message.content, OrderStatusNotice)
    except ContentError:
        return None
