"""The scenario file's models (YAML, validated by pydantic; the format is in ``simulation/SCENARIOS.md``)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from ontology.policy import ManufacturerPolicy, NegotiationStrategy
from ontology.process import ProcessKind, QualityLevel
from ontology.product import Product
from ontology.values import Identifier, Money

BUILTIN_PRODUCTS = ("bike",)


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class BuiltinProduct(_Strict):
    """A product shipped with the platform (``bike``: the bench order world's bike)."""

    builtin: Literal["bike"]


def _product_kind(value: object) -> str:
    if isinstance(value, dict):
        return "builtin" if "builtin" in value else "product"
    return "builtin" if isinstance(value, BuiltinProduct) else "product"


ProductEntry = Annotated[
    Annotated[BuiltinProduct, Tag("builtin")] | Annotated[Product, Tag("product")],
    Discriminator(_product_kind),
]


class ManufacturerSpec(_Strict):
    id: Identifier
    policy: ManufacturerPolicy


class Generated(_Strict):
    """Suppliers made by the federation data set's generator (same seed and count: same suppliers)."""

    seed: int = 20_240_501
    count: int = Field(default=320, ge=1, le=100_000)


class SupplierFilter(_Strict):
    ids: tuple[Identifier, ...] = ()
    processes: tuple[ProcessKind, ...] = ()
    countries: tuple[str, ...] = ()
    min_quality: QualityLevel | None = None
    min_rating: float | None = Field(default=None, ge=0, le=5)
    limit: int | None = Field(default=None, ge=1)


class SupplierPolicySpec(_Strict):
    """How every proxy negotiates (the rest of its policy comes from its data-set record)."""

    strategy: NegotiationStrategy | None = Field(default=None, description="none: picked from the id")
    min_margin: Decimal = Field(default=Decimal("0.05"), ge=0, le=10)
    target_margin: Decimal = Field(default=Decimal("0.30"), ge=0, le=10)
    max_rounds: int = Field(default=3, ge=1, le=100)

    @model_validator(mode="after")
    def _margins(self) -> Self:
        if self.target_margin < self.min_margin:
            raise ValueError(f"target_margin {self.target_margin} is below min_margin {self.min_margin}")
        return self


class SupplierPopulation(_Strict):
    dataset: Literal["shipped"] | Path | None = Field(
        default=None, description="'shipped', or a JSON/CSV data set file (relative to the scenario)"
    )
    generate: Generated | None = None
    filter: SupplierFilter = SupplierFilter()
    policy: SupplierPolicySpec = SupplierPolicySpec()
    silent: tuple[Identifier, ...] = Field(default=(), description="proxies that never answer")
    fail_after_accept: tuple[Identifier, ...] = ()

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.dataset is None) == (self.generate is None):
            raise ValueError("give exactly one of 'dataset' and 'generate'")
        return self


class OrderSpec(_Strict):
    """One order of a customer, placed ``at`` seconds after the run starts."""

    manufacturer: Identifier
    product: Identifier
    choices: dict[Identifier, Identifier] = Field(default_factory=dict)
    quantity: int = Field(default=1, ge=1, le=1_000_000)
    delivery_days: int = Field(ge=1, le=3650, description="requested delivery, days after the run's start")
    at: float = Field(default=0.0, ge=0, description="arrival, seconds after the run's start")


class CustomerSpec(_Strict):
    id: Identifier
    orders: tuple[OrderSpec, ...] = ()


class DayRange(_Strict):
    min: int = Field(ge=1, le=3650)
    max: int = Field(ge=1, le=3650)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.max < self.min:
            raise ValueError(f"max ({self.max}) is below min ({self.min})")
        return self


class ArrivalSpec(_Strict):
    """``count`` orders arriving over time: Poisson (exponential gaps, mean ``mean_gap_seconds``) or
    evenly spaced; customers ``<prefix>-1``, ``<prefix>-2``..."""

    manufacturer: Identifier
    product: Identifier
    choices: dict[Identifier, Identifier] = Field(default_factory=dict)
    count: int = Field(ge=1, le=1_000_000)
    process: Literal["poisson", "uniform"] = "poisson"
    mean_gap_seconds: float = Field(default=60.0, gt=0)
    start_at: float = Field(default=0.0, ge=0)
    delivery_days: DayRange
    customers: int = Field(default=1, ge=1, description="orders are spread over this many customers")
    customer_prefix: Identifier = "customer"


class TournamentSpec(_Strict):
    """Every buyer strategy against every seller strategy, ``repetitions`` times each."""

    buyer_strategies: tuple[NegotiationStrategy, ...] = Field(min_length=1)
    seller_strategies: tuple[NegotiationStrategy, ...] = Field(min_length=1)


class NegotiationSpec(_Strict):
    latency_ms: float = Field(default=1.0, ge=0, le=60_000, description="simulated one-way message latency")
    evaluation_seconds: float = Field(default=10.0, gt=0, description="buyer's time to evaluate a round")
    supplier_result_seconds: float = Field(default=15.0, gt=0, description="a winner's time to confirm")
    award_attempts: int = Field(default=3, ge=1, le=100)
    outcome_space: bool = Field(default=True, description="record a bounded sample of the outcome space")
    buyer_reservation_price: Money | None = Field(
        default=None, description="evaluation only: buyer's walk-away price when its policy sets none"
    )


class Scenario(_Strict):
    name: Identifier
    description: str = ""
    seed: int = 0
    repetitions: int = Field(default=1, ge=1, le=10_000)
    products: tuple[ProductEntry, ...] = Field(min_length=1)
    manufacturers: tuple[ManufacturerSpec, ...] = Field(min_length=1)
    suppliers: SupplierPopulation
    customers: tuple[CustomerSpec, ...] = ()
    arrivals: tuple[ArrivalSpec, ...] = ()
    negotiation: NegotiationSpec = NegotiationSpec()
    tournament: TournamentSpec | None = None


def product_id(product: BuiltinProduct | Product) -> str:
    return product.builtin if isinstance(product, BuiltinProduct) else product.id
