"""The content codec: every registered type round-trips; decode refuses what is not ours (ContentError)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ontology import (
    ONTOLOGY_NAME,
    ONTOLOGY_VERSION,
    CallForProposals,
    Content,
    ContentError,
    Invoice,
    InvoiceLine,
    Order,
    Ping,
    Pong,
    Reason,
    decode,
    encode,
    register,
    registered_types,
)
from ontology.negotiation import Offer as OntologyOffer
from tests.ontology.strategies import content_strategies

STRATEGIES = content_strategies()


def envelope(**changes: Any) -> str:
    base: dict[str, Any] = {
        "ontology": ONTOLOGY_NAME,
        "version": ONTOLOGY_VERSION,
        "type": "Reason",
        "data": {"reason": "busy"},
    }
    base.update(changes)
    return json.dumps(base)


def test_every_ontology_content_type_has_a_strategy() -> None:
    ours = {cls for cls in registered_types().values() if cls.__module__.startswith("ontology.")}
    assert ours == set(STRATEGIES), "add a strategy for each new content type in tests/ontology/strategies.py"


@pytest.mark.parametrize("cls", list(STRATEGIES), ids=lambda cls: cls.__name__)
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(data=st.data())
def test_every_content_type_round_trips(cls: type[Content], data: st.DataObject) -> None:
    model = data.draw(STRATEGIES[cls])
    assert type(model) is cls
    text = encode(model)
    back = decode(text, expected=cls)
    assert type(back) is cls
    assert back == model
    assert encode(back) == text


def test_envelope_names_ontology_version_and_type() -> None:
    wire = json.loads(encode(Reason(reason="no capacity")))
    assert wire == {
        "ontology": ONTOLOGY_NAME,
        "version": ONTOLOGY_VERSION,
        "type": "Reason",
        "data": {"reason": "no capacity", "detail": None},
    }


def test_money_travels_as_string_and_datetimes_as_utc() -> None:
    invoice = Invoice(
        order_id="6f1c2a39-6f5c-4b0e-9c1e-0d5a3f1d2b11",
        issuer="m",
        payer="c",
        lines=(InvoiceLine(description="frame", quantity=3, unit_price=Decimal("0.10")),),
        total=Decimal("0.30"),
        issued_at="2030-01-01T12:00:00+02:00",
        due_date=date(2030, 2, 1),
    )
    data = json.loads(encode(invoice))["data"]
    assert data["total"] == "0.30"
    assert data["lines"][0]["unit_price"] == "0.10"
    assert data["issued_at"] == "2030-01-01T10:00:00Z"
    assert decode(encode(invoice), expected=Invoice).total == Decimal("0.30")


def test_minor_version_difference_is_accepted() -> None:
    major = ONTOLOGY_VERSION.split(".")[0]
    assert decode(envelope(version=f"{major}.99")) == Reason(reason="busy")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (envelope(ontology="fipa-agent-management"), "unknown ontology"),
        (envelope(ontology=None), "unknown ontology"),
        (envelope(version="2.0"), "unsupported ontology version"),
        (envelope(version="0.9"), "unsupported ontology version"),
        (envelope(version=1), "unsupported ontology version"),
        (envelope(type="NoSuchThing"), "unknown content type"),
        (envelope(type=None), "unknown content type"),
        ("[1, 2, 3]", "not a JSON object"),
        ('"Reason"', "not a JSON object"),
        ("{not json", "not JSON"),
        (b"\xff\xfe\x00", "not JSON"),
        (envelope(data={}), "does not match Reason"),
        (envelope(data=None), "does not match Reason"),
        (envelope(data={"reason": "busy", "extra": 1}), "does not match Reason"),
        (envelope(data={"reason": ""}), "does not match Reason"),
    ],
)
def test_decode_refuses(text: str | bytes, message: str) -> None:
    with pytest.raises(ContentError, match=message):
        decode(text)


def test_decode_refuses_unexpected_type() -> None:
    text = encode(Ping(note="hi"))
    with pytest.raises(ContentError, match="'Ping' is not expected here \\(expected Reason\\)"):
        decode(text, expected=Reason)
    with pytest.raises(ContentError, match="expected Reason, Pong"):
        decode(text, expected=(Reason, Pong))
    assert decode(text, expected=(Reason, Ping)) == Ping(note="hi")


def test_decode_refuses_data_that_breaks_model_invariants() -> None:
    order = Order(
        customer_id="c",
        manufacturer_id="m",
        product_id="p",
        delivery_date=date(2030, 1, 2),
        created_at="2030-01-01T00:00:00Z",
    )
    wire = json.loads(encode(order))
    wire["data"]["status"] = "paid"
    with pytest.raises(ContentError, match="history ends at 'received'"):
        decode(json.dumps(wire), expected=Order)
    wire = json.loads(encode(order))
    wire["data"]["delivery_date"] = str(date(2030, 1, 1) - timedelta(days=1))
    with pytest.raises(ContentError, match="in the past"):
        decode(json.dumps(wire), expected=Order)


def test_decode_refuses_naive_datetimes() -> None:
    wire: dict[str, Any] = {
        "ontology": ONTOLOGY_NAME,
        "version": ONTOLOGY_VERSION,
        "type": "CallForProposals",
        "data": {
            "order_id": "6f1c2a39-6f5c-4b0e-9c1e-0d5a3f1d2b11",
            "part": {"part_id": "frame", "process": "cnc-milling"},
            "delivery_date": "2030-01-01",
            "reply_by": "2029-12-01T10:00:00",
        },
    }
    with pytest.raises(ContentError, match="naive"):
        decode(json.dumps(wire), expected=CallForProposals)
    wire["data"]["reply_by"] = "2029-12-01T10:00:00Z"
    assert (
        decode(json.dumps(wire), expected=CallForProposals).reply_by.isoformat()
        == "2029-12-01T10:00:00+00:00"
    )


def test_encode_refuses_unregistered_content() -> None:
    class Stray(Content):
        x: int = 1

    with pytest.raises(ContentError, match="not a registered content type"):
        encode(Stray())


def test_register_refuses_a_second_class_with_the_same_name() -> None:
    with pytest.raises(ValueError, match="already registered"):

        @register
        class Offer(Content):
            pass

    assert registered_types()["Offer"] is OntologyOffer
