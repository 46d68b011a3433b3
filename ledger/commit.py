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

Reused only when it is the same agreement. Before anything is written, every contract of the order the
parties can see (customer order, proposals, agreements, delivery commitment) is compared with what this
request would write, on the fields that make the agreement (parties, items, prices, currency, dates, penalty;
for the customer order: parties, product, quantity and delivery date): one that differs raises
:class:`AgreementConflict` and nothing is written. A deduplicated command hands back what the first command
with that id wrote, whatever this one carried, so every contract a command returns is compared too.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ledger.engine.templates import MODULE
from ledger.jsonapi_client import ActiveContract, ExerciseResult, JsonApiClient, LedgerRejected
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
    def delivery_payload(self) -> dict[str, Any]:
        """The ``DeliveryCommitment`` that ``CommitDelivery`` on the order agreement creates."""
        return {
            "orderId": self.order_id,
            "manufacturer": self.manufacturer,
            "customer": self.customer,
            "deliveryDate": self.delivery_date.isoformat(),
        }

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


class AgreementConflict(LedgerRejected):
    """Something other than the request's agreement is on the ledger for its order: it is never reused."""

    def __init__(self, order_id: str, what: str, fields: Sequence[str] = ()) -> None:
        differs = f" ({', '.join(fields)} differ)" if fields else ""
        message = f"a different agreement for order {order_id} is on the ledger: {what}{differs}"
        super().__init__(409, [message])
        self.args = (message,)
        self.order_id = order_id
        self.fields = tuple(fields)


class AgreementMissing(LedgerRejected):
    """The request may only reuse an agreement already on the ledger (a contracted order), and some of it is
    not there; nothing was written."""

    def __init__(self, order_id: str, missing: Sequence[str]) -> None:
        message = f"order {order_id} is contracted, but the ledger has no {', '.join(missing)} for it"
        super().__init__(409, [message])
        self.args = (message,)
        self.order_id = order_id
        self.missing = tuple(missing)


# --- what makes an agreement the same: its fields, each compared in one canonical form (the JSON API may
# spell an Int64 as a string and a Numeric with trailing zeros)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(f"expected an integer, got {type(value).__name__}")
    return int(value)


def _money(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, str, Decimal)):
        raise TypeError(f"expected a decimal, got {type(value).__name__}")
    number = Decimal(value)
    if not number.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return number


def _day(value: Any) -> date:
    return date.fromisoformat(_text(value))


def _items(value: Any) -> tuple[tuple[str, str, int, Decimal], ...]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list of items, got {type(value).__name__}")
    return tuple(
        (_text(i["itemId"]), _text(i["description"]), _int(i["quantity"]), _money(i["price"])) for i in value
    )


def _penalty(value: Any) -> tuple[Decimal, Decimal | None] | None:
    if value is None:
        return None
    cap = value["cap"]
    return (_money(value["perDayLate"]), None if cap is None else _money(cap))


_CANONICAL: dict[str, Callable[[Any], object]] = {
    "orderId": _text,
    "customer": _text,
    "manufacturer": _text,
    "supplier": _text,
    "productId": _text,
    "quantity": _int,
    "items": _items,
    "price": _money,
    "currency": _text,
    "deliveryDate": _day,
    "penalty": _penalty,
}

_TERMS = ("orderId", "items", "price", "currency", "deliveryDate", "penalty")
_ORDER_TERMS = ("customer", "manufacturer", *_TERMS)
_SUPPLY_TERMS = ("manufacturer", "supplier", *_TERMS)

AGREEMENT_FIELDS: dict[str, tuple[str, ...]] = {
    ORDER: ("orderId", "customer", "manufacturer", "productId", "quantity", "deliveryDate"),
    ORDER_PROPOSAL: _ORDER_TERMS,
    ORDER_AGREEMENT: _ORDER_TERMS,
    SUPPLY_PROPOSAL: _SUPPLY_TERMS,
    SUPPLY_AGREEMENT: _SUPPLY_TERMS,
    DELIVERY: ("orderId", "manufacturer", "customer", "deliveryDate"),
}
"""Per template, the fields that define the agreement (a customer order's ``placedAt`` does not)."""

_WHAT = {
    ORDER: "the customer order",
    ORDER_PROPOSAL: "an order proposal",
    ORDER_AGREEMENT: "the order agreement",
    SUPPLY_PROPOSAL: "a supply proposal",
    SUPPLY_AGREEMENT: "the supply agreement",
    DELIVERY: "the delivery commitment",
}


def differing_fields(found: Mapping[str, Any], wanted: Mapping[str, Any], fields: Iterable[str]) -> list[str]:
    """The ``fields`` in which the payload ``found`` on the ledger differs from ``wanted`` (a field missing or
    malformed in ``found`` differs)."""
    differing = []
    for name in fields:
        canonical = _CANONICAL[name]
        try:
            same = canonical(found[name]) == canonical(wanted[name])
        except (KeyError, TypeError, ValueError, ArithmeticError):
            same = False
        if not same:
            differing.append(name)
    return differing


def _entity(template_id: str) -> str:
    return template_id.rsplit(":", 1)[-1]


class _Expected:
    """What one request's agreement is on the ledger, per template, to compare found contracts with."""

    def __init__(self, p: CommitPlan) -> None:
        self.plan = p
        self._supply = {party: payload for _, party, payload in p.supply_terms}

    def wanted(self, template: str, payload: Mapping[str, Any]) -> dict[str, Any] | None:
        """The payload the request means for a contract of ``template`` (``payload``: the contract found);
        None for a supply contract with a supplier outside the request's network."""
        p = self.plan
        if template == ORDER:
            return p.order_payload
        if template in (ORDER_PROPOSAL, ORDER_AGREEMENT):
            return p.order_terms
        if template in (SUPPLY_PROPOSAL, SUPPLY_AGREEMENT):
            supplier = payload.get("supplier")
            return self._supply.get(supplier) if isinstance(supplier, str) else None
        return p.delivery_payload

    def require_same(self, template: str, contract: ActiveContract) -> None:
        """Raise :class:`AgreementConflict` unless ``contract`` is (part of) the request's agreement."""
        what = f"{_WHAT[template]} {contract.contract_id}"
        wanted = self.wanted(template, contract.payload)
        if wanted is None:
            supplier = contract.payload.get("supplier")
            raise AgreementConflict(
                self.plan.order_id, f"{what} is with {supplier}, not in this supply network"
            )
        differing = differing_fields(contract.payload, wanted, AGREEMENT_FIELDS[template])
        if differing:
            raise AgreementConflict(self.plan.order_id, what, differing)


class AgreementCommitter:
    """Writes a :class:`CommitPlan` through a :class:`JsonApiClient` whose token may act as every party (and,
    to allocate missing parties, is an admin token)."""

    def __init__(self, client: JsonApiClient, *, allocate_parties: bool = True) -> None:
        self.client = client
        self.allocate_parties = allocate_parties

    async def commit(self, request: CommitAgreement, *, existing_only: bool = False) -> ContractCommitted:
        """Commit (or find already committed) the request's contracts; raises the client's errors
        (:class:`~ledger.jsonapi_client.LedgerUnavailable`: retry later; ``LedgerRejected``: give up), and
        :class:`AgreementConflict` (a ``LedgerRejected``) when another agreement for the order is on the
        ledger.

        ``existing_only``: write nothing; the whole agreement must be on the ledger already
        (:class:`AgreementMissing` otherwise)."""
        p = plan(request)
        client = self.client
        expected = _Expected(p)
        readers = list(dict.fromkeys(p.parties))
        if self.allocate_parties and not existing_only:
            for party in readers:
                await client.ensure_party(party)
        found: dict[str, list[ActiveContract]] = {template: [] for template in AGREEMENT_FIELDS}
        by_entity = {_entity(template): template for template in AGREEMENT_FIELDS}
        for contract in await client.query(list(AGREEMENT_FIELDS), {"orderId": p.order_id}, readers=readers):
            template = by_entity.get(_entity(contract.template_id))
            if template is not None:
                expected.require_same(template, contract)
                found[template].append(contract)
        existing_supply: dict[str, str] = {
            c.payload["supplier"]: c.contract_id for c in found[SUPPLY_AGREEMENT]
        }
        if existing_only:
            missing = [
                _WHAT[t].removeprefix("the ") for t in (ORDER, ORDER_AGREEMENT, DELIVERY) if not found[t]
            ]
            missing += [
                f"supply agreement with {s}" for _, s, _ in p.supply_terms if s not in existing_supply
            ]
            if missing:
                raise AgreementMissing(p.order_id, missing)

        if not found[ORDER]:
            created = await client.create(
                ORDER, p.order_payload, act_as=[p.customer], command_id=command_id(p.order_id, "order")
            )
            expected.require_same(ORDER, created)

        if found[ORDER_AGREEMENT]:
            order_agreement = found[ORDER_AGREEMENT][0].contract_id
        else:
            proposal = await client.create(
                ORDER_PROPOSAL,
                p.order_terms,
                act_as=[p.manufacturer],
                command_id=command_id(p.order_id, "order-proposal"),
            )
            expected.require_same(ORDER_PROPOSAL, proposal)
            accepted = await client.exercise(
                ORDER_PROPOSAL,
                proposal.contract_id,
                "AcceptOrder",
                act_as=[p.customer],
                command_id=command_id(p.order_id, "order-accept"),
            )
            order_agreement = await self._created(expected, ORDER_AGREEMENT, accepted, readers)

        supply_refs: list[SupplyContractRef] = []
        for supplier_id, party, payload in p.supply_terms:
            supply_id = existing_supply.get(party)
            if supply_id is None:
                supply = await client.create(
                    SUPPLY_PROPOSAL,
                    payload,
                    act_as=[p.manufacturer],
                    command_id=command_id(p.order_id, "supply-proposal", party),
                )
                expected.require_same(SUPPLY_PROPOSAL, supply)
                accepted = await client.exercise(
                    SUPPLY_PROPOSAL,
                    supply.contract_id,
                    "AcceptSupply",
                    act_as=[party],
                    command_id=command_id(p.order_id, "supply-accept", party),
                )
                supply_id = await self._created(expected, SUPPLY_AGREEMENT, accepted, readers)
            supply_refs.append(SupplyContractRef(supplier_id=supplier_id, contract_id=supply_id))

        if not found[DELIVERY]:
            delivered = await client.exercise(
                ORDER_AGREEMENT,
                order_agreement,
                "CommitDelivery",
                act_as=[p.manufacturer],
                command_id=command_id(p.order_id, "delivery"),
            )
            await self._created(expected, DELIVERY, delivered, readers)
        return ContractCommitted(
            order_id=request.order.id, order_contract_id=order_agreement, supply_contracts=tuple(supply_refs)
        )

    async def _created(
        self, expected: _Expected, template: str, result: ExerciseResult, readers: Sequence[str]
    ) -> str:
        """The id of the contract of ``template`` an exercise created, once it is known to be the request's
        (a deduplicated exercise returns what the first one created)."""
        contract_id = str(result.exercise_result)
        contract = next((c for c in result.created if c.contract_id == contract_id), None)
        if contract is None:
            contract = await self.client.fetch(contract_id, template_id=template, readers=readers)
        if contract is None:
            what = f"{_WHAT[template]} {contract_id}"
            raise AgreementConflict(expected.plan.order_id, f"{what} is not active any more")
        expected.require_same(template, contract)
        return contract_id
