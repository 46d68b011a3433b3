"""Products the manufacturer reads from the store (added through the gateway, not in its catalogue).

A stored product row keeps the product's ``options`` as JSON: either the list of
:class:`~ontology.product.ProductOption` (what the agent itself publishes), or an object
``{"options": [...], "base_parts": [...]}`` when the product has base parts as well.
"""

from __future__ import annotations

from typing import Any

from ontology.product import Product
from store.records import ProductRecord


def product_from_record(record: ProductRecord) -> Product:
    """The ontology product of a stored row (``ValueError``/``ValidationError`` when it does not fit)."""
    stored: Any = record.options
    if isinstance(stored, dict):
        options = stored.get("options", [])
        base_parts = stored.get("base_parts", [])
    elif isinstance(stored, list):
        options, base_parts = stored, []
    elif stored is None:
        options, base_parts = [], []
    else:
        raise ValueError(f"product {record.id!r}: options must be a list or an object, not {type(stored)}")
    return Product.model_validate(
        {
            "id": record.id,
            "manufacturer_id": record.manufacturer_id,
            "name": record.name,
            "description": record.description,
            "currency": record.currency,
            "base_cost": record.base_price,
            "base_parts": base_parts,
            "options": options,
        }
    )
