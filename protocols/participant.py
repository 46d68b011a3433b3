"""What every participant role shares: one fixed peer (the initiator) and the FIPA-cancel meta-protocol.

A participant accepts messages from the initiator only. ``cancel`` from the initiator ends the
conversation at any time before it finished: the participant answers ``inform`` with
:class:`~ontology.common.Done` (action ``cancel``) and finishes as cancelled. A ``cancel`` arriving
after the conversation finished is answered with ``failure`` (there is nothing left to cancel).

A participant is usually made from the message that opens the conversation
(:meth:`ParticipantConversation.for_message`), then fed that message with ``handle``. Its clock
starts at the first ``handle``/``tick``: if no acceptable opening message arrives within
``patience``, it finishes as timed out.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Self, TypeVar

from ontology.codec import Content
from ontology.common import Done, Reason
from protocols.acl import AclMessage, AgentId
from protocols.conversation import (
    DEFAULT_PATIENCE,
    ContentDecoder,
    ContentTypes,
    Conversation,
    ConversationSnapshot,
    clip,
)
from protocols.events import EventKind
from protocols.performative import Performative
from protocols.transitions import Receive, TransitionTable

CANCEL_ACTION = "cancel"


def with_cancel(table: TransitionTable, cancelled: str) -> TransitionTable:
    """``table`` with the FIPA-cancel meta-protocol: ``cancel`` ends every state that is not final."""
    return table.receiving_everywhere(Performative.CANCEL, Receive("_on_cancel", (cancelled,)))


class ParticipantSnapshot(ConversationSnapshot):
    initiator: AgentId


P = TypeVar("P", bound=ParticipantSnapshot)


class ParticipantConversation(Conversation[P]):
    def __init__(
        self,
        *,
        me: str,
        initiator: str,
        conversation_id: str,
        patience: timedelta = DEFAULT_PATIENCE,
        content_types: ContentTypes | None = None,
        content_decoder: ContentDecoder | None = None,
    ) -> None:
        if initiator == me:
            raise ValueError("an agent cannot be its own initiator")
        data: P = self._initial_data(
            me=me,
            conversation_id=conversation_id,
            patience=patience,
            content_types=content_types,
            initiator=initiator,
        )
        super().__init__(data, content_decoder)

    @classmethod
    def for_message(
        cls,
        message: AclMessage,
        *,
        me: str,
        patience: timedelta = DEFAULT_PATIENCE,
        content_types: ContentTypes | None = None,
        content_decoder: ContentDecoder | None = None,
    ) -> Self:
        """A participant for the conversation ``message`` opens (feed it ``message`` next)."""
        if not message.conversation_id:
            raise ValueError("a message without conversation-id cannot open a conversation")
        return cls(
            me=me,
            initiator=message.sender,
            conversation_id=message.conversation_id,
            patience=patience,
            content_types=content_types,
            content_decoder=content_decoder,
        )

    @property
    def initiator(self) -> str:
        return self._data.initiator

    @property
    def peers(self) -> frozenset[str]:
        return frozenset({self._data.initiator})

    def _on_open(self, now: datetime) -> None:
        if self._data.state == self.transitions.initial and self._data.deadline is None:
            self._data.deadline = now + self._data.patience

    def _on_cancel(self, message: AclMessage, content: Content, now: datetime) -> list[AclMessage]:
        why = f": {clip(content.reason)}" if isinstance(content, Reason) else ""
        reply = self._reply(message, Performative.INFORM, Done(action=CANCEL_ACTION), now)
        [cancelled] = self.transitions.row(self._data.state).receive[Performative.CANCEL].to
        self._finish(cancelled, f"cancelled by the initiator{why}", now)
        return [reply]

    def _after_finish(self, message: AclMessage, now: datetime) -> list[AclMessage]:
        if message.performative is Performative.CANCEL:
            return self._answer_finished(message, now)
        return super()._after_finish(message, now)

    def _answer_finished(self, message: AclMessage, now: datetime) -> list[AclMessage]:
        """``failure``: the conversation already finished, so ``message`` cannot be honoured."""
        detail = f"conversation already finished ({self.state})"
        self._event(EventKind.RECEIVED, now, message=message, detail=detail)
        return [self._reply(message, Performative.FAILURE, Reason(reason=detail), now)]
