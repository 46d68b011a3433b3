"""Value types shared by the ontology: identifiers, money, currencies, UTC timestamps, country codes."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

#: Money: 18 digits, 4 after the point (what the store's columns hold); JSON carries it as a string.
MONEY_DIGITS = 18
MONEY_PLACES = 4

_IDENTIFIER = re.compile(r"\S+")
_CURRENCY = re.compile(r"[A-Z]{3}")
_COUNTRY = re.compile(r"[A-Z]{2}")


class Value(BaseModel):
    """Base of the immutable value models nested in content."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def utc_now() -> datetime:
    return datetime.now(UTC)


def duplicates(items: Iterable[str]) -> list[str]:
    """The items that occur more than once, in first-seen order."""
    return [item for item, count in Counter(items).items() if count > 1]


def require_utc(value: datetime) -> datetime:
    """Refuse naive datetimes; return aware ones converted to UTC."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"datetime {value.isoformat()} is naive: give a timezone-aware (UTC) datetime")
    return value.astimezone(UTC)


def _identifier(value: str) -> str:
    if not _IDENTIFIER.fullmatch(value):
        raise ValueError(f"identifier {value!r} must be non-empty and contain no whitespace")
    return value


def _currency(value: str) -> str:
    if not _CURRENCY.fullmatch(value):
        raise ValueError(f"currency {value!r} is not an ISO 4217 code (three upper-case letters, e.g. 'EUR')")
    return value


def _country(value: str) -> str:
    if not _COUNTRY.fullmatch(value):
        raise ValueError(
            f"country {value!r} is not an ISO 3166 alpha-2 code (two upper-case letters, e.g. 'DE')"
        )
    return value


#: Timezone-aware datetime, normalised to UTC.
UtcDateTime = Annotated[datetime, AfterValidator(require_utc)]

#: Id of an order, product, part, option, supplier or party: up to 64 characters, no whitespace.
Identifier = Annotated[str, Field(max_length=64), AfterValidator(_identifier)]

#: Who did something (an agent JID, a user id): up to 512 characters, no whitespace.
Actor = Annotated[str, Field(max_length=512), AfterValidator(_identifier)]

#: Short human-readable name.
Name = Annotated[str, Field(min_length=1, max_length=200)]

#: Free text.
Text = Annotated[str, Field(max_length=2000)]

#: A non-negative amount of money.
Money = Annotated[
    Decimal, Field(ge=0, max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, allow_inf_nan=False)
]

#: An amount of money that may be negative (a cost delta).
SignedMoney = Annotated[
    Decimal, Field(max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, allow_inf_nan=False)
]

#: ISO 4217 currency code.
Currency = Annotated[str, AfterValidator(_currency)]

#: ISO 3166-1 alpha-2 country code.
CountryCode = Annotated[str, AfterValidator(_country)]

#: A weight of one issue, between 0 and 1.
Weight = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
