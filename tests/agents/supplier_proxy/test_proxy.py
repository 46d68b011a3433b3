"""The proxy's decisions, without FIPA: refusals, offers, concessions, confirmation."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from agents.negotiation import terms_of
from agents.supplier_proxy import SupplierProxy, reasons
from ontology.common import Reason
from ontology.negotiation import Offer
from ontology.policy import NegotiationStrategy
from ontology.process import ProcessKind, QualityLevel
from tests.agents.supplier_proxy.helpers import PRICE, SUPPLIER, T0, TODAY, cfp, policy

MAKER = "maker@local"


def proxy(strategy: NegotiationStrategy = NegotiationStrategy.LINEAR, **options: object) -> SupplierProxy:
    return SupplierProxy(
        address="suppliers@local/SUP-1",
        supplier=SUPPLIER,
        policy=policy(strategy),
        price_models={ProcessKind.LASER_CUTTING: PRICE},
        today=lambda: TODAY,
        **options,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"process": ProcessKind.CASTING}, reasons.PROCESS_NOT_SUPPORTED),
        ({"material": "titanium"}, reasons.MATERIAL_NOT_SUPPORTED),
        ({"delivery": TODAY + timedelta(days=2)}, reasons.CANNOT_MEET_DATE),
        ({"machine_minutes": 60.0 * 100}, reasons.CAPACITY),
    ],
)
def test_refusals(changes: dict[str, object], reason: str) -> None:
    answer = proxy().answer(cfp(**changes), initiator=MAKER, now=T0)  # type: ignore[arg-type]
    assert isinstance(answer, Reason)
    assert answer.reason == reason


def test_opening_offer_answers_the_cfp_at_target_margin() -> None:
    call = cfp()
    offer = proxy().answer(call, initiator=MAKER, now=T0)
    assert isinstance(offer, Offer)
    assert offer.problems(call) == []
    # cost = 20 + 60 * 2 h = 140; opening 40 % margin: 196; linear at t = 0 asks utility 1.
    assert offer.price == Decimal("196.00")
    assert offer.delivery_date == call.delivery_date
    assert offer.quality is QualityLevel.STANDARD
    assert offer.supplier_id == "SUP-1"
    assert offer.valid_until > T0


def test_revised_cfps_get_conceded_offers_down_to_reservation() -> None:
    p = proxy()
    first = p.answer(cfp(1), initiator=MAKER, now=T0)
    second = p.answer(cfp(2, target="100"), initiator=MAKER, now=T0)
    third = p.answer(cfp(3, target="100"), initiator=MAKER, now=T0)
    assert isinstance(first, Offer) and isinstance(second, Offer) and isinstance(third, Offer)
    seller = p.negotiations[(MAKER, str(first.order_id), "frame")].utility
    values = [seller.of(terms_of(o)) for o in (first, second, third)]
    assert values[0] >= values[1] >= values[2]
    assert third.price >= Decimal("147.00")  # reservation: 140 * 1.05


def test_target_price_the_strategy_accepts_is_offered_as_is() -> None:
    p = proxy(NegotiationStrategy.CONCEDER)
    p.answer(cfp(1), initiator=MAKER, now=T0)
    offer = p.answer(cfp(2, target="190"), initiator=MAKER, now=T0)
    assert isinstance(offer, Offer)
    assert offer.price == Decimal("190")


def test_confirm_books_hours_or_fails_when_configured() -> None:
    p = proxy()
    offer = p.answer(cfp(), initiator=MAKER, now=T0)
    assert isinstance(offer, Offer)
    assert p.confirm(offer) == offer
    assert p.booked_hours == pytest.approx(2.0)
    failing = proxy(fail_after_accept=True)
    offer = failing.answer(cfp(), initiator=MAKER, now=T0)
    assert isinstance(offer, Offer)
    result = failing.confirm(offer)
    assert isinstance(result, Reason) and result.reason == reasons.CONFIGURED_FAILURE
    stranger = offer.model_copy(update={"id": offer.order_id})
    unknown = p.confirm(stranger)
    assert isinstance(unknown, Reason) and unknown.reason == reasons.OFFER_UNKNOWN


def test_same_inputs_same_offers() -> None:
    def run() -> list[tuple[Decimal, object, object]]:
        p = proxy(NegotiationStrategy.TIT_FOR_TAT, seed=5)
        out: list[tuple[Decimal, object, object]] = []
        for r, target in ((1, None), (2, "120"), (3, "130")):
            o = p.answer(cfp(r, target), initiator=MAKER, now=T0)
            assert isinstance(o, Offer)
            out.append((o.price, o.delivery_date, o.quality))
        return out

    assert run() == run()
