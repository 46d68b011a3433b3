"""Every ``ensure`` rule of model v2 in the engine, with generated terms (hypothesis): a CustomerOrder
is created exactly when its terms are ok, and a refusal names the rule; the other templates' rules too."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger import samples
from ledger.engine import (
    CreateCommand,
    EmbeddedLedger,
    ExerciseCommand,
    TemplateId,
    TemplatePreconditionViolated,
)
from ledger.engine.templates import MODULE
from ledger.samples import CUSTOMER, MANUFACTURER


def tid(entity: str) -> TemplateId:
    return TemplateId("", MODULE, entity)


@pytest.fixture(scope="module")
def engine() -> Iterator[tuple[asyncio.AbstractEventLoop, EmbeddedLedger]]:
    loop = asyncio.new_event_loop()
    with tempfile.TemporaryDirectory() as tmp:
        ledger = loop.run_until_complete(EmbeddedLedger.open(f"sqlite+aiosqlite:///{Path(tmp) / 'l.db'}"))
        for party in samples.PARTIES:
            loop.run_until_complete(ledger.allocate_party(party))
        yield loop, ledger
        loop.run_until_complete(ledger.close())
    loop.close()


def terms_ok(order: dict[str, Any]) -> bool:
    """The rules as the spec words them, written independently of the model."""
    items = order["items"]
    penalty = order["penalty"]
    return (
        order["orderId"] != ""
        and len(items) > 0
        and all(i["quantity"] > 0 and Decimal(i["price"]) > 0 for i in items)
        and Decimal(order["price"]) == sum((Decimal(i["price"]) for i in items), Decimal(0))
        and len(order["currency"]) == 3
        and (
            penalty is None
            or (
                Decimal(penalty["perDayLate"]) > 0 and (penalty["cap"] is None or Decimal(penalty["cap"]) > 0)
            )
        )
        and order["customer"] != order["manufacturer"]
        and order["quantity"] > 0
    )


prices = st.decimals(min_value=-5, max_value=500, places=2).map(str)
items = st.lists(
    st.fixed_dictionaries(
        {
            "itemId": st.just("part"),
            "description": st.just("a part"),
            "quantity": st.integers(min_value=-1, max_value=3),
            "price": prices,
        }
    ),
    max_size=3,
)
penalties = st.none() | st.fixed_dictionaries({"perDayLate": prices, "cap": st.none() | prices})


@st.composite
def orders(draw: st.DrawFn) -> dict[str, Any]:
    chosen: list[dict[str, Any]] = draw(items)
    total = str(sum((Decimal(i["price"]) for i in chosen), Decimal(0)))
    return {
        **samples.customer_order("gen"),
        "orderId": draw(st.sampled_from(["gen", ""])),
        "manufacturer": draw(st.sampled_from([MANUFACTURER, CUSTOMER])),
        "quantity": draw(st.integers(min_value=-1, max_value=2)),
        "items": chosen,
        "price": draw(st.sampled_from([total, "1"])),
        "currency": draw(st.sampled_from(["EUR", "EU", "EURO"])),
        "penalty": draw(penalties),
    }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=orders())
def test_a_customer_order_exists_exactly_when_its_terms_are_ok(
    engine: tuple[asyncio.AbstractEventLoop, EmbeddedLedger], order: dict[str, Any]
) -> None:
    loop, ledger = engine
    expected = terms_ok(order)

    async def attempt() -> bool:
        try:
            tx = await ledger.submit(
                f"gen-{id(order)}-{await ledger.ledger_end()}",
                "t",
                [CUSTOMER],
                [CreateCommand(tid("CustomerOrder"), order)],
            )
        except TemplatePreconditionViolated as refused:
            assert "Template precondition violated in LotSizeOne.Contract:CustomerOrder" in str(refused)
            return False
        archive = tx.created[0].contract_id  # free the key for the next example
        await ledger.submit(
            f"arch-{archive}", "t", [CUSTOMER], [ExerciseCommand(tid("CustomerOrder"), archive, "Archive")]
        )
        return True

    assert loop.run_until_complete(attempt()) == expected


OTHER_CASES: list[tuple[str, dict[str, Any], tuple[str, ...], str]] = [
    ("claim amount 0", {**samples.penalty_claim(), "amount": "0"}, (CUSTOMER, MANUFACTURER), "amount"),
    ("claim 0 days", {**samples.penalty_claim(), "daysLate": 0}, (CUSTOMER, MANUFACTURER), "days late"),
    (
        "claim against oneself",
        {**samples.penalty_claim(), "liable": CUSTOMER},
        (CUSTOMER,),
        "claimant and the liable party",
    ),
    ("invoice amount 0", {**samples.invoice(), "amount": "0"}, (MANUFACTURER, CUSTOMER), "amount"),
    ("invoice id empty", {**samples.invoice(), "invoiceId": ""}, (MANUFACTURER, CUSTOMER), "invoice id"),
    (
        "invoice to oneself",
        {**samples.invoice(), "payer": MANUFACTURER},
        (MANUFACTURER,),
        "issuer and the payer",
    ),
    (
        "due before issue",
        {**samples.invoice(), "issuedAt": "2027-01-10T10:00:00Z", "dueDate": "2027-01-09"},
        (MANUFACTURER, CUSTOMER),
        "due date is before",
    ),
    (
        "supply with oneself",
        {**samples.supply_terms(), "supplier": MANUFACTURER},
        (MANUFACTURER,),
        "manufacturer and the supplier",
    ),
]


@pytest.mark.parametrize(("what", "payload", "act_as", "why"), OTHER_CASES, ids=[c[0] for c in OTHER_CASES])
def test_the_other_templates_rules(
    engine: tuple[asyncio.AbstractEventLoop, EmbeddedLedger],
    what: str,
    payload: dict[str, Any],
    act_as: tuple[str, ...],
    why: str,
) -> None:
    loop, ledger = engine
    entity = {"claimant": "PenaltyClaim", "issuer": "Invoice", "supplier": "SupplyProposal"}
    kind = next(v for k, v in entity.items() if k in payload)
    with pytest.raises(TemplatePreconditionViolated, match=why):
        loop.run_until_complete(
            ledger.submit(f"other-{what}", "t", list(act_as), [CreateCommand(tid(kind), payload)])
        )
