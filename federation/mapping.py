"""How the federated search is queried and how its result documents map to our supplier model.

Everything here is configuration (``LSO_EFPF_SEARCH_MAPPING``, JSON). The defaults match the local
federation service, whose documents are the supplier data set's records (see
``federation/dataset/SCHEMA.md``). For another search service, name the query fields it filters on
and give dotted paths (``a.b.c``; a number picks a list element) to each value in its documents.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from federation.pricing import PriceModel
from ontology.process import ProcessKind, QualityLevel
from ontology.product import RequiredPart
from ontology.supplier import Capability, Location, Supplier


class QueryFields(BaseModel):
    """Names of the search fields the client filters on (``fq=<field>:<value>``); null: not filterable."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    process: str | None = "process"
    material: str | None = "material"
    quality: str | None = Field(default="quality", description="capabilities reaching this quality")
    country: str | None = "country"
    certification: str | None = "certification"
    rating: str | None = Field(default="rating", description="range filter [min TO *]")


class SupplierPaths(BaseModel):
    """Dotted paths into one result document; null: the document has no such value."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = "id"
    name: str = "name"
    country: str = "location.country"
    city: str = "location.city"
    latitude: str = "location.latitude"
    longitude: str = "location.longitude"
    rating: str | None = "rating"
    certifications: str | None = "certifications"
    currency: str | None = "currency"
    capabilities: str = "capabilities"


class CapabilityPaths(BaseModel):
    """Dotted paths into one element of the capabilities list."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    process: str = "process"
    materials: str | None = "materials"
    max_quality: str | None = "max_quality"
    capacity_hours_per_week: str = "capacity_hours_per_week"
    lead_time_days: str = "lead_time_days"
    setup_cost: str | None = "price.setup_cost"
    hourly_rate: str | None = "price.hourly_rate"
    material_factors: str | None = "price.material_factors"


class SearchMapping(BaseModel):
    """Query field names, response envelope paths, document paths and value translations."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    query: QueryFields = Field(default_factory=QueryFields)
    total: str = Field(default="totalElements", description="path of the total hit count in a response")
    results: str = Field(default="result", description="path of the list of documents in a response")
    supplier: SupplierPaths = Field(default_factory=SupplierPaths)
    capability: CapabilityPaths = Field(default_factory=CapabilityPaths)
    process_values: dict[str, ProcessKind] = Field(
        default_factory=dict,
        description="their process value (case-insensitive) -> ours; values not listed must be ours",
    )
    default_currency: str = "EUR"

    def process_value(self, process: ProcessKind) -> str:
        """The value the search service uses for ``process`` (inverse of ``process_values``)."""
        return next(
            (theirs for theirs, ours in self.process_values.items() if ours == process), process.value
        )


class MappingError(ValueError):
    """A result document lacks a mapped value, or a value has the wrong type."""


def lookup(document: Any, path: str) -> Any:
    """The value at dotted ``path`` in ``document``; :class:`KeyError` if there is none."""
    value = document
    for step in path.split(".") if path else []:
        if isinstance(value, dict) and step in value:
            value = value[step]
        elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            raise KeyError(path)
    return value


def _optional(document: Any, path: str | None) -> Any:
    if path is None:
        return None
    try:
        return lookup(document, path)
    except KeyError:
        return None


def _required(document: Any, path: str, what: str) -> Any:
    try:
        value = lookup(document, path)
    except KeyError:
        raise MappingError(f"{what} missing (path {path!r})") from None
    if value is None:
        raise MappingError(f"{what} is null (path {path!r})")
    return value


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise MappingError(f"{what} is not a string or a list of strings: {value!r}")


def _decimal(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise MappingError(f"{what} is not a number: {value!r}")
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise MappingError(f"{what} is not a number: {value!r}") from None


class FoundSupplier(BaseModel):
    """One result document as our model: the supplier, its currency and per-process price models."""

    model_config = ConfigDict(frozen=True)

    supplier: Supplier
    currency: str
    prices: dict[ProcessKind, PriceModel]

    def price_model(self, process: ProcessKind) -> PriceModel | None:
        return self.prices.get(process)

    def estimate(self, part: RequiredPart) -> Decimal | None:
        """Indicative price of ``part`` in :attr:`currency`; None without a price model for its process."""
        model = self.prices.get(part.process)
        return model.estimate(part) if model is not None else None


def map_document(document: Any, mapping: SearchMapping) -> FoundSupplier:
    """Map one result document; raise :class:`MappingError` saying what is wrong with it."""
    if not isinstance(document, dict):
        raise MappingError(f"result document is not a JSON object: {type(document).__name__}")
    paths = mapping.supplier
    raw_capabilities = _required(document, paths.capabilities, "capabilities")
    if not isinstance(raw_capabilities, list):
        raise MappingError(f"capabilities is not a list (path {paths.capabilities!r})")
    aliases = {theirs.casefold(): ours for theirs, ours in mapping.process_values.items()}
    capabilities: list[Capability] = []
    prices: dict[ProcessKind, PriceModel] = {}
    try:
        for raw in raw_capabilities:
            capability, price = _capability(raw, mapping.capability, aliases)
            capabilities.append(capability)
            if price is not None:
                prices[capability.process] = price
        supplier = Supplier(
            id=str(_required(document, paths.id, "id")),
            name=_required(document, paths.name, "name"),
            location=Location(
                country=_required(document, paths.country, "country"),
                city=_required(document, paths.city, "city"),
                latitude=_required(document, paths.latitude, "latitude"),
                longitude=_required(document, paths.longitude, "longitude"),
            ),
            capabilities=tuple(capabilities),
            certifications=_strings(_optional(document, paths.certifications), "certifications"),
            rating=_optional(document, paths.rating),
        )
    except ValidationError as exc:
        raise MappingError(f"result document does not map to a supplier: {_brief(exc)}") from exc
    currency = _optional(document, paths.currency) or mapping.default_currency
    if not isinstance(currency, str):
        raise MappingError(f"currency is not a string: {currency!r}")
    return FoundSupplier(supplier=supplier, currency=currency, prices=prices)


def _capability(
    raw: Any, paths: CapabilityPaths, aliases: dict[str, ProcessKind]
) -> tuple[Capability, PriceModel | None]:
    if not isinstance(raw, dict):
        raise MappingError(f"capability is not a JSON object: {raw!r}")
    process_value = _required(raw, paths.process, "capability process")
    if not isinstance(process_value, str):
        raise MappingError(f"capability process is not a string: {process_value!r}")
    process = aliases.get(process_value.casefold())
    if process is None:
        try:
            process = ProcessKind(process_value)
        except ValueError:
            raise MappingError(f"unknown process {process_value!r} (map it in process_values)") from None
    quality = _optional(raw, paths.max_quality)
    try:
        max_quality = QualityLevel(quality) if quality is not None else QualityLevel.STANDARD
    except ValueError:
        raise MappingError(f"unknown quality level {quality!r}") from None
    capability = Capability(
        process=process,
        materials=_strings(_optional(raw, paths.materials), "capability materials"),
        max_quality=max_quality,
        capacity_hours_per_week=_required(raw, paths.capacity_hours_per_week, "capability capacity"),
        lead_time_days=_required(raw, paths.lead_time_days, "capability lead time"),
    )
    rate = _optional(raw, paths.hourly_rate)
    if rate is None:
        return capability, None
    factors = _optional(raw, paths.material_factors) or {}
    if not isinstance(factors, dict):
        raise MappingError(f"material factors are not a JSON object: {factors!r}")
    price = PriceModel(
        setup_cost=_decimal(_optional(raw, paths.setup_cost) or 0, "setup cost"),
        hourly_rate=_decimal(rate, "hourly rate"),
        material_factors={str(k): _decimal(v, f"factor of {k}") for k, v in factors.items()},
    )
    return capability, price


def _brief(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(map(str, error['loc'])) or 'value'}: {error['msg']}" for error in exc.errors()[:3]
    )
