"""Calls for proposals, issue weights and multi-issue offers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from ontology import CallForProposals, Issue, IssueWeights, Offer, ProcessKind, QualityLevel, RequiredPart
from tests.ontology.strategies import issue_weights

ORDER = uuid4()
NOON = datetime(2030, 5, 1, 12, tzinfo=UTC)
CFP = CallForProposals(
    order_id=ORDER,
    part=RequiredPart(
        part_id="frame", process=ProcessKind.CNC_MILLING, material="Aluminium", quality=QualityLevel.STANDARD
    ),
    delivery_date=date(2030, 6, 1),
    weights=IssueWeights(price=0.6, delivery=0.3, quality=0.1),
    reply_by=NOON,
    round=2,
)


def offer(**changes: object) -> Offer:
    fields: dict[str, object] = {
        "order_id": ORDER,
        "part_id": "frame",
        "supplier_id": "s1",
        "round": 2,
        "price": Decimal("120.00"),
        "delivery_date": date(2030, 5, 20),
        "quality": QualityLevel.PREMIUM,
        "material": "aluminium",
        "valid_until": NOON + timedelta(hours=1),
    }
    fields.update(changes)
    return Offer.model_validate(fields)


def test_weights_must_sum_to_one() -> None:
    with pytest.raises(
        ValidationError,
        match=r"issue weights must sum to 1, got 0.9 \(price 0.5 \+ delivery 0.3 \+ quality 0.1\)",
    ):
        IssueWeights(price=0.5, delivery=0.3, quality=0.1)
    with pytest.raises(ValidationError, match="sum to 1"):
        IssueWeights(price=1, delivery=0.5, quality=0)


def test_weight_out_of_range() -> None:
    with pytest.raises(ValidationError, match="less than or equal to 1"):
        IssueWeights(price=1.5, delivery=-0.25, quality=-0.25)


def test_float_rounding_is_tolerated() -> None:
    weights = IssueWeights(
        price=0.1, delivery=0.2, quality=0.7
    )  # 0.1 + 0.2 + 0.7 != 1.0 in binary floating point
    assert weights.of(Issue.QUALITY) == 0.7


@given(issue_weights())
def test_normalised_weights_are_accepted(weights: IssueWeights) -> None:
    assert sum(weights.of(issue) for issue in Issue) == pytest.approx(1.0)


@given(
    st.floats(min_value=0, max_value=1),
    st.floats(min_value=0, max_value=1),
    st.floats(min_value=0, max_value=1),
)
def test_weights_accepted_iff_they_sum_to_one(price: float, delivery: float, quality: float) -> None:
    total_ok = abs(price + delivery + quality - 1) <= 1e-9
    try:
        IssueWeights(price=price, delivery=delivery, quality=quality)
    except ValidationError:
        assert not total_ok
    else:
        assert total_ok


def test_cfp_needs_an_aware_reply_by_and_a_positive_round() -> None:
    with pytest.raises(ValidationError, match="naive"):
        CFP.model_validate(CFP.model_dump() | {"reply_by": datetime(2030, 5, 1, 12)})
    with pytest.raises(ValidationError, match="round"):
        CFP.model_validate(CFP.model_dump() | {"round": 0})


def test_offer_answers_its_cfp() -> None:
    offer().check_against(CFP)
    assert offer().problems(CFP) == []


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"order_id": uuid4()}, "the cfp for order"),
        ({"part_id": "wheel"}, "offer is for part 'wheel', the cfp for part 'frame'"),
        ({"round": 1}, "offer is for round 1, the cfp is round 2"),
        ({"currency": "USD"}, "offer is in USD, the cfp asks for EUR"),
        ({"quality": QualityLevel.ECONOMY}, "offered quality 'economy' is below the required 'standard'"),
        ({"material": "steel"}, "offered material 'steel' is not the required 'Aluminium'"),
        ({"material": None}, "offered material None is not the required 'Aluminium'"),
    ],
)
def test_offer_mismatches(changes: dict[str, object], problem: str) -> None:
    bad = offer(**changes)
    assert len(bad.problems(CFP)) == 1
    with pytest.raises(ValueError, match=problem):
        bad.check_against(CFP)


def test_offer_price_and_currency() -> None:
    with pytest.raises(ValidationError, match="greater than or equal to 0"):
        offer(price=Decimal("-1"))
    with pytest.raises(ValidationError, match="ISO 4217"):
        offer(currency="euro")


def test_offer_validity() -> None:
    assert offer().is_valid_at(NOON)
    assert offer().is_valid_at(NOON + timedelta(hours=1))
    assert not offer().is_valid_at(NOON + timedelta(hours=1, seconds=1))
    with pytest.raises(ValueError, match="naive"):
        offer().is_valid_at(datetime(2030, 5, 1))
