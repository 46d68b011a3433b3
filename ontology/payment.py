"""How a manufacturer is paid: a bank transfer to its account, with a reference derived from the order.

The IBAN is checked as ISO 13616 says (country code, check digits, the country's length, mod 97 = 1); the
transfer reference is an ISO 11649 creditor reference ("RF" + two check digits + a part of the order id), the
same every time for an order, short enough to type and checked by the customer's bank as it is typed.
"""

from __future__ import annotations

import re
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, BeforeValidator, Field

from ontology.values import Name, Value

#: IBAN lengths by country (the ISO 13616 registry); other countries: 15 to 34 characters.
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
    "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
    "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
    "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
    "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
    "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29,
    "RO": 24, "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}  # fmt: skip

_IBAN = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")
_BIC = re.compile(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?")
_REFERENCE_BODY = 10
"""Hex digits of the order id in its transfer reference (40 bits: no two orders of a manufacturer share one
in practice)."""


def _compact(value: object) -> object:
    """Spaces, tabs and dashes out, upper case: as people type and banks print account data."""
    return re.sub(r"[\s-]+", "", value).upper() if isinstance(value, str) else value


def _mod97(text: str) -> int:
    """``text`` (letters A=10 … Z=35) read as a number, modulo 97."""
    return int("".join(str(int(c, 36)) for c in text)) % 97


def check_iban(value: str) -> str:
    """``value`` if it is a valid IBAN (compact, upper case), else ``ValueError`` saying what is wrong."""
    if not _IBAN.fullmatch(value):
        raise ValueError(
            "an IBAN is a country code, two check digits and up to 30 letters or digits, e.g. "
            "DE89 3704 0044 0532 0130 00"
        )
    expected = IBAN_LENGTHS.get(value[:2])
    if expected is not None and len(value) != expected:
        raise ValueError(f"an IBAN of {value[:2]} has {expected} characters, this one has {len(value)}")
    if _mod97(value[4:] + value[:4]) != 1:
        raise ValueError("this IBAN's check digits do not match: a character is mistyped")
    return value


def _check_bic(value: str) -> str:
    if not _BIC.fullmatch(value):
        raise ValueError("a BIC has 8 or 11 letters and digits, e.g. COBADEFFXXX")
    return value


#: An IBAN, compact and upper case (spaces allowed when given).
Iban = Annotated[str, BeforeValidator(_compact), Field(max_length=34), AfterValidator(check_iban)]

#: A BIC (SWIFT code) of 8 or 11 characters.
Bic = Annotated[str, BeforeValidator(_compact), Field(max_length=11), AfterValidator(_check_bic)]


def transfer_reference(order_id: UUID | str) -> str:
    """The order's transfer reference: an ISO 11649 creditor reference, e.g. ``RF163ADB0E8C12`` for order
    ``3adb0e8c-12…`` (compact; people read it in groups of four). Derived from the order id alone, so it is
    the same every time."""
    body = UUID(str(order_id)).hex[:_REFERENCE_BODY].upper()
    check = 98 - _mod97(body + "RF00")
    return f"RF{check:02d}{body}"


def same_reference(given: str, expected: str) -> bool:
    """``given`` is ``expected`` as a person may type it (spaces, dashes, lower case)."""
    return _compact(given) == expected


class BankTransfer(Value):
    """Customers pay by bank transfer to this account, naming the order's transfer reference."""

    account_holder: Name = Field(description="the name the account is held in")
    iban: Iban = Field(description="the account's IBAN")
    bic: Bic | None = Field(default=None, description="the bank's BIC (optional)")
    confirm_by_hand: bool = Field(
        default=True,
        description="the manufacturer confirms each transfer once it is on the account (the order is paid "
        "then); off: an announced transfer is taken as received at once",
    )
