"""Shared by the manufacturer's ledger tests: a real embedded ledger (Canton-style party ids, static ledger
time moved by Daml's testing TimeService), each party onboarded with its own ledger user, sessions carrying a
token of one user each, and the customer's and suppliers' own steps taken through their own sessions
(standing in for their agents, which the customer and supplier tests cover)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from ledger.lifecycle import (
    Item,
    OrderTerms,
    Penalty,
    StaticIdentities,
    SupplyKey,
    TokenSessions,
)
from ledger.testing import LedgerProcess
from ontology.common import Reason
from ontology.contract import CommitAgreement, PartyRole, customer_order_terms
from ontology.lifecycle import SignSupply, SupplySigned
from ontology.policy import LatePenaltyTerms
from tests.ledger.examples import commit_request
from tests.ledger.party_sessions import Identity, onboard_all, sessions
from tests.ledger.users_support import SECRET  # the TimeService's admin tokens are signed with it
from tests.ledger.v2_support import V2_ENV

PARTIES = {
    "c1": PartyRole.CUSTOMER,
    "m1": PartyRole.MANUFACTURER,
    "s1": PartyRole.SUPPLIER,
    "s2": PartyRole.SUPPLIER,
}
SUPPLIER_TERMS = LatePenaltyTerms(percent_per_day=Decimal(1), cap_percent=Decimal(2))
"""1 % of the supply's price a day late, at most 2 %."""


def static_ledger(directory: object) -> LedgerProcess:
    return LedgerProcess(directory, secret=SECRET, env=V2_ENV)  # type: ignore[arg-type]


class World:
    """The parties of one ledger: identities (as the identity store holds them) and their sessions."""

    def __init__(self, ledger: LedgerProcess, identities: dict[tuple[PartyRole, str], Identity]) -> None:
        self.ledger = ledger
        self.identities = identities
        self.sessions: TokenSessions = sessions(ledger, SECRET, identities, "json")
        self.lookup = StaticIdentities(identities)
        self.signed: list[SignSupply] = []
        self.refuse: dict[str, str] = {}
        """Supplier id -> the words it refuses with."""

    @classmethod
    async def open(cls, ledger: LedgerProcess) -> World:
        return cls(ledger, await onboard_all(ledger, SECRET, PARTIES))

    def party(self, role: PartyRole, platform_id: str) -> str:
        return self.identities[(role, platform_id)].party

    async def place(self, request: CommitAgreement, **changes: object) -> OrderTerms:
        """The customer places its order with the terms of its quotation (``changes``: other terms)."""
        customer = await self.sessions.session(PartyRole.CUSTOMER, request.order.customer_id)
        terms = order_terms(request, customer.party, self.party(PartyRole.MANUFACTURER, "m1"))
        if changes:
            terms = terms.model_copy(update=changes)
        await customer.place_order(terms)
        return terms

    async def sign(
        self,
        jid: str,
        request: SignSupply,
        within: timedelta,
        opened: object,
    ) -> SupplySigned | Reason:
        """The supplier's agent: signs the proposal it is asked to sign, as the supplier (or refuses)."""
        del within, opened
        assert jid == f"{request.supplier_id}@suppliers.test"
        self.signed.append(request)
        supplier = await self.sessions.session(PartyRole.SUPPLIER, request.supplier_id)
        key = SupplyKey(self.party(PartyRole.MANUFACTURER, "m1"), str(request.order_id), supplier.party)
        proposal = await supplier.supply_proposal(key)
        if proposal is None or proposal.contract_id != request.proposal_contract_id:
            return Reason(reason="unknown-proposal", detail="no such proposal")
        why = self.refuse.get(request.supplier_id)
        if why is not None:
            await supplier.reject_supply(key, why)
            return Reason(reason="refused", detail=why)
        signed = await supplier.accept_supply(proposal.data)
        return SupplySigned(
            order_id=request.order_id,
            supplier_id=request.supplier_id,
            agreement_contract_id=signed.contract_id,
        )


def a_request() -> CommitAgreement:
    """A confirmed order of c1 with m1 (its quotation with a late-delivery penalty of 5 a day), parts from s1
    and s2; as the manufacturer's flow asks for it (no penalty given: the policy's applies to suppliers)."""
    return commit_request().model_copy(update={"penalty": None})


def supplier_jid(supplier_id: str) -> str:
    return f"{supplier_id}@suppliers.test"


def order_terms(request: CommitAgreement, customer: str, manufacturer: str) -> OrderTerms:
    """The customer's order on the ledger, from :func:`customer_order_terms` (as the customer's agent builds
    it)."""
    terms = customer_order_terms(request.order, request.quotation)
    penalty = terms.penalty
    return OrderTerms(
        order_id=str(terms.order_id),
        customer=customer,
        manufacturer=manufacturer,
        product_id=request.order.product_id,
        quantity=request.order.quantity,
        items=tuple(
            Item(item_id=i.item_id, description=i.description, quantity=i.quantity, price=i.price)
            for i in terms.items
        ),
        price=terms.price,
        currency=terms.currency,
        delivery_date=terms.delivery_date,
        penalty=None if penalty is None else Penalty(per_day_late=penalty.per_day_late, cap=penalty.cap),
    )
