"""Ontology products to and from the store's product rows.

A row keeps ``options`` as JSON: the object ``{"options": [...], "base_parts": [...]}`` (what
:func:`new_product_row` writes), or the bare list of :class:`~ontology.product.ProductOption` (what a
manufacturer agent publishes from its own catalogue). :func:`product_of` reads both forms.
"""

from __future__ import annotations

from typing import Any

from ontology.product import Product
from store.records import NewProduct, ProductRecord


def stored_options(product: Product) -> dict[str, Any]:
    """The JSON the ``options`` column holds for ``product``."""
    data = product.model_dump(mode="json", include={"options", "base_parts"})
    return {"options": data["options"], "base_parts": data["base_parts"]}


def new_product_row(product: Product) -> NewProduct:
    """The row that stores ``product``."""
    same = product.model_dump(include={"id", "manufacturer_id", "name", "description", "currency"})
    return NewProduct(**same, options=stored_options(product), base_price=product.base_cost)


def product_of(record: ProductRecord) -> Product:
    """The ontology product of a row (``ValueError`` / ``ValidationError`` when the row does not fit)."""
    stored: Any = record.options
    if isinstance(stored, dict):
        options, base_parts = stored.get("options", []), stored.get("base_parts", [])
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
