"""Each side's utility in one bilateral negotiation, as the results record it, and the outcome space.

The seller's utility is exactly its proxy's (:func:`agents.supplier_proxy.pricing.space_for` for the
round-1 call, the call's weights). The buyer's scorer re-derives its space from every round's
offers, so the results use one fixed buyer utility per negotiation instead: the price scores 1 at
the seller's reservation price and 0 at the buyer's reservation price (its policy's limit for the
part, else the scenario's ``buyer_reservation_price``, else the seller's opening price), dates from
the run's first day (1) to the latest part delivery (0), qualities from the required one up, with
the manufacturer's weights. Walking away is worth 0 to both (the strategies' reservation utility).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from agents.negotiation import Side, Terms, Utility, buyer_space
from agents.negotiation.generator import candidate_dates
from agents.negotiation.terms import CENT
from agents.supplier_proxy.pricing import cost_of, opening_price, reservation_price, space_for
from agents.supplier_proxy.records import price_models_of
from ontology.negotiation import CallForProposals
from ontology.policy import ManufacturerPolicy
from simulation.plan import SupplierSetup
from simulation.results import TermsRecord

#: Bounds of the outcome-space sample: dates x qualities x prices.
SAMPLE_DATES = 4
SAMPLE_PRICES = 8


@dataclass(frozen=True)
class Evaluation:
    buyer: Utility
    seller: Utility
    buyer_reservation_price: Decimal
    seller_reservation_price: Decimal

    def utilities(self, terms: Terms) -> tuple[float, float]:
        return self.buyer.of(terms), self.seller.of(terms)

    def outcome_space(self) -> list[dict[str, float]]:
        """Utilities (``UtilityPoint`` fields) of a bounded grid of the terms both sides accept.

        Utilities are additive over the issues, so each issue's scores are computed once per value."""
        buyer, seller = self.buyer, self.seller
        b, s = buyer.space, seller.space
        low, high = s.price_low, b.price_high
        first, last = max(b.earliest, s.earliest), min(b.latest, s.latest)
        qualities = [q for q in s.qualities if q.rank >= b.qualities[0].rank]
        if high < low or last < first or not qualities:
            return []
        steps = SAMPLE_PRICES - 1
        prices = sorted(
            {(low + (high - low) * Decimal(i) / steps).quantize(CENT) for i in range(SAMPLE_PRICES)}
        )
        prices = [p for p in prices if low <= p <= high]
        wb, ws = buyer.weights, seller.weights
        price_scores = [(wb.price * buyer.price_score(p), ws.price * seller.price_score(p)) for p in prices]
        days = candidate_dates(first, last, SAMPLE_DATES)
        day_scores = [(wb.delivery * buyer.date_score(d), ws.delivery * seller.date_score(d)) for d in days]
        quality_scores = [
            (wb.quality * buyer.quality_score(q), ws.quality * seller.quality_score(q)) for q in qualities
        ]
        points: dict[tuple[float, float], None] = {}
        for db, ds in day_scores:
            for qb, qs in quality_scores:
                for pb, ps in price_scores:
                    points[(round(_clip(pb + db + qb), 6), round(_clip(ps + ds + qs), 6))] = None
        # plain data: the result model validates the points (in pydantic-core, faster than models here)
        return [{"buyer": u, "seller": v} for u, v in points]


def _clip(value: float) -> float:
    return 0.0 if value < 0.0 else 1.0 if value > 1.0 else value


def evaluation_for(
    cfp: CallForProposals,
    *,
    today: date,
    policy: ManufacturerPolicy,
    setup: SupplierSetup,
    fallback_reservation: Decimal | None,
) -> Evaluation | None:
    """None when the supplier cannot make the part at all (it refuses every call)."""
    supplier = setup.record.to_supplier()
    capability = supplier.capability(cfp.part.process)
    if capability is None or not capability.max_quality.meets(cfp.part.quality):
        return None
    models = price_models_of(setup.record)
    seller_space = space_for(
        cfp, today=today, policy=setup.policy, capability=capability, price_models=models
    )
    cost = cost_of(cfp.part, setup.policy, models)
    seller_floor = reservation_price(cost, setup.policy)
    limit = policy.reservation.max_price_for(cfp.part.part_id)
    buyer_ceiling = limit or fallback_reservation or opening_price(cost, setup.policy)
    space = buyer_space(
        best_price=seller_floor,
        reservation_price=buyer_ceiling,
        earliest=min(today, cfp.delivery_date),
        latest=cfp.delivery_date,
        required_quality=cfp.part.quality,
    )
    return Evaluation(
        buyer=Utility(Side.BUYER, space, cfp.weights),
        seller=Utility(Side.SELLER, seller_space, cfp.weights),
        buyer_reservation_price=buyer_ceiling,
        seller_reservation_price=seller_floor,
    )


def record_of(terms: Terms) -> TermsRecord:
    return TermsRecord(price=terms.price, delivery_date=terms.delivery_date, quality=terms.quality)
