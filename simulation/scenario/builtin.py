"""Products a scenario may name instead of describing them (``builtin: bike``)."""

from __future__ import annotations

from ontology.product import Product
from simulation.samples.bike import product as bike
from simulation.scenario.model import BuiltinProduct


def resolve_product(entry: BuiltinProduct | Product, manufacturer_id: str | None = None) -> Product:
    """The product of a scenario entry (a built-in one gets ``manufacturer_id`` when given)."""
    if isinstance(entry, Product):
        return entry
    made = bike()
    return made.model_copy(update={"manufacturer_id": manufacturer_id}) if manufacturer_id else made
