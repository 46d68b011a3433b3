"""Supply networks: assignments, totals, coverage."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest
from hypothesis import given, settings
from pydantic import ValidationError

from ontology import Assignment, SupplyNetwork
from tests.ontology.examples import ORDER, offer, part
from tests.ontology.strategies import networks


def network() -> SupplyNetwork:
    return (
        SupplyNetwork(order_id=ORDER)
        .with_assignment(part("frame"), offer("frame", "s1", "100.50", 10))
        .with_assignment(part("wheels"), offer("wheels", "s2", "40.25", 14))
        .with_assignment(part("paint"), offer("paint", "s1", "9.25", 3))
    )


def test_totals() -> None:
    net = network()
    assert net.total_cost == Decimal("150.00")
    assert net.latest_delivery == date(2030, 6, 14)
    assert net.currency == "EUR"
    assert net.supplier_ids == ("s1", "s2")
    assert [a.part_id for a in net.by_supplier()["s1"]] == ["frame", "paint"]
    assert net.assignment("wheels") is not None and net.assignment("wheels").supplier_id == "s2"  # type: ignore[union-attr]
    assert net.assignment("bell") is None


def test_empty_network() -> None:
    empty = SupplyNetwork(order_id=ORDER)
    assert (empty.total_cost, empty.latest_delivery, empty.currency) == (Decimal(0), None, None)
    assert empty.covers([])
    assert not empty.covers(["frame"])


def test_covers_exactly() -> None:
    net = network()
    assert net.covers([part("frame"), part("wheels"), part("paint")])
    assert net.covers(["paint", "frame", "wheels"])
    assert net.coverage_problems(["frame", "wheels", "paint", "bell"]) == ["part 'bell' has no supplier"]
    assert net.coverage_problems(["frame", "wheels"]) == ["part 'paint' is assigned but not required"]
    assert not net.covers(["frame", "wheels"])


def test_a_part_is_assigned_once() -> None:
    with pytest.raises(ValidationError, match="'frame' assigned more than once"):
        network().with_assignment(part("frame"), offer("frame", "s3", "90", 9))


def test_offer_must_be_for_the_assigned_part_and_order() -> None:
    with pytest.raises(ValidationError, match="is for part 'wheels', not 'frame'"):
        Assignment(part=part("frame"), offer=offer("wheels", "s1", "1", 1))
    with pytest.raises(ValidationError, match="belongs to order"):
        SupplyNetwork(order_id=ORDER).with_assignment(
            part("frame"), offer("frame", "s1", "1", 1, order_id=uuid4())
        )


def test_one_currency() -> None:
    with pytest.raises(ValidationError, match="one currency, offers use EUR, USD"):
        network().with_assignment(part("bell"), offer("bell", "s3", "5", 1, currency="USD"))


@settings(max_examples=40, deadline=None)
@given(networks())
def test_a_network_covers_exactly_its_own_parts(net: SupplyNetwork) -> None:
    own = [a.part for a in net.assignments]
    assert net.covers(own)
    assert net.total_cost == sum((a.offer.price for a in net.assignments), Decimal(0))
    if own:
        assert not net.covers(own[1:])
        assert net.latest_delivery == max(a.offer.delivery_date for a in net.assignments)
    assert not net.covers([*own, part("never-assigned-part")])
