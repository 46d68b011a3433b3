"""Hypothesis strategies building valid instances of every ontology model."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from ontology import (
    ORDER_TRANSITIONS,
    AcceptOffer,
    AcceptQuotation,
    Assignment,
    CallForProposals,
    Capability,
    Choice,
    CommitAgreement,
    Content,
    ContractCommitted,
    CounterOffer,
    Customisation,
    DeclineQuotation,
    Done,
    FindSuppliers,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    IssueWeights,
    Location,
    Offer,
    Order,
    OrderStatus,
    OrderStatusChange,
    OrderStatusChanged,
    PartCandidates,
    Payment,
    PaymentMethod,
    Penalty,
    Ping,
    Pong,
    ProcessKind,
    Product,
    ProductOption,
    QualityLevel,
    Quotation,
    QuotationLine,
    Reason,
    RejectOffer,
    RequiredPart,
    Supplier,
    SupplierCandidates,
    SupplyContractRef,
    SupplyNetwork,
)
from ontology.console import (
    ConfirmParts,
    OrderDecision,
    OrderStatusNotice,
    PaymentReceived,
    ProductionProgress,
    RaiseInvoice,
    ShipOrder,
    StartProduction,
    StartSourcing,
)
from ontology.lifecycle import SignSupply, SupplySigned

ids = st.from_regex(r"[a-z][a-z0-9-]{0,15}", fullmatch=True)
names = st.text(min_size=1, max_size=20)
texts = st.text(max_size=30)
money = st.decimals(min_value=0, max_value=Decimal("9999999"), places=2)
currencies = st.sampled_from(["EUR", "USD", "CHF", "GBP"])
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2090, 1, 1))
moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC))
rounds = st.integers(min_value=1, max_value=20)
uuids = st.uuids()
qualities = st.sampled_from(QualityLevel)
processes = st.sampled_from(ProcessKind)


def unique_ids(min_size: int = 0, max_size: int = 4) -> st.SearchStrategy[list[str]]:
    return st.lists(ids, min_size=min_size, max_size=max_size, unique=True)


def required_part(part_id: st.SearchStrategy[str] = ids) -> st.SearchStrategy[RequiredPart]:
    return st.builds(
        RequiredPart,
        part_id=part_id,
        process=processes,
        material=st.none() | names,
        quantity=st.integers(min_value=1, max_value=100),
        quality=qualities,
        machine_minutes=st.floats(min_value=0, max_value=10_000),
        description=texts,
    )


@st.composite
def products(draw: st.DrawFn) -> Product:
    options = []
    for option_id in draw(unique_ids(max_size=3)):
        choices = tuple(
            Choice(
                id=choice_id,
                label=draw(names),
                cost_delta=draw(money),
                parts=tuple(
                    draw(required_part(st.just(f"{option_id}.{n}"))) for n in range(draw(st.integers(0, 2)))
                ),
            )
            for choice_id in draw(unique_ids(min_size=1, max_size=3))
        )
        default = draw(st.none() | st.sampled_from([c.id for c in choices]))
        options.append(
            ProductOption(
                id=option_id,
                label=draw(names),
                required=draw(st.booleans()),
                choices=choices,
                default=default,
            )
        )
    return Product(
        id=draw(ids),
        manufacturer_id=draw(ids),
        name=draw(names),
        description=draw(texts),
        currency=draw(currencies),
        base_cost=draw(money),
        base_parts=tuple(draw(required_part(st.just(f"base.{n}"))) for n in range(draw(st.integers(0, 2)))),
        options=tuple(options),
    )


@st.composite
def customisations(draw: st.DrawFn, product: Product) -> Customisation:
    """A valid customisation of ``product``."""
    choices = {}
    for option in product.options:
        if option.required or draw(st.booleans()):
            choices[option.id] = draw(st.sampled_from([c.id for c in option.choices]))
    return Customisation(choices=choices)


@st.composite
def orders(draw: st.DrawFn, status: OrderStatus | None = None) -> Order:
    """An order with a valid history: a random walk through the table, or a shortest path to ``status``."""
    created_at = draw(moments)
    order = Order(
        customer_id=draw(ids.map(lambda s: f"c-{s}")),
        manufacturer_id=draw(ids.map(lambda s: f"m-{s}")),
        product_id=draw(ids),
        customisation=Customisation(choices=draw(st.dictionaries(ids, ids, max_size=3))),
        quantity=draw(st.integers(min_value=1, max_value=50)),
        delivery_date=created_at.date() + timedelta(days=draw(st.integers(0, 400))),
        created_at=created_at,
    )
    at = created_at
    if status is None:
        targets: list[OrderStatus] = []
        current = order.status
        for _ in range(draw(st.integers(0, 8))):
            allowed = ORDER_TRANSITIONS.allowed(current)
            if not allowed:
                break
            current = draw(st.sampled_from(allowed))
            targets.append(current)
    else:
        path = ORDER_TRANSITIONS.path(order.status, status)
        assert path is not None
        targets = list(path[1:])
    for target in targets:
        at += timedelta(minutes=draw(st.integers(0, 600)))
        order = order.transition(target, draw(ids), draw(texts), at=at)
    return order


status_changes = st.builds(
    OrderStatusChange,
    from_status=st.sampled_from(OrderStatus),
    to_status=st.sampled_from(OrderStatus),
    at=moments,
    actor=ids,
    note=texts,
)


@st.composite
def issue_weights(draw: st.DrawFn) -> IssueWeights:
    raw = draw(st.lists(st.integers(min_value=0, max_value=100), min_size=3, max_size=3).filter(any))
    total = sum(raw)
    price, delivery = raw[0] / total, raw[1] / total
    return IssueWeights(price=price, delivery=delivery, quality=max(0.0, 1 - price - delivery))


locations = st.builds(
    Location,
    country=st.from_regex(r"[A-Z]{2}", fullmatch=True),
    city=names,
    latitude=st.floats(min_value=-90, max_value=90),
    longitude=st.floats(min_value=-180, max_value=180),
)

capabilities = st.builds(
    Capability,
    process=processes,
    materials=st.lists(names, max_size=3).map(tuple),
    max_quality=qualities,
    capacity_hours_per_week=st.floats(min_value=0.5, max_value=1000),
    lead_time_days=st.integers(min_value=0, max_value=365),
)

suppliers = st.builds(
    Supplier,
    id=ids,
    name=names,
    agent=st.none() | ids.map(lambda s: f"{s}@localhost"),
    location=locations,
    capabilities=st.lists(capabilities, min_size=1, max_size=3, unique_by=lambda c: c.process).map(tuple),
    certifications=st.lists(names, max_size=2).map(tuple),
    rating=st.none() | st.floats(min_value=0, max_value=5),
)


def offers(
    order_id: st.SearchStrategy[Any] = uuids,
    part_id: st.SearchStrategy[str] = ids,
    currency: st.SearchStrategy[str] = currencies,
    supplier_id: st.SearchStrategy[str] = ids,
) -> st.SearchStrategy[Offer]:
    return st.builds(
        Offer,
        id=st.uuids(),
        order_id=order_id,
        part_id=part_id,
        supplier_id=supplier_id,
        round=rounds,
        price=money,
        currency=currency,
        delivery_date=days,
        quality=qualities,
        material=st.none() | names,
        valid_until=moments,
    )


@st.composite
def networks(draw: st.DrawFn, order_id: Any = None) -> SupplyNetwork:
    order_id = draw(st.uuids()) if order_id is None else order_id
    currency = draw(currencies)
    supplier_pool = draw(unique_ids(min_size=1, max_size=3).map(lambda xs: [f"s-{x}" for x in xs]))
    assignments = []
    for part_id in draw(unique_ids(max_size=4)):
        part = draw(required_part(st.just(part_id)))
        offer = draw(
            offers(st.just(order_id), st.just(part_id), st.just(currency), st.sampled_from(supplier_pool))
        )
        assignments.append(Assignment(part=part, offer=offer))
    return SupplyNetwork(order_id=order_id, assignments=tuple(assignments))


@st.composite
def quotation_lines(draw: st.DrawFn, part_id: str) -> QuotationLine:
    """A line priced as a whole, or a quantity at a unit price (its price their product)."""
    quantity = draw(st.none() | st.integers(min_value=1, max_value=50))
    if quantity is None:
        return QuotationLine(part_id=part_id, description=draw(texts), price=draw(money))
    unit = draw(st.decimals(min_value=0, max_value=Decimal("99999"), places=2))
    return QuotationLine(
        part_id=part_id, description=draw(texts), quantity=quantity, unit_price=unit, price=unit * quantity
    )


@st.composite
def quotations(draw: st.DrawFn, order_id: Any = None, earliest: date | None = None) -> Quotation:
    lines = tuple(draw(quotation_lines(part_id)) for part_id in draw(unique_ids(min_size=1, max_size=4)))
    created_at = draw(moments)
    delivery = draw(days) if earliest is None else earliest + timedelta(days=draw(st.integers(0, 60)))
    return Quotation(
        id=draw(st.uuids()),
        order_id=draw(st.uuids()) if order_id is None else order_id,
        round=draw(rounds),
        currency=draw(currencies),
        lines=lines,
        total_price=sum((line.price for line in lines), Decimal(0)),
        delivery_date=delivery,
        created_at=created_at,
        valid_until=created_at + timedelta(hours=draw(st.integers(0, 1000))),
    )


@st.composite
def commit_agreements(draw: st.DrawFn) -> CommitAgreement:
    order = draw(orders(status=draw(st.sampled_from([OrderStatus.CONFIRMED, OrderStatus.CONTRACTING]))))
    network = draw(networks(order.id))
    quotation = draw(quotations(order.id, earliest=network.latest_delivery))
    penalty = draw(st.none() | st.builds(Penalty, per_day_late=money, cap=st.none() | money))
    return CommitAgreement(order=order, network=network, quotation=quotation, penalty=penalty)


@st.composite
def contracts_committed(draw: st.DrawFn) -> ContractCommitted:
    contract_ids = draw(
        st.lists(st.text("0123456789abcdef:#", min_size=8, max_size=80), min_size=1, max_size=4, unique=True)
    )
    supplier_ids = draw(unique_ids(min_size=len(contract_ids) - 1, max_size=len(contract_ids) - 1))
    return ContractCommitted(
        order_id=draw(st.uuids()),
        order_contract_id=contract_ids[0],
        supply_contracts=tuple(
            SupplyContractRef(supplier_id=s, contract_id=c)
            for s, c in zip(supplier_ids, contract_ids[1:], strict=True)
        ),
        committed_at=draw(moments),
    )


@st.composite
def invoices(draw: st.DrawFn) -> Invoice:
    lines = tuple(
        draw(
            st.builds(
                InvoiceLine,
                description=names,
                quantity=st.integers(min_value=1, max_value=20),
                unit_price=money,
            )
        )
        for _ in range(draw(st.integers(1, 4)))
    )
    issued_at = draw(moments)
    invoice = Invoice(
        id=draw(st.uuids()),
        order_id=draw(st.uuids()),
        issuer=draw(ids),
        payer=draw(ids),
        lines=lines,
        total=sum((line.amount for line in lines), Decimal(0)),
        currency=draw(currencies),
        issued_at=issued_at,
        due_date=issued_at.date() + timedelta(days=draw(st.integers(0, 90))),
    )
    end = draw(st.sampled_from(InvoiceStatus))
    if end is not InvoiceStatus.ISSUED:
        invoice = invoice.transition(end, draw(ids), at=issued_at + timedelta(days=1))
    return invoice


def content_strategies() -> dict[type[Content], st.SearchStrategy[Any]]:
    """A strategy per registered ontology content type."""
    builders: dict[type[Content], Callable[[], st.SearchStrategy[Any]]] = {
        Reason: lambda: st.builds(Reason, reason=names, detail=st.none() | texts),
        Done: lambda: st.builds(Done, action=names),
        Ping: lambda: st.builds(Ping, note=texts),
        Pong: lambda: st.builds(Pong, note=texts, agent=names),
        Product: products,
        Order: orders,
        OrderStatusChanged: lambda: st.builds(OrderStatusChanged, order_id=st.uuids(), change=status_changes),
        Supplier: lambda: suppliers,
        FindSuppliers: lambda: st.builds(
            FindSuppliers,
            order_id=st.uuids(),
            parts=st.lists(required_part(), min_size=1, max_size=4, unique_by=lambda p: p.part_id).map(tuple),
            certifications=st.lists(names, max_size=2).map(tuple),
            min_rating=st.none() | st.floats(min_value=0, max_value=5),
            max_per_part=st.integers(min_value=1, max_value=100),
        ),
        SupplierCandidates: lambda: st.builds(
            SupplierCandidates,
            order_id=st.uuids(),
            candidates=st.lists(
                st.builds(
                    PartCandidates,
                    part_id=ids,
                    suppliers=st.lists(suppliers, max_size=2, unique_by=lambda s: s.id).map(tuple),
                ),
                max_size=3,
                unique_by=lambda c: c.part_id,
            ).map(tuple),
        ),
        CallForProposals: lambda: st.builds(
            CallForProposals,
            order_id=st.uuids(),
            part=required_part(),
            delivery_date=days,
            weights=issue_weights(),
            currency=currencies,
            reply_by=moments,
            round=rounds,
            target_price=st.none() | money,
            note=texts,
        ),
        Offer: offers,
        AcceptOffer: lambda: st.builds(AcceptOffer, order_id=st.uuids(), offer_id=st.uuids()),
        RejectOffer: lambda: st.builds(RejectOffer, order_id=st.uuids(), offer_id=st.uuids(), reason=texts),
        Quotation: quotations,
        CounterOffer: lambda: st.builds(
            CounterOffer,
            order_id=st.uuids(),
            quotation_id=st.uuids(),
            price=money,
            currency=currencies,
            delivery_date=st.none() | days,
            note=texts,
        ),
        AcceptQuotation: lambda: st.builds(AcceptQuotation, order_id=st.uuids(), quotation_id=st.uuids()),
        DeclineQuotation: lambda: st.builds(
            DeclineQuotation, order_id=st.uuids(), quotation_id=st.uuids(), reason=texts
        ),
        SupplyNetwork: networks,
        CommitAgreement: commit_agreements,
        ContractCommitted: contracts_committed,
        Invoice: invoices,
        Payment: lambda: st.builds(
            Payment,
            id=st.uuids(),
            invoice_id=st.uuids(),
            amount=money,
            currency=currencies,
            method=st.sampled_from(PaymentMethod),
            paid_at=moments,
            reference=texts,
        ),
        OrderDecision: lambda: st.builds(
            OrderDecision, order_id=st.uuids(), accept=st.booleans(), reason=texts
        ),
        StartSourcing: lambda: st.builds(StartSourcing, order_id=st.uuids()),
        ProductionProgress: lambda: st.builds(
            ProductionProgress, order_id=st.uuids(), percent=st.integers(0, 100), note=texts
        ),
        RaiseInvoice: lambda: st.builds(RaiseInvoice, order_id=st.uuids()),
        ConfirmParts: lambda: st.builds(ConfirmParts, order_id=st.uuids()),
        PaymentReceived: lambda: st.builds(PaymentReceived, order_id=st.uuids()),
        SignSupply: lambda: st.builds(
            SignSupply, order_id=st.uuids(), supplier_id=ids, proposal_contract_id=ids
        ),
        SupplySigned: lambda: st.builds(
            SupplySigned, order_id=st.uuids(), supplier_id=ids, agreement_contract_id=ids
        ),
        StartProduction: lambda: st.builds(
            StartProduction, order_id=st.uuids(), reason=st.text(min_size=1, max_size=200)
        ),
        ShipOrder: lambda: st.builds(
            ShipOrder,
            order_id=st.uuids(),
            carrier=st.text(min_size=1, max_size=50),
            reference=st.text(min_size=1, max_size=50),
        ),
        OrderStatusNotice: lambda: st.builds(
            OrderStatusNotice,
            order_id=st.uuids(),
            status=st.sampled_from(OrderStatus),
            note=texts,
            at=moments,
            price=st.none() | money,
            currency=st.none() | currencies,
            progress=st.none() | st.integers(0, 100),
        ),
    }
    return {cls: build() for cls, build in builders.items()}
