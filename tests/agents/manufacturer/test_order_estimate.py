"""The estimate shown before ordering (:mod:`agents.manufacturer.order_estimate`): price range, dates, words,
and that the quotation of a seeded run keeps it for every demo product (negotiated in process, no XMPP)."""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agents.manufacturer.order_estimate import (
    RECENT_MIN,
    EstimateError,
    OrderEstimate,
    PriceBasis,
    SupplierPrices,
    cheapest_customisation,
    dataset_records,
    estimate_order,
    lowest_price,
    order_estimate,
)
from agents.manufacturer.pricing import build_quotation, cost_lines, first_price
from agents.manufacturer.scoring import NegotiationScorer
from agents.manufacturer.settings import Timings
from agents.manufacturer.sourcing import NotCovered
from agents.supplier_proxy import price_models_of
from agents.supplier_proxy.records import default_policy
from federation.dataset.schema import CapabilityRecord, SupplierRecord
from federation.mapping import FoundSupplier
from federation.matchmaking import _rank as matchmaker_rank
from federation.pricing import PriceModel
from gateway.demo.catalogue import demo_products
from gateway.demo.policy import demo_policy
from ontology.customisation import Customisation, CustomisationError, estimated_cost, required_parts
from ontology.negotiation import Offer
from ontology.network import Assignment, SupplyNetwork
from ontology.order import Order
from ontology.policy import ManufacturerPolicy, ReservationValues
from ontology.process import ProcessKind
from ontology.product import Choice, Product, ProductOption, RequiredPart
from ontology.supplier import Location
from protocols.acl import AclMessage
from simulation.fast.clock import EventQueue
from simulation.fast.sourcing import PartSourcing
from simulation.fast.suppliers import InMemoryProxies
from simulation.plan import SupplierSetup
from store.enums import UserRole
from tests.stores import store_with_users

TODAY = date(2030, 1, 7)
WELD = RequiredPart(part_id="frame", process=ProcessKind.WELDING, material="steel", machine_minutes=60)
ASSEMBLY = RequiredPart(part_id="assembly", process=ProcessKind.ASSEMBLY, machine_minutes=120)
PAINT = RequiredPart(part_id="paint", process=ProcessKind.PAINTING, machine_minutes=30)


def supplier(ident: str, rate: str, lead: int, process: ProcessKind = ProcessKind.WELDING) -> SupplierRecord:
    return SupplierRecord(
        id=ident,
        name=f"Supplier {ident}",
        location=Location(country="DE", city="Stuttgart", latitude=48.8, longitude=9.2),
        rating=4.0,
        capabilities=(
            CapabilityRecord(
                process=process,
                capacity_hours_per_week=40,
                lead_time_days=lead,
                price=PriceModel(setup_cost=Decimal(0), hourly_rate=Decimal(rate)),
            ),
        ),
    )


def policy(**changes: object) -> ManufacturerPolicy:
    fields: dict[str, object] = {
        "capacity_hours_per_week": 7,  # 60 minutes a day
        "own_processes": frozenset({ProcessKind.ASSEMBLY}),
        "sourced_processes": frozenset({ProcessKind.WELDING}),
        "margin": Decimal("0.25"),
        "production_days": 2,
        "max_suppliers_per_part": 2,
        "max_horizon_days": 90,
    }
    fields.update(changes)
    return ManufacturerPolicy.model_validate(fields)


def product(*options: ProductOption) -> Product:
    return Product(
        id="bike",
        manufacturer_id="m",
        name="Bike",
        base_cost=Decimal("100.00"),
        base_parts=(ASSEMBLY, WELD),
        options=options,
    )


#: Welding costs 60 (A, 5 days), 90 (B, 3 days) and 120 (C, 1 day) an hour; two are invited: A and B.
SUPPLIERS = (supplier("A", "60", 5), supplier("B", "90", 3), supplier("C", "120", 1))


def test_the_range_is_own_cost_and_the_invited_suppliers_bids_with_the_margin_for_the_whole_order() -> None:
    made = estimate_order(product(), Customisation(), 2, policy(), SupplierPrices(SUPPLIERS), 0, TODAY)
    # two frames: 120 minutes; A reserves 120 * 1.05, B opens at 180 * 1.30; C is not invited
    [frame] = made.parts
    assert (frame.low, frame.high, frame.basis) == (Decimal("126.00"), Decimal("234.00"), PriceBasis.DATASET)
    assert made.own_cost == Decimal("200.00")
    assert made.low == Decimal("407.50")  # (200 + 126) * 1.25
    assert made.high == Decimal("542.50")  # (200 + 234) * 1.25
    assert made.currency == "EUR" and made.quantity == 2


def test_the_earliest_date_waits_for_the_quickest_invited_supplier_and_the_own_work() -> None:
    quick = estimate_order(product(), Customisation(), 1, policy(), SupplierPrices(SUPPLIERS), 0, TODAY)
    assert quick.earliest == TODAY + timedelta(days=3 + 2)  # B's lead time, then production
    queued = estimate_order(product(), Customisation(), 1, policy(), SupplierPrices(SUPPLIERS), 600, TODAY)
    assert queued.earliest == TODAY + timedelta(days=12 + 2)  # 120 + 600 minutes at 60 a day, production
    assert queued.latest == TODAY + timedelta(days=90)


def test_recent_accepted_offers_of_the_same_part_price_it_once_there_are_enough() -> None:
    def accepted(price: str, part_id: str = "frame") -> Assignment:
        part = WELD.model_copy(update={"part_id": part_id})
        offer = Offer(
            order_id=UUID(int=1),
            part_id=part_id,
            supplier_id="A",
            price=Decimal(price),
            currency="EUR",
            delivery_date=TODAY,
            valid_until=datetime(2030, 1, 7, tzinfo=UTC),
        )
        return Assignment(part=part, offer=offer)

    few = SupplierPrices(SUPPLIERS, [accepted("70.00")] * (RECENT_MIN - 1)).part_cost(WELD, policy())
    assert few is not None and few.basis is PriceBasis.DATASET
    recent = [accepted("70.00"), accepted("64.00", "other-id"), accepted("75.50")]
    enough = SupplierPrices(SUPPLIERS, recent).part_cost(WELD, policy())
    assert enough is not None and enough.basis is PriceBasis.RECENT
    assert (enough.low, enough.high) == (Decimal("64.00"), Decimal("75.50"))


def test_the_managers_reservation_price_caps_the_parts_range() -> None:
    capped = policy(reservation=ReservationValues(part_price_limits={"frame": Decimal("70.00")}))
    cost = SupplierPrices(SUPPLIERS).part_cost(WELD, capped)
    assert cost is not None and (cost.low, cost.high) == (Decimal("63.00"), Decimal("70.00"))
    too_low = policy(reservation=ReservationValues(max_part_price=Decimal("10.00")))
    with pytest.raises(EstimateError, match="no supplier offers"):
        estimate_order(product(), Customisation(), 1, too_low, SupplierPrices(SUPPLIERS), 0, TODAY)


def test_configurations_that_cannot_be_made_or_do_not_fit_say_why_in_words() -> None:
    painted = product(
        ProductOption(id="colour", label="Colour", choices=(Choice(id="red", label="Red", parts=(PAINT,)),))
    )
    with pytest.raises(EstimateError, match="painting, which this manufacturer neither makes nor buys"):
        estimate_order(
            painted,
            Customisation(choices={"colour": "red"}),
            1,
            policy(),
            SupplierPrices(SUPPLIERS),
            0,
            TODAY,
        )
    with pytest.raises(EstimateError, match="no supplier offers"):
        estimate_order(product(), Customisation(), 1, policy(), SupplierPrices(()), 0, TODAY)
    with pytest.raises(CustomisationError):
        estimate_order(painted, Customisation(), 1, policy(), SupplierPrices(SUPPLIERS), 0, TODAY)


def test_the_explanation_and_the_comparison_are_words_without_costs_or_margin() -> None:
    made = estimate_order(product(), Customisation(), 1, policy(), SupplierPrices(SUPPLIERS), 0, TODAY)
    text = made.explanation()
    assert "one part we buy from suppliers" in text and "price lists" in text
    assert not re.search(r"\d", text.replace("one piece", ""))  # no costs, margin or minutes
    assert (
        made.compared(made.low)
        == f"The price is within the estimate of €{made.low:,.2f} to €{made.high:,.2f}."
    )
    above = made.compared(made.high * Decimal("1.12"))
    assert (
        above.startswith("The price is 12 % above the estimate") and "more for the parts than usual" in above
    )
    below = made.compared(made.low * Decimal("0.9"))
    assert below.startswith("The price is 10 % below the estimate") and "less than usual" in below


def test_the_cheapest_configuration_gives_the_catalogues_from_price() -> None:
    options = (
        ProductOption(
            id="frame",
            label="Frame",
            choices=(
                # cheap delta, but its welding costs more than the saving
                Choice(
                    id="long",
                    label="Long",
                    cost_delta=Decimal("-5.00"),
                    parts=(WELD.model_copy(update={"part_id": "extra", "machine_minutes": 60}),),
                ),
                Choice(id="short", label="Short", cost_delta=Decimal("10.00")),
            ),
        ),
        ProductOption(
            id="bell",
            label="Bell",
            required=False,
            choices=(Choice(id="brass", label="Brass", cost_delta=Decimal("-1.00")),),
        ),
    )
    bike = product(*options)
    prices = SupplierPrices(SUPPLIERS)
    cheapest = cheapest_customisation(bike, policy(), prices)
    assert cheapest == Customisation(choices={"frame": "short", "bell": "brass"})
    from_price = lowest_price(bike, policy(), prices, TODAY)
    every = [
        estimate_order(bike, Customisation(choices=choices), 1, policy(), prices, 0, TODAY).low
        for choices in (
            {"frame": "long"},
            {"frame": "short"},
            {"frame": "long", "bell": "brass"},
            {"frame": "short", "bell": "brass"},
        )
    ]
    assert from_price == min(every)


@settings(max_examples=60, deadline=None)
@given(
    quantity=st.integers(min_value=1, max_value=10_000),
    margin=st.decimals(min_value=0, max_value=3, places=2),
    minutes=st.floats(min_value=0, max_value=10_000, allow_nan=False),
)
def test_any_quotation_of_offers_within_the_parts_range_falls_within_the_estimate(
    quantity: int, margin: Decimal, minutes: float
) -> None:
    terms = policy(margin=margin)
    part = WELD.model_copy(update={"machine_minutes": minutes})
    bike = Product(
        id="bike", manufacturer_id="m", name="Bike", base_cost=Decimal("99.99"), base_parts=(part,)
    )
    made = estimate_order(bike, Customisation(), quantity, terms, SupplierPrices(SUPPLIERS), 0, TODAY)
    assert made.low <= made.high
    [cost] = made.parts
    for offered in (cost.low, (cost.low + cost.high) / 2, cost.high):
        total = quoted(
            bike, Customisation(), quantity, terms, [(cost.part, offered.quantize(Decimal("0.01")))]
        )
        assert made.low <= total <= made.high


def quoted(
    made: Product,
    customisation: Customisation,
    quantity: int,
    terms: ManufacturerPolicy,
    accepted: list[tuple[RequiredPart, Decimal]],
    delivery: date = TODAY + timedelta(days=30),
) -> Decimal:
    """The first quotation's total as the manufacturer agent prices it (:mod:`.pricing`)."""
    order = Order(
        customer_id="c",
        manufacturer_id=made.manufacturer_id,
        product_id=made.id,
        customisation=customisation,
        quantity=quantity,
        delivery_date=delivery,
        created_at=datetime.combine(TODAY, datetime.min.time(), UTC),
    )
    network = SupplyNetwork(
        order_id=order.id,
        assignments=tuple(
            Assignment(
                part=part,
                offer=Offer(
                    order_id=order.id,
                    part_id=part.part_id,
                    supplier_id="S",
                    price=price,
                    currency=terms.currency,
                    delivery_date=TODAY,
                    valid_until=datetime(2030, 1, 7, tzinfo=UTC),
                ),
            )
            for part, price in accepted
        ),
    )
    lines = cost_lines(order, made, estimated_cost(made, customisation, quantity), network)
    quotation = build_quotation(
        order,
        made,
        first_price(terms, lines),
        delivery,
        now=datetime(2030, 1, 7, tzinfo=UTC),
        currency=terms.currency,
    )
    return quotation.total_price


# ----------------------------------------------------------------- the check: a seeded run


def invited(records: tuple[SupplierRecord, ...], part: RequiredPart, how_many: int) -> list[SupplierRecord]:
    """The candidates the matchmaker would answer for ``part`` (its ranking over the data set)."""
    able = [
        (FoundSupplier(supplier=r.to_supplier(), currency=r.currency, prices=dict(price_models_of(r))), r)
        for r in records
        if r.to_supplier().can_supply(part)
    ]
    able.sort(key=lambda found: matchmaker_rank(found[0], part))
    return [record for _found, record in able[:how_many]]


def negotiate(
    records: tuple[SupplierRecord, ...],
    part: RequiredPart,
    order_id: UUID,
    latest: date,
    terms: ManufacturerPolicy,
    seed: int,
) -> Assignment:
    """One part sourced as the manufacturer agent sources it (its decisions, the real supplier proxies and
    their conversations), in memory on a simulated clock."""
    queue = EventQueue(datetime.combine(TODAY, datetime.min.time(), UTC))
    buyer = "manufacturer@test"
    candidates = invited(records, part, terms.max_suppliers_per_part)
    conversations: dict[str, PartSourcing] = {}

    def send(message: AclMessage) -> None:
        for receiver in message.receivers:
            queue.after(timedelta(milliseconds=5), partial(deliver, receiver, message))

    def deliver(receiver: str, message: AclMessage) -> None:
        if receiver == buyer:
            sourcing = conversations.get(message.conversation_id or "")
            if sourcing is not None:
                sourcing.handle(message)
        else:
            proxies.deliver(receiver, message)

    setups = tuple(SupplierSetup(record, default_policy(record)) for record in candidates)
    proxies = InMemoryProxies("suppliers@test", setups, seed=seed, today=TODAY, queue=queue, send=send)
    sourcing = PartSourcing(
        me=buyer,
        order_id=order_id,
        part=part,
        agents=[proxies.address_for(record.id) for record in candidates],
        latest=latest,
        policy=terms,
        scorer=NegotiationScorer(terms.strategy, seed=seed),
        timings=Timings(),
        queue=queue,
        send=send,
        track=lambda conversation_id: conversations.__setitem__(conversation_id, sourcing),
    )
    sourcing.start()
    queue.run(until=sourcing.finished)
    assert isinstance(sourcing.done, Assignment), sourcing.done
    assert not isinstance(sourcing.done, NotCovered)
    return sourcing.done


def last_choices(made: Product) -> dict[str, str]:
    return {option.id: option.choices[-1].id for option in made.options if option.choices}


@pytest.mark.parametrize(
    ("quantity", "choose"), [(1, lambda _p: {}), (3, last_choices)], ids=["1-defaults", "3-last"]
)
@pytest.mark.parametrize("made", demo_products("manufacturer"), ids=lambda p: p.id)
def test_the_quotation_of_a_seeded_run_falls_within_the_shown_range_for_every_demo_product(
    made: Product, quantity: int, choose: Callable[[Product], dict[str, str]]
) -> None:
    terms = demo_policy(demo_products("manufacturer"))
    records = dataset_records()
    # an estimate needs the choices only (not the measurements, texts and files)
    customisation = Customisation.choices_with_defaults(made, choose(made))
    shown: OrderEstimate = estimate_order(
        made, customisation, quantity, terms, SupplierPrices(records), 0, TODAY
    )
    delivery = shown.earliest  # the app's default date: the earliest it offers
    seed = zlib.crc32(f"{made.id}|{quantity}".encode())
    order_id = UUID(int=seed, version=4)
    parts = terms.split(required_parts(made, customisation, quantity)).sourced
    latest = terms.latest_part_delivery(delivery)
    network = [negotiate(records, part, order_id, latest, terms, seed) for part in parts]
    assert all(assignment.offer.delivery_date <= latest for assignment in network)  # the date is feasible
    total = quoted(made, customisation, quantity, terms, [(a.part, a.offer.price) for a in network], delivery)
    assert shown.low <= total <= shown.high, (made.id, shown.low, total, shown.high)


async def test_the_agent_estimates_an_order_as_the_gateway_shows_it(tmp_path: Path) -> None:
    db = await store_with_users(tmp_path, [("c", UserRole.CUSTOMER), ("m", UserRole.MANUFACTURER)])
    try:
        terms = policy()
        order = Order(
            customer_id="c",
            manufacturer_id="m",
            product_id="bike",
            delivery_date=TODAY + timedelta(days=30),
            created_at=datetime.combine(TODAY, datetime.min.time(), UTC),
        )
        shown = estimate_order(
            product(), Customisation(), 1, terms, SupplierPrices(dataset_records()), 0, TODAY
        )
        above = shown.high + Decimal("50.00")
        made = await order_estimate(db, order, product(), terms, TODAY)
        assert made == shown
        assert made is not None and "above the estimate" in made.compared(above)
        assert await order_estimate(db, order, product(), policy(sourced_processes=()), TODAY) is None
    finally:
        await db.close()
