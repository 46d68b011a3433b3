"""``ProxyConversation``: one supplier proxy in one (Iterated) Contract Net, sans-IO.

It wraps the participant machine that :func:`protocols.factory.participant_for` opens for a
``cfp`` and takes the proxy's decisions as soon as the machine asks for one: in ``cfp-received``
it proposes the proxy's offer or refuses with its reason; in ``awarded`` it informs the result
(``inform`` with the confirmed :class:`~ontology.negotiation.Offer`) or sends ``failure``. Like the
machines, it does no I/O and reads no clock: ``handle(message, now)`` and ``tick(now)`` return the
messages to send.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from agents.supplier_proxy.proxy import SupplierProxy
from ontology.codec import decode
from ontology.common import Reason
from ontology.negotiation import CallForProposals, Offer
from protocols.acl import AclMessage
from protocols.contract_net import ContractNetParticipant, ContractNetParticipantState
from protocols.factory import participant_for
from protocols.performative import Performative

_S = ContractNetParticipantState
#: How long a proxy waits for the next message of its conversation when the peer set no reply-by.
PATIENCE = timedelta(seconds=60)
CONTENT_TYPES = {Performative.CFP: (CallForProposals,)}


class ProxyConversation:
    """The proxy's side of one conversation (``machine`` is its participant machine)."""

    def __init__(self, proxy: SupplierProxy, machine: ContractNetParticipant) -> None:
        if machine.me != proxy.address:
            raise ValueError(f"the machine speaks for {machine.me}, not {proxy.address}")
        self.proxy = proxy
        self.machine = machine

    @classmethod
    def open(
        cls, proxy: SupplierProxy, message: AclMessage, *, patience: timedelta = PATIENCE
    ) -> ProxyConversation | None:
        """A conversation for a ``cfp`` (Contract Net or Iterated Contract Net), else None."""
        if message.performative is not Performative.CFP:
            return None
        machine = participant_for(message, me=proxy.address, patience=patience, content_types=CONTENT_TYPES)
        if not isinstance(machine, ContractNetParticipant):
            return None
        return cls(proxy, machine)

    @property
    def conversation_id(self) -> str:
        return self.machine.conversation_id

    @property
    def finished(self) -> bool:
        return self.machine.finished

    @property
    def next_deadline(self) -> datetime | None:
        return self.machine.next_deadline

    def handle(self, message: AclMessage, now: datetime) -> list[AclMessage]:
        return self.machine.handle(message, now) + self._decide(now)

    def tick(self, now: datetime) -> list[AclMessage]:
        return self.machine.tick(now) + self._decide(now)

    def _decide(self, now: datetime) -> list[AclMessage]:
        machine = self.machine
        if machine.state is _S.CFP_RECEIVED and machine.cfp is not None:
            cfp = decode(machine.cfp.content, CallForProposals)
            answer = self.proxy.answer(cfp, initiator=machine.initiator, now=now)
            if isinstance(answer, Reason):
                return machine.refuse(answer, now=now)
            return machine.propose(answer, now=now, valid_until=answer.valid_until)
        if machine.state is _S.AWARDED and machine.proposal is not None:
            offered = decode(machine.proposal.content, Offer)
            result = self.proxy.confirm(offered)
            if isinstance(result, Reason):
                return machine.failure(result, now=now)
            return machine.inform_result(result, now=now)
        return []
