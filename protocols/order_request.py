"""The order protocol (``lso-order``): a customer's FIPA ``request`` carrying its order, answered
like FIPA Request, whose quotation then follows like Iterated Contract Net, in one conversation,
sans-IO. The tables of both roles (:data:`ORDER_INITIATOR`, :data:`ORDER_PARTICIPANT`) are drawn in
``docs/protocols.md``.

The customer sends ``request`` (Order) with a reply-by. The manufacturer answers ``refuse``
(Reason), or may first ``agree`` (the order is taken), then sends ``failure`` (Reason) or
``propose`` (Quotation, with a reply-by). The customer answers the quotation with
``accept-proposal``, ``reject-proposal`` or ``cfp`` (CounterOffer: a revised call, answered by
``propose`` or ``refuse``, as in Iterated Contract Net). After ``accept-proposal`` the manufacturer
sends ``inform`` (result) or ``failure``.

The ``request``'s reply-by bounds the quotation (an ``agree`` does not extend it). ``agree`` is
optional, once, and only to the request (not to a counter-offer); after it, giving up on the
request is a ``failure``, not a ``refuse``. ``cancel`` works as in Contract Net.

The initiator is an :class:`~protocols.iterated_contract_net.IteratedContractNetInitiator` with one
participant whose first call goes as ``request``; :attr:`OrderInitiator.agreed` tells whether the
manufacturer agreed. The participant, :class:`OrderParticipant`, bids like an Iterated Contract Net
participant but has states of its own (:class:`OrderRequestState`); it is opened by that request
and its :meth:`OrderParticipant.agree` answers it. Snapshots taken when it still used Contract Net's
states (kind ``contract-net-participant``) restore with the matching order states.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Literal

from pydantic import model_validator

from ontology.codec import Content
from ontology.common import Reason
from protocols.acl import AclMessage
from protocols.contract_net import ContractNetInitiatorState
from protocols.contract_net_participant import (
    BiddingParticipant,
    BiddingSnapshot,
    BiddingStates,
    ContractNetParticipantState,
    bidding_table,
)
from protocols.conversation import ConversationStateError, Unexpected, as_reason, as_utc
from protocols.events import Anomaly
from protocols.iterated_contract_net import ITERATED_CONTRACT_NET_INITIATOR, IteratedContractNetInitiator
from protocols.performative import Performative, ProtocolName
from protocols.transitions import Receive

_I = ContractNetInitiatorState

ORDER_INITIATOR = ITERATED_CONTRACT_NET_INITIATOR.receiving(
    _I.COLLECTING, Performative.AGREE, Receive("_on_agree", (_I.COLLECTING,), "_check_agree")
)
"""Iterated Contract Net's initiator table, with the manufacturer's ``agree`` to the request."""


class OrderInitiator(IteratedContractNetInitiator):
    """The customer's side: request the order from one manufacturer, then negotiate its quotation."""

    protocol_name = ProtocolName.ORDER
    transitions = ORDER_INITIATOR
    opening_performative: ClassVar[Performative] = Performative.REQUEST

    @property
    def agreed(self) -> bool:
        """True once the manufacturer agreed to the request (took the order)."""
        return bool(self._data.agreements)

    def start(
        self, content: Content, participants: Iterable[str], *, now: datetime, reply_by: datetime
    ) -> list[AclMessage]:
        """Send the ``request`` to the one manufacturer; its quotation is due by ``reply_by``."""
        peers = list(dict.fromkeys(participants))
        if len(peers) != 1:
            raise ValueError("an order is requested from exactly one manufacturer")
        return super().start(content, peers, now=now, reply_by=reply_by)

    def _check_agree(self, message: AclMessage) -> Unexpected | None:
        if not self._data.rounds or self.round != 1:
            return self._out_of_sequence(message, self.state)
        request = self._data.rounds[0].cfps.get(message.sender)
        if message.in_reply_to is None or message.in_reply_to != request:
            return Unexpected(Anomaly.UNKNOWN_REPLY, "in-reply-to names no request we sent you")
        if message.sender in self._data.agreements or self._current.answered(message.sender):
            return Unexpected(Anomaly.OUT_OF_SEQUENCE, "the request was already answered")
        return None

    def _on_agree(self, message: AclMessage, content: Content, now: datetime) -> list[AclMessage]:
        assert message.reply_with is not None
        self._data.agreements[message.sender] = message.reply_with
        return []


class OrderRequestState(StrEnum):
    """The manufacturer's side of an order conversation."""

    AWAITING_REQUEST = "awaiting-request"
    REQUESTED = "requested"
    """The request, or a counter-offer, awaits our quotation or refusal (and the request our agree)."""
    QUOTED = "quoted"
    """Our quotation awaits the customer's answer."""
    ACCEPTED = "accepted"
    """The customer accepted the quotation: the result (or failure) is due."""
    DONE = "done"
    """We informed the customer of the result."""
    REJECTED = "rejected"
    """The customer rejected our quotation."""
    CANCELLED = "cancelled"
    """The customer cancelled."""
    REFUSED = "refused"
    """We refused the request or a counter-offer."""
    FAILED = "failed"
    """We gave up after agreeing to the request or after the acceptance (or the machine failed)."""
    TIMED_OUT = "timed-out"
    NOT_UNDERSTOOD = "not-understood"


ORDER_STATES = BiddingStates.ending_alike(
    OrderRequestState.AWAITING_REQUEST,
    OrderRequestState.REQUESTED,
    OrderRequestState.QUOTED,
    OrderRequestState.ACCEPTED,
)
"""Where the order participant's bidding steps lead."""
_P = OrderRequestState
ORDER_PARTICIPANT = (
    bidding_table(ORDER_STATES, Performative.REQUEST, revisions=True)
    .stepping(_P.REQUESTED, "agree", (_P.REQUESTED,))
    .stepping(_P.REQUESTED, "refuse", (_P.REFUSED, _P.FAILED))
)
"""An Iterated Contract Net participant's table, opened by ``request``, with ``agree`` to it."""

_C = ContractNetParticipantState
_LEGACY_KIND = "contract-net-participant"
LEGACY_STATES: dict[str, OrderRequestState] = {
    _C.AWAITING_CFP: _P.AWAITING_REQUEST,
    _C.CFP_RECEIVED: _P.REQUESTED,
    _C.PROPOSED: _P.QUOTED,
    _C.AWARDED: _P.ACCEPTED,
}
"""Contract Net's states that order snapshots held before :class:`OrderRequestState` (terminal ones
have the same values in both)."""


class OrderParticipantSnapshot(BiddingSnapshot):
    kind: Literal["order-participant"] = "order-participant"
    state: OrderRequestState = _P.AWAITING_REQUEST

    @model_validator(mode="before")
    @classmethod
    def _from_contract_net_states(cls, data: Any) -> Any:
        """Read a snapshot written with Contract Net's kind and states."""
        if isinstance(data, dict) and data.get("kind") == _LEGACY_KIND:
            state = data.get("state")
            if isinstance(state, str):
                state = LEGACY_STATES.get(state, state)
            data = {**data, "kind": "order-participant", "state": state}
        return data


class OrderParticipant(BiddingParticipant[OrderParticipantSnapshot]):
    """The manufacturer's side: take (agree) or refuse the requested order, then quote."""

    snapshot_model = OrderParticipantSnapshot
    protocol_name = ProtocolName.ORDER
    states = ORDER_STATES
    transitions = ORDER_PARTICIPANT

    @property
    def state(self) -> OrderRequestState:
        return self._data.state

    @property
    def agreed(self) -> bool:
        """True once we agreed to the request."""
        return any(sent.performative is Performative.AGREE for sent in self._data.sent.values())

    def agree(self, *, now: datetime, content: Content | None = None) -> list[AclMessage]:
        """Take the order: ``agree`` to the request (content: the request's, unless given)."""
        self._require(_P.REQUESTED)
        if self.round != 1 or self.agreed:
            raise ConversationStateError("only the opening request is agreed to, and only once")
        request = self._cfp()
        return [self._reply(request, Performative.AGREE, content or request.content, as_utc(now))]

    def refuse(self, reason: Reason | str, *, now: datetime) -> list[AclMessage]:
        """Give up on the current call: ``refuse``, or ``failure`` once we agreed to the request."""
        self._require(_P.REQUESTED)
        if self.round == 1 and self.agreed:
            return self._end(self._cfp(), Performative.FAILURE, as_reason(reason), _P.FAILED, as_utc(now))
        return super().refuse(reason, now=now)
