"""What happened in a conversation: an append-only, bounded, JSON-able event log.

Every machine records each message it received (and how it treated it), each message it sent,
each deadline that fell due, each state change and its outcome. Agents read the new events after
every call (:meth:`ConversationLog.take_new`) to log or persist them; the log is part of the
conversation's snapshot, so a restarted agent keeps the history.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from protocols.performative import Performative

DEFAULT_EVENT_LIMIT = 1000


class EventKind(StrEnum):
    RECEIVED = "received"
    """A message was accepted and processed."""
    SENT = "sent"
    IGNORED = "ignored"
    """A message was dropped without an answer (``code`` says why)."""
    NOT_UNDERSTOOD = "not-understood"
    """A message was answered with ``not-understood`` and changed nothing (``code`` says why)."""
    LATE = "late"
    """A reply arrived after its deadline (a late proposal is answered with ``reject-proposal``)."""
    DEADLINE = "deadline"
    TRANSITION = "transition"
    FINISHED = "finished"
    ERROR = "error"
    """An internal error; the machine finished as failed instead of raising."""


class Anomaly(StrEnum):
    """Why a message was ignored or not understood."""

    FOREIGN_CONVERSATION = "foreign-conversation"
    NOT_ADDRESSED = "not-addressed"
    UNKNOWN_SENDER = "unknown-sender"
    DUPLICATE = "duplicate"
    FINISHED = "finished"
    UNMATCHED_NOT_UNDERSTOOD = "unmatched-not-understood"
    WRONG_PROTOCOL = "wrong-protocol"
    BAD_CONTENT = "bad-content"
    OUT_OF_SEQUENCE = "out-of-sequence"
    UNKNOWN_REPLY = "unknown-reply"
    LATE = "late"
    INTERNAL_ERROR = "internal-error"


class ConversationEvent(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    seq: int
    at: datetime
    kind: EventKind
    state: str
    """The machine's state after the event."""
    performative: Performative | None = None
    peer: str | None = None
    """Sender of a received message, receiver of a sent one."""
    message_id: str | None = None
    """The message's reply-with."""
    in_reply_to: str | None = None
    code: Anomaly | None = None
    detail: str | None = None


class ConversationLog(BaseModel):
    """Events in order. Keeps the newest ``limit`` events; ``dropped`` counts the older ones."""

    model_config = ConfigDict(extra="forbid")

    events: list[ConversationEvent] = Field(default_factory=list)
    next_seq: int = 0
    taken_seq: int = 0
    """Events with ``seq`` below this were already handed out by :meth:`take_new`."""
    limit: int = Field(default=DEFAULT_EVENT_LIMIT, ge=1)
    dropped: int = 0

    def append(self, **fields: object) -> ConversationEvent:
        event = ConversationEvent.model_validate({"seq": self.next_seq, **fields})
        self.next_seq += 1
        self.events.append(event)
        overflow = len(self.events) - self.limit
        if overflow > 0:
            del self.events[:overflow]
            self.dropped += overflow
        return event

    def take_new(self) -> list[ConversationEvent]:
        """Events recorded since the previous call (for an agent's logger or store)."""
        fresh = [event for event in self.events if event.seq >= self.taken_seq]
        self.taken_seq = self.next_seq
        return fresh

    def of_kind(self, *kinds: EventKind) -> list[ConversationEvent]:
        return [event for event in self.events if event.kind in kinds]

    def with_code(self, code: Anomaly) -> list[ConversationEvent]:
        return [event for event in self.events if event.code is code]
