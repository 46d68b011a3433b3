"""The contract step on the ledger, taken by the manufacturer itself (:class:`LedgerContractStep`, a
:class:`~agents.manufacturer.contracting.ContractStep`): no contract agent, nothing signed for anyone else.

For a :class:`~ontology.contract.CommitAgreement` (the order as confirmed, its quotation, its supply network):

1. the customer's ``CustomerOrder`` is found by its key (the customer's ledger party from the identity store,
   never derived from its platform id); its terms must equal the quotation's
   (:func:`~ontology.contract.customer_order_terms`), else the step fails in words (``contract-failed``);
2. ``AcceptOrder`` as the manufacturer -> the ``OrderAgreement``;
3. per supplier, ``ProposeSupply`` on the order agreement (the supplier's terms: its accepted offers, the
   late-delivery penalty the manufacturer's policy demands, as a share of that supply's price) and a FIPA
   ``request`` :class:`~ontology.lifecycle.SignSupply` to the supplier's agent, answered ``inform``
   :class:`~ontology.lifecycle.SupplySigned` (then checked on the ledger: the supply agreement must be there,
   with these terms) or ``failure`` (the proposal is withdrawn, the step fails with the supplier's words).

Result: :class:`~ontology.contract.ContractCommitted` (the order agreement, then each supply agreement).
Idempotent and resumable: every step first reads the ledger (an order agreement or supply agreement already
there is reused when its terms are the same; a proposal already there is not proposed again, and a supplier
penalty already proposed is kept). While the ledger is unreachable the step retries with bounded backoff
within the contract timing; a refusal fails at once.

The step fails only when it is certain that nothing more will be committed: a supplier that did not sign has
its proposal withdrawn first (a late signature cannot land any more; one that came first is kept). When the
ledger stays unreachable, or a proposal cannot be withdrawn, the answer is
:data:`~agents.manufacturer.contracting.COMMIT_PENDING`: the commit may still land, and the flow asks again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

from agents.manufacturer.contracting import pending
from agents.manufacturer.requests import Opened, ask
from ledger.commit import plan
from ledger.jsonapi_client import LedgerRejected, LedgerUnavailable
from ledger.lifecycle import (
    AgreementConflict,
    Contract,
    OrderKey,
    OrderTerms,
    PartyIdentities,
    PartyLedger,
    Penalty,
    StepRefused,
    SupplyAgreement,
    SupplyKey,
    SupplyTerms,
)
from ontology.common import Reason
from ontology.contract import CommitAgreement, ContractCommitted, PartyRole, SupplyContractRef
from ontology.lifecycle import SignSupply, SupplySigned
from ontology.policy import LatePenaltyTerms

if TYPE_CHECKING:
    from agents.manufacturer.agent import ManufacturerAgent

log = logging.getLogger(__name__)

CONTRACT_FAILED = "contract-failed"

CUSTOMER_ORDER_PATIENCE = 5.0
"""Seconds the customer's signed order is looked for on the ledger before the contract fails without it."""
CUSTOMER_ORDER_POLL = 0.5

Sign = Callable[[str, SignSupply, timedelta, Opened | None], Awaitable[SupplySigned | Reason]]
"""Ask the agent (JID) of a supplier to sign its supply proposal, within the time given."""
T = TypeVar("T")

_NAMES = {
    "items": "items",
    "price": "price",
    "currency": "currency",
    "deliveryDate": "delivery date",
    "penalty": "late-delivery penalty",
    "productId": "product",
    "quantity": "quantity",
    "customer": "customer",
    "manufacturer": "manufacturer",
    "orderId": "order",
}


@dataclass(frozen=True)
class _Existing:
    terms: SupplyTerms
    agreement: str | None = None


class ContractFailed(Exception):
    """The contract step cannot be taken; ``detail`` says why in words."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class Uncertain(ContractFailed):
    """The step stopped without knowing whether all was committed (the ledger away): it may still land."""


def in_words(fields: list[str]) -> str:
    """Daml field names as a reader says them (``deliveryDate`` -> ``delivery date``)."""
    return ", ".join(_NAMES.get(f, f) for f in fields)


def ledger_penalty(terms: LatePenaltyTerms | None, price: Decimal) -> Penalty | None:
    """The ledger's penalty of an agreement at ``price`` under ``terms`` (None: no penalty)."""
    penalty = None if terms is None else terms.penalty_for(price)
    return None if penalty is None else Penalty(per_day_late=penalty.per_day_late, cap=penalty.cap)


@dataclass(frozen=True)
class Backoff:
    """Bounded exponential backoff while the ledger is unreachable."""

    first: float = 0.5
    most: float = 5.0

    def delay(self, attempt: int) -> float:
        return float(min(self.most, self.first * 2**attempt))


class LedgerContractStep:
    """Commits a confirmed order on the ledger as the manufacturer (``ledger``: its own session), asking
    each supplier's agent to sign its supply; ``identities`` is read only (the other parties' ids)."""

    def __init__(
        self,
        agent: ManufacturerAgent,
        ledger: PartyLedger,
        identities: PartyIdentities,
        timeout: timedelta,
        *,
        supplier_jid: Callable[[str], str | None],
        supplier_penalty: Callable[[], LatePenaltyTerms | None] = lambda: None,
        backoff: Backoff | None = None,
        sign: Sign | None = None,
    ) -> None:
        """``supplier_jid``: the agent (JID) that signs for a supplier id; ``supplier_penalty``: the penalty
        terms demanded of suppliers now (the manufacturer's policy); ``sign``: how a supplier's agent is asked
        to sign (default: a FIPA request from ``agent``)."""
        self.agent = agent
        self.sign: Sign = sign or self._ask
        self.ledger = ledger
        self.identities = identities
        self.timeout = timeout
        self.supplier_jid = supplier_jid
        self.supplier_penalty = supplier_penalty
        self.backoff = backoff or Backoff()

    async def commit(
        self, request: CommitAgreement, opened: Opened | None = None
    ) -> ContractCommitted | Reason:
        deadline = asyncio.get_running_loop().time() + self.timeout.total_seconds()
        try:
            return await self._commit(request, opened, deadline)
        except Uncertain as exc:
            return pending(exc.detail)
        except ContractFailed as exc:
            return Reason(reason=CONTRACT_FAILED, detail=exc.detail[:10_000])
        except AgreementConflict as exc:
            return Reason(reason=CONTRACT_FAILED, detail=str(exc)[:10_000])
        except LedgerRejected as exc:
            words = "; ".join(exc.errors) or str(exc)
            return Reason(reason=CONTRACT_FAILED, detail=f"the ledger refused: {words}"[:10_000])

    async def _ask(
        self, jid: str, request: SignSupply, within: timedelta, opened: Opened | None
    ) -> SupplySigned | Reason:
        return await ask(self.agent, jid, request, SupplySigned, timeout=within, opened=opened)

    async def _retrying(self, deadline: float, step: Callable[[], Awaitable[T]], what: str) -> T:
        """``step``, again while the ledger is unreachable, until ``deadline``."""
        loop = asyncio.get_running_loop()
        attempt = 0
        while True:
            try:
                return await step()
            except LedgerUnavailable as exc:
                delay = self.backoff.delay(attempt)
                attempt += 1
                if loop.time() + delay > deadline:
                    raise Uncertain(f"the ledger was unreachable while {what}: {exc}") from exc
                log.info(
                    "%s: ledger unreachable while %s (%s); retry in %.1f s",
                    self.ledger.party,
                    what,
                    exc,
                    delay,
                )
                await asyncio.sleep(delay)

    async def _party(self, role: PartyRole, platform_id: str) -> str:
        identity = await self.identities.identity(role, platform_id)
        if identity is None:
            raise ContractFailed(f"{role} {platform_id} has no ledger party (it is not onboarded)")
        return identity.party

    async def _commit(
        self, request: CommitAgreement, opened: Opened | None, deadline: float
    ) -> ContractCommitted:
        order = request.order
        order_id = str(order.id)
        customer = await self._party(PartyRole.CUSTOMER, order.customer_id)
        suppliers = {
            t.seller.id: await self._party(PartyRole.SUPPLIER, t.seller.id) for t in request.terms()[1:]
        }
        wanted = plan(request, customer, self.ledger.party, suppliers)
        agreement = await self._retrying(
            deadline, lambda: self._accept(wanted.order, deadline), f"accepting order {order_id}"
        )
        terms_now = self.supplier_penalty()
        signing = [
            self._supply(
                order_id,
                supplier_id,
                self._with_penalty(request, terms, terms_now),
                opened,
                deadline,
            )
            for supplier_id, terms in wanted.supplies
        ]
        results = await asyncio.gather(*signing, return_exceptions=True)
        failures = [r for r in results if isinstance(r, BaseException)]
        if failures:
            raise failures[0]
        refs = tuple(r for r in results if isinstance(r, SupplyContractRef))
        return ContractCommitted(order_id=order.id, order_contract_id=agreement, supply_contracts=refs)

    @staticmethod
    def _with_penalty(
        request: CommitAgreement, terms: SupplyTerms, policy_terms: LatePenaltyTerms | None
    ) -> SupplyTerms:
        """The supply terms with the penalty demanded of this supplier (the request's, else the policy's as a
        share of this supply's price)."""
        if request.penalty is not None:
            return terms
        return terms.model_copy(update={"penalty": ledger_penalty(policy_terms, terms.price)})

    async def _accept(self, wanted: OrderTerms, deadline: float) -> str:
        """The order agreement of ``wanted`` (found, else the customer's order accepted; the customer's order
        is looked for a few seconds, as a ledger's participants may see a transaction a little apart)."""
        key = OrderKey(self.ledger.party, wanted.order_id)
        agreed = await self.ledger.order_agreement(key)
        if agreed is None:
            loop = asyncio.get_running_loop()
            patience = min(loop.time() + CUSTOMER_ORDER_PATIENCE, deadline)
            placed = await self.ledger.customer_order(wanted.customer, wanted.order_id)
            while placed is None and loop.time() + CUSTOMER_ORDER_POLL < patience:
                await asyncio.sleep(CUSTOMER_ORDER_POLL)
                placed = await self.ledger.customer_order(wanted.customer, wanted.order_id)
            if placed is None:
                raise ContractFailed(
                    f"the customer has not signed order {wanted.order_id} on the ledger (no customer order)"
                )
            differing = wanted.differing(placed.data)
            if differing:
                raise ContractFailed(
                    f"the customer's signed order {wanted.order_id} differs from the accepted quotation in: "
                    f"{in_words(differing)}"
                )
        accepted = await self.ledger.accept_order(wanted)
        return accepted.contract_id

    async def _supply(
        self, order_id: str, supplier_id: str, terms: SupplyTerms, opened: Opened | None, deadline: float
    ) -> SupplyContractRef:
        key = SupplyKey(self.ledger.party, order_id, terms.supplier)
        found = await self._retrying(deadline, lambda: self._existing(key, terms), "reading the supply")
        if found.agreement is not None:
            return SupplyContractRef(supplier_id=supplier_id, contract_id=found.agreement)
        terms = found.terms
        proposal = await self._retrying(
            deadline, lambda: self.ledger.propose_supply(terms), f"proposing the supply to {supplier_id}"
        )
        jid = self.supplier_jid(supplier_id)
        answer: SupplySigned | Reason
        if jid:
            remaining = max(deadline - asyncio.get_running_loop().time(), 1.0)
            request = SignSupply(
                order_id=order_id, supplier_id=supplier_id, proposal_contract_id=proposal.contract_id
            )
            answer = await self.sign(jid, request, timedelta(seconds=remaining), opened)
        else:
            answer = Reason(reason="no-agent", detail="it has no agent to sign it")
        signed = await self._retrying(
            deadline, lambda: self.ledger.supply_agreement(key), f"reading the supply of {supplier_id}"
        )
        if signed is None:
            signed = await self._withdraw(key, deadline)
        if signed is not None:
            differing = terms.differing(signed.data)
            if differing:
                raise ContractFailed(
                    f"the supply agreement {supplier_id} signed differs from the proposal in: "
                    f"{in_words(differing)}"
                )
            return SupplyContractRef(supplier_id=supplier_id, contract_id=signed.contract_id)
        if isinstance(answer, Reason):
            why = answer.detail or answer.reason
            raise ContractFailed(f"supplier {supplier_id} did not sign its supply: {why}")
        raise ContractFailed(
            f"supplier {supplier_id} says it signed ({answer.agreement_contract_id}), "
            "but the ledger holds no supply agreement of it"
        )

    async def _existing(self, key: SupplyKey, terms: SupplyTerms) -> _Existing:
        """What the ledger holds for this supply: its agreement's contract id, or the terms to propose (the
        penalty of a proposal made before is kept; every other term must be the same)."""
        agreed = await self.ledger.supply_agreement(key)
        if agreed is not None:
            self._same_but_penalty(terms, agreed.data, f"the supply agreement {agreed.contract_id}")
            return _Existing(terms, agreed.contract_id)
        proposed = await self.ledger.supply_proposal(key)
        if proposed is not None:
            self._same_but_penalty(terms, proposed.data, f"the supply proposal {proposed.contract_id}")
            return _Existing(terms.model_copy(update={"penalty": proposed.data.penalty}))
        return _Existing(terms)

    @staticmethod
    def _same_but_penalty(wanted: SupplyTerms, found: SupplyTerms, what: str) -> None:
        differing = [f for f in wanted.differing(found) if f != "penalty"]
        if differing:
            raise AgreementConflict(wanted.order_id, what, differing)

    async def _withdraw(self, key: SupplyKey, deadline: float) -> Contract[SupplyAgreement] | None:
        """Withdraw the supply proposal of ``key``, so that a signature that comes late cannot land; the
        supply agreement when the supplier signed first. :class:`Uncertain` when the proposal stays."""
        who = key.supplier
        try:
            await self._retrying(
                deadline, lambda: self.ledger.withdraw_supply(key), f"withdrawing the proposal to {who}"
            )
        except StepRefused:
            pass  # agreed already: read below
        except LedgerRejected as exc:
            log.warning("%s: could not withdraw the supply proposal %s: %s", self.ledger.party, key, exc)
        signed = await self._retrying(
            deadline, lambda: self.ledger.supply_agreement(key), f"reading the supply of {who}"
        )
        if signed is None:
            left = await self._retrying(
                deadline, lambda: self.ledger.supply_proposal(key), f"reading the proposal to {who}"
            )
            if left is not None:
                raise Uncertain(f"the supply proposal to {who} was not withdrawn; it may still be signed")
        return signed


def supplier_lookup(
    known: Mapping[str, str], fallback: Callable[[str], str | None] | None
) -> Callable[[str], str | None]:
    """The JID of a supplier's agent: the one negotiated with in this run, else ``fallback``'s."""

    def jid(supplier_id: str) -> str | None:
        return known.get(supplier_id) or (fallback(supplier_id) if fallback else None)

    return jid
