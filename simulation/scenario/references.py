"""Checks across a scenario's parts (orders name known manufacturers, products and choices)."""

from __future__ import annotations

from collections.abc import Mapping

from ontology.product import Product
from simulation.scenario.builtin import resolve_product
from simulation.scenario.model import Scenario, product_id

Loc = tuple[str | int, ...]


def reference_problems(scenario: Scenario) -> list[tuple[Loc, str]]:
    """Every dangling reference, with where it is (a pydantic-style location) and what is wrong."""
    problems: list[tuple[Loc, str]] = []
    products = {product_id(p): resolve_product(p) for p in scenario.products}
    manufacturers = {m.id for m in scenario.manufacturers}
    if not scenario.customers and not scenario.arrivals:
        problems.append(((), "the scenario places no order: give 'customers' with orders, or 'arrivals'"))
    places: list[tuple[Loc, str, str, Mapping[str, str]]] = [
        (("customers", c, "orders", o), order.manufacturer, order.product, order.choices)
        for c, customer in enumerate(scenario.customers)
        for o, order in enumerate(customer.orders)
    ]
    places += [
        (("arrivals", a), s.manufacturer, s.product, s.choices) for a, s in enumerate(scenario.arrivals)
    ]
    for loc, manufacturer, product, choices in places:
        if manufacturer not in manufacturers:
            known = ", ".join(sorted(manufacturers))
            problems.append(
                ((*loc, "manufacturer"), f"unknown manufacturer {manufacturer!r} (known: {known})")
            )
        found = products.get(product)
        if found is None:
            known = ", ".join(sorted(products))
            problems.append(((*loc, "product"), f"unknown product {product!r} (known: {known})"))
            continue
        problems += [((*loc, "choices", key), text) for key, text in _choice_problems(found, choices)]
    return problems


def _choice_problems(product: Product, choices: Mapping[str, str]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for option_id, choice_id in choices.items():
        option = product.option(option_id)
        if option is None:
            found.append(
                (option_id, f"product {product.id!r} has no option {option_id!r} ({product.option_ids()})")
            )
        elif option.choice(choice_id) is None:
            found.append(
                (option_id, f"option {option_id!r} has no choice {choice_id!r} ({option.choice_ids()})")
            )
    return found
