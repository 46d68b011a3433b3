"""Agreement terms for the ledger: the customer order contract and one supply agreement per supplier."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Self
from uuid import UUID

from pydantic import ConfigDict, Field, model_validator

from ontology.codec import Content, register
from ontology.network import SupplyNetwork
from ontology.order import Order, OrderStatus
from ontology.penalty import Penalty as Penalty
from ontology.quotation import Quotation
from ontology.values import (
    Actor,
    Currency,
    Identifier,
    Money,
    Text,
    UtcDateTime,
    Value,
    duplicates,
    utc_now,
)

#: Id of a contract on the ledger (DAML contract ids are long hex strings).
ContractId = Actor

#: Order statuses in which an agreement may be committed.
COMMITTABLE = frozenset({OrderStatus.CONFIRMED, OrderStatus.CONTRACTING})


class PartyRole(StrEnum):
    CUSTOMER = "customer"
    MANUFACTURER = "manufacturer"
    SUPPLIER = "supplier"


class ContractKind(StrEnum):
    ORDER = "order"
    SUPPLY = "supply"


#: (buyer role, seller role) of each kind of contract.
ROLES: dict[ContractKind, tuple[PartyRole, PartyRole]] = {
    ContractKind.ORDER: (PartyRole.CUSTOMER, PartyRole.MANUFACTURER),
    ContractKind.SUPPLY: (PartyRole.MANUFACTURER, PartyRole.SUPPLIER),
}


class Party(Value):
    role: PartyRole
    id: Identifier


class ContractItem(Value):
    item_id: Identifier
    description: Text = ""
    quantity: int = Field(default=1, ge=1)
    price: Money


class AgreementTerms(Value):
    """The terms of one contract between a buyer and a seller about one order."""

    kind: ContractKind
    order_id: UUID
    buyer: Party
    seller: Party
    items: tuple[ContractItem, ...] = Field(min_length=1)
    price: Money
    currency: Currency
    delivery_date: date
    penalty: Penalty | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        buyer_role, seller_role = ROLES[self.kind]
        if (self.buyer.role, self.seller.role) != (buyer_role, seller_role):
            raise ValueError(
                f"a {self.kind} contract is between a {buyer_role} (buyer) and a {seller_role} (seller), "
                f"not a {self.buyer.role} and a {self.seller.role}"
            )
        if self.buyer.id == self.seller.id:
            raise ValueError(f"buyer and seller are both {self.buyer.id!r}")
        repeated = duplicates(item.item_id for item in self.items)
        if repeated:
            raise ValueError(f"item(s) {', '.join(map(repr, repeated))} listed more than once")
        items_total = sum((item.price for item in self.items), Decimal(0))
        if items_total != self.price:
            raise ValueError(f"contract price {self.price} differs from the sum of its items {items_total}")
        return self

    @property
    def parties(self) -> tuple[Party, Party]:
        return (self.buyer, self.seller)


def customer_order_terms(order: Order, quotation: Quotation) -> AgreementTerms:
    """The terms of the customer's order when it confirms ``quotation`` (the one definition both sides use:
    the customer places its ``CustomerOrder`` with them, the manufacturer accepts only these): one item (the
    product, the order's quantity, the quotation's total), the quotation's price, currency, delivery date and
    late-delivery penalty."""
    return AgreementTerms(
        kind=ContractKind.ORDER,
        order_id=order.id,
        buyer=Party(role=PartyRole.CUSTOMER, id=order.customer_id),
        seller=Party(role=PartyRole.MANUFACTURER, id=order.manufacturer_id),
        items=(ContractItem(item_id=order.product_id, quantity=order.quantity, price=quotation.total_price),),
        price=quotation.total_price,
        currency=quotation.currency,
        delivery_date=quotation.delivery_date,
        penalty=quotation.penalty,
    )


@register
class CommitAgreement(Content):
    """Request to the contract agent: commit the confirmed order, its quotation and its supply network."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    order: Order
    network: SupplyNetwork
    quotation: Quotation
    penalty: Penalty | None = None
    """The late-delivery penalty of each supply agreement (the customer's is the quotation's)."""

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        order_id = self.order.id
        if self.network.order_id != order_id or self.quotation.order_id != order_id:
            raise ValueError(
                f"order {order_id}, supply network (order {self.network.order_id}) and quotation "
                f"(order {self.quotation.order_id}) must be about the same order"
            )
        if self.order.status not in COMMITTABLE:
            raise ValueError(
                f"order {order_id} is {str(self.order.status)!r}; only a confirmed order is committed"
            )
        latest = self.network.latest_delivery
        if latest is not None and latest > self.quotation.delivery_date:
            raise ValueError(
                f"parts arrive by {latest.isoformat()}, "
                f"after the quoted delivery {self.quotation.delivery_date.isoformat()}"
            )
        self.terms()
        return self

    def terms(self) -> tuple[AgreementTerms, ...]:
        """The customer order contract (:func:`customer_order_terms`: its penalty is the quotation's), then
        one supply agreement per supplier (in network order; ``penalty``: the one demanded of suppliers)."""
        order = self.order
        manufacturer = Party(role=PartyRole.MANUFACTURER, id=order.manufacturer_id)
        customer_terms = customer_order_terms(order, self.quotation)
        supply_terms = [
            AgreementTerms(
                kind=ContractKind.SUPPLY,
                order_id=order.id,
                buyer=manufacturer,
                seller=Party(role=PartyRole.SUPPLIER, id=supplier_id),
                items=tuple(
                    ContractItem(
                        item_id=a.part_id,
                        description=a.part.description,
                        quantity=a.part.quantity,
                        price=a.offer.price,
                    )
                    for a in assignments
                ),
                price=sum((a.offer.price for a in assignments), Decimal(0)),
                currency=assignments[0].offer.currency,
                delivery_date=max(a.offer.delivery_date for a in assignments),
                penalty=self.penalty,
            )
            for supplier_id, assignments in self.network.by_supplier().items()
        ]
        return (customer_terms, *supply_terms)


class SupplyContractRef(Value):
    supplier_id: Identifier
    contract_id: ContractId


@register
class ContractCommitted(Content):
    """Result of :class:`CommitAgreement`: the ledger ids of the order agreement and of each supply agreement,
    as committed (each later step of their life, e.g. a shipment, re-creates them under a new id; their
    contract keys stay: manufacturer and order id, plus the supplier for a supply agreement)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    order_id: UUID
    order_contract_id: ContractId
    supply_contracts: tuple[SupplyContractRef, ...] = ()
    committed_at: UtcDateTime = Field(default_factory=utc_now)

    @model_validator(mode="after")
    def _unique(self) -> Self:
        repeated = duplicates(ref.supplier_id for ref in self.supply_contracts)
        if repeated:
            raise ValueError(f"supplier(s) {', '.join(map(repr, repeated))} listed more than once")
        ids = [self.order_contract_id, *(ref.contract_id for ref in self.supply_contracts)]
        if duplicates(ids):
            raise ValueError("every contract has its own id")
        return self

    @property
    def contract_ids(self) -> tuple[str, ...]:
        return (self.order_contract_id, *(ref.contract_id for ref in self.supply_contracts))
