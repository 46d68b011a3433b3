"""Ledger API v1 ``Value`` protobufs <-> engine values (plain JSON-able Python), by the model's types."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from dazl._gen.com.daml.ledger.api.v1 import value_pb2 as v
from google.protobuf import empty_pb2

from ledger.engine.errors import ValidationError
from ledger.engine.templates import MODEL, FieldDef, Model
from ledger.engine.types import ContractIdOf, DamlType, ListOf, Numeric, OptionalOf, Prim, RecordRef
from ledger.engine.values import JsonValue, normalize_numeric

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_DATE = date(1970, 1, 1)
_MAX_DATE_DAYS = (date(9999, 12, 31) - EPOCH_DATE).days
_MIN_DATE_DAYS = (date(1, 1, 1) - EPOCH_DATE).days

_PRIM_CASES = {
    "Party": "party",
    "Text": "text",
    "Int64": "int64",
    "Date": "date",
    "Timestamp": "timestamp",
    "Bool": "bool",
    "Unit": "unit",
}


def _fail(path: str, message: str) -> ValidationError:
    return ValidationError(f"{path or 'value'}: {message}")


def _expect(value: v.Value, case: str, path: str) -> None:
    actual = value.WhichOneof("Sum")
    if actual != case:
        raise _fail(path, f"expected a {case} value, got {actual or 'nothing'}")


# -- Ledger API -> engine ----------------------------------------------------------------------


def timestamp_to_engine(micros: int) -> str:
    moment = EPOCH + timedelta(microseconds=micros)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return text + "Z"


def to_engine(value: v.Value, daml_type: DamlType, model: Model = MODEL, path: str = "") -> JsonValue:
    """An engine value of type ``daml_type`` from a Ledger API ``Value``; raises ``ValidationError``."""
    match daml_type:
        case Prim(name=name):
            _expect(value, _PRIM_CASES[name], path)
            if name == "Date":
                if not _MIN_DATE_DAYS <= value.date <= _MAX_DATE_DAYS:
                    raise _fail(path, f"date {value.date} out of range")
                return (EPOCH_DATE + timedelta(days=value.date)).isoformat()
            if name == "Timestamp":
                try:
                    return timestamp_to_engine(value.timestamp)
                except OverflowError:
                    raise _fail(path, f"timestamp {value.timestamp} out of range") from None
            if name == "Unit":
                return {}
            result: JsonValue = getattr(value, _PRIM_CASES[name])
            return result
        case Numeric(scale=scale):
            _expect(value, "numeric", path)
            return normalize_numeric(value.numeric, scale, path)
        case ListOf(elem=elem):
            _expect(value, "list", path)
            return [to_engine(e, elem, model, f"{path}[{i}]") for i, e in enumerate(value.list.elements)]
        case OptionalOf(elem=elem):
            _expect(value, "optional", path)
            if not value.optional.HasField("value"):
                return None
            return to_engine(value.optional.value, elem, model, path)
        case ContractIdOf():
            _expect(value, "contract_id", path)
            return value.contract_id
        case RecordRef():
            _expect(value, "record", path)
            record = model.record(daml_type)
            return record_to_engine(value.record, record.fields, model, path or record.name)
    raise _fail(path, f"unsupported type {daml_type!r}")


def record_to_engine(
    record: v.Record, fields: Sequence[FieldDef], model: Model = MODEL, path: str = ""
) -> dict[str, JsonValue]:
    """A record's fields, by label when the client labelled them, else by position (both are allowed)."""
    labelled = any(f.label for f in record.fields)
    if labelled:
        by_label = {f.label: f.value for f in record.fields}
        unknown = sorted(set(by_label) - {f.name for f in fields})
        if unknown:
            raise _fail(path, f"unknown field(s) {', '.join(unknown)}")
    elif len(record.fields) > len(fields):
        raise _fail(path, f"{len(record.fields)} fields given, the record has {len(fields)}")
    else:
        by_label = {fd.name: f.value for fd, f in zip(fields, record.fields, strict=False)}
    out: dict[str, JsonValue] = {}
    for fd in fields:
        sub = f"{path}.{fd.name}" if path else fd.name
        if fd.name not in by_label:
            if isinstance(fd.type, OptionalOf):
                out[fd.name] = None
                continue
            raise _fail(sub, "missing")
        out[fd.name] = to_engine(by_label[fd.name], fd.type, model, sub)
    return out


# -- engine -> Ledger API ----------------------------------------------------------------------


def _micros(text: str) -> int:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


class ValueEncoder:
    """Encodes engine values as Ledger API values; record ids name ``package_id``."""

    def __init__(self, package_id: str, model: Model = MODEL) -> None:
        self.package_id = package_id
        self.model = model

    def identifier(self, module: str, entity: str) -> v.Identifier:
        return v.Identifier(package_id=self.package_id, module_name=module, entity_name=entity)

    def value(self, value: JsonValue, daml_type: DamlType) -> v.Value:
        match daml_type:
            case Prim(name="Party"):
                return v.Value(party=value)
            case Prim(name="Text"):
                return v.Value(text=value)
            case Prim(name="Int64"):
                return v.Value(int64=int(value))
            case Prim(name="Bool"):
                return v.Value(bool=bool(value))
            case Prim(name="Unit"):
                return v.Value(unit=empty_pb2.Empty())
            case Prim(name="Date"):
                return v.Value(date=(date.fromisoformat(value) - EPOCH_DATE).days)
            case Prim(name="Timestamp"):
                return v.Value(timestamp=_micros(value))
            case Numeric():
                return v.Value(numeric=str(value))
            case ListOf(elem=elem):
                return v.Value(list=v.List(elements=[self.value(e, elem) for e in value]))
            case OptionalOf(elem=elem):
                if value is None:
                    return v.Value(optional=v.Optional())
                return v.Value(optional=v.Optional(value=self.value(value, elem)))
            case ContractIdOf():
                return v.Value(contract_id=value)
            case RecordRef(module=module, name=name):
                record = self.model.record(daml_type)
                return v.Value(record=self.record(value, module, name, record.fields))
        raise TypeError(f"unsupported type {daml_type!r}")

    def record(
        self, value: dict[str, JsonValue], module: str, name: str, fields: Sequence[FieldDef]
    ) -> v.Record:
        return v.Record(
            record_id=self.identifier(module, name),
            fields=[v.RecordField(label=f.name, value=self.value(value.get(f.name), f.type)) for f in fields],
        )
