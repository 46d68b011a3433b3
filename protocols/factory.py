"""Which participant machine a message opens, for agents that receive a new conversation.

An agent that gets a message whose conversation-id it does not know asks :func:`participant_for`;
it returns a fresh participant machine for the protocol the message opens (``request`` -> FIPA
Request, ``cfp`` -> Contract Net, or Iterated Contract Net when the protocol parameter says so),
or ``None`` when the message opens no conversation we take part in (no conversation-id, another
performative, an unknown protocol). A ``request`` of the order protocol opens an
:class:`~protocols.order_request.OrderParticipant`. The agent then feeds the message to the
machine's ``handle``.
"""

from __future__ import annotations

from datetime import timedelta

from protocols.acl import AclMessage
from protocols.contract_net_participant import ContractNetParticipant
from protocols.conversation import DEFAULT_PATIENCE, ContentDecoder, ContentTypes
from protocols.iterated_contract_net import IteratedContractNetParticipant
from protocols.order_request import OrderParticipant
from protocols.performative import Performative, ProtocolName
from protocols.request import RequestParticipant

AnyParticipant = RequestParticipant | ContractNetParticipant | OrderParticipant

_OPENERS: dict[tuple[Performative, str | None], type[AnyParticipant]] = {
    (Performative.REQUEST, None): RequestParticipant,
    (Performative.REQUEST, ProtocolName.REQUEST.value): RequestParticipant,
    (Performative.CFP, None): ContractNetParticipant,
    (Performative.CFP, ProtocolName.CONTRACT_NET.value): ContractNetParticipant,
    (Performative.CFP, ProtocolName.ITERATED_CONTRACT_NET.value): IteratedContractNetParticipant,
    (Performative.REQUEST, ProtocolName.ORDER.value): OrderParticipant,
}


def participant_for(
    message: AclMessage,
    *,
    me: str,
    patience: timedelta = DEFAULT_PATIENCE,
    content_types: ContentTypes | None = None,
    content_decoder: ContentDecoder | None = None,
) -> AnyParticipant | None:
    machine = _OPENERS.get((message.performative, message.protocol))
    if machine is None or not message.conversation_id or message.sender == me:
        return None
    return machine.for_message(
        message, me=me, patience=patience, content_types=content_types, content_decoder=content_decoder
    )
