"""Sans-IO conversation state machines: the base every FIPA interaction protocol here builds on.

A machine does no I/O and never reads the clock. Whoever drives it (the SPADE behaviour adapter,
or a test) does three things, each returning the ACL messages to send, in order:

* ``handle(message, now)`` for every incoming message of the conversation;
* ``tick(now)`` once ``now >= next_deadline`` (calling it earlier, or more often, is harmless);
* application decisions are method calls on the concrete machine (``agree``, ``propose``,
  ``award``...), each taking ``now`` keyword-only. They raise :class:`ConversationStateError` when
  the step is not allowed in the current state: that is a programming error, so check ``state``
  first. They do not process deadlines; only ``handle`` and ``tick`` do.

``handle`` and ``tick`` never raise. Every message goes through the same screening, in order:

1. conversation-id differs -> ignored (``foreign-conversation``);
2. we are not among the receivers -> ignored (``not-addressed``);
3. the sender is not a participant of the conversation -> ignored, never answered (``unknown-sender``:
   it may be a spoof; the sender is the XMPP from-address, see :mod:`protocols.wire`);
4. same sender and reply-with as a message already seen (or the same message, when it has no
   reply-with) -> ignored (``duplicate``); so re-delivery is idempotent;
5. ``not-understood`` from a peer: acted on when its in-reply-to names a message we sent that peer
   (the concrete protocol decides what it means), otherwise ignored; a ``not-understood`` is never
   answered with ``not-understood``;
6. conversation finished -> ignored (``finished``), except what a protocol must still answer
   (a ``cancel`` gets ``failure``, a late ``propose`` gets ``reject-proposal``, a late
   ``accept-proposal`` gets ``failure``);
7. protocol parameter present and not ours -> ``not-understood`` (``wrong-protocol``);
8. performative not allowed in the current state (not in its row of the machine's
   :class:`~protocols.transitions.TransitionTable`), or in-reply-to not naming what we sent ->
   ``not-understood`` (``out-of-sequence``, ``unknown-reply``), state unchanged;
9. content that does not decode, or is not of a type allowed for that performative ->
   ``not-understood`` (``bad-content``, content :class:`~ontology.common.Reason`), state unchanged;
10. otherwise the protocol step runs.

Before a message is screened, ``handle`` processes every deadline that fell due (as ``tick``
would), so a reply arriving after its deadline is late even when ``tick`` was not called in time.
A deadline is due when ``now >= deadline``. Deadlines that follow a deadline (for instance the time
the application has to evaluate proposals) count from the instant the previous one fell due, so
one ``tick`` at a time after every deadline always leaves the machine finished.

Every waiting state has a deadline: from a ``reply-by`` (ours or the peer's), or else ``patience``
(default five minutes) counted from when the state was entered. ``next_deadline`` is ``None`` only
when the machine is finished, or before its clock started (an initiator not yet started, a
participant not yet handed its first message).

Replies go to the peer that sent the message (``reply-to`` is not honoured: the peers of a
conversation are fixed when it starts) and carry our conversation-id, protocol, and in-reply-to
set to the peer's reply-with. Content is always an ontology model encoded by
:func:`ontology.codec.encode`; the content decoder and the allowed content types per performative
can be configured (defaults: :class:`~ontology.common.Reason` for refuse, failure and
not-understood; any registered type otherwise, so that a ``cancel`` or ``reject-proposal`` carrying
the action or proposal, as FIPA and JADE do, is understood; ours carry a Reason).

The machine's whole state is a pydantic model: ``to_snapshot()`` gives a deep copy (JSON via
``model_dump_json``), ``from_snapshot(...)`` resumes it; see :mod:`protocols.snapshot`.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar, Generic, Self, TypeVar, Unpack, cast

from pydantic import BaseModel, ConfigDict, Field

from ontology.codec import Content, ContentError, decode, registered_types
from ontology.common import Reason
from protocols.acl import AclMessage, AgentId, new_id
from protocols.events import Anomaly, ConversationEvent, ConversationLog, EventKind
from protocols.fast_events import EventFields, record_event
from protocols.performative import Performative, ProtocolName
from protocols.transitions import TransitionTable

ContentDecoder = Callable[[str, tuple[type[Content], ...] | None], Content]
"""Parse message content, allowed types given (``None``: any); raise ContentError."""
ContentTypes = Mapping[Performative, Sequence[type[Content]]]
Handler = Callable[[AclMessage, Content, datetime], list[AclMessage]]

DEFAULT_PATIENCE = timedelta(minutes=5)
REASON_LIMIT = 2000
_MAX_CHAINED_DEADLINES = 16

_REASON_ONLY = (Performative.REFUSE, Performative.FAILURE, Performative.NOT_UNDERSTOOD)
DEFAULT_CONTENT_TYPES: dict[Performative, tuple[type[Content], ...]] = {p: (Reason,) for p in _REASON_ONLY}
"""Content a refuse, failure or not-understood must carry; other performatives take any registered type."""


class ConversationStateError(RuntimeError):
    """An application step was called in a state that does not allow it."""


def as_utc(value: datetime) -> datetime:
    """Aware UTC datetime; a naive one is taken to be UTC already."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def clip(text: str, limit: int = REASON_LIMIT) -> str:
    text = text.strip() or "-"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def as_reason(reason: Reason | str) -> Reason:
    return reason if isinstance(reason, Reason) else Reason(reason=clip(reason))


def _decode_any(text: str, expected: tuple[type[Content], ...] | None) -> Content:
    return decode(text, expected)


class Outcome(BaseModel):
    """How a conversation ended: a terminal state of its machine, why, and when."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    state: str
    reason: str
    at: datetime


class SentRecord(BaseModel):
    """What we sent under a reply-with, so replies can be matched to it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    peer: str
    performative: Performative


class ConversationSnapshot(BaseModel):
    """Fields every machine has. Concrete snapshots add ``kind``, ``state`` and protocol data."""

    model_config = ConfigDict(extra="forbid")

    schema_version: int = 1
    me: AgentId
    conversation_id: str = Field(min_length=1)
    protocol: ProtocolName
    state: str
    patience: timedelta = DEFAULT_PATIENCE
    content_types: dict[Performative, list[str]] = Field(default_factory=dict)
    """Allowed content type names per received performative; absent: any registered type."""
    opened_at: datetime | None = None
    deadline: datetime | None = None
    outcome: Outcome | None = None
    seen: set[str] = Field(default_factory=set)
    sent: dict[str, SentRecord] = Field(default_factory=dict)
    log: ConversationLog = Field(default_factory=ConversationLog)


@dataclass(frozen=True)
class Unexpected:
    """A routing verdict: answer ``not-understood`` with this code and detail."""

    code: Anomaly
    detail: str


D = TypeVar("D", bound=ConversationSnapshot)


def _type_names(content_types: ContentTypes | None) -> dict[Performative, list[str]]:
    merged: dict[Performative, Sequence[type[Content]]] = dict(DEFAULT_CONTENT_TYPES)
    merged.update(content_types or {})
    names: dict[Performative, list[str]] = {}
    for performative, types in merged.items():
        for cls in types:
            if not cls.content_type:
                raise ValueError(f"{cls.__name__} is not a registered content type")
        names[Performative(performative)] = [cls.content_type for cls in types]
    return names


def _resolve_types(names: dict[Performative, list[str]]) -> dict[Performative, tuple[type[Content], ...]]:
    registry = registered_types()
    missing = sorted({name for group in names.values() for name in group if name not in registry})
    if missing:
        raise ValueError(f"content types not registered: {', '.join(missing)}")
    return {performative: tuple(registry[name] for name in group) for performative, group in names.items()}


def _dedupe_key(message: AclMessage) -> str:
    if message.reply_with:
        return f"{message.sender}\x1f{message.reply_with}"
    return "sha256:" + hashlib.sha256(message.model_dump_json().encode()).hexdigest()


class Conversation(ABC, Generic[D]):
    """One conversation, seen by one agent (``me``) in one role. See the module docstring."""

    snapshot_model: ClassVar[type[ConversationSnapshot]]
    protocol_name: ClassVar[ProtocolName]
    transitions: ClassVar[TransitionTable]
    """Which performative each state accepts, and where each step leads (see :mod:`protocols.transitions`)."""

    _data: D

    def __init__(self, data: D, content_decoder: ContentDecoder | None = None) -> None:
        self._data = data
        self._decoder: ContentDecoder = content_decoder or _decode_any
        self._types = _resolve_types(data.content_types)

    @classmethod
    def _initial_data(
        cls,
        *,
        me: str,
        conversation_id: str | None,
        patience: timedelta,
        content_types: ContentTypes | None,
        **fields: object,
    ) -> D:
        if patience <= timedelta(0):
            raise ValueError("patience must be positive")
        data = cls.snapshot_model.model_validate(
            {
                "me": me,
                "conversation_id": conversation_id or new_id(),
                "protocol": cls.protocol_name,
                "patience": patience,
                "content_types": _type_names(content_types),
                **fields,
            }
        )
        return cast(D, data)

    @classmethod
    def from_snapshot(
        cls,
        snapshot: ConversationSnapshot | Mapping[str, Any] | str | bytes,
        *,
        content_decoder: ContentDecoder | None = None,
    ) -> Self:
        """Resume a machine from :meth:`to_snapshot` output (model, dict or JSON)."""
        model = cls.snapshot_model
        if isinstance(snapshot, str | bytes):
            data = model.model_validate_json(snapshot)
        elif isinstance(snapshot, BaseModel):
            data = model.model_validate(snapshot.model_dump(mode="json"))
        else:
            data = model.model_validate(dict(snapshot))
        if data.protocol is not cls.protocol_name:
            raise ValueError(f"snapshot is a {data.protocol} conversation, not {cls.protocol_name}")
        machine = cls.__new__(cls)
        Conversation.__init__(machine, cast(Any, data), content_decoder)
        return machine

    def to_snapshot(self) -> D:
        """A deep copy of the whole state; ``model_dump_json()`` it to persist."""
        return self._data.model_copy(deep=True)

    def snapshot_json(self) -> dict[str, Any]:
        """``to_snapshot().model_dump(mode="json")`` without the deep copy in between."""
        return self._data.model_dump(mode="json")

    # ----------------------------------------------------------------- public read-only view

    @property
    def me(self) -> str:
        return self._data.me

    @property
    def conversation_id(self) -> str:
        return self._data.conversation_id

    @property
    def protocol(self) -> ProtocolName:
        return self._data.protocol

    @property
    @abstractmethod
    def state(self) -> StrEnum: ...

    @property
    @abstractmethod
    def peers(self) -> frozenset[str]:
        """The agents this conversation accepts messages from."""

    @property
    def terminal_states(self) -> frozenset[str]:
        return self.transitions.final

    @property
    def failed_state(self) -> str:
        """Terminal state used when the machine hits an internal error."""
        return self.transitions.failed

    @property
    def finished(self) -> bool:
        return self._data.outcome is not None

    @property
    def outcome(self) -> Outcome | None:
        return self._data.outcome

    @property
    def next_deadline(self) -> datetime | None:
        """Call :meth:`tick` at (or after) this instant; ``None`` when nothing is pending."""
        return None if self.finished else self._data.deadline

    @property
    def patience(self) -> timedelta:
        return self._data.patience

    @property
    def log(self) -> ConversationLog:
        return self._data.log

    def take_events(self) -> list[ConversationEvent]:
        """Events recorded since the previous call."""
        return self._data.log.take_new()

    # ----------------------------------------------------------------- driving

    def handle(self, message: AclMessage, now: datetime) -> list[AclMessage]:
        """Process one incoming message; return the messages to send. Never raises."""
        now = as_utc(now)
        out: list[AclMessage] = []
        try:
            out.extend(self._expire(now))
            out.extend(self._receive(message, now))
        except Exception as exc:
            self._crash(exc, now)
        return out

    def tick(self, now: datetime) -> list[AclMessage]:
        """Process every deadline due at ``now``; return the messages to send. Never raises."""
        now = as_utc(now)
        try:
            return self._expire(now)
        except Exception as exc:
            self._crash(exc, now)
            return []

    # ----------------------------------------------------------------- protocol hooks

    def _on_open(self, now: datetime) -> None:
        """First contact with the clock (first handle or tick, or start)."""

    def _route(self, message: AclMessage, now: datetime) -> Handler | Unexpected:
        """Which step handles this message in the current (unfinished) state: a look-up in ``transitions``."""
        entry = self.transitions.row(self._data.state).receive.get(message.performative)
        if entry is None:
            return self._out_of_sequence(message, self.state)
        if entry.check is not None:
            verdict: Unexpected | None = getattr(self, entry.check)(message)
            if verdict is not None:
                return verdict
        handler: Handler = getattr(self, entry.handler)
        return handler

    @abstractmethod
    def _on_deadline(self, due: datetime, now: datetime) -> list[AclMessage]:
        """The current state's deadline (``due``) passed."""

    @abstractmethod
    def _on_not_understood(
        self, message: AclMessage, about: SentRecord, reason: str, now: datetime
    ) -> list[AclMessage]:
        """The peer did not understand a message we sent it (``about``)."""

    def _after_finish(self, message: AclMessage, now: datetime) -> list[AclMessage]:
        return self._ignore(message, now, Anomaly.FINISHED, f"conversation finished ({self.state})")

    # ----------------------------------------------------------------- pipeline

    def _open(self, now: datetime) -> None:
        if self._data.opened_at is None:
            self._data.opened_at = now
            self._on_open(now)

    def _expire(self, now: datetime) -> list[AclMessage]:
        self._open(now)
        out: list[AclMessage] = []
        for _ in range(_MAX_CHAINED_DEADLINES):
            due = self._data.deadline
            if self.finished or due is None or now < due:
                break
            self._data.deadline = None
            self._event(EventKind.DEADLINE, now, detail=f"deadline {due.isoformat()} of {self.state} passed")
            out.extend(self._on_deadline(due, now))
        return out

    def _receive(self, message: AclMessage, now: datetime) -> list[AclMessage]:
        if message.conversation_id != self.conversation_id:
            detail = f"conversation-id {message.conversation_id!r}"
            return self._ignore(message, now, Anomaly.FOREIGN_CONVERSATION, detail)
        if self.me not in message.receivers:
            return self._ignore(message, now, Anomaly.NOT_ADDRESSED, "we are not a receiver")
        if message.sender not in self.peers:
            return self._ignore(message, now, Anomaly.UNKNOWN_SENDER, "sender is not a participant")
        key = _dedupe_key(message)
        if key in self._data.seen:
            return self._ignore(message, now, Anomaly.DUPLICATE, "already received")
        self._data.seen.add(key)
        if message.performative is Performative.NOT_UNDERSTOOD:
            return self._receive_not_understood(message, now)
        if self.finished:
            return self._after_finish(message, now)
        if message.protocol is not None and message.protocol != self.protocol:
            detail = f"protocol {message.protocol!r}; this conversation is {self.protocol}"
            return self._not_understood(message, now, Anomaly.WRONG_PROTOCOL, detail)
        route = self._route(message, now)
        if isinstance(route, Unexpected):
            return self._not_understood(message, now, route.code, route.detail)
        try:
            content = self._decode(message)
        except ContentError as exc:
            return self._not_understood(message, now, Anomaly.BAD_CONTENT, str(exc))
        self._event(EventKind.RECEIVED, now, message=message)
        return route(message, content, now)

    def _receive_not_understood(self, message: AclMessage, now: datetime) -> list[AclMessage]:
        about = self._data.sent.get(message.in_reply_to) if message.in_reply_to else None
        if about is None or about.peer != message.sender or about.performative is Performative.NOT_UNDERSTOOD:
            detail = "in-reply-to names none of our messages to this peer"
            return self._ignore(message, now, Anomaly.UNMATCHED_NOT_UNDERSTOOD, detail)
        if self.finished:
            return self._ignore(message, now, Anomaly.FINISHED, f"conversation finished ({self.state})")
        self._event(EventKind.RECEIVED, now, message=message)
        return self._on_not_understood(message, about, self._reason_text(message), now)

    def _decode(self, message: AclMessage) -> Content:
        expected = self._types.get(message.performative)
        try:
            return self._decoder(message.content, expected)
        except ContentError:
            raise
        except Exception as exc:
            raise ContentError(f"content could not be decoded: {exc}") from exc

    def _reason_text(self, message: AclMessage) -> str:
        try:
            content = self._decoder(message.content, (Reason,))
        except Exception:
            return clip(message.content)
        return clip(content.reason) if isinstance(content, Reason) else clip(message.content)

    def _crash(self, exc: Exception, now: datetime) -> None:
        detail = clip(f"{type(exc).__name__}: {exc}")
        self._event(EventKind.ERROR, now, code=Anomaly.INTERNAL_ERROR, detail=detail)
        if not self.finished:
            self._finish(self.failed_state, f"internal error: {detail}", now)

    # ----------------------------------------------------------------- helpers for protocols

    def _event(self, kind: EventKind, now: datetime, **fields: Unpack[EventFields]) -> None:
        record_event(self._data.log, kind, now, str(self._data.state), **fields)

    def _ignore(self, message: AclMessage, now: datetime, code: Anomaly, detail: str) -> list[AclMessage]:
        self._event(EventKind.IGNORED, now, message=message, code=code, detail=detail)
        return []

    def _not_understood(
        self, message: AclMessage, now: datetime, code: Anomaly, detail: str
    ) -> list[AclMessage]:
        self._event(EventKind.NOT_UNDERSTOOD, now, message=message, code=code, detail=detail)
        reason = Reason(reason=clip(f"{code.value}: {detail}"))
        return [self._reply(message, Performative.NOT_UNDERSTOOD, reason, now)]

    def _send(
        self,
        performative: Performative,
        to: str,
        content: Content | str,
        now: datetime,
        *,
        in_reply_to: str | None = None,
        reply_by: datetime | None = None,
    ) -> AclMessage:
        message = AclMessage.build(
            performative,
            self.me,
            to,
            content,
            protocol=self.protocol.value,
            conversation_id=self.conversation_id,
            in_reply_to=in_reply_to,
            reply_by=reply_by,
        )
        if message.reply_with is not None:
            self._data.sent[message.reply_with] = SentRecord(peer=to, performative=performative)
        self._event(EventKind.SENT, now, message=message, peer=to)
        return message

    def _reply(
        self,
        message: AclMessage,
        performative: Performative,
        content: Content | str,
        now: datetime,
        *,
        reply_by: datetime | None = None,
    ) -> AclMessage:
        return self._send(
            performative, message.sender, content, now, in_reply_to=message.reply_with, reply_by=reply_by
        )

    def _move(self, state: StrEnum, now: datetime, *, deadline: datetime | None) -> None:
        previous = self._data.state
        self._data.state = state
        self._data.deadline = deadline
        self._event(EventKind.TRANSITION, now, detail=f"{previous} -> {state}")

    def _finish(self, state: str, reason: str, now: datetime) -> None:
        if state not in self.terminal_states:
            raise ValueError(f"{state} is not a terminal state")
        self._data.state = state
        self._data.deadline = None
        self._data.outcome = Outcome(state=state, reason=clip(reason), at=now)
        self._event(EventKind.FINISHED, now, detail=clip(reason))

    def _require(self, *states: StrEnum) -> None:
        if self._data.state not in states:
            allowed = ", ".join(str(s) for s in states)
            raise ConversationStateError(f"not allowed in state {self._data.state} (only in {allowed})")

    def _check_reply(self, message: AclMessage, expected: str | None) -> Unexpected | None:
        if message.in_reply_to is None or message.in_reply_to != expected:
            return Unexpected(
                Anomaly.UNKNOWN_REPLY, f"in-reply-to {message.in_reply_to!r} names no message awaiting it"
            )
        return None

    @staticmethod
    def _out_of_sequence(message: AclMessage, state: str) -> Unexpected:
        return Unexpected(Anomaly.OUT_OF_SEQUENCE, f"{message.performative} is not expected in state {state}")
