"""``SupplierProxy``: the decisions of one external supplier's agent, with no FIPA and no network.

It answers a :class:`~ontology.negotiation.CallForProposals` with an
:class:`~ontology.negotiation.Offer` or a refusal :class:`~ontology.common.Reason`
(:mod:`agents.supplier_proxy.reasons`), concedes in revised calls following its policy's strategy
(one :class:`~agents.negotiation.Negotiator` per initiator, order and part), and confirms an
accepted offer (booking its machine hours, :mod:`agents.supplier_proxy.bookings`) or fails when
configured to (``fail_after_accept``). A ``silent`` proxy is never asked: its host drops what is sent to it.

Capacity. The hours of a call's part must fit into the hours the supplier has until the call's delivery
date minus every held and confirmed booking (``capacity``), and the requester's held (unconfirmed) hours
plus the part's must not exceed ``max_requester_share`` of the hours the supplier has until that date
(``capacity-share``). Both are checked when a call arrives and again when an offer is confirmed; a
confirmed offer is held for ``hold_for`` (from the ``now`` of its confirmation) unless a contract confirms
it first (the host's check against the store).

Memory. A conversation that finishes calls :meth:`SupplierProxy.forget` for its negotiation and offers
(:class:`~agents.supplier_proxy.conversation.ProxyConversation` does); without conversations, at most
:data:`NEGOTIATIONS_KEPT` negotiators and :data:`OFFERS_KEPT` offers are kept (the oldest are dropped).
Bookings are bounded by :data:`agents.supplier_proxy.bookings.MAX_BOOKINGS`.
"""

from __future__ import annotations

import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from agents.negotiation import (
    Negotiator,
    Side,
    Terms,
    Utility,
    round_time,
    strategy_for,
)
from agents.supplier_proxy import reasons
from agents.supplier_proxy.bookings import Booking, Bookings, BookingsFull, BookingState, within_share
from agents.supplier_proxy.pricing import PriceModels, hours_available, hours_of, space_for
from ontology.common import Reason
from ontology.negotiation import CallForProposals, Offer
from ontology.policy import SupplierPolicy
from ontology.supplier import Capability, Supplier
from store.records.bindings import normalise_jid

#: How long an offer binds the supplier by default.
OFFER_VALIDITY = timedelta(seconds=30)
#: How long a confirmed offer's hours are held without a contract, by default (quotation validity + 1 h).
BOOKING_HOLD = timedelta(seconds=90_000)
#: The largest share of a supplier's capacity one requester may hold unconfirmed, by default.
MAX_REQUESTER_SHARE = 0.5
#: Negotiators kept at most (oldest dropped first) when conversations do not forget theirs.
NEGOTIATIONS_KEPT = 10_000
#: Offers (with their calls) kept at most (oldest dropped first) when conversations do not forget theirs.
OFFERS_KEPT = 10_000

NegotiationKey = tuple[str, str, str]
"""(initiator, order id, part id)."""


def utc_today() -> date:
    return datetime.now(UTC).date()


@dataclass(slots=True)
class SupplierProxy:
    """One supplier: what it can make, what it costs, how it negotiates, what it booked."""

    address: str
    supplier: Supplier
    policy: SupplierPolicy
    price_models: PriceModels = field(default_factory=dict)
    fail_after_accept: bool = False
    silent: bool = False
    seed: int = 0
    offer_validity: timedelta = OFFER_VALIDITY
    today: Callable[[], date] = utc_today
    hold_for: timedelta = BOOKING_HOLD
    max_requester_share: float = MAX_REQUESTER_SHARE
    bookings: Bookings = field(default_factory=Bookings)
    negotiations: OrderedDict[NegotiationKey, Negotiator] = field(default_factory=OrderedDict)
    offers: OrderedDict[str, Offer] = field(default_factory=OrderedDict)
    """Offers made and not settled, by id (to confirm what is accepted)."""
    calls: OrderedDict[str, CallForProposals] = field(default_factory=OrderedDict)
    """The cfp each offer of :attr:`offers` answered, by offer id."""

    def __post_init__(self) -> None:
        if not 0 < self.max_requester_share <= 1:
            raise ValueError(f"max_requester_share must be in (0, 1], not {self.max_requester_share}")

    @property
    def booked_hours(self) -> float:
        """Hours of every held and confirmed booking."""
        return self.bookings.hours()

    def refusal(self, cfp: CallForProposals, *, requester: str | None = None) -> Reason | None:
        """Why this supplier cannot bid on ``cfp`` (from ``requester``, when known) at all, or None."""
        part = cfp.part
        capability = self.supplier.capability(part.process)
        if capability is None:
            return Reason(reason=reasons.PROCESS_NOT_SUPPORTED, detail=f"{part.process} is not offered")
        if not capability.max_quality.meets(part.quality):
            detail = f"best quality is {capability.max_quality}, {part.quality} asked"
            return Reason(reason=reasons.QUALITY_NOT_SUPPORTED, detail=detail)
        if not capability.supports(part):
            return Reason(reason=reasons.MATERIAL_NOT_SUPPORTED, detail=f"{part.material} is not worked")
        if cfp.currency != self.policy.currency:
            detail = f"prices are in {self.policy.currency}, {cfp.currency} asked"
            return Reason(reason=reasons.CURRENCY_NOT_SUPPORTED, detail=detail)
        today = self.today()
        lead = max(self.policy.lead_time_days, capability.lead_time_days)
        if today + timedelta(days=lead) > cfp.delivery_date:
            detail = f"lead time {lead} days: not before {today + timedelta(days=lead)}"
            return Reason(reason=reasons.CANNOT_MEET_DATE, detail=detail)
        return self._capacity_problem(capability, hours_of(part), cfp.delivery_date, requester)

    def answer(self, cfp: CallForProposals, *, initiator: str, now: datetime) -> Offer | Reason:
        """The offer (or refusal) for ``cfp``; a revised cfp's ``target_price`` is the buyer's counter."""
        refused = self.refusal(cfp, requester=initiator)
        if refused is not None:
            return refused
        negotiator = self._negotiator(cfp, initiator)
        t = round_time(cfp.round, self.policy.max_rounds)
        terms: Terms | None = None
        if cfp.target_price is not None:
            space = negotiator.utility.space
            asked = Terms(cfp.target_price, cfp.delivery_date, space.qualities[0])
            response = negotiator.respond(asked, t)
            terms = asked if response.accept else response.counter
        if terms is None:
            terms = negotiator.offer(t)
        offer = Offer(
            order_id=cfp.order_id,
            part_id=cfp.part.part_id,
            supplier_id=self.supplier.id,
            round=cfp.round,
            price=terms.price,
            currency=cfp.currency,
            delivery_date=terms.delivery_date,
            quality=terms.quality,
            material=cfp.part.material,
            valid_until=now + self.offer_validity,
        )
        key = str(offer.id)
        self.offers[key] = offer
        self.calls[key] = cfp
        while len(self.offers) > OFFERS_KEPT:
            oldest, _ = self.offers.popitem(last=False)
            self.calls.pop(oldest, None)
        return offer

    def confirm(
        self, offer: Offer, *, requester: str | None = None, now: datetime | None = None
    ) -> Offer | Reason:
        """Bind an accepted offer: book its hours for ``requester`` (held from ``now``), and return the offer,
        or why it cannot be honoured. Confirming a booked offer again returns it (same requester)."""
        key = str(offer.id)
        who = normalise_jid(requester or "")
        booked = self.bookings.get(key)
        if booked is not None:
            if booked.requester == who:
                return self.offers.get(key, offer)
            return Reason(reason=reasons.OFFER_UNKNOWN, detail=f"offer {offer.id} is booked for someone else")
        ours, cfp = self.offers.get(key), self.calls.get(key)
        if ours is None or cfp is None:
            return Reason(reason=reasons.OFFER_UNKNOWN, detail=f"no offer {offer.id} was made here")
        if self.fail_after_accept:
            return Reason(reason=reasons.CONFIGURED_FAILURE, detail="this proxy fails after acceptance")
        capability = self.supplier.capability(cfp.part.process)
        assert capability is not None  # it was offered
        hours = hours_of(cfp.part)
        problem = self._capacity_problem(capability, hours, ours.delivery_date, requester)
        if problem is not None:
            return problem
        moment = now if now is not None else datetime.now(UTC)
        booking = Booking(
            requester=who,
            order_id=str(ours.order_id),
            offer_id=key,
            part_id=ours.part_id,
            hours=hours,
            delivery_date=ours.delivery_date,
            state=BookingState.HELD,
            held_until=moment + self.hold_for,
            price=ours.price,
            currency=ours.currency,
            quantity=cfp.part.quantity,
        )
        try:
            self.bookings.hold(booking)
        except BookingsFull as exc:
            return Reason(reason=reasons.TOO_MANY_BOOKINGS, detail=str(exc))
        return ours

    def forget(self, key: NegotiationKey | None, offer_ids: list[str] | tuple[str, ...] = ()) -> None:
        """Drop a settled negotiation and its offers (what was confirmed is kept as a booking)."""
        if key is not None:
            self.negotiations.pop(key, None)
        for offer_id in offer_ids:
            self.offers.pop(offer_id, None)
            self.calls.pop(offer_id, None)

    def _capacity_problem(
        self, capability: Capability, hours: float, until: date, requester: str | None
    ) -> Reason | None:
        today = self.today()
        free = hours_available(today, until, self.policy, capability, self.bookings.hours())
        if hours > free:
            return Reason(
                reason=reasons.CAPACITY, detail=f"{hours:.1f} machine hours needed, {free:.1f} free"
            )
        if requester is None:
            return None
        capacity = hours_available(today, until, self.policy, capability, 0.0)
        held = self.bookings.held_hours(normalise_jid(requester))
        if not within_share(held, hours, capacity, self.max_requester_share):
            detail = (
                f"{hours:.1f} machine hours asked, {held:.1f} held unconfirmed already; one requester may "
                f"hold {self.max_requester_share:.0%} of {capacity:.1f} hours until {until.isoformat()}"
            )
            return Reason(reason=reasons.CAPACITY_SHARE, detail=detail)
        return None

    # ----------------------------------------------------------------- internals

    def _negotiator(self, cfp: CallForProposals, initiator: str) -> Negotiator:
        key = (initiator, str(cfp.order_id), cfp.part.part_id)
        negotiator = self.negotiations.get(key)
        if negotiator is None or cfp.round == 1:
            capability = self.supplier.capability(cfp.part.process)
            assert capability is not None  # refusal() checked it
            space = space_for(
                cfp,
                today=self.today(),
                policy=self.policy,
                capability=capability,
                price_models=self.price_models,
            )
            seed = zlib.crc32(f"{self.seed}|{self.supplier.id}|{'|'.join(key)}".encode())
            strategy = strategy_for(self.policy.strategy)
            negotiator = Negotiator(Utility(Side.SELLER, space, cfp.weights), strategy, seed=seed)
            self.negotiations[key] = negotiator
            while len(self.negotiations) > NEGOTIATIONS_KEPT:
                self.negotiations.popitem(last=False)
        else:
            self.negotiations.move_to_end(key)
        return negotiator
