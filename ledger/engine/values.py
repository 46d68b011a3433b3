"""Engine values: plain JSON-able Python, validated and normalised against a :mod:`DamlType
<ledger.engine.types>`.

=================  ==================================================================
DAML type          engine value
=================  ==================================================================
Party, Text        ``str``
Int64              ``int`` (also accepted: a decimal string, as the JSON API sends it)
Numeric s          ``str``, canonical: no exponent, at most ``s`` decimals, no trailing zeros
                   after the point (``"12.5"``, ``"3"``), ``-`` sign if negative
Date               ``str`` ``YYYY-MM-DD``
Timestamp          ``str`` ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z`` (UTC, microseconds)
Bool               ``bool``
Unit               ``{}``
[t]                ``list``
Optional t         ``None`` or the value of ``t``
record             ``dict`` field -> value (every field present; missing Optional fields become None)
ContractId t       ``str``
=================  ==================================================================
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ledger.engine.errors import ValidationError
from ledger.engine.templates import MODEL, Model
from ledger.engine.types import ContractIdOf, DamlType, ListOf, Numeric, OptionalOf, Prim, RecordRef

JsonValue = Any

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_PARTY_RE = re.compile(r"^[A-Za-z0-9:\-_ ]{1,255}$")
_CID_RE = re.compile(r"^[0-9a-f]{2,256}$")


def _fail(path: str, message: str) -> ValidationError:
    return ValidationError(f"{path or 'value'}: {message}")


def normalize_numeric(value: object, scale: int = 10, path: str = "") -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal, float)):
        raise _fail(path, f"expected a Numeric {scale} (decimal string), got {type(value).__name__}")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise _fail(path, f"{value!r} is not a decimal number") from None
    if not number.is_finite():
        raise _fail(path, f"{value!r} is not a finite number")
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)
    normalized = number.normalize()
    norm_exp = normalized.as_tuple().exponent
    assert isinstance(norm_exp, int)
    if -norm_exp > scale:
        raise _fail(path, f"{value!r} has more than {scale} decimals")
    if normalized.adjusted() + 1 > 38 - scale:
        raise _fail(path, f"{value!r} is too large for Numeric {scale}")
    text = format(normalized, "f")
    return "0" if text in ("-0", "0") else text


def normalize_timestamp(value: object, path: str = "") -> str:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise _fail(path, f"{value!r} is not an ISO 8601 timestamp") from None
    else:
        raise _fail(path, f"expected a Timestamp, got {type(value).__name__}")
    if moment.tzinfo is None:
        raise _fail(path, f"{value!r} has no time zone")
    moment = moment.astimezone(UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    return text + "Z"


def normalize_date(value: object, path: str = "") -> str:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise _fail(path, f"{value!r} is not a date YYYY-MM-DD") from None
    raise _fail(path, f"expected a Date, got {type(value).__name__}")


def normalize(value: object, daml_type: DamlType, model: Model = MODEL, path: str = "") -> JsonValue:
    """``value`` checked against ``daml_type`` and put in canonical engine form; raises
    :class:`ValidationError`."""
    match daml_type:
        case Prim(name="Party"):
            if not isinstance(value, str) or not _PARTY_RE.match(value):
                raise _fail(path, f"{value!r} is not a party identifier")
            return value
        case Prim(name="Text"):
            if not isinstance(value, str):
                raise _fail(path, f"expected Text, got {type(value).__name__}")
            return value
        case Prim(name="Int64"):
            if isinstance(value, bool):
                raise _fail(path, "expected Int64, got a Bool")
            if isinstance(value, str):
                try:
                    value = int(value, 10)
                except ValueError:
                    raise _fail(path, f"{value!r} is not an integer") from None
            if not isinstance(value, int) or not _INT64_MIN <= value <= _INT64_MAX:
                raise _fail(path, f"{value!r} is not an Int64")
            return value
        case Prim(name="Bool"):
            if not isinstance(value, bool):
                raise _fail(path, f"expected Bool, got {type(value).__name__}")
            return value
        case Prim(name="Date"):
            return normalize_date(value, path)
        case Prim(name="Timestamp"):
            return normalize_timestamp(value, path)
        case Prim(name="Unit"):
            if value not in ({}, None):
                raise _fail(path, "expected Unit ({})")
            return {}
        case Numeric(scale=scale):
            return normalize_numeric(value, scale, path)
        case ListOf(elem=elem):
            if not isinstance(value, (list, tuple)):
                raise _fail(path, f"expected a list, got {type(value).__name__}")
            return [normalize(v, elem, model, f"{path}[{i}]") for i, v in enumerate(value)]
        case OptionalOf(elem=elem):
            return None if value is None else normalize(value, elem, model, path)
        case ContractIdOf():
            if not isinstance(value, str) or not _CID_RE.match(value):
                raise _fail(path, f"{value!r} is not a contract id")
            return value
        case RecordRef():
            record = model.record(daml_type)
            return normalize_record(value, record.fields, model, path or record.name)
    raise _fail(path, f"unsupported type {daml_type!r}")


def normalize_record(
    value: object, fields: Any, model: Model = MODEL, path: str = ""
) -> dict[str, JsonValue]:
    """A record value (dict) with exactly ``fields`` (sequence of FieldDef); missing Optional fields are
    None."""
    if not isinstance(value, dict):
        raise _fail(path, f"expected a record, got {type(value).__name__}")
    names = {f.name for f in fields}
    unknown = sorted(set(value) - names)
    if unknown:
        raise _fail(path, f"unknown field(s) {', '.join(unknown)}")
    out: dict[str, JsonValue] = {}
    for f in fields:
        sub = f"{path}.{f.name}" if path else f.name
        if f.name not in value:
            if isinstance(f.type, OptionalOf):
                out[f.name] = None
                continue
            raise _fail(sub, "missing")
        out[f.name] = normalize(value[f.name], f.type, model, sub)
    return out


def parties_of(value: JsonValue) -> list[str]:
    """A Party or [Party] field value as a list of parties."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []
