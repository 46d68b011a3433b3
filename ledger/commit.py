"""Committing an agreed order and its supply network to the DAML ledger, idempotently: over gRPC with dazl
(:class:`ledger.commit_dazl.DazlCommitLedger`, what the contract agent uses) or through the JSON API.

For a :class:`~ontology.contract.CommitAgreement` the committer, acting for every party (the platform hosts
them all on its participant), writes:

1. ``CustomerOrder`` (signed by the customer);
2. ``OrderProposal`` (manufacturer) accepted by the customer (``AcceptOrder``) -> ``OrderAgreement``;
3. per supplier: ``SupplyProposal`` (manufacturer) accepted by the supplier (``AcceptSupply``) ->
   ``SupplyAgreement``;
4. ``CommitDelivery`` on the order agreement -> ``DeliveryCommitment`` for the quoted date.

Every commit first reads the order's contracts from the active contract set and writes only the steps that
are missing (a pending proposal is accepted, not proposed again), so a commit resumes where a crashed one
stopped. Every command id derives from the order id and the step (:func:`command_id`): Daml's deduplication
refuses a command id seen within its deduplication period (gRPC ALREADY_EXISTS, JSON API 409), and the
model's contract keys refuse a second agreement for the order (DUPLICATE_CONTRACT_KEY); a step refused so
(two commits racing, an answer lost) is resolved from the active contract set: the contract already there is
used, when it is this agreement's.

Reused only when it is the same agreement. Before anything is written, every contract of the order the
parties can see (customer order, proposals, agreements, delivery commitment) is compared with what this
request would write, on the fields that make the agreement (parties, items, prices, currency, dates, penalty;
for the customer order: parties, product, quantity and delivery date): one that differs raises
:class:`AgreementConflict` and nothing is written. Every contract a command returns, or a duplicate is
resolved to, is compared too; a duplicate whose contract is not active any more is a conflict (what that
command wrote is not this agreement).

On a ledger that :class:`FollowsTransactions` (dazl), the commit then follows the transaction stream from the
offset it read before its first write until every contract it wrote and hands back shows there.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

from ledger.engine.templates import MODULE
from ledger.jsonapi_client import ActiveContract, ExerciseResult, LedgerRejected
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


class CommitLedger(Protocol):
    """The ledger calls a commit makes (:class:`ledger.commit_dazl.DazlCommitLedger` over gRPC, or
    :class:`~ledger.jsonapi_client.JsonApiClient`); failures are :class:`LedgerClientError` subclasses."""

    async def ensure_party(self, hint: str) -> object: ...

    async def query(
        self,
        template_ids: Sequence[str],
        query: dict[str, Any] | None = None,
        *,
        readers: Sequence[str] | None = None,
    ) -> list[ActiveContract]: ...

    async def create(
        self,
        template_id: str,
        payload: dict[str, Any],
        *,
        act_as: Sequence[str] | None = None,
        command_id: str | None = None,
    ) -> ActiveContract: ...

    async def exercise(
        self,
        template_id: str,
        contract_id: str,
        choice: str,
        argument: dict[str, Any] | None = None,
        *,
        act_as: Sequence[str] | None = None,
        command_id: str | None = None,
    ) -> ExerciseResult: ...

    async def fetch(
        self, contract_id: str, *, template_id: str | None = None, readers: Sequence[str] | None = None
    ) -> ActiveContract | None: ...


@runtime_checkable
class FollowsTransactions(Protocol):
    """A ledger whose transaction stream the committer follows to confirm what it wrote."""

    async def ledger_end(self) -> str: ...

    async def follow(
        self,
        templates: Sequence[str],
        since: str,
        contract_ids: Collection[str],
        *,
        readers: Sequence[str],
    ) -> Mapping[str, ActiveContract]: ...


FOLLOWED = (ORDER_AGREEMENT, SUPPLY_AGREEMENT, DELIVERY)
"""The templates of the contracts a commit hands back, which it confirms on the transaction stream."""


def is_duplicate(exc: LedgerRejected) -> bool:
    """Daml refused a command as a duplicate: its command id within the deduplication period (gRPC
    ALREADY_EXISTS / JSON API 409), or a contract key already taken (DUPLICATE_CONTRACT_KEY)."""
    return exc.status == 409 or any("DUPLICATE_CONTRACT_KEY" in e for e in exc.errors)


class AgreementCommitter:
    """Writes a :class:`CommitPlan` through a ledger client (:class:`CommitLedger`) whose token may act as
    every party (and, to allocate missing parties, is an admin token).

    Daml deduplication refuses a command whose id was used before (and a contract key is unique), so a step
    refused as a duplicate is resolved from the active contract set: the contract an earlier attempt wrote is
    used when it is the request's (:class:`AgreementConflict` otherwise, or when it is not active any more).
    A ledger that :class:`FollowsTransactions` (dazl) is followed after the writes: the contracts handed
    back must show on its transaction stream from the offset read before the first write."""

    def __init__(self, client: CommitLedger, *, allocate_parties: bool = True) -> None:
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
        since = None
        if isinstance(client, FollowsTransactions) and not existing_only:
            since = await client.ledger_end()
        found = await self._found(expected, readers)
        if existing_only:
            existing_supply = {c.payload["supplier"] for c in found[SUPPLY_AGREEMENT]}
            missing = [
                _WHAT[t].removeprefix("the ") for t in (ORDER, ORDER_AGREEMENT, DELIVERY) if not found[t]
            ]
            missing += [
                f"supply agreement with {s}" for _, s, _ in p.supply_terms if s not in existing_supply
            ]
            if missing:
                raise AgreementMissing(p.order_id, missing)
        step = _Steps(self, expected, readers)

        if not found[ORDER]:
            await step.create(ORDER, p.order_payload, p.customer, command_id(p.order_id, "order"))

        order_agreement = await step.agreement(
            found,
            ORDER_PROPOSAL,
            p.order_terms,
            (p.manufacturer, command_id(p.order_id, "order-proposal")),
            ("AcceptOrder", p.customer, command_id(p.order_id, "order-accept")),
        )
        supply_refs: list[SupplyContractRef] = []
        for supplier_id, party, payload in p.supply_terms:
            supply_id = await step.agreement(
                found,
                SUPPLY_PROPOSAL,
                payload,
                (p.manufacturer, command_id(p.order_id, "supply-proposal", party)),
                ("AcceptSupply", party, command_id(p.order_id, "supply-accept", party)),
                supplier=party,
            )
            supply_refs.append(SupplyContractRef(supplier_id=supplier_id, contract_id=supply_id))

        if not found[DELIVERY]:
            await step.exercise(
                ORDER_AGREEMENT,
                order_agreement,
                "CommitDelivery",
                p.manufacturer,
                command_id(p.order_id, "delivery"),
                DELIVERY,
            )
        committed = ContractCommitted(
            order_id=request.order.id, order_contract_id=order_agreement, supply_contracts=tuple(supply_refs)
        )
        if since is not None and isinstance(client, FollowsTransactions):
            new = [c for c in committed.contract_ids if c in step.written]
            if new:
                await client.follow(FOLLOWED, since, new, readers=readers)
        return committed

    async def _found(self, expected: _Expected, readers: Sequence[str]) -> dict[str, list[ActiveContract]]:
        """The order's active contracts per template, each checked to be (part of) the request's."""
        found: dict[str, list[ActiveContract]] = {template: [] for template in AGREEMENT_FIELDS}
        by_entity = {_entity(template): template for template in AGREEMENT_FIELDS}
        query = {"orderId": expected.plan.order_id}
        for contract in await self.client.query(list(AGREEMENT_FIELDS), query, readers=readers):
            template = by_entity.get(_entity(contract.template_id))
            if template is not None:
                expected.require_same(template, contract)
                found[template].append(contract)
        return found

    async def _created(
        self, expected: _Expected, template: str, result: ExerciseResult, readers: Sequence[str]
    ) -> str:
        """The id of the contract of ``template`` an exercise created, once it is known to be the request's
        (a ledger that deduplicates by answering the first result hands back what that one created)."""
        contract_id = str(result.exercise_result)
        contract = next((c for c in result.created if c.contract_id == contract_id), None)
        if contract is None:
            contract = await self.client.fetch(contract_id, template_id=template, readers=readers)
        if contract is None:
            what = f"{_WHAT[template]} {contract_id}"
            raise AgreementConflict(expected.plan.order_id, f"{what} is not active any more")
        expected.require_same(template, contract)
        return contract_id


AGREEMENT_OF = {ORDER_PROPOSAL: ORDER_AGREEMENT, SUPPLY_PROPOSAL: SUPPLY_AGREEMENT}
"""The agreement a proposal's acceptance creates."""

Found = dict[str, list[ActiveContract]]


class _Steps:
    """The writes of one commit; a write refused as a duplicate is resolved from the active contract set."""

    def __init__(self, committer: AgreementCommitter, expected: _Expected, readers: Sequence[str]) -> None:
        self.committer = committer
        self.client = committer.client
        self.expected = expected
        self.readers = readers
        self.written: set[str] = set()
        """The contracts this commit's own commands created (its duplicates' are not)."""

    async def create(self, template: str, payload: dict[str, Any], party: str, command: str) -> str:
        try:
            created = await self.client.create(template, payload, act_as=[party], command_id=command)
        except LedgerRejected as exc:
            if not is_duplicate(exc):
                raise
            return self._resolved(await self._found(), template, None, command, exc)
        self.expected.require_same(template, created)
        self.written.add(created.contract_id)
        return created.contract_id

    async def exercise(
        self,
        template: str,
        contract_id: str,
        choice: str,
        party: str,
        command: str,
        creates: str,
        *,
        supplier: str | None = None,
    ) -> str:
        """Exercise ``choice``; the id of the contract of ``creates`` it created."""
        try:
            result = await self.client.exercise(
                template, contract_id, choice, act_as=[party], command_id=command
            )
        except LedgerRejected as exc:
            if not is_duplicate(exc):
                raise
            return self._resolved(await self._found(), creates, supplier, command, exc)
        created = await self.committer._created(self.expected, creates, result, self.readers)
        self.written.add(created)
        return created

    async def agreement(
        self,
        found: Found,
        proposal_template: str,
        terms: dict[str, Any],
        propose: tuple[str, str],
        accept: tuple[str, str, str],
        *,
        supplier: str | None = None,
    ) -> str:
        """The agreement of ``proposal_template``'s kind (with ``supplier``): found on the ledger, or
        proposed (``propose``: proposer, command id) unless a proposal is pending, then accepted (``accept``:
        choice, acceptor, command id)."""
        template = AGREEMENT_OF[proposal_template]
        agreed = _of(found, template, supplier)
        if agreed is not None:
            return agreed
        proposal = _of(found, proposal_template, supplier)
        if proposal is None:
            proposer, command = propose
            try:
                created = await self.client.create(
                    proposal_template, terms, act_as=[proposer], command_id=command
                )
            except LedgerRejected as exc:
                if not is_duplicate(exc):
                    raise
                now = await self._found()
                agreed = _of(now, template, supplier)
                if agreed is not None:  # proposed and accepted before
                    return agreed
                proposal = self._resolved(now, proposal_template, supplier, command, exc)
            else:
                self.expected.require_same(proposal_template, created)
                proposal = created.contract_id
                self.written.add(proposal)
        choice, acceptor, command = accept
        return await self.exercise(
            proposal_template, proposal, choice, acceptor, command, template, supplier=supplier
        )

    async def _found(self) -> Found:
        return await self.committer._found(self.expected, self.readers)

    def _resolved(
        self, found: Found, template: str, supplier: str | None, command: str, exc: LedgerRejected
    ) -> str:
        """After a duplicate: the request's contract of ``template`` (with ``supplier``) on the ledger."""
        contract_id = _of(found, template, supplier)
        if contract_id is None:
            raise AgreementConflict(
                self.expected.plan.order_id,
                f"command {command} was refused as a duplicate ({'; '.join(exc.errors) or exc}) and no "
                f"{_WHAT[template].removeprefix('the ').removeprefix('an ').removeprefix('a ')} of this "
                "agreement is active",
            )
        return contract_id


def _of(found: Found, template: str, supplier: str | None) -> str | None:
    """The id of the first contract of ``template`` in ``found`` (with ``supplier``, when given)."""
    for contract in found[template]:
        if supplier is None or contract.payload.get("supplier") == supplier:
            return contract.contract_id
    return None
