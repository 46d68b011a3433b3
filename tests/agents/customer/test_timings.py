"""The default timings leave a person in the app time to answer, and the two sides agree on the payment."""

from __future__ import annotations

from datetime import timedelta

from agents.customer.agent import CustomerTimings
from agents.manufacturer.settings import Timings


def test_a_person_has_more_than_minutes_to_pay_an_invoice() -> None:
    assert CustomerTimings().payment >= timedelta(minutes=30)


def test_the_manufacturer_waits_for_the_payment_as_long_as_the_customer_agent_offers_to_pay() -> None:
    assert Timings().payment >= CustomerTimings().payment
