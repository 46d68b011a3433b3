"""What the parties tell each other about an agreement's life after it is signed on the ledger.

The ledger holds the truth (``ledger/daml``: the agreements, shipments, receipts, invoices and payments, each
step signed by the party who takes it); these contents only carry the news between agents:

* :class:`SignSupply`: FIPA ``request`` from the manufacturer's agent to a supplier's agent (its proxy): "my
  supply proposal for this order waits on the ledger for your signature"; answered ``inform``
  :class:`SupplySigned` (the supply agreement's contract id) or ``failure`` with a reason.
* :class:`ShipmentInfo`: what a shipment is, in the status notice of a shipped order.
"""

from __future__ import annotations

from uuid import UUID

from pydantic import ConfigDict

from ontology.codec import Content, register
from ontology.contract import ContractId
from ontology.values import Identifier, Text, UtcDateTime, Value


@register
class SignSupply(Content):
    """The manufacturer asks a supplier to sign the supply proposal of an order (its contract id)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    order_id: UUID
    supplier_id: Identifier
    proposal_contract_id: ContractId


@register
class SupplySigned(Content):
    """The supplier signed: the supply agreement's contract id on the ledger."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    order_id: UUID
    supplier_id: Identifier
    agreement_contract_id: ContractId


class ShipmentInfo(Value):
    """A shipment as its receiver reads it: who carries it, the carrier's reference, when it left."""

    carrier: Text
    reference: Text
    shipped_at: UtcDateTime
