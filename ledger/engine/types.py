"""DAML types, as plain frozen dataclasses the engine validates values against and the DAML-LF builder
reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

PrimName = Literal["Party", "Text", "Int64", "Date", "Timestamp", "Bool", "Unit"]


@dataclass(frozen=True, slots=True)
class Prim:
    """A primitive DAML type: ``Party``, ``Text``, ``Int64``, ``Date``, ``Timestamp`` (``Time``), ``Bool``,
    ``Unit``."""

    name: PrimName


@dataclass(frozen=True, slots=True)
class Numeric:
    """``Numeric scale``; DAML's ``Decimal`` is ``Numeric 10`` (at most 38 digits, ``scale`` after the
    point)."""

    scale: int = 10


@dataclass(frozen=True, slots=True)
class ListOf:
    """``[elem]``."""

    elem: DamlType


@dataclass(frozen=True, slots=True)
class OptionalOf:
    """``Optional elem`` (``elem`` is never itself an ``Optional`` in this model)."""

    elem: DamlType


@dataclass(frozen=True, slots=True)
class RecordRef:
    """A record data type of the model, by module and name (e.g. ``LotSizeOne.Contract``, ``Item``)."""

    module: str
    name: str


@dataclass(frozen=True, slots=True)
class ContractIdOf:
    """``ContractId T`` for the template ``T`` (module, entity) of the model."""

    module: str
    entity: str


DamlType = Prim | Numeric | ListOf | OptionalOf | RecordRef | ContractIdOf

PARTY = Prim("Party")
TEXT = Prim("Text")
INT64 = Prim("Int64")
DATE = Prim("Date")
TIMESTAMP = Prim("Timestamp")
BOOL = Prim("Bool")
UNIT = Prim("Unit")
DECIMAL = Numeric(10)


def render(t: DamlType) -> str:
    """The type as DAML source spells it (``Decimal``, ``[Item]``, ``Optional Penalty``, ``ContractId
    Invoice``)."""
    match t:
        case Prim(name="Timestamp"):
            return "Time"
        case Prim(name="Int64"):
            return "Int"
        case Prim(name="Unit"):
            return "()"
        case Prim(name=name):
            return name
        case Numeric(scale=10):
            return "Decimal"
        case Numeric(scale=scale):
            return f"(Numeric {scale})"
        case ListOf(elem=elem):
            return f"[{render(elem)}]"
        case OptionalOf(elem=elem):
            return f"(Optional {render(elem)})"
        case RecordRef(name=name):
            return name
        case ContractIdOf(entity=entity):
            return f"(ContractId {entity})"
    raise TypeError(f"not a DAML type: {t!r}")
