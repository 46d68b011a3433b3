"""Committing an agreed order and its supply network to the DAML ledger, idempotently, through the JSON API.

For a :class:`~ontology.contract.CommitAgreement` the committer, acting for every party (the platform hosts
them all on its participant), writes:

1. ``CustomerOrder`` (signed by the customer);
2. ``OrderProposal`` (manufacturer) accepted by the customer (``AcceptOrder``) -> ``OrderAgreement``;
3. per supplier: ``SupplyProposal`` (manufacturer) accepted by the supplier (``AcceptSupply``) ->
   ``SupplyAgreement``;
4. ``CommitDelivery`` on the order agreement -> ``DeliveryCommitment`` for the quoted date.

Every command id derives from the order id and the step (:func:`command_id`), so a retry after a crash or a
timeout is deduplicated by the ledger and never creates a second contract; an agreement already on the ledger
for the order (found by query) is reused too, which also covers a ledger whose deduplication period has
passed.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ledger.engine.templates import MODULE
from ledger.jsonapi_client import JsonApiClient
from ontology.contract import AgreementTerms, CommitAgreement, ContractCommitted, SupplyContractRef

ORDER = f"{MODULE}:CustomerOrder"
ORDER_PROPOSAL = f"{MODULE}:OrderProposal"
ORDER_AGREEMENT = f"{MODULE}:OrderAgreement"
SUPPLY_PROPOSAL = f"{MODULE}:SupplyProposal"
SUPPLY_AGREEMENT = f"{MODULE}:SupplyAgreement"
DELIVERY = f"{MODULE}:DeliveryCommitment"

_PARTY_OK = re.compile(r"^[A-Za-z0-9:_-]{1,200}$")


def ledger_party(identifier: str) -> str:
    """The ledger party of a platform identifier: itself when the ledger allows it, else a sanitised form with
    a short hash (so two identifiers never map to the same party)."""
    if _PARTY_OK.match(identifier):
        return identifier
    digest = hashlib.sha256(identifier.encode()).hexdigest()[:10]
    return f"{re.sub(r'[^A-Za-z0-9:_-]', '_', identifier)[:180]}-{digest}"


def command_id(order_id: object, step: str, party: str = "") -> str:
    """Deterministic command id of one step of an order's commit (``lso:<order>:<step>[:<party>]``)."""
    return f"lso:{order_id}:{step}" + (f":{party}" if party else "")


def _decimal(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _timestamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _terms_payload(terms: AgreementTerms, buyer_field: str, seller_field: str) -> dict[str, Any]:
    penalty = None
    if terms.penalty is not None:
        cap = terms.penalty.cap
        penalty = {
            "perDayLate": _decimal(terms.penalty.per_day_late),
            "cap": None if cap is None else _decimal(cap),
        }
    return {
        "orderId": str(terms.order_id),
        buyer_field: ledger_party(terms.buyer.id),
        seller_field: ledger_party(terms.seller.id),
        "items": [
            {
                "itemId": item.item_id,
                "description": item.description,
                "quantity": item.quantity,
                "price": _decimal(item.price),
            }
            for item in terms.items
        ],
        "price": _decimal(terms.price),
        "currency": terms.currency,
        "deliveryDate": terms.delivery_date.isoformat(),
        "penalty": penalty,
    }


@dataclass(frozen=True)
class CommitPlan:
    """What will be written for one request (pure data, computed from the request)."""

    order_id: str
    customer: str
    manufacturer: str
    order_payload: dict[str, Any]
    order_terms: dict[str, Any]
    supply_terms: tuple[tuple[str, str, dict[str, Any]], ...]
    """(platform supplier id, ledger party, SupplyProposal payload) per supplier."""
    delivery_date: date

    @property
    def parties(self) -> tuple[str, ...]:
        return (self.customer, self.manufacturer, *(party for _, party, _ in self.supply_terms))


def plan(request: CommitAgreement) -> CommitPlan:
    order_terms, *supplies = request.terms()
    order = request.order
    customer = ledger_party(order.customer_id)
    manufacturer = ledger_party(order.manufacturer_id)
    return CommitPlan(
        order_id=str(order.id),
        customer=customer,
        manufacturer=manufacturer,
        order_payload={
            "orderId": str(order.id),
            "customer": customer,
            "manufacturer": manufacturer,
            "productId": order.product_id,
            "quantity": order.quantity,
            "deliveryDate": order.delivery_date.isoformat(),
            "placedAt": _timestamp(order.created_at),
        },
        order_terms=_terms_payload(order_terms, "customer", "manufacturer"),
        supply_terms=tuple(
            (t.seller.id, ledger_party(t.seller.id), _terms_payload(t, "manufacturer", "supplier"))
            for t in supplies
        ),
        delivery_date=order_terms.delivery_date,
    )


class AgreementCommitter:
    """Writes a :class:`CommitPlan` through a :class:`JsonApiClient` whose token may act as every party (and,
    to allocate missing parties, is an admin token)."""

    def __init__(self, client: JsonApiClient, *, allocate_parties: bool = True) -> None:
        self.client = client
        self.allocate_parties = allocate_parties

    async def commit(self, request: CommitAgreement) -> ContractCommitted:
        """Commit (or find already committed) the request's contracts; raises the client's errors
        (:class:`~ledger.jsonapi_client.LedgerUnavailable`: retry later; ``LedgerRejected``: give up)."""
        p = plan(request)
        client = self.client
        if self.allocate_parties:
            for party in dict.fromkeys(p.parties):
                await client.ensure_party(party)
        existing = await client.query([ORDER], {"orderId": p.order_id}, readers=[p.customer])
        if not existing:
            await client.create(
                ORDER, p.order_payload, act_as=[p.customer], command_id=command_id(p.order_id, "order")
            )

        agreements = await client.query([ORDER_AGREEMENT], {"orderId": p.order_id}, readers=[p.manufacturer])
        if agreements:
            order_agreement = agreements[0].contract_id
        else:
            proposal = await client.create(
                ORDER_PROPOSAL,
                p.order_terms,
                act_as=[p.manufacturer],
                command_id=command_id(p.order_id, "order-proposal"),
            )
            accepted = await client.exercise(
                ORDER_PROPOSAL,
                proposal.contract_id,
                "AcceptOrder",
                act_as=[p.customer],
                command_id=command_id(p.order_id, "order-accept"),
            )
            order_agreement = str(accepted.exercise_result)

        supply_refs: list[SupplyContractRef] = []
        existing_supply = {
            c.payload.get("supplier"): c.contract_id
            for c in await client.query([SUPPLY_AGREEMENT], {"orderId": p.order_id}, readers=[p.manufacturer])
        }
        for supplier_id, party, payload in p.supply_terms:
            contract = existing_supply.get(party)
            if contract is None:
                proposal = await client.create(
                    SUPPLY_PROPOSAL,
                    payload,
                    act_as=[p.manufacturer],
                    command_id=command_id(p.order_id, "supply-proposal", party),
                )
                accepted = await client.exercise(
                    SUPPLY_PROPOSAL,
                    proposal.contract_id,
                    "AcceptSupply",
                    act_as=[party],
                    command_id=command_id(p.order_id, "supply-accept", party),
                )
                contract = str(accepted.exercise_result)
            supply_refs.append(SupplyContractRef(supplier_id=supplier_id, contract_id=contract))

        deliveries = await client.query([DELIVERY], {"orderId": p.order_id}, readers=[p.manufacturer])
        if not deliveries:
            await client.exercise(
                ORDER_AGREEMENT,
                order_agreement,
                "CommitDelivery",
                act_as=[p.manufacturer],
                command_id=command_id(p.order_id, "delivery"),
            )
        return ContractCommitted(
            order_id=request.order.id, order_contract_id=order_agreement, supply_contracts=tuple(supply_refs)
        )
