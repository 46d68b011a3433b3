"""FIPA Request Interaction Protocol (SC00026H), both roles, sans-IO (see :mod:`protocols.conversation`).

The states and transitions of both roles are tables (:data:`REQUEST_INITIATOR`,
:data:`REQUEST_PARTICIPANT`), drawn in ``docs/protocols.md``.

``reply_by`` bounds the first answer; ``result_by`` (default: ``reply_by``) bounds the result
after an ``agree``. The ``inform`` content is :class:`~ontology.common.Done` (inform-done) or a
result (inform-result); read it from :attr:`RequestInitiator.result`.

``agree`` is optional: ``inform`` may follow the request directly. After ``agree(result_by=...)``
(default: ``patience`` from now) the participant that has not informed sends ``failure`` itself;
when the request's ``reply-by`` passes before a decision, it ends as timed-out and sends nothing.
A ``cancel`` from the initiator works as in :mod:`protocols.participant`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from ontology.codec import Content
from ontology.common import Done, Reason
from protocols.acl import AclMessage, AgentId
from protocols.conversation import (
    DEFAULT_PATIENCE,
    ContentDecoder,
    ContentTypes,
    Conversation,
    ConversationSnapshot,
    SentRecord,
    Unexpected,
    as_reason,
    as_utc,
    clip,
)
from protocols.participant import ParticipantConversation, ParticipantSnapshot, with_cancel
from protocols.performative import Performative, ProtocolName
from protocols.transitions import Receive, Row, TransitionTable

DONE_ACTION = "request"
AGREED_NO_RESULT = "agreed, but no result before result-by"
"""Why a request the participant agreed to timed out: it may still act on it."""
NO_ANSWER = "no answer before reply-by"
"""Why a request nobody agreed to timed out."""
_ENDS = ("DONE", "REFUSED", "NOT_UNDERSTOOD", "FAILED", "TIMED_OUT", "CANCELLED")


def _final(states: type[StrEnum]) -> frozenset[str]:
    """The members of ``states`` that end a conversation: both roles name them alike."""
    return frozenset(states[name] for name in _ENDS)


def describe(content: Content) -> str:
    """A short human description of a reply's content, for outcomes."""
    if isinstance(content, Reason):
        return clip(content.reason)
    if isinstance(content, Done):
        return f"done: {clip(content.action)}"
    return f"result {type(content).content_type}"


# ====================================================================== initiator


class RequestInitiatorState(StrEnum):
    IDLE = "idle"
    AWAITING_RESPONSE = "awaiting-response"
    AGREED = "agreed"
    DONE = "done"
    REFUSED = "refused"
    NOT_UNDERSTOOD = "not-understood"
    FAILED = "failed"
    TIMED_OUT = "timed-out"
    CANCELLED = "cancelled"


_I = RequestInitiatorState
_ANSWERED = "_check_answers_request"

REQUEST_INITIATOR = TransitionTable(
    initial=_I.IDLE,
    final=_final(RequestInitiatorState),
    failed=_I.FAILED,
    rows={
        _I.IDLE: Row(steps={"start": (_I.AWAITING_RESPONSE,)}),
        _I.AWAITING_RESPONSE: Row(
            receive={
                Performative.AGREE: Receive("_on_reply", (_I.AGREED,), _ANSWERED),
                Performative.REFUSE: Receive("_on_reply", (_I.REFUSED,), _ANSWERED),
                Performative.FAILURE: Receive("_on_reply", (_I.FAILED,), _ANSWERED),
                Performative.INFORM: Receive("_on_reply", (_I.DONE,), _ANSWERED),
            },
            steps={"cancel": (_I.CANCELLED,)},
            deadline=(_I.TIMED_OUT,),
            not_understood=(_I.NOT_UNDERSTOOD,),
        ),
        _I.AGREED: Row(
            receive={
                Performative.INFORM: Receive("_on_reply", (_I.DONE,), _ANSWERED),
                Performative.FAILURE: Receive("_on_reply", (_I.FAILED,), _ANSWERED),
            },
            steps={"cancel": (_I.CANCELLED,)},
            deadline=(_I.TIMED_OUT,),
            not_understood=(_I.NOT_UNDERSTOOD,),
        ),
    },
)
"""The initiator's transitions: ``reply_by`` bounds the first answer, ``result_by`` the result."""


class RequestInitiatorSnapshot(ConversationSnapshot):
    kind: Literal["request-initiator"] = "request-initiator"
    state: RequestInitiatorState = _I.IDLE
    participant: AgentId | None = None
    request: AclMessage | None = None
    result_by: datetime | None = None
    replies: list[AclMessage] = []


class RequestInitiator(Conversation[RequestInitiatorSnapshot]):
    """Asks one participant to perform an action."""

    snapshot_model = RequestInitiatorSnapshot
    protocol_name = ProtocolName.REQUEST
    transitions = REQUEST_INITIATOR

    def __init__(
        self,
        *,
        me: str,
        conversation_id: str | None = None,
        patience: timedelta = DEFAULT_PATIENCE,
        content_types: ContentTypes | None = None,
        content_decoder: ContentDecoder | None = None,
    ) -> None:
        data: RequestInitiatorSnapshot = self._initial_data(
            me=me, conversation_id=conversation_id, patience=patience, content_types=content_types
        )
        super().__init__(data, content_decoder)

    @property
    def state(self) -> RequestInitiatorState:
        return self._data.state

    @property
    def peers(self) -> frozenset[str]:
        participant = self._data.participant
        return frozenset({participant}) if participant else frozenset()

    @property
    def participant(self) -> str | None:
        return self._data.participant

    @property
    def request(self) -> AclMessage | None:
        return self._data.request

    @property
    def replies(self) -> tuple[AclMessage, ...]:
        """Accepted replies in order (agree, then inform or failure; or one refuse...)."""
        return tuple(self._data.replies)

    @property
    def result(self) -> AclMessage | None:
        """The ``inform`` that completed the request."""
        return next((m for m in self._data.replies if m.performative is Performative.INFORM), None)

    def start(
        self,
        content: Content,
        receiver: str,
        *,
        now: datetime,
        reply_by: datetime,
        result_by: datetime | None = None,
    ) -> list[AclMessage]:
        """Send the ``request``; answers are due by ``reply_by``, the result by ``result_by``."""
        self._require(_I.IDLE)
        if receiver == self.me:
            raise ValueError("an agent cannot request itself")
        now, reply_by = as_utc(now), as_utc(reply_by)
        result_by = reply_by if result_by is None else as_utc(result_by)
        if result_by < reply_by:
            raise ValueError("result_by must not be before reply_by")
        self._open(now)
        self._data.participant = receiver
        self._data.result_by = result_by
        request = self._send(Performative.REQUEST, receiver, content, now, reply_by=reply_by)
        self._data.request = request
        self._move(_I.AWAITING_RESPONSE, now, deadline=reply_by)
        return [request]

    def cancel(self, reason: Reason | str, *, now: datetime) -> list[AclMessage]:
        """Withdraw the request (FIPA-cancel); the conversation ends as cancelled."""
        self._require(_I.AWAITING_RESPONSE, _I.AGREED)
        now = as_utc(now)
        assert self._data.participant is not None
        last = self._data.replies[-1].reply_with if self._data.replies else None
        message = self._send(
            Performative.CANCEL, self._data.participant, as_reason(reason), now, in_reply_to=last
        )
        self._finish(_I.CANCELLED, f"cancelled: {as_reason(reason).reason}", now)
        return [message]

    def _check_answers_request(self, message: AclMessage) -> Unexpected | None:
        request = self._data.request
        return self._check_reply(message, request.reply_with if request else None)

    def _on_reply(self, message: AclMessage, content: Content, now: datetime) -> list[AclMessage]:
        self._data.replies.append(message)
        match message.performative:
            case Performative.AGREE:
                self._move(_I.AGREED, now, deadline=self._data.result_by)
            case Performative.REFUSE:
                self._finish(_I.REFUSED, f"refused: {describe(content)}", now)
            case Performative.FAILURE:
                self._finish(_I.FAILED, f"failure: {describe(content)}", now)
            case _:
                self._finish(_I.DONE, describe(content), now)
        return []

    def _on_not_understood(
        self, message: AclMessage, about: SentRecord, reason: str, now: datetime
    ) -> list[AclMessage]:
        self._data.replies.append(message)
        self._finish(_I.NOT_UNDERSTOOD, f"{about.performative} not understood: {reason}", now)
        return []

    def _on_deadline(self, due: datetime, now: datetime) -> list[AclMessage]:
        if self.state is _I.AGREED:
            self._finish(_I.TIMED_OUT, AGREED_NO_RESULT, now)
        else:
            self._finish(_I.TIMED_OUT, NO_ANSWER, now)
        return []


# ====================================================================== participant


class RequestParticipantState(StrEnum):
    AWAITING_REQUEST = "awaiting-request"
    REQUEST_RECEIVED = "request-received"
    AGREED = "agreed"
    DONE = "done"
    REFUSED = "refused"
    NOT_UNDERSTOOD = "not-understood"
    FAILED = "failed"
    TIMED_OUT = "timed-out"
    CANCELLED = "cancelled"


_P = RequestParticipantState

REQUEST_PARTICIPANT = with_cancel(
    TransitionTable(
        initial=_P.AWAITING_REQUEST,
        final=_final(RequestParticipantState),
        failed=_P.FAILED,
        rows={
            _P.AWAITING_REQUEST: Row(
                receive={Performative.REQUEST: Receive("_on_request", (_P.REQUEST_RECEIVED,))},
                deadline=(_P.TIMED_OUT,),
            ),
            _P.REQUEST_RECEIVED: Row(
                steps={
                    "agree": (_P.AGREED,),
                    "refuse": (_P.REFUSED,),
                    "inform": (_P.DONE,),
                    "failure": (_P.FAILED,),
                },
                deadline=(_P.TIMED_OUT,),
            ),
            _P.AGREED: Row(
                steps={"inform": (_P.DONE,), "failure": (_P.FAILED,)},
                deadline=(_P.FAILED,),
                not_understood=(_P.NOT_UNDERSTOOD,),
            ),
        },
    ),
    _P.CANCELLED,
)
"""The participant's transitions: the request's ``reply-by``, then ``result_by`` after ``agree``."""


class RequestParticipantSnapshot(ParticipantSnapshot):
    kind: Literal["request-participant"] = "request-participant"
    state: RequestParticipantState = _P.AWAITING_REQUEST
    request: AclMessage | None = None


class RequestParticipant(ParticipantConversation[RequestParticipantSnapshot]):
    """Performs (or refuses) the action one initiator requests."""

    snapshot_model = RequestParticipantSnapshot
    protocol_name = ProtocolName.REQUEST
    transitions = REQUEST_PARTICIPANT

    @property
    def state(self) -> RequestParticipantState:
        return self._data.state

    @property
    def request(self) -> AclMessage | None:
        return self._data.request

    def agree(
        self, *, now: datetime, result_by: datetime | None = None, content: Content | None = None
    ) -> list[AclMessage]:
        """Promise to perform the action (optional); the result is due by ``result_by``."""
        self._require(_P.REQUEST_RECEIVED)
        now = as_utc(now)
        request = self._received()
        message = self._reply(request, Performative.AGREE, content or request.content, now)
        deadline = now + self._data.patience if result_by is None else as_utc(result_by)
        self._move(_P.AGREED, now, deadline=deadline)
        return [message]

    def refuse(self, reason: Reason | str, *, now: datetime) -> list[AclMessage]:
        self._require(_P.REQUEST_RECEIVED)
        return self._end(Performative.REFUSE, as_reason(reason), _P.REFUSED, as_utc(now))

    def inform(self, result: Content | None = None, *, now: datetime) -> list[AclMessage]:
        """The action is done: inform-result with ``result``, or inform-done when it is ``None``."""
        self._require(_P.REQUEST_RECEIVED, _P.AGREED)
        content = Done(action=DONE_ACTION) if result is None else result
        return self._end(Performative.INFORM, content, _P.DONE, as_utc(now))

    def failure(self, reason: Reason | str, *, now: datetime) -> list[AclMessage]:
        self._require(_P.REQUEST_RECEIVED, _P.AGREED)
        return self._end(Performative.FAILURE, as_reason(reason), _P.FAILED, as_utc(now))

    def _received(self) -> AclMessage:
        assert self._data.request is not None
        return self._data.request

    def _end(
        self, performative: Performative, content: Content, state: _P, now: datetime
    ) -> list[AclMessage]:
        message = self._reply(self._received(), performative, content, now)
        self._finish(state, f"{performative} sent: {describe(content)}", now)
        return [message]

    def _on_request(self, message: AclMessage, content: Content, now: datetime) -> list[AclMessage]:
        self._data.request = message
        deadline = message.reply_by or now + self._data.patience
        self._move(_P.REQUEST_RECEIVED, now, deadline=deadline)
        return []

    def _on_not_understood(
        self, message: AclMessage, about: SentRecord, reason: str, now: datetime
    ) -> list[AclMessage]:
        self._finish(_P.NOT_UNDERSTOOD, f"{about.performative} not understood: {reason}", now)
        return []

    def _on_deadline(self, due: datetime, now: datetime) -> list[AclMessage]:
        if self.state is _P.AGREED:
            reason = Reason(reason="no result before the deadline")
            message = self._reply(self._received(), Performative.FAILURE, reason, now)
            self._finish(_P.FAILED, reason.reason, now)
            return [message]
        if self.state is _P.AWAITING_REQUEST:
            self._finish(_P.TIMED_OUT, "no request received", now)
        else:
            self._finish(_P.TIMED_OUT, "no decision before the request's reply-by", now)
        return []
