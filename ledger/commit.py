"""Committing an agreed order and its supply network to the ledger (model v2), each step written by the
party who takes it, through that party's own session (:class:`~ledger.lifecycle.PartyLedger`, from
:class:`~ledger.lifecycle.PartySessions`): nobody acts as another party, and nothing needs ``actAsAnyParty``.

For a :class:`~ontology.contract.CommitAgreement`:

1. the customer places its order (``CustomerOrder``, signed by the customer);
2. the manufacturer accepts it (``AcceptOrder``) -> ``OrderAgreement`` (keyed by manufacturer and order id);
3. per supplier, the manufacturer proposes the supply on the order agreement (``ProposeSupply``) and the
   supplier accepts it (``AcceptSupply``, which the ledger refuses without the order agreement) ->
   ``SupplyAgreement``.

The result (:class:`~ontology.contract.ContractCommitted`) lists the order agreement and the supply
agreements.

Every commit first reads the order's contracts (as the manufacturer, who sees them all) and writes only the
steps that are missing, so a commit resumes where a crashed one stopped; every step is idempotent on its own
too (command ids from the order id and the step; a step refused as a duplicate, or raced, is resolved by
reading by key). Reused only when it is the same agreement: every contract of the order found (customer
order, proposals, agreements) is compared with what this request would write on the fields that make the
agreement (parties, product, quantity, items, prices, currency, date, penalty); one that differs raises
:class:`AgreementConflict` and nothing is written.

On a manufacturer's session that :class:`FollowsTransactions` (dazl), the commit then follows the transaction
stream from the offset it read before its first write until every contract it hands back shows there.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from pydantic import ValidationError

from ledger.jsonapi_client import ActiveContract, LedgerRejected
from ledger.lifecycle import (
    CUSTOMER_ORDER,
    ORDER_AGREEMENT,
    SUPPLY_AGREEMENT,
    SUPPLY_PROPOSAL,
    AgreementConflict,
    Item,
    OrderTerms,
    PartyLedger,
    PartySessions,
    Penalty,
    SupplyTerms,
    command_id,
    is_duplicate,
)
from ontology.contract import (
    AgreementTerms,
    CommitAgreement,
    ContractCommitted,
    PartyRole,
    SupplyContractRef,
    customer_order_terms,
)
from ontology.order import Order
from ontology.quotation import Quotation

__all__ = [
    "CUSTOMER_ORDER",
    "FOLLOWED",
    "ORDER_AGREEMENT",
    "SUPPLY_AGREEMENT",
    "SUPPLY_PROPOSAL",
    "AgreementCommitter",
    "AgreementConflict",
    "AgreementMissing",
    "CommitPlan",
    "FollowsTransactions",
    "command_id",
    "is_duplicate",
    "plan",
]

FOLLOWED = (ORDER_AGREEMENT, SUPPLY_AGREEMENT)
"""The templates of the contracts a commit hands back, which it confirms on the transaction stream."""

_ORDER_TEMPLATES = (CUSTOMER_ORDER, ORDER_AGREEMENT, SUPPLY_PROPOSAL, SUPPLY_AGREEMENT)
_ORDER_SIDE = (CUSTOMER_ORDER, ORDER_AGREEMENT)
_WHAT = {
    CUSTOMER_ORDER: "the customer order",
    ORDER_AGREEMENT: "the order agreement",
    SUPPLY_PROPOSAL: "a supply proposal",
    SUPPLY_AGREEMENT: "the supply agreement",
}


class AgreementMissing(LedgerRejected):
    """The request may only reuse an agreement already on the ledger (a contracted order), and some of it is
    not there; nothing was written."""

    def __init__(self, order_id: str, missing: Sequence[str]) -> None:
        message = f"order {order_id} is contracted, but the ledger has no {', '.join(missing)} for it"
        super().__init__(409, [message])
        self.args = (message,)
        self.order_id = order_id
        self.missing = tuple(missing)


@dataclass(frozen=True)
class CommitPlan:
    """What the parties will write for one request (pure data, from the request and their party ids)."""

    order: OrderTerms
    supplies: tuple[tuple[str, SupplyTerms], ...]
    """(platform supplier id, the supply terms) per supplier, in network order."""

    @property
    def order_id(self) -> str:
        return self.order.order_id


def _items(terms: AgreementTerms) -> tuple[Item, ...]:
    return tuple(
        Item(item_id=i.item_id, description=i.description, quantity=i.quantity, price=i.price)
        for i in terms.items
    )


def _penalty(terms: AgreementTerms) -> Penalty | None:
    p = terms.penalty
    return None if p is None else Penalty(per_day_late=p.per_day_late, cap=p.cap)


def order_ledger_terms(order: Order, quotation: Quotation, customer: str, manufacturer: str) -> OrderTerms:
    """The ``CustomerOrder`` (and its ``OrderAgreement``'s terms) between these two ledger parties when the
    customer confirms ``quotation``: :func:`ontology.contract.customer_order_terms` on the ledger, the one
    form both the customer's side (which signs it) and the manufacturer's (which accepts only it) use."""
    terms = customer_order_terms(order, quotation)
    return OrderTerms(
        order_id=str(order.id),
        customer=customer,
        manufacturer=manufacturer,
        product_id=order.product_id,
        quantity=order.quantity,
        items=_items(terms),
        price=terms.price,
        currency=terms.currency,
        delivery_date=terms.delivery_date,
        penalty=_penalty(terms),
    )


def plan(
    request: CommitAgreement, customer: str, manufacturer: str, suppliers: Mapping[str, str]
) -> CommitPlan:
    """The contracts of ``request`` between the ledger parties given (``suppliers``: platform supplier id ->
    ledger party)."""
    _, *supply_terms = request.terms()
    order = request.order
    return CommitPlan(
        order=order_ledger_terms(order, request.quotation, customer, manufacturer),
        supplies=tuple(
            (
                t.seller.id,
                SupplyTerms(
                    order_id=str(order.id),
                    manufacturer=manufacturer,
                    supplier=suppliers[t.seller.id],
                    items=_items(t),
                    price=t.price,
                    currency=t.currency,
                    delivery_date=t.delivery_date,
                    penalty=_penalty(t),
                ),
            )
            for t in supply_terms
        ),
    )


@runtime_checkable
class FollowsTransactions(Protocol):
    """A ledger client whose transaction stream the committer follows to confirm what it wrote."""

    async def ledger_end(self) -> str: ...

    async def follow(
        self,
        templates: Sequence[str],
        since: str,
        contract_ids: Collection[str],
        *,
        readers: Sequence[str],
    ) -> Mapping[str, ActiveContract]: ...


@dataclass(frozen=True)
class _Sessions:
    customer: PartyLedger
    manufacturer: PartyLedger
    suppliers: Mapping[str, PartyLedger]
    """Per platform supplier id."""


@dataclass
class _Found:
    """The order's contracts on the ledger, each checked to be (part of) the request's agreement."""

    customer_order: str | None = None
    order_agreement: str | None = None
    proposals: dict[str, str] | None = None
    agreements: dict[str, str] | None = None
    """Per supplier party: the contract id."""


class AgreementCommitter:
    """Writes a request's agreement, each step through the session of the party who takes it."""

    def __init__(self, sessions: PartySessions) -> None:
        self.sessions = sessions

    async def _sessions_of(self, request: CommitAgreement) -> _Sessions:
        order = request.order
        suppliers = {}
        for terms in request.terms()[1:]:
            suppliers[terms.seller.id] = await self.sessions.session(PartyRole.SUPPLIER, terms.seller.id)
        return _Sessions(
            customer=await self.sessions.session(PartyRole.CUSTOMER, order.customer_id),
            manufacturer=await self.sessions.session(PartyRole.MANUFACTURER, order.manufacturer_id),
            suppliers=suppliers,
        )

    async def commit(self, request: CommitAgreement, *, existing_only: bool = False) -> ContractCommitted:
        """Commit (or find already committed) the request's contracts; raises the clients' errors
        (``LedgerUnavailable``: retry later; ``LedgerRejected``: give up), :class:`AgreementConflict` (a
        ``LedgerRejected``) when another agreement for the order is on the ledger, and
        :class:`~ledger.lifecycle.PartyNotOnboarded` when a party has no ledger identity.

        ``existing_only``: write nothing; the whole agreement must be on the ledger already
        (:class:`AgreementMissing` otherwise)."""
        s = await self._sessions_of(request)
        maker = s.manufacturer
        p = plan(
            request,
            s.customer.party,
            maker.party,
            {supplier_id: session.party for supplier_id, session in s.suppliers.items()},
        )
        client = maker.client
        written_before = _written(maker, *s.suppliers.values())
        since = None
        if isinstance(client, FollowsTransactions) and not existing_only:
            since = await client.ledger_end()
        found = await self._found(maker, p)
        agreements = found.agreements or {}
        if existing_only:
            missing = [] if found.order_agreement else ["order agreement"]
            missing += [
                f"supply agreement with {t.supplier}" for _, t in p.supplies if t.supplier not in agreements
            ]
            if missing:
                raise AgreementMissing(p.order_id, missing)

        order_agreement = found.order_agreement
        if order_agreement is None:
            if found.customer_order is None:
                await s.customer.place_order(p.order)
            order_agreement = (await maker.accept_order(p.order)).contract_id
        supply_refs: list[SupplyContractRef] = []
        for supplier_id, terms in p.supplies:
            supply_id = agreements.get(terms.supplier)
            if supply_id is None:
                if terms.supplier not in (found.proposals or {}):
                    await maker.propose_supply(terms)
                supply_id = (await s.suppliers[supplier_id].accept_supply(terms)).contract_id
            supply_refs.append(SupplyContractRef(supplier_id=supplier_id, contract_id=supply_id))

        committed = ContractCommitted(
            order_id=request.order.id, order_contract_id=order_agreement, supply_contracts=tuple(supply_refs)
        )
        if since is not None and isinstance(client, FollowsTransactions):
            written = _written(maker, *s.suppliers.values()) - written_before
            new = [c for c in committed.contract_ids if c in written]
            if new:
                await client.follow(FOLLOWED, since, new, readers=[maker.party])
        return committed

    @staticmethod
    async def _found(maker: PartyLedger, p: CommitPlan) -> _Found:
        """The order's contracts the manufacturer sees; :class:`AgreementConflict` for one that is not
        (part of) this request's agreement."""
        supplies = {terms.supplier: terms for _, terms in p.supplies}
        found = _Found(proposals={}, agreements={})
        where = {"orderId": p.order_id, "manufacturer": maker.party}
        contracts = await maker.client.query(list(_ORDER_TEMPLATES), where, readers=[maker.party])
        by_entity = {t.rsplit(":", 1)[1]: t for t in _ORDER_TEMPLATES}
        for contract in contracts:
            template = by_entity.get(contract.template_id.rsplit(":", 1)[-1])
            if template is None:
                continue
            what = f"{_WHAT[template]} {contract.contract_id}"
            try:
                order = OrderTerms.model_validate(contract.payload) if template in _ORDER_SIDE else None
                terms = None if order is not None else SupplyTerms.model_validate(contract.payload)
            except ValidationError as exc:
                raise AgreementConflict(
                    p.order_id, f"{what} is malformed ({exc.error_count()} errors)"
                ) from exc
            if order is not None:
                _require_same(p.order, order, p.order_id, what)
                if template == CUSTOMER_ORDER:
                    found.customer_order = contract.contract_id
                else:
                    found.order_agreement = contract.contract_id
                continue
            assert terms is not None
            wanted = supplies.get(terms.supplier)
            if wanted is None:
                raise AgreementConflict(
                    p.order_id, f"{what} is with {terms.supplier}, not in this supply network"
                )
            _require_same(wanted, terms, p.order_id, what)
            target = found.proposals if template == SUPPLY_PROPOSAL else found.agreements
            assert target is not None
            target[terms.supplier] = contract.contract_id
        return found


def _written(*sessions: PartyLedger) -> set[str]:
    return {contract_id for session in sessions for contract_id in session.written}


def _require_same(
    wanted: OrderTerms | SupplyTerms, got: OrderTerms | SupplyTerms, order_id: str, what: str
) -> None:
    differing = wanted.differing(got)
    if differing:
        raise AgreementConflict(order_id, what, differing)
