"""``ProxyConversation``: one supplier proxy in one (Iterated) Contract Net, sans-IO.

It wraps the participant machine that :func:`protocols.factory.participant_for` opens for a
``cfp`` and takes the proxy's decisions as soon as the machine asks for one: in ``cfp-received``
it proposes the proxy's offer or refuses with its reason; in ``awarded`` it informs the result
(``inform`` with the confirmed :class:`~ontology.negotiation.Offer`) or sends ``failure``. Like the
machines, it does no I/O and reads no clock: ``handle(message, now)`` and ``tick(now)`` return the
messages to send.

Memory. When the conversation finishes, it tells its proxy to forget the negotiation and the offers it made
(:meth:`~agents.supplier_proxy.proxy.SupplierProxy.forget`; a confirmed offer lives on as a booking), and
what a host keeps of it to answer late messages is its :meth:`ProxyConversation.tombstone`, a
:class:`FinishedConversation` of a few strings. A conversation takes at most :data:`MESSAGES_TAKEN`
messages from its initiator (the machine remembers each one it saw); later ones are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from agents.supplier_proxy.proxy import NegotiationKey, SupplierProxy
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
#: Messages one conversation takes at most (a Contract Net needs a few per round); later ones are dropped.
MESSAGES_TAKEN = 1000


@dataclass(frozen=True, slots=True)
class FinishedConversation:
    """What is kept of a finished conversation: enough to answer a late message as its machine would. An
    ``accept-proposal`` or ``cancel`` from its initiator gets ``failure`` (nothing is done any more);
    anything else is ignored."""

    me: str
    initiator: str
    conversation_id: str
    protocol: str
    state: str

    @property
    def finished(self) -> bool:
        return True

    @property
    def next_deadline(self) -> datetime | None:
        return None

    def handle(self, message: AclMessage, now: datetime) -> list[AclMessage]:
        if (
            message.sender != self.initiator
            or message.conversation_id != self.conversation_id
            or self.me not in message.receivers
            or message.performative not in (Performative.ACCEPT_PROPOSAL, Performative.CANCEL)
        ):
            return []
        return [
            AclMessage.build(
                Performative.FAILURE,
                self.me,
                self.initiator,
                Reason(reason=f"conversation already finished ({self.state})"),
                protocol=self.protocol,
                conversation_id=self.conversation_id,
                in_reply_to=message.reply_with,
            )
        ]

    def tick(self, now: datetime) -> list[AclMessage]:
        return []


class ProxyConversation:
    """The proxy's side of one conversation (``machine`` is its participant machine)."""

    def __init__(self, proxy: SupplierProxy, machine: ContractNetParticipant) -> None:
        if machine.me != proxy.address:
            raise ValueError(f"the machine speaks for {machine.me}, not {proxy.address}")
        self.proxy = proxy
        self.machine = machine
        self.messages = 0
        """Messages of the initiator handed to :meth:`handle` (over :data:`MESSAGES_TAKEN`: dropped)."""
        self._negotiation: NegotiationKey | None = None
        self._offer_ids: list[str] = []
        self._settled = False

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

    @property
    def initiator(self) -> str:
        return self.machine.initiator

    def handle(self, message: AclMessage, now: datetime) -> list[AclMessage]:
        if message.sender == self.initiator:  # the machine ignores (and keeps nothing of) anyone else's
            self.messages += 1
            if self.messages > MESSAGES_TAKEN:
                return []
        out = self.machine.handle(message, now) + self._decide(now)
        self._settle()
        return out

    def tick(self, now: datetime) -> list[AclMessage]:
        out = self.machine.tick(now) + self._decide(now)
        self._settle()
        return out

    def tombstone(self) -> FinishedConversation:
        """What to keep of this conversation once it finished."""
        machine = self.machine
        return FinishedConversation(
            me=machine.me,
            initiator=machine.initiator,
            conversation_id=machine.conversation_id,
            protocol=machine.protocol.value,
            state=str(machine.state),
        )

    def _settle(self) -> None:
        if self.machine.finished and not self._settled:
            self._settled = True
            self.proxy.forget(self._negotiation, self._offer_ids)
            self._offer_ids = []

    def _decide(self, now: datetime) -> list[AclMessage]:
        machine = self.machine
        if machine.state is _S.CFP_RECEIVED and machine.cfp is not None:
            cfp = decode(machine.cfp.content, CallForProposals)
            answer = self.proxy.answer(cfp, initiator=machine.initiator, now=now)
            if isinstance(answer, Reason):
                return machine.refuse(answer, now=now)
            self._negotiation = (machine.initiator, str(cfp.order_id), cfp.part.part_id)
            self._offer_ids.append(str(answer.id))
            return machine.propose(answer, now=now, valid_until=answer.valid_until)
        if machine.state is _S.AWARDED and machine.proposal is not None:
            offered = decode(machine.proposal.content, Offer)
            result = self.proxy.confirm(offered, requester=machine.initiator, now=now)
            if isinstance(result, Reason):
                return machine.failure(result, now=now)
            return machine.inform_result(result, now=now)
        return []
