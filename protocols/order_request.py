"""The order protocol (``lso-order``): a customer's FIPA ``request`` carrying its order, answered
like FIPA Request, whose quotation then follows like Iterated Contract Net, in one conversation,
sans-IO.

::

    customer                                   manufacturer
    request (Order), reply-by ──────────────▶  refuse (Reason)                      -> refused
                                               | agree (the order is taken)
                                               |   then failure (Reason)            -> failed
                                               |   or propose (Quotation), reply-by
    accept-proposal / reject-proposal / ◀──────┘
    cfp (CounterOffer: a revised call, answered by propose or refuse, as in Iterated Contract Net)
    after accept-proposal:                     inform (result) or failure

The ``request``'s reply-by bounds the quotation (an ``agree`` does not extend it). ``agree`` is
optional, once, and only to the request (not to a counter-offer); after it, giving up on the
request is a ``failure``, not a ``refuse``. ``cancel`` works as in Contract Net.

The initiator is an :class:`~protocols.iterated_contract_net.IteratedContractNetInitiator` with one
participant whose first call goes as ``request``; :attr:`OrderInitiator.agreed` tells whether the
manufacturer agreed. The participant is an
:class:`~protocols.iterated_contract_net.IteratedContractNetParticipant` opened by that request;
its :meth:`OrderParticipant.agree` answers it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import ClassVar

from ontology.codec import Content
from ontology.common import Reason
from protocols.acl import AclMessage
from protocols.contract_net import ContractNetInitiatorState
from protocols.contract_net_participant import ContractNetParticipantState
from protocols.conversation import ConversationStateError, Handler, Unexpected, as_reason, as_utc
from protocols.events import Anomaly
from protocols.iterated_contract_net import IteratedContractNetInitiator, IteratedContractNetParticipant
from protocols.performative import Performative, ProtocolName

_I = ContractNetInitiatorState
_P = ContractNetParticipantState


class OrderInitiator(IteratedContractNetInitiator):
    """The customer's side: request the order from one manufacturer, then negotiate its quotation."""

    protocol_name = ProtocolName.ORDER
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

    def _route(self, message: AclMessage, now: datetime) -> Handler | Unexpected:
        if message.performative is not Performative.AGREE:
            return super()._route(message, now)
        if not self._data.rounds or self.round != 1 or self.state is not _I.COLLECTING:
            return self._out_of_sequence(message, self.state)
        request = self._data.rounds[0].cfps.get(message.sender)
        if message.in_reply_to is None or message.in_reply_to != request:
            return Unexpected(Anomaly.UNKNOWN_REPLY, "in-reply-to names no request we sent you")
        if message.sender in self._data.agreements or self._current.answered(message.sender):
            return Unexpected(Anomaly.OUT_OF_SEQUENCE, "the request was already answered")
        return self._on_agree

    def _on_agree(self, message: AclMessage, content: Content, now: datetime) -> list[AclMessage]:
        assert message.reply_with is not None
        self._data.agreements[message.sender] = message.reply_with
        return []


class OrderParticipant(IteratedContractNetParticipant):
    """The manufacturer's side: take (agree) or refuse the requested order, then quote."""

    protocol_name = ProtocolName.ORDER

    @property
    def agreed(self) -> bool:
        """True once we agreed to the request."""
        return any(sent.performative is Performative.AGREE for sent in self._data.sent.values())

    def agree(self, *, now: datetime, content: Content | None = None) -> list[AclMessage]:
        """Take the order: ``agree`` to the request (content: the request's, unless given)."""
        self._require(_P.CFP_RECEIVED)
        if self.round != 1 or self.agreed:
            raise ConversationStateError("only the opening request is agreed to, and only once")
        request = self._cfp()
        return [self._reply(request, Performative.AGREE, content or request.content, as_utc(now))]

    def refuse(self, reason: Reason | str, *, now: datetime) -> list[AclMessage]:
        """Give up on the current call: ``refuse``, or ``failure`` once we agreed to the request."""
        self._require(_P.CFP_RECEIVED)
        if self.round == 1 and self.agreed:
            return self._end(self._cfp(), Performative.FAILURE, as_reason(reason), _P.FAILED, as_utc(now))
        return super().refuse(reason, now=now)

    def _route_step(self, message: AclMessage, now: datetime) -> Handler | Unexpected:
        if self.state is _P.AWAITING_CFP:
            if message.performative is Performative.REQUEST:
                return self._on_cfp
            return self._out_of_sequence(message, self.state)
        return super()._route_step(message, now)
