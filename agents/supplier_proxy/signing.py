"""A supplier signs a supply proposal on the ledger when the manufacturer asks: FIPA ``request``
:class:`~ontology.lifecycle.SignSupply`, answered ``inform`` :class:`~ontology.lifecycle.SupplySigned` or
``refuse``/``failure`` with a :class:`~ontology.common.Reason` (codes in
:mod:`agents.supplier_proxy.reasons`).

The host admits the request only from a JID the directory binds as ``manufacturer`` (as for cfps); then
:meth:`SupplySigner.sign` decides, in this order:

* no ledger given (a simulation) -> ``failure`` ``no-ledger``; nothing changes;
* the request names another supplier -> ``refuse`` ``wrong-supplier``;
* the proxy holds no booking of the order for the requester (the JID that accepted its offer) -> ``refuse``
  ``no-booking``: nothing is read or signed;
* the host tracks as many agreements as it can -> ``refuse`` ``too-many-agreements``;
* the proposal is read with the supplier's own session (by its contract id): it must be a ``SupplyProposal``
  of that order to this supplier from a manufacturer the requester is bound to (its ledger party from the
  identity store, never derived from an id) -> else ``failure`` ``no-proposal``. Already accepted (a request
  asked again): the supply agreement found by key is the answer;
* its terms are compared with the offers booked (:mod:`agents.supplier_proxy.supply_terms`): different ->
  ``RejectSupply`` with the differences in words, ``failure`` ``terms-differ`` with the same words;
* else ``AcceptSupply`` as the supplier -> the bookings taken up are confirmed, the agreement is tracked
  (:mod:`agents.supplier_proxy.fulfilment`: ship, invoice, confirm payment) -> ``inform`` ``SupplySigned``.

A ledger that does not answer -> ``failure`` ``ledger-unavailable`` (nothing signed; the manufacturer may ask
again); a step the ledger refuses -> ``failure`` ``ledger-refused`` with its words.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from agents.runtime.directory import Binding
from agents.supplier_proxy import reasons
from agents.supplier_proxy.bookings import Booking
from agents.supplier_proxy.fulfilment import Fulfilment
from agents.supplier_proxy.proxy import SupplierProxy
from agents.supplier_proxy.supply_terms import match
from ledger.jsonapi_client import LedgerRejected, LedgerUnavailable
from ledger.lifecycle import (
    SUPPLY_PROPOSAL,
    Contract,
    PartyIdentities,
    PartyLedger,
    PartySessions,
    SupplyAgreement,
    SupplyKey,
    SupplyTerms,
)
from ontology.common import Reason
from ontology.contract import PartyRole
from ontology.lifecycle import SignSupply, SupplySigned
from store.enums import ANY_PARTY, AgentRole
from store.records.bindings import normalise_jid

log = logging.getLogger(__name__)

Bindings = Callable[[str], Awaitable[tuple[Binding, ...]]]
"""The directory's bindings of a JID."""


@dataclass(frozen=True, slots=True)
class Declined:
    """Why a request to sign is not honoured: ``refused`` (nothing was asked of the ledger) or failed."""

    reason: Reason
    refused: bool = False


def _declined(code: str, detail: str, *, refused: bool = False) -> Declined:
    return Declined(Reason(reason=code, detail=detail[:10_000]), refused)


def _entity(template_id: str) -> str:
    return template_id.rsplit(":", 1)[-1]


class SupplySigner:
    """Signs (or rejects) supply proposals for the proxies of one host."""

    def __init__(
        self,
        ledger: PartySessions | None,
        identities: PartyIdentities | None,
        bindings: Bindings,
        fulfilment: Fulfilment | None,
    ) -> None:
        self.ledger = ledger
        self.identities = identities
        self.bindings = bindings
        self.fulfilment = fulfilment

    async def sign(
        self, proxy: SupplierProxy, request: SignSupply, requester: str
    ) -> SupplySigned | Declined:
        """Decide on ``request`` sent to ``proxy`` by ``requester`` (the stamped sender, admitted as bound to
        a manufacturer)."""
        supplier_id = proxy.supplier.id
        order_id = str(request.order_id)
        if self.ledger is None or self.fulfilment is None:
            return _declined(reasons.NO_LEDGER, "no ledger: this proxy host signs nothing (a simulation)")
        if request.supplier_id != supplier_id:
            return _declined(
                reasons.WRONG_SUPPLIER,
                f"this is the proxy of supplier {supplier_id}, not of {request.supplier_id}",
                refused=True,
            )
        who = normalise_jid(requester)
        booked = [b for b in proxy.bookings if b.order_id == order_id and b.requester == who]
        if not booked:
            return _declined(
                reasons.NO_BOOKING,
                f"supplier {supplier_id} holds no booking of order {order_id} for {who}: it offered nothing "
                "there to sign",
                refused=True,
            )
        if self.fulfilment.full and self.fulfilment.get(supplier_id, order_id) is None:
            return _declined(
                reasons.TOO_MANY_AGREEMENTS,
                f"{len(self.fulfilment)} supply agreements are under way here; ask again later",
                refused=True,
            )
        try:
            return await self._sign(proxy, request, who, booked)
        except LedgerUnavailable as exc:
            log.warning("%s: cannot sign the supply of order %s: ledger away: %s", supplier_id, order_id, exc)
            return _declined(
                reasons.LEDGER_UNAVAILABLE, f"the ledger did not answer ({exc}); nothing was signed"
            )
        except (LedgerRejected, LookupError) as exc:
            log.warning("%s: the supply of order %s was not signed: %s", supplier_id, order_id, exc)
            return _declined(reasons.LEDGER_REFUSED, str(exc))

    async def _manufacturers(self, requester: str) -> frozenset[str] | None:
        """The ledger parties of the manufacturers ``requester`` is bound to (None: any, a ``*`` binding)."""
        assert self.identities is not None
        ids = {b.party_id for b in await self.bindings(requester) if b.role is AgentRole.MANUFACTURER}
        if ANY_PARTY in ids:
            return None
        parties: set[str] = set()
        for platform_id in sorted(ids):
            identity = await self.identities.identity(PartyRole.MANUFACTURER, platform_id)
            if identity is not None:
                parties.add(identity.party)
        return frozenset(parties)

    async def _sign(
        self, proxy: SupplierProxy, request: SignSupply, requester: str, booked: Sequence[Booking]
    ) -> SupplySigned | Declined:
        assert self.ledger is not None and self.fulfilment is not None
        supplier_id = proxy.supplier.id
        order_id = str(request.order_id)
        session = await self.ledger.session(PartyRole.SUPPLIER, supplier_id)
        manufacturers = await self._manufacturers(requester) if self.identities is not None else None
        if manufacturers is not None and not manufacturers:
            return _declined(
                reasons.NO_PROPOSAL,
                f"{requester} acts for no manufacturer with a ledger party; nothing to sign",
            )

        def ours(terms: SupplyTerms) -> bool:
            return (
                terms.supplier == session.party
                and terms.order_id == order_id
                and (manufacturers is None or terms.manufacturer in manufacturers)
            )

        proposal = await self._proposal(session, request.proposal_contract_id)
        if proposal is None or not ours(proposal.data):
            agreed = await self._agreed(session, order_id, manufacturers, proposal)
            if agreed is None:
                return _declined(
                    reasons.NO_PROPOSAL,
                    f"no supply proposal {request.proposal_contract_id} of order {order_id} to supplier "
                    f"{supplier_id} from a manufacturer {requester} acts for is on the ledger",
                )
            return self._signed(proxy, request, agreed, booked, again=True)
        terms = proposal.data
        key = SupplyKey(terms.manufacturer, order_id, session.party)
        checked = match(terms, booked)
        if not checked.agreed:
            words = (
                f"supplier {supplier_id} rejects the supply proposal of order {order_id}: {checked.reason()}"
            )
            await session.reject_supply(key, words)
            log.info("%s: %s", supplier_id, words)
            return _declined(reasons.TERMS_DIFFER, words)
        agreement = await session.accept_supply(terms)
        return self._signed(proxy, request, agreement, checked.bookings, again=False)

    async def _proposal(self, session: PartyLedger, contract_id: str) -> Contract[SupplyTerms] | None:
        """The active supply proposal ``contract_id`` as the supplier sees it, else None."""
        try:
            found = await session.client.fetch(
                contract_id, template_id=SUPPLY_PROPOSAL, readers=[session.party]
            )
        except LedgerUnavailable:
            raise
        except LedgerRejected:  # malformed or unknown id, another template
            return None
        if found is None or _entity(found.template_id) != _entity(SUPPLY_PROPOSAL):
            return None
        return Contract(found.contract_id, SUPPLY_PROPOSAL, SupplyTerms.model_validate(found.payload))

    async def _agreed(
        self,
        session: PartyLedger,
        order_id: str,
        manufacturers: frozenset[str] | None,
        proposal: Contract[SupplyTerms] | None,
    ) -> Contract[SupplyAgreement] | None:
        """The supply agreement of the order this supplier signed already with one of ``manufacturers``."""
        candidates = set(manufacturers or ())
        if manufacturers is None and proposal is not None:
            candidates.add(proposal.data.manufacturer)
        for manufacturer in sorted(candidates):
            found = await session.supply_agreement(SupplyKey(manufacturer, order_id, session.party))
            if found is not None:
                return found
        return None

    def _signed(
        self,
        proxy: SupplierProxy,
        request: SignSupply,
        agreement: Contract[SupplyAgreement],
        bookings: Sequence[Booking],
        *,
        again: bool,
    ) -> SupplySigned:
        assert self.fulfilment is not None
        supplier_id = proxy.supplier.id
        taken = bookings if not again else match(agreement.data, bookings).bookings
        for booking in taken:
            proxy.bookings.confirm(booking.offer_id)
        self.fulfilment.track(supplier_id, agreement)
        log.info(
            "%s: supply agreement of order %s %s: %s %s, delivery by %s",
            supplier_id,
            agreement.data.order_id,
            "was signed already" if again else "signed",
            agreement.data.price,
            agreement.data.currency,
            agreement.data.delivery_date.isoformat(),
        )
        return SupplySigned(
            order_id=request.order_id, supplier_id=supplier_id, agreement_contract_id=agreement.contract_id
        )
