"""Field types of request bodies and paths that the store can hold on SQLite and PostgreSQL alike.

PostgreSQL text refuses NUL characters, so identifiers, names and free text that end up in columns
(or in the agents' notes) are refused here (422) instead of failing in the database.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import Path, Query
from pydantic import AfterValidator, Field

from ontology.values import Name, Text


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    return value


_KEY_PATTERN = r"^[^\x00-\x20\x7f]+$"

#: An id of a product, order or user: 1 to 64 printable characters, no whitespace.
Key = Annotated[str, Field(min_length=1, max_length=64, pattern=_KEY_PATTERN)]
#: A short name without NUL characters.
CleanName = Annotated[Name, AfterValidator(_no_nul)]
#: Free text without NUL characters.
CleanText = Annotated[Text, AfterValidator(_no_nul)]

#: An id in a path.
KeyPath = Annotated[str, Path(min_length=1, max_length=64, pattern=_KEY_PATTERN)]
#: An optional id in a query string.
KeyQuery = Annotated[str | None, Query(min_length=1, max_length=64, pattern=_KEY_PATTERN)]


_CENT = Decimal("0.01")


def _in_cents(amount: Decimal) -> Decimal:
    """``1144.3600`` (as the store's columns give it) -> ``1144.36``; finer amounts are kept."""
    cents = amount.quantize(_CENT)
    return cents if cents == amount else amount.normalize()


#: An amount the store read back with its column's four places, as people write it (whole cents).
StoredAmount = Annotated[Decimal, AfterValidator(_in_cents)]
