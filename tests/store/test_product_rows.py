"""Ontology products to and from product rows: both stored forms of ``options`` read back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from ontology.product import Product
from simulation.samples.bike import product as bike
from store.product_rows import new_product_row, product_of
from store.records import ProductRecord

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def row_of(product: Product, options: Any) -> ProductRecord:
    """The row the store would return for ``product`` with ``options`` in its JSON column."""
    new = new_product_row(product)
    return ProductRecord(
        **new.model_dump(exclude={"options"}), options=options, created_at=NOW, updated_at=NOW
    )


def test_a_written_row_reads_back_as_the_same_product() -> None:
    product = bike("maker")
    row = new_product_row(product)
    assert row.options == {
        "options": product.model_dump(mode="json")["options"],
        "base_parts": product.model_dump(mode="json")["base_parts"],
    }
    assert product_of(row_of(product, row.options)) == product


def test_a_bare_list_of_options_reads_as_a_product_without_base_parts() -> None:
    product = bike("maker")
    options = product.model_dump(mode="json")["options"]
    read = product_of(row_of(product, options))
    assert read.options == product.options
    assert read.base_parts == ()


def test_no_options_read_as_a_product_without_options() -> None:
    read = product_of(row_of(bike("maker"), None))
    assert (read.options, read.base_parts) == ((), ())


def test_options_of_another_kind_are_refused() -> None:
    with pytest.raises(ValueError, match="options must be a list or an object"):
        product_of(row_of(bike("maker"), "seat"))
