"""Agreement terms, the commit request to the contract agent and its result."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from pydantic import ValidationError

from ontology import (
    ORDER_TRANSITIONS,
    AgreementTerms,
    CommitAgreement,
    ContractCommitted,
    ContractItem,
    ContractKind,
    Order,
    OrderStatus,
    Party,
    PartyRole,
    Penalty,
    Quotation,
    QuotationLine,
    SupplyContractRef,
    SupplyNetwork,
)
from tests.ontology.examples import offer, part
from tests.ontology.strategies import commit_agreements

CREATED = datetime(2030, 5, 1, tzinfo=UTC)


def order(status: OrderStatus = OrderStatus.CONFIRMED) -> Order:
    made = Order(
        customer_id="c1",
        manufacturer_id="m1",
        product_id="bike",
        quantity=2,
        delivery_date=date(2030, 7, 1),
        created_at=CREATED,
    )
    path = ORDER_TRANSITIONS.path(OrderStatus.RECEIVED, status)
    assert path is not None
    for target in path[1:]:
        made = made.transition(target, "m1", at=CREATED)
    return made


def commit(
    status: OrderStatus = OrderStatus.CONFIRMED, delivery: date = date(2030, 6, 20)
) -> CommitAgreement:
    o = order(status)
    net = (
        SupplyNetwork(order_id=o.id)
        .with_assignment(part("frame"), offer("frame", "s1", "100.50", 10, order_id=o.id))
        .with_assignment(part("wheels"), offer("wheels", "s2", "40.25", 14, order_id=o.id))
        .with_assignment(part("paint"), offer("paint", "s1", "9.25", 3, order_id=o.id))
    )
    quotation = Quotation(
        order_id=o.id,
        lines=(QuotationLine(part_id="bike", price=Decimal("420")),),
        total_price=Decimal("420"),
        delivery_date=delivery,
        created_at=CREATED,
        valid_until=CREATED + timedelta(days=3),
        penalty=Penalty(per_day_late=Decimal(5)),
    )
    return CommitAgreement(
        order=o, network=net, quotation=quotation, penalty=Penalty(per_day_late=Decimal(5))
    )


def test_terms_are_the_order_contract_then_one_supply_agreement_per_supplier() -> None:
    request = commit()
    customer, first, second = request.terms()
    assert customer.kind is ContractKind.ORDER
    assert customer.parties == (
        Party(role=PartyRole.CUSTOMER, id="c1"),
        Party(role=PartyRole.MANUFACTURER, id="m1"),
    )
    assert customer.items == (ContractItem(item_id="bike", quantity=2, price=Decimal("420")),)
    assert (customer.price, customer.delivery_date) == (Decimal("420"), date(2030, 6, 20))
    assert (first.kind, first.buyer.id, first.seller.id) == (ContractKind.SUPPLY, "m1", "s1")
    assert [i.item_id for i in first.items] == ["frame", "paint"]
    assert (first.price, first.delivery_date) == (Decimal("109.75"), date(2030, 6, 10))
    assert (second.seller.id, second.price, second.delivery_date) == (
        "s2",
        Decimal("40.25"),
        date(2030, 6, 14),
    )
    assert all(t.penalty == Penalty(per_day_late=Decimal(5)) for t in (customer, first, second))


@pytest.mark.parametrize("status", [OrderStatus.QUOTED, OrderStatus.CONTRACTED, OrderStatus.CANCELLED])
def test_only_a_confirmed_order_is_committed(status: OrderStatus) -> None:
    with pytest.raises(ValidationError, match=f"is '{status}'; only a confirmed order is committed"):
        commit(status)


def test_contracting_order_may_be_committed_again() -> None:
    assert len(commit(OrderStatus.CONTRACTING).terms()) == 3


def test_parts_must_arrive_by_the_quoted_delivery() -> None:
    with pytest.raises(
        ValidationError, match="parts arrive by 2030-06-14, after the quoted delivery 2030-06-13"
    ):
        commit(delivery=date(2030, 6, 13))
    commit(delivery=date(2030, 6, 14))


def test_everything_is_about_one_order() -> None:
    request = commit()
    other = order()
    with pytest.raises(ValidationError, match="must be about the same order"):
        CommitAgreement(order=other, network=request.network, quotation=request.quotation)


def test_manufacturer_cannot_be_its_own_supplier() -> None:
    o = order()
    net = SupplyNetwork(order_id=o.id).with_assignment(
        part("frame"), offer("frame", "m1", "1", 1, order_id=o.id)
    )
    quotation = commit().quotation.model_copy(update={"order_id": o.id})
    with pytest.raises(ValidationError, match="buyer and seller are both 'm1'"):
        CommitAgreement(order=o, network=net, quotation=quotation)


def test_terms_validate_roles_and_price() -> None:
    fields: dict[str, object] = {
        "kind": ContractKind.SUPPLY,
        "order_id": order().id,
        "buyer": Party(role=PartyRole.MANUFACTURER, id="m1"),
        "seller": Party(role=PartyRole.SUPPLIER, id="s1"),
        "items": (ContractItem(item_id="a", price=Decimal(1)), ContractItem(item_id="b", price=Decimal(2))),
        "price": Decimal(3),
        "currency": "EUR",
        "delivery_date": date(2030, 6, 1),
    }
    AgreementTerms.model_validate(fields)
    with pytest.raises(ValidationError, match="contract price 4 differs from the sum of its items 3"):
        AgreementTerms.model_validate(fields | {"price": Decimal(4)})
    with pytest.raises(
        ValidationError, match="between a customer \\(buyer\\) and a manufacturer \\(seller\\)"
    ):
        AgreementTerms.model_validate(fields | {"kind": ContractKind.ORDER})
    with pytest.raises(ValidationError, match="'a' listed more than once"):
        AgreementTerms.model_validate(
            fields
            | {
                "items": (
                    ContractItem(item_id="a", price=Decimal(1)),
                    ContractItem(item_id="a", price=Decimal(2)),
                )
            }
        )


def test_penalty_amount_is_capped() -> None:
    assert Penalty(per_day_late=Decimal("10")).amount(3) == Decimal(30)
    assert Penalty(per_day_late=Decimal("10"), cap=Decimal(25)).amount(3) == Decimal(25)
    assert Penalty(per_day_late=Decimal("10")).amount(-2) == Decimal(0)


def test_contract_committed_ids_are_unique() -> None:
    done = ContractCommitted(
        order_id=order().id,
        order_contract_id="#1:0",
        supply_contracts=(SupplyContractRef(supplier_id="s1", contract_id="#2:0"),),
    )
    assert done.contract_ids == ("#1:0", "#2:0")
    with pytest.raises(ValidationError, match="every contract has its own id"):
        ContractCommitted(
            order_id=order().id,
            order_contract_id="#1:0",
            supply_contracts=(SupplyContractRef(supplier_id="s1", contract_id="#1:0"),),
        )
    with pytest.raises(ValidationError, match="supplier\\(s\\) 's1' listed more than once"):
        ContractCommitted(
            order_id=order().id,
            order_contract_id="#1:0",
            supply_contracts=(
                SupplyContractRef(supplier_id="s1", contract_id="#2:0"),
                SupplyContractRef(supplier_id="s1", contract_id="#3:0"),
            ),
        )


@settings(max_examples=30, deadline=None)
@given(commit_agreements())
def test_terms_account_for_every_part_and_every_supplier(request: CommitAgreement) -> None:
    customer, *supply = request.terms()
    assert customer.price == request.quotation.total_price
    assert {t.seller.id for t in supply} == set(request.network.supplier_ids)
    assert sum((t.price for t in supply), Decimal(0)) == request.network.total_cost
    assert sorted(i.item_id for t in supply for i in t.items) == sorted(
        a.part_id for a in request.network.assignments
    )
