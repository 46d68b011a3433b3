"""Bank transfers: the IBAN checked as ISO 13616 says, the order's transfer reference (ISO 11649)."""

from __future__ import annotations

from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from pydantic import ValidationError

from ontology.payment import BankTransfer, check_iban, same_reference, transfer_reference
from ontology.policy import ManufacturerPolicy


@pytest.mark.parametrize(
    "iban",
    ["DE89370400440532013000", "GB82WEST12345698765432", "NO9386011117947", "FR1420041010050500013M02606"],
)
def test_valid_ibans_pass(iban: str) -> None:
    assert check_iban(iban) == iban


@pytest.mark.parametrize(
    ("iban", "why"),
    [
        ("DE89370400440532013001", "check digits"),  # one digit mistyped
        ("DE98370400440532013000", "check digits"),  # two digits swapped
        ("DE8937040044053201300", "has 22 characters"),
        ("89DE370400440532013000", "country code"),
        ("", "country code"),
    ],
)
def test_a_mistyped_iban_is_refused_in_words(iban: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        check_iban(iban)


def test_an_account_is_kept_compact_and_upper_case() -> None:
    account = BankTransfer(account_holder="Maker", iban="gb82 west 1234-5698 7654 32", bic="cobadeff xxx")
    assert (account.iban, account.bic, account.confirm_by_hand) == (
        "GB82WEST12345698765432",
        "COBADEFFXXX",
        True,
    )
    with pytest.raises(ValidationError, match="BIC"):
        BankTransfer(account_holder="Maker", iban="GB82WEST12345698765432", bic="COBA")
    with pytest.raises(ValidationError):
        BankTransfer(account_holder="", iban="GB82WEST12345698765432")


def test_the_transfer_reference_is_the_orders_and_checked_by_mod_97() -> None:
    order_id = UUID("3adb0e8c-1234-4000-8000-000000000000")
    assert transfer_reference(order_id) == transfer_reference(str(order_id)) == "RF163ADB0E8C12"
    for _ in range(50):
        reference = transfer_reference(uuid4())
        assert reference.startswith("RF") and len(reference) == 14
        digits = "".join(str(int(c, 36)) for c in reference[4:] + reference[:4])
        assert int(digits) % 97 == 1  # what a bank checks as the reference is typed
    assert transfer_reference(uuid4()) != transfer_reference(uuid4())
    assert same_reference("rf16 3adb-0e8c 12", "RF163ADB0E8C12")
    assert not same_reference("RF163ADB0E8C13", "RF163ADB0E8C12")


def test_a_policy_without_bank_account_takes_announced_payments_as_received() -> None:
    policy = ManufacturerPolicy(capacity_hours_per_week=40, margin=Decimal("0.2"))
    assert policy.payment is None
    given = ManufacturerPolicy.model_validate(
        {
            "capacity_hours_per_week": 40,
            "margin": "0.2",
            "payment": {"account_holder": "Maker", "iban": "DE89 3704 0044 0532 0130 00"},
        }
    )
    assert given.payment is not None and given.payment.confirm_by_hand
    assert ManufacturerPolicy.model_validate(given.model_dump(mode="json")) == given
