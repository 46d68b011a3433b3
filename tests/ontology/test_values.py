"""Shared value types: money, UTC datetimes, codes, identifiers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from ontology.values import CountryCode, Currency, Identifier, Money, SignedMoney, UtcDateTime, duplicates

money = TypeAdapter(Money)
signed = TypeAdapter(SignedMoney)
utc = TypeAdapter(UtcDateTime)


@given(st.decimals(min_value=0, max_value=Decimal("99999999999999"), places=4))
def test_money_round_trips_through_json_as_a_string(amount: Decimal) -> None:
    wire = money.dump_json(amount)
    assert wire.startswith(b'"')
    assert money.validate_json(wire) == amount


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-0.01", "greater than or equal to 0"),
        ("1.00001", "no more than 4 decimal places"),
        ("NaN", "finite number"),
        ("Infinity", "finite number"),
        ("1e30", "no more than 18 digits"),
        ("ten", "valid decimal"),
    ],
)
def test_money_refuses(value: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        money.validate_python(value)


def test_signed_money_may_be_negative() -> None:
    assert signed.validate_python("-12.50") == Decimal("-12.50")


def test_naive_datetime_is_refused_with_a_clear_message() -> None:
    with pytest.raises(ValidationError, match="2030-01-01T10:00:00 is naive: give a timezone-aware"):
        utc.validate_python(datetime(2030, 1, 1, 10))
    with pytest.raises(ValidationError, match="naive"):
        utc.validate_json('"2030-01-01T10:00:00"')


def test_aware_datetimes_are_normalised_to_utc() -> None:
    value = utc.validate_python(datetime(2030, 1, 1, 10, tzinfo=timezone(timedelta(hours=-5))))
    assert value == datetime(2030, 1, 1, 15, tzinfo=UTC)
    assert value.tzinfo is UTC
    assert utc.dump_json(value) == b'"2030-01-01T15:00:00Z"'


@pytest.mark.parametrize("code", ["EUR", "USD", "JPY"])
def test_currency_accepts(code: str) -> None:
    assert TypeAdapter(Currency).validate_python(code) == code


@pytest.mark.parametrize("code", ["eur", "EURO", "E1R", ""])
def test_currency_refuses(code: str) -> None:
    with pytest.raises(ValidationError, match="not an ISO 4217 code"):
        TypeAdapter(Currency).validate_python(code)


@pytest.mark.parametrize("code", ["de", "DEU", "D", "1A"])
def test_country_refuses(code: str) -> None:
    with pytest.raises(ValidationError, match="not an ISO 3166 alpha-2 code"):
        TypeAdapter(CountryCode).validate_python(code)


@pytest.mark.parametrize("value", ["", " ", "a b", "a\tb", "x" * 65])
def test_identifier_refuses(value: str) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(Identifier).validate_python(value)


def test_duplicates_in_first_seen_order() -> None:
    assert duplicates(["b", "a", "b", "c", "a", "b"]) == ["b", "a"]
    assert duplicates(["a", "b"]) == []
