"""Shared helpers of the protocol tests: a fixed clock, peer messages, invariant checks."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from ontology.codec import Content, decode
from protocols.acl import AclMessage
from protocols.conversation import Conversation
from protocols.performative import Performative

T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
GARBAGE = "this is not JSON"
FOREIGN_ONTOLOGY = json.dumps({"ontology": "other", "version": "1.0", "type": "Reason", "data": {}})


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def reply(
    to: AclMessage,
    performative: Performative,
    content: Content | str,
    *,
    reply_by: datetime | None = None,
    **overrides: Any,
) -> AclMessage:
    """What the receiver of ``to`` answers (FIPA create_reply), with optional tampering."""
    message = to.create_reply(performative, content, sender=to.receivers[0], reply_by=reply_by)
    return message.model_copy(update=overrides) if overrides else message


def decoded(message: AclMessage) -> Content:
    return decode(message.content)


def check_outgoing(machine: Conversation[Any], out: list[AclMessage], answerable: set[str]) -> None:
    """Every message a machine emits is well-formed and goes to a participant."""
    for message in out:
        assert message.sender == machine.me
        assert message.conversation_id == machine.conversation_id
        assert message.protocol == machine.protocol.value
        assert len(message.receivers) == 1
        assert set(message.receivers) <= machine.peers
        assert message.reply_with
        decode(message.content)
        if message.performative not in (Performative.CFP, Performative.REQUEST, Performative.CANCEL):
            assert message.in_reply_to is not None
        if message.in_reply_to is not None:
            assert message.in_reply_to in answerable, "in-reply-to must name a message we received"


def check_terminal_consistency(machine: Conversation[Any]) -> None:
    if machine.finished:
        assert machine.state in machine.terminal_states
        assert machine.outcome is not None
        assert machine.outcome.state == machine.state
        assert machine.next_deadline is None
    else:
        assert machine.state not in machine.terminal_states
        assert machine.outcome is None


def state_of(machine: Conversation[Any]) -> StrEnum:
    """The machine's state, read afresh: mypy keeps ``machine.state`` narrowed by an earlier assert."""
    return machine.state
