"""Orders: the explicit status table, transitions, history and the delivery-date rule."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from itertools import product as pairs

import pytest
from hypothesis import given, settings
from pydantic import ValidationError

from ontology import (
    ORDER_TRANSITIONS,
    Choice,
    Customisation,
    InvalidTransition,
    Order,
    OrderStatus,
    OrderStatusChange,
    ProcessKind,
    Product,
    ProductOption,
    RequiredPart,
    allowed_transitions,
    check_delivery_date,
    is_terminal,
)
from tests.ontology.strategies import orders

S = OrderStatus
CREATED = datetime(2030, 3, 1, 9, 30, tzinfo=UTC)
TERMINAL = {S.REJECTED, S.DECLINED, S.CANCELLED, S.FAILED, S.COMPLETED}
ALLOWED = [(a, b) for a, b in pairs(S, S) if b in allowed_transitions(a)]
FORBIDDEN = [(a, b) for a, b in pairs(S, S) if b not in allowed_transitions(a)]


def order_in(status: S) -> Order:
    """An order brought to ``status`` along a shortest path of the table."""
    order = Order(
        customer_id="c1",
        manufacturer_id="m1",
        product_id="p1",
        delivery_date=date(2030, 4, 1),
        created_at=CREATED,
    )
    path = ORDER_TRANSITIONS.path(S.RECEIVED, status)
    assert path is not None
    for step, target in enumerate(path[1:], start=1):
        order = order.transition(target, "agent@localhost", at=CREATED + timedelta(hours=step))
    return order


AGREED = {
    S.RECEIVED: {S.ACCEPTED, S.REJECTED, S.CANCELLED, S.FAILED},
    S.ACCEPTED: {S.SOURCING, S.CANCELLED, S.FAILED},
    S.SOURCING: {S.NEGOTIATING, S.CANCELLED, S.FAILED},
    S.NEGOTIATING: {S.QUOTED, S.CANCELLED, S.FAILED},
    S.QUOTED: {S.CONFIRMED, S.DECLINED, S.COUNTERED, S.CANCELLED, S.FAILED},
    S.COUNTERED: {S.NEGOTIATING, S.QUOTED, S.DECLINED, S.CANCELLED, S.FAILED},
    S.CONFIRMED: {S.CONTRACTING, S.CANCELLED, S.FAILED},
    S.CONTRACTING: {S.CONTRACTED, S.FAILED},
    S.CONTRACTED: {S.IN_PRODUCTION, S.FAILED},
    S.IN_PRODUCTION: {S.PRODUCED, S.FAILED},
    S.PRODUCED: {S.INVOICED},
    S.INVOICED: {S.PAID},
    S.PAID: {S.SHIPPED},
    S.SHIPPED: {S.DELIVERED},
    S.DELIVERED: {S.COMPLETED},
}


def test_table_is_the_agreed_one() -> None:
    assert {status: set(allowed_transitions(status)) for status in S if allowed_transitions(status)} == AGREED


def test_terminal_states_have_no_outgoing_transitions() -> None:
    assert ORDER_TRANSITIONS.terminal_states == TERMINAL
    for status in S:
        assert is_terminal(status) == (status in TERMINAL)
        assert (allowed_transitions(status) == ()) == (status in TERMINAL)


def test_received_leads_to_completed() -> None:
    path = ORDER_TRANSITIONS.path(S.RECEIVED, S.COMPLETED)
    assert path is not None
    assert path[0] is S.RECEIVED and path[-1] is S.COMPLETED
    assert S.CONFIRMED in path and S.PAID in path
    order = order_in(S.COMPLETED)
    assert order.status is S.COMPLETED
    assert [change.to_status for change in order.history] == list(path[1:])


def test_every_state_is_reachable_and_none_is_a_dead_end() -> None:
    for status in S:
        assert ORDER_TRANSITIONS.path(S.RECEIVED, status) is not None, status
        assert any(ORDER_TRANSITIONS.path(status, end) is not None for end in TERMINAL), status


@pytest.mark.parametrize(("current", "target"), ALLOWED, ids=lambda s: str(s))
def test_allowed_transition_returns_a_new_order(current: S, target: S) -> None:
    order = order_in(current)
    at = datetime(2030, 3, 5, tzinfo=UTC)
    moved = order.transition(target, "manufacturer@localhost", "why not", at=at)
    assert moved.status is target
    assert moved.history[:-1] == order.history
    assert moved.history[-1] == OrderStatusChange(
        from_status=current, to_status=target, at=at, actor="manufacturer@localhost", note="why not"
    )
    assert order.status is current, "the original order must not change"
    assert Order.model_validate(moved.model_dump()) == moved


@pytest.mark.parametrize(("current", "target"), FORBIDDEN, ids=lambda s: str(s))
def test_forbidden_transition_raises(current: S, target: S) -> None:
    order = order_in(current)
    with pytest.raises(InvalidTransition) as caught:
        order.transition(target, "someone")
    message = str(caught.value)
    assert f"from '{current}' to '{target}'" in message
    for allowed in allowed_transitions(current):
        assert f"'{allowed}'" in message
    if is_terminal(current):
        assert "terminal" in message
    assert caught.value.allowed == allowed_transitions(current)
    assert isinstance(caught.value, ValueError)


def test_order_is_immutable() -> None:
    order = order_in(S.RECEIVED)
    with pytest.raises(ValidationError):
        order.status = S.PAID  # type: ignore[misc]


def test_transition_refuses_naive_time() -> None:
    with pytest.raises(ValidationError, match="naive"):
        order_in(S.RECEIVED).transition(S.ACCEPTED, "m", at=datetime(2030, 3, 2, 10, 0))


def test_transition_defaults_to_now_in_utc() -> None:
    before = datetime.now(UTC)
    change = order_in(S.RECEIVED).transition(S.ACCEPTED, "m").history[-1]
    assert before <= change.at <= datetime.now(UTC)
    assert change.at.tzinfo is UTC


def test_status_cannot_be_set_past_the_table() -> None:
    with pytest.raises(ValidationError, match="history ends at 'received'"):
        Order(
            customer_id="c",
            manufacturer_id="m",
            product_id="p",
            delivery_date=date(2030, 4, 1),
            created_at=CREATED,
            status=S.PAID,
        )


def test_forged_history_is_refused() -> None:
    jump = OrderStatusChange(from_status=S.RECEIVED, to_status=S.PAID, at=CREATED, actor="x")
    with pytest.raises(ValidationError, match="from 'received' to 'paid'"):
        Order(
            customer_id="c",
            manufacturer_id="m",
            product_id="p",
            delivery_date=date(2030, 4, 1),
            created_at=CREATED,
            status=S.PAID,
            history=(jump,),
        )
    broken = (
        OrderStatusChange(from_status=S.RECEIVED, to_status=S.ACCEPTED, at=CREATED, actor="x"),
        OrderStatusChange(from_status=S.SOURCING, to_status=S.NEGOTIATING, at=CREATED, actor="x"),
    )
    with pytest.raises(ValidationError, match="entry 1 starts at 'sourcing'"):
        Order(
            customer_id="c",
            manufacturer_id="m",
            product_id="p",
            delivery_date=date(2030, 4, 1),
            created_at=CREATED,
            status=S.NEGOTIATING,
            history=broken,
        )


@settings(max_examples=60, deadline=None)
@given(orders())
def test_random_walks_give_valid_orders(order: Order) -> None:
    assert len(order.history) == 0 or order.history[-1].to_status is order.status
    assert Order.model_validate_json(order.model_dump_json()) == order
    for change in order.history:
        assert ORDER_TRANSITIONS.can(change.from_status, change.to_status)


class TestDeliveryDate:
    def test_same_day_and_later_are_fine(self) -> None:
        check_delivery_date(date(2030, 3, 1), CREATED)
        check_delivery_date(date(2031, 1, 1), CREATED)

    def test_day_before_creation_is_refused(self) -> None:
        with pytest.raises(
            ValueError, match=r"2030-02-28 is in the past: the order was created on 2030-03-01"
        ):
            check_delivery_date(date(2030, 2, 28), CREATED)

    def test_creation_day_is_taken_in_utc(self) -> None:
        # 00:30 on 2 March in UTC+2 is still 1 March in UTC.
        created = datetime(2030, 3, 2, 0, 30, tzinfo=timezone(timedelta(hours=2)))
        check_delivery_date(date(2030, 3, 1), created)
        with pytest.raises(ValueError, match="in the past"):
            check_delivery_date(date(2030, 2, 28), created)

    def test_order_validates_against_its_created_at(self) -> None:
        with pytest.raises(ValidationError, match="in the past"):
            Order(
                customer_id="c",
                manufacturer_id="m",
                product_id="p",
                delivery_date=date(2030, 2, 1),
                created_at=CREATED,
            )

    def test_created_at_defaults_to_now(self) -> None:
        yesterday = datetime.now(UTC).date() - timedelta(days=1)
        with pytest.raises(ValidationError, match="in the past"):
            Order(customer_id="c", manufacturer_id="m", product_id="p", delivery_date=yesterday)
        order = Order(
            customer_id="c", manufacturer_id="m", product_id="p", delivery_date=datetime.now(UTC).date()
        )
        assert order.created_at.tzinfo is UTC

    def test_naive_created_at_is_refused(self) -> None:
        with pytest.raises(ValidationError, match="naive"):
            Order(
                customer_id="c",
                manufacturer_id="m",
                product_id="p",
                delivery_date=date(2030, 4, 1),
                created_at=datetime(2030, 3, 1),
            )


def test_ids_are_unique_uuid4() -> None:
    made = [order_in(S.RECEIVED).id for _ in range(50)]
    assert len(set(made)) == 50
    assert all(order_id.version == 4 for order_id in made)


def test_quantity_must_be_positive() -> None:
    with pytest.raises(ValidationError, match="greater than or equal to 1"):
        Order(
            customer_id="c",
            manufacturer_id="m",
            product_id="p",
            delivery_date=date(2030, 4, 1),
            created_at=CREATED,
            quantity=0,
        )


class TestAgainstProduct:
    product = Product(
        id="p1",
        manufacturer_id="m1",
        name="Bike",
        base_cost=100,
        base_parts=(RequiredPart(part_id="assembly", process=ProcessKind.ASSEMBLY, machine_minutes=30),),
        options=(
            ProductOption(
                id="frame",
                label="Frame",
                choices=(
                    Choice(
                        id="alu",
                        label="Aluminium",
                        parts=(
                            RequiredPart(
                                part_id="frame",
                                process=ProcessKind.CNC_MILLING,
                                material="aluminium",
                                quantity=2,
                            ),
                        ),
                    ),
                ),
            ),
        ),
    )

    def test_required_parts_multiply_by_order_quantity(self) -> None:
        order = order_in(S.RECEIVED).model_copy(
            update={"quantity": 3, "customisation": Customisation(choices={"frame": "alu"})}
        )
        parts = order.required_parts(self.product)
        assert [(p.part_id, p.quantity) for p in parts] == [("assembly", 3), ("frame", 6)]

    def test_wrong_product_or_manufacturer_or_customisation(self) -> None:
        order = order_in(S.RECEIVED)
        with pytest.raises(ValueError, match="missing required option 'frame'"):
            order.check_against(self.product)
        with pytest.raises(ValueError, match="for product 'p1', not 'p2'"):
            order.check_against(self.product.model_copy(update={"id": "p2"}))
        with pytest.raises(ValueError, match="made by 'm2'"):
            order.check_against(self.product.model_copy(update={"manufacturer_id": "m2"}))
