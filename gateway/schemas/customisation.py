"""The values of an order's number, text and file options, as both parties of the order read them."""

from __future__ import annotations

from typing import Any

from ontology.customisation import Customisation
from store.records import OrderRecord


def option_values(record: OrderRecord) -> dict[str, Any]:
    """``numbers``, ``texts`` and ``files`` of the order's customisation (empty for a choice-only order),
    to spread into a body."""
    customisation = Customisation.model_validate(record.customisation)
    return {"numbers": customisation.numbers, "texts": customisation.texts, "files": customisation.files}
