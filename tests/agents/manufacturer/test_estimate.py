"""Production-time estimate and delivery-date feasibility, no network."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from agents.manufacturer.assessment import Assessment, Refusal, assess, queue_minutes
from agents.manufacturer.estimate import INFEASIBLE_DATE, UNSUPPORTED_PROCESS, check_feasibility, estimate
from ontology.customisation import Customisation
from ontology.events import EventCode, HistoryEvent
from ontology.order import Order
from ontology.policy import ManufacturerPolicy
from ontology.process import ProcessKind
from ontology.product import Product, RequiredPart

TODAY = date(2030, 1, 7)
WELD = RequiredPart(part_id="weld", process=ProcessKind.WELDING, machine_minutes=120)
MILL = RequiredPart(part_id="mill", process=ProcessKind.CNC_MILLING, machine_minutes=30)
PAINT = RequiredPart(part_id="paint", process=ProcessKind.PAINTING, machine_minutes=10)


def policy(**changes: object) -> ManufacturerPolicy:
    fields: dict[str, object] = {
        "capacity_hours_per_week": 7,  # 60 minutes a day
        "own_processes": frozenset({ProcessKind.WELDING}),
        "sourced_processes": frozenset({ProcessKind.CNC_MILLING}),
        "margin": Decimal("0.25"),
        "production_days": 2,
    }
    fields.update(changes)
    return ManufacturerPolicy.model_validate(fields)


def test_estimate_counts_own_minutes_and_the_queue_at_daily_capacity() -> None:
    p = policy()
    split = p.split([WELD, MILL])
    production = estimate(p, split, queue_minutes=180)
    assert production.own_minutes == 120
    assert production.capacity_minutes_per_day == 60
    assert production.own_days == 5  # (120 + 180) / 60
    assert production.total_days == 7
    assert production.earliest_delivery(TODAY) == TODAY + timedelta(days=7)


def test_estimate_without_own_work_is_only_the_production_days() -> None:
    p = policy()
    production = estimate(p, p.split([MILL]), queue_minutes=0)
    assert production.own_days == 0 and production.total_days == 2


def test_feasible_date_gives_the_latest_part_delivery() -> None:
    p = policy()
    split = p.split([WELD, MILL])
    verdict = check_feasibility(p, split, estimate(p, split, 0), TODAY + timedelta(days=10), TODAY)
    assert verdict.feasible
    assert verdict.latest_part_delivery == TODAY + timedelta(days=8)


def test_too_early_a_date_is_infeasible_and_says_why() -> None:
    p = policy()
    split = p.split([WELD, MILL])
    verdict = check_feasibility(p, split, estimate(p, split, 600), TODAY + timedelta(days=5), TODAY)
    assert not verdict.feasible and verdict.reason == INFEASIBLE_DATE
    assert "queued" in verdict.detail and "minute" not in verdict.detail
    assert "12 days of work in our workshop" in verdict.detail


def test_a_process_neither_made_nor_sourced_is_refused() -> None:
    p = policy()
    split = p.split([WELD, PAINT])
    verdict = check_feasibility(p, split, estimate(p, split, 0), TODAY + timedelta(days=30), TODAY)
    assert not verdict.feasible and verdict.reason == UNSUPPORTED_PROCESS
    assert "paint" in verdict.detail


def product() -> Product:
    return Product(id="p", manufacturer_id="m", name="P", base_cost=Decimal(10), base_parts=(WELD, MILL))


def order(days: int = 30, manufacturer: str = "m", product_id: str = "p") -> Order:
    return Order(
        customer_id="c",
        manufacturer_id=manufacturer,
        product_id=product_id,
        customisation=Customisation(),
        delivery_date=TODAY + timedelta(days=days),
        created_at=datetime(2030, 1, 7, tzinfo=UTC),
    )


def test_assess_accepts_a_feasible_order() -> None:
    result = assess(order(), "m", {"p": product()}, policy(), 0, TODAY)
    assert isinstance(result, Assessment)
    assert [p.part_id for p in result.split.sourced] == ["mill"]
    assert result.latest_part_delivery == TODAY + timedelta(days=28)


def test_assess_refuses_unknown_products_other_manufacturers_and_late_dates() -> None:
    catalogue = {"p": product()}
    unknown = assess(order(product_id="q"), "m", catalogue, policy(), 0, TODAY)
    other = assess(order(manufacturer="n"), "m", catalogue, policy(), 0, TODAY)
    late = assess(order(days=3), "m", catalogue, policy(), 0, TODAY)
    assert isinstance(unknown, Refusal) and unknown.reason.reason == "unknown-product"
    assert isinstance(other, Refusal) and other.reason.reason == "wrong-manufacturer"
    assert isinstance(late, Refusal) and late.reason.reason == INFEASIBLE_DATE
    assert unknown.event is None and other.event is None
    assert late.event == HistoryEvent.of(EventCode.DATE_TOO_SOON, earliest_delivery=TODAY + timedelta(days=4))


def test_the_queue_is_the_own_work_of_queued_orders() -> None:
    queued = [order(), order()]
    assert queue_minutes(queued, {"p": product()}, policy()) == 240
    assert queue_minutes(queued, {}, policy()) == 0


def test_a_date_beyond_the_horizon_is_refused_in_words() -> None:
    p = policy(max_horizon_days=60)
    split = p.split([WELD, MILL])
    last = check_feasibility(p, split, estimate(p, split, 0), TODAY + timedelta(days=60), TODAY)
    assert last.feasible
    beyond = check_feasibility(p, split, estimate(p, split, 0), TODAY + timedelta(days=61), TODAY)
    assert not beyond.feasible and beyond.reason == INFEASIBLE_DATE
    horizon = TODAY + timedelta(days=60)
    assert beyond.event == HistoryEvent.of(EventCode.DATE_TOO_LATE, latest_delivery=horizon)
    assert beyond.event.sentence() == (
        "The manufacturer could not take the order: it takes orders for delivery up to 8 March 2030."
    )
    assert beyond.detail == (
        "we take orders for delivery up to 60 days ahead: the latest delivery date is 2030-03-08, "
        "before the requested 2030-03-09"
    )
