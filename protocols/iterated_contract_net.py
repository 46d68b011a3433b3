"""FIPA Iterated Contract Net Interaction Protocol (SC00030H), sans-IO.

The initiator is a :class:`~protocols.contract_net.ContractNetInitiator` that, in ``evaluating``,
may also :meth:`~IteratedContractNetInitiator.revise` the call: a new ``cfp`` (in reply to each
invited participant's ``propose``) goes to a subset of the current round's proposers, the other
proposers get ``reject-proposal``, the round counter goes up, and collecting starts again.
Every round is kept (:attr:`~protocols.contract_net.ContractNetInitiator.rounds`, each with its
proposals, refusals, silent and late participants); :attr:`proposals` is the current round's.
``max_rounds`` (default 5) bounds the rounds: in the last one only :meth:`award` is possible.
A round in which nobody proposes ends the conversation as ``no-proposals`` (FIPA: "all
participants refuse to bid"); every proposer of the last round gets ``accept-proposal`` or
``reject-proposal``.

The participant is a :class:`~protocols.contract_net.ContractNetParticipant` that, in
``proposed``, also accepts a revised ``cfp`` (in-reply-to its ``propose``, or none) and goes back to
``cfp-received`` for the next round, where it may propose again or refuse. Both roles' tables are
drawn in ``docs/protocols.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from ontology.codec import Content
from ontology.common import Reason
from protocols.acl import AclMessage
from protocols.contract_net import CONTRACT_NET_INITIATOR, ContractNetInitiator, ContractNetInitiatorState
from protocols.contract_net_participant import CONTRACT_NET_STATES, ContractNetParticipant, bidding_table
from protocols.conversation import (
    DEFAULT_PATIENCE,
    ContentDecoder,
    ContentTypes,
    ConversationStateError,
    as_reason,
    as_utc,
)
from protocols.performative import Performative, ProtocolName

DEFAULT_MAX_ROUNDS = 5
NOT_INVITED_REASON = "not invited to the next round"

ITERATED_CONTRACT_NET_INITIATOR = CONTRACT_NET_INITIATOR.stepping(
    ContractNetInitiatorState.EVALUATING,
    "revise",
    (ContractNetInitiatorState.COLLECTING,),
)
"""Contract Net's initiator table, with :meth:`IteratedContractNetInitiator.revise` in evaluating."""


class IteratedContractNetInitiator(ContractNetInitiator):
    """Contract Net initiator that may revise its call for proposals over several rounds."""

    protocol_name = ProtocolName.ITERATED_CONTRACT_NET
    transitions = ITERATED_CONTRACT_NET_INITIATOR

    def __init__(
        self,
        *,
        me: str,
        conversation_id: str | None = None,
        max_rounds: int = DEFAULT_MAX_ROUNDS,
        patience: timedelta = DEFAULT_PATIENCE,
        content_types: ContentTypes | None = None,
        content_decoder: ContentDecoder | None = None,
    ) -> None:
        if max_rounds < 1:
            raise ValueError("max_rounds must be at least 1")
        super().__init__(
            me=me,
            conversation_id=conversation_id,
            patience=patience,
            content_types=content_types,
            content_decoder=content_decoder,
        )
        self._data.max_rounds = max_rounds

    @property
    def max_rounds(self) -> int:
        return self._data.max_rounds

    @property
    def can_revise(self) -> bool:
        return self.state is ContractNetInitiatorState.EVALUATING and self.round < self._data.max_rounds

    def revise(
        self,
        content: Content,
        *,
        now: datetime,
        reply_by: datetime,
        to: Iterable[str] | None = None,
        reject_reason: Reason | str = NOT_INVITED_REASON,
    ) -> list[AclMessage]:
        """Start the next round: revised ``cfp`` to ``to`` (default: every current proposer)."""
        self._require(ContractNetInitiatorState.EVALUATING)
        if self.round >= self._data.max_rounds:
            raise ConversationStateError(f"round {self.round} is the last one (max_rounds)")
        proposals = self._current.proposals
        invited = list(proposals) if to is None else list(dict.fromkeys(to))
        unknown = [p for p in invited if p not in proposals]
        if unknown:
            raise ValueError(f"only proposers of this round can be invited, not: {', '.join(unknown)}")
        if not invited:
            raise ValueError("a revised call for proposals needs at least one participant")
        now = as_utc(now)
        out = self._reject([p for p in proposals if p not in invited], as_reason(reject_reason), now)
        return out + self._open_round(content, invited, now, as_utc(reply_by), dict(proposals))


class IteratedContractNetParticipant(ContractNetParticipant):
    """Contract Net participant that also answers revised calls for proposals."""

    protocol_name = ProtocolName.ITERATED_CONTRACT_NET
    transitions = bidding_table(CONTRACT_NET_STATES, Performative.CFP, revisions=True)
