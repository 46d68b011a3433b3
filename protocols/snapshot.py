"""Persisting and resuming conversations.

Every machine's state is one pydantic model (its snapshot): ``machine.to_snapshot()`` returns a
deep copy, ``snapshot.model_dump_json()`` persists it, and :func:`restore` (or the class's own
``from_snapshot``) rebuilds the machine, which then carries on where it stopped: the next
``tick(now)`` processes every deadline that passed while the agent was down.

A snapshot holds everything but the content decoder (pass it again when restoring); allowed
content types are stored by name and must be registered (:func:`ontology.codec.register`) by the
time a machine is restored. ``kind`` names the role and ``protocol`` the protocol, so one
snapshot of the Iterated Contract Net restores as the iterated variant. An order participant's
snapshot written before it had states of its own (kind ``contract-net-participant``, protocol
``lso-order``) restores as an :class:`~protocols.order_request.OrderParticipant`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, Discriminator, Tag, TypeAdapter

from protocols.contract_net import ContractNetInitiator, ContractNetInitiatorSnapshot
from protocols.contract_net_participant import ContractNetParticipant, ContractNetParticipantSnapshot
from protocols.conversation import ContentDecoder
from protocols.iterated_contract_net import IteratedContractNetInitiator, IteratedContractNetParticipant
from protocols.order_request import OrderInitiator, OrderParticipant, OrderParticipantSnapshot
from protocols.performative import ProtocolName
from protocols.request import (
    RequestInitiator,
    RequestInitiatorSnapshot,
    RequestParticipant,
    RequestParticipantSnapshot,
)

_ORDER_PARTICIPANT = "order-participant"


def _snapshot_kind(data: Any) -> str | None:
    """The snapshot's ``kind``; an order participant's from before it had a kind of its own too."""
    if isinstance(data, Mapping):
        kind, protocol = data.get("kind"), data.get("protocol")
    else:
        kind, protocol = getattr(data, "kind", None), getattr(data, "protocol", None)
    if kind == "contract-net-participant" and protocol == ProtocolName.ORDER:
        return _ORDER_PARTICIPANT
    return None if kind is None else str(kind)


AnySnapshot = Annotated[
    Annotated[RequestInitiatorSnapshot, Tag("request-initiator")]
    | Annotated[RequestParticipantSnapshot, Tag("request-participant")]
    | Annotated[ContractNetInitiatorSnapshot, Tag("contract-net-initiator")]
    | Annotated[ContractNetParticipantSnapshot, Tag("contract-net-participant")]
    | Annotated[OrderParticipantSnapshot, Tag(_ORDER_PARTICIPANT)],
    Discriminator(_snapshot_kind),
]
AnyConversation = (
    RequestInitiator | RequestParticipant | ContractNetInitiator | ContractNetParticipant | OrderParticipant
)

_SNAPSHOTS: TypeAdapter[AnySnapshot] = TypeAdapter(AnySnapshot)

_MACHINES: dict[tuple[str, ProtocolName], type[AnyConversation]] = {
    ("request-initiator", ProtocolName.REQUEST): RequestInitiator,
    ("request-participant", ProtocolName.REQUEST): RequestParticipant,
    ("contract-net-initiator", ProtocolName.CONTRACT_NET): ContractNetInitiator,
    ("contract-net-initiator", ProtocolName.ITERATED_CONTRACT_NET): IteratedContractNetInitiator,
    ("contract-net-participant", ProtocolName.CONTRACT_NET): ContractNetParticipant,
    ("contract-net-participant", ProtocolName.ITERATED_CONTRACT_NET): IteratedContractNetParticipant,
    ("contract-net-initiator", ProtocolName.ORDER): OrderInitiator,
    (_ORDER_PARTICIPANT, ProtocolName.ORDER): OrderParticipant,
}


def parse_snapshot(data: BaseModel | Mapping[str, Any] | str | bytes) -> AnySnapshot:
    """Validate a snapshot of any kind (model, dict or JSON); raise pydantic's ValidationError."""
    if isinstance(data, str | bytes):
        return _SNAPSHOTS.validate_json(data)
    if isinstance(data, BaseModel):
        return _SNAPSHOTS.validate_python(data.model_dump(mode="json"))
    return _SNAPSHOTS.validate_python(dict(data))


def restore(
    data: BaseModel | Mapping[str, Any] | str | bytes, *, content_decoder: ContentDecoder | None = None
) -> AnyConversation:
    """The machine a snapshot was taken of, ready to be driven again."""
    snapshot = parse_snapshot(data)
    machine = _MACHINES.get((snapshot.kind, snapshot.protocol))
    if machine is None:
        raise ValueError(f"no {snapshot.kind} machine for protocol {snapshot.protocol}")
    return machine.from_snapshot(snapshot, content_decoder=content_decoder)
