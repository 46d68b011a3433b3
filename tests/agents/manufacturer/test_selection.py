"""Ranking supplier offers and choosing between awarding and another round, no network."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

from agents.manufacturer.scoring import NegotiationScorer
from agents.manufacturer.selection import LinearScorer, rank_offers
from ontology.negotiation import CallForProposals, Offer
from ontology.policy import ManufacturerPolicy, NegotiationStrategy, ReservationValues
from ontology.process import ProcessKind, QualityLevel
from ontology.product import RequiredPart

NOW = datetime(2030, 1, 7, 12, tzinfo=UTC)
ORDER = uuid4()
PART = RequiredPart(part_id="frame", process=ProcessKind.CNC_MILLING, material="aluminium")
LATEST = NOW.date() + timedelta(days=20)
CFP = CallForProposals(order_id=ORDER, part=PART, delivery_date=LATEST, reply_by=NOW + timedelta(seconds=5))
POLICY = ManufacturerPolicy(
    capacity_hours_per_week=40,
    margin=Decimal("0.2"),
    reservation=ReservationValues(part_price_limits={"frame": Decimal("500")}),
)


def offer(supplier: str, price: str, days: int = 10, **changes: object) -> Offer:
    fields: dict[str, object] = {
        "order_id": ORDER,
        "part_id": "frame",
        "supplier_id": supplier,
        "price": Decimal(price),
        "delivery_date": NOW.date() + timedelta(days=days),
        "material": "aluminium",
        "valid_until": NOW + timedelta(minutes=1),
    }
    fields.update(changes)
    return Offer.model_validate(fields)


def test_unacceptable_offers_are_set_aside_with_the_reason() -> None:
    offers = [
        offer("cheap", "100"),
        offer("dear", "600"),
        offer("late", "90", days=30),
        offer("steel", "80", material="steel"),
        offer("poor", "70", quality=QualityLevel.ECONOMY),
        offer("ok", "150"),
    ]
    ranking = rank_offers(offers, CFP, POLICY, LATEST, LinearScorer())
    assert [o.supplier_id for o in ranking.ranked] == ["cheap", "ok"]
    reasons = {r.offer.supplier_id: r.reason for r in ranking.rejected}
    assert "reservation" in reasons["dear"]
    assert "after" in reasons["late"]
    assert "material" in reasons["steel"]
    assert "quality" in reasons["poor"]


def test_utility_weighs_price_delivery_and_quality() -> None:
    fast_dear = offer("fast", "200", days=2)
    slow_cheap = offer("slow", "100", days=19)
    premium = offer("premium", "100", days=19, quality=QualityLevel.PREMIUM)
    ranking = rank_offers([fast_dear, slow_cheap, premium], CFP, POLICY, LATEST, LinearScorer())
    assert ranking.best is not None and ranking.best.supplier_id == "premium"


def test_linear_scorer_asks_for_a_lower_price_until_the_last_round() -> None:
    scorer = LinearScorer(beta=1.0, ambition=Decimal("0.10"))
    best = offer("a", "100")
    target = scorer.next_target(best, CFP, [best], 3, Decimal("500"))
    assert target is not None and Decimal("90") <= target < Decimal("100")
    last = CFP.model_copy(update={"round": 3})
    assert scorer.next_target(best, last, [best], 3, None) is None


def test_negotiation_scorer_awards_in_the_last_round_and_counters_before() -> None:
    scorer = NegotiationScorer(NegotiationStrategy.BOULWARE)
    offers = [offer("a", "100"), offer("b", "140", days=5)]
    first = scorer.next_target(offers[0], CFP, offers, 3, Decimal("500"))
    assert first is not None and first < Decimal("100")
    last = CFP.model_copy(update={"round": 3})
    assert scorer.next_target(offers[0], last, offers, 3, Decimal("500")) is None
    assert 0.0 <= scorer.utility(offers[0], CFP, offers) <= 1.0
    assert scorer.utility(offers[0], CFP, offers) > scorer.utility(offers[1], CFP, offers) - 0.5
