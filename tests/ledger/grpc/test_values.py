"""Ledger API ``Value`` <-> engine value conversion, by the model's types."""

from __future__ import annotations

import pytest
from dazl._gen.com.daml.ledger.api.v1 import value_pb2 as v

from ledger import samples
from ledger.engine import ValidationError
from ledger.engine.templates import MODEL, MODULE
from ledger.engine.types import DATE, DECIMAL, TIMESTAMP, DamlType, ListOf, OptionalOf
from ledger.grpc.values import ValueEncoder, record_to_engine, to_engine

ENCODER = ValueEncoder("pkg")


@pytest.mark.parametrize(
    ("daml_type", "value"),
    [
        (DATE, "1969-12-31"),
        (DATE, "2027-03-01"),
        (TIMESTAMP, "2027-03-10T09:30:00.000001Z"),
        (TIMESTAMP, "1960-01-01T00:00:00Z"),
        (DECIMAL, "-12.5"),
        (OptionalOf(DECIMAL), None),
        (ListOf(OptionalOf(DATE)), ["2027-01-01", None]),
    ],
)
def test_primitives_round_trip(daml_type: DamlType, value: object) -> None:
    assert to_engine(ENCODER.value(value, daml_type), daml_type) == value


def test_dates_and_timestamps_use_the_ledger_api_units() -> None:
    assert ENCODER.value("1970-01-02", DATE).date == 1
    assert ENCODER.value("1970-01-01T00:00:01Z", TIMESTAMP).timestamp == 1_000_000


def test_every_template_payload_round_trips_labelled_and_positional() -> None:
    payloads = {
        "CustomerOrder": samples.customer_order(),
        "OrderAgreement": samples.order_agreement(),
        "SupplyProposal": samples.supply_terms(),
        "SupplyAgreement": samples.supply_agreement(),
        "PenaltyClaim": samples.penalty_claim(),
        "Invoice": samples.invoice(),
    }
    for entity, payload in payloads.items():
        template = MODEL.template(MODULE, entity)
        record = ENCODER.record(payload, MODULE, entity, template.fields)
        assert record.record_id.entity_name == entity
        decoded = record_to_engine(record, template.fields)
        positional = v.Record(fields=[v.RecordField(value=f.value) for f in record.fields])
        assert record_to_engine(positional, template.fields) == decoded
        assert decoded["orderId"] == payload["orderId"]


def test_wrong_shapes_are_validation_errors() -> None:
    template = MODEL.template(MODULE, "CustomerOrder")
    with pytest.raises(ValidationError, match="unknown field"):
        record_to_engine(
            v.Record(fields=[v.RecordField(label="nope", value=v.Value(text="x"))]), template.fields
        )
    with pytest.raises(ValidationError, match="missing"):
        record_to_engine(
            v.Record(fields=[v.RecordField(label="orderId", value=v.Value(text="x"))]), template.fields
        )
    with pytest.raises(ValidationError, match="expected a party"):
        to_engine(v.Value(text="Alice"), template.field("customer").type)
    with pytest.raises(ValidationError, match="decimals"):
        to_engine(v.Value(numeric="1.00000000001"), DECIMAL)
