"""The JSON API v1 query language (Daml docs, "Query Language"), compiled against a template's types.

    predicate = compile_query(template_def, {"quantity": {"%gte": 5, "%lt": 10}, "customer": "Alice"})
    predicate(contract.payload)        # True / False

* A JSON object in a record context is a field equality query: every field it names must match (the record
  may hold more fields); nested records recurse. A field the record does not have is a typecheck failure.
* ``Int64``, ``Numeric``, ``Text``, ``Date`` and ``Timestamp`` take a value (equality) or an object of
  comparison operators ``%lt``, ``%lte``, ``%gt``, ``%gte`` (all given must hold; ``%lt`` with ``%lte``, or
  ``%gt`` with ``%gte``, is refused, as is any other key).
* ``Optional``: ``null`` matches ``None``; anything else is the query of the value inside ``Some``.
* Lists match element by element, in order, with the same length (Daml's documented list equality).
* Other types (``Party``, ``Bool``, ``ContractId``, ``Unit``) compare for equality.

A query that does not fit the template's types raises :class:`ValidationError` (HTTP 400) before any
contract is considered. The predicate takes an engine payload (``Contract.payload``); the JSON API's encoding
of the same payload (``Int64`` as strings) matches identically.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ledger.engine import (
    MODEL,
    Contract,
    EmbeddedLedger,
    FieldDef,
    Model,
    TemplateDef,
    TemplateId,
    ValidationError,
)
from ledger.engine.types import (
    ContractIdOf,
    DamlType,
    ListOf,
    Numeric,
    OptionalOf,
    Prim,
    RecordRef,
    render,
)

Predicate = Callable[[Any], bool]

OPERATORS = ("%lt", "%lte", "%gt", "%gte")
_COMPARABLE = {"Int64", "Text", "Date", "Timestamp"}


def compile_query(template: TemplateDef, query: Any, model: Model = MODEL) -> Predicate:
    """The predicate over ``template``'s payloads that ``query`` (the JSON API's ``query`` object) means."""
    if query is None:
        return _always
    if not isinstance(query, dict):
        raise ValidationError(f"query must be a JSON object, not {query!r}")
    return _record(template.fields, query, model, template.entity)


def _always(_: Any) -> bool:
    return True


def _record(fields: Sequence[FieldDef], query: Mapping[str, Any], model: Model, where: str) -> Predicate:
    types = {f.name: f.type for f in fields}
    checks: list[tuple[str, Predicate]] = []
    for name, sub in query.items():
        if name not in types:
            if name in OPERATORS or name.startswith("%"):
                raise ValidationError(f"operator {name!r} is not allowed on the record {where}")
            raise ValidationError(f"{where} has no field {name!r}")
        checks.append((name, _compile(types[name], sub, model, f"{where}.{name}")))

    def matches(value: Any) -> bool:
        if not isinstance(value, Mapping):
            return False
        return all(name in value and check(value[name]) for name, check in checks)

    return matches


def _compile(daml_type: DamlType, query: Any, model: Model, where: str) -> Predicate:
    match daml_type:
        case RecordRef():
            if not isinstance(query, dict):
                raise ValidationError(f"{where} is a record ({daml_type.name}): query it with an object")
            return _record(model.record(daml_type).fields, query, model, where)
        case OptionalOf(elem=elem):
            if query is None:
                return _is_none
            inner = _compile(elem, query, model, where)
            return lambda value: value is not None and inner(value)
        case ListOf(elem=elem):
            if not isinstance(query, list):
                raise ValidationError(f"{where} is a list ({render(daml_type)}): query it with a list")
            items = [_compile(elem, q, model, f"{where}[{i}]") for i, q in enumerate(query)]
            return lambda value: (
                isinstance(value, list)
                and len(value) == len(items)
                and all(item(v) for item, v in zip(items, value, strict=True))
            )
        case Numeric() | Prim(name="Int64" | "Text" | "Date" | "Timestamp"):
            return _scalar(daml_type, query, where)
        case Prim() | ContractIdOf():
            if isinstance(query, dict):
                ops = [k for k in query if k in OPERATORS]
                if ops:
                    raise ValidationError(f"{where} ({render(daml_type)}) does not support {ops[0]}")
                raise ValidationError(f"{where} is a {render(daml_type)}, not a record")
            key = _key(daml_type, query, where)
            return lambda value: _safe_key(daml_type, value) == key
    raise ValidationError(f"{where}: cannot query values of type {daml_type!r}")


def _is_none(value: Any) -> bool:
    return value is None


def _scalar(daml_type: DamlType, query: Any, where: str) -> Predicate:
    if not isinstance(query, dict):
        key = _key(daml_type, query, where)
        return lambda value: _safe_key(daml_type, value) == key
    unknown = sorted(k for k in query if k not in OPERATORS)
    if unknown:
        raise ValidationError(f"{where}: unknown query operator(s) {', '.join(unknown)} (use {OPERATORS})")
    if not query:
        raise ValidationError(f"{where}: an empty operator object")
    if "%lt" in query and "%lte" in query:
        raise ValidationError(f"{where}: %lt and %lte may not be used together")
    if "%gt" in query and "%gte" in query:
        raise ValidationError(f"{where}: %gt and %gte may not be used together")
    bounds = [(op, _key(daml_type, bound, f"{where} {op}")) for op, bound in query.items()]

    def in_range(value: Any) -> bool:
        key = _safe_key(daml_type, value)
        if key is None:
            return False
        for op, bound in bounds:
            if op == "%lt" and not key < bound:
                return False
            if op == "%lte" and not key <= bound:
                return False
            if op == "%gt" and not key > bound:
                return False
            if op == "%gte" and not key >= bound:
                return False
        return True

    return in_range


def _safe_key(daml_type: DamlType, value: Any) -> Any:
    """The comparison key of a stored value (None if it does not decode: it then matches nothing)."""
    try:
        return _key(daml_type, value, "")
    except ValidationError:
        return None


def _key(daml_type: DamlType, value: Any, where: str) -> Any:
    """A query literal (or a payload value) decoded as ``daml_type``, in a form that compares as DAML does."""
    match daml_type:
        case Prim(name="Int64"):
            if isinstance(value, bool) or not isinstance(value, int | str):
                raise ValidationError(f"{where}: {value!r} is not an Int64")
            try:
                return int(value)
            except ValueError:
                raise ValidationError(f"{where}: {value!r} is not an Int64") from None
        case Numeric():
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise ValidationError(f"{where}: {value!r} is not a Numeric")
            try:
                number = Decimal(str(value))
            except InvalidOperation:
                raise ValidationError(f"{where}: {value!r} is not a Numeric") from None
            if not number.is_finite():
                raise ValidationError(f"{where}: {value!r} is not a Numeric")
            return number
        case Prim(name="Date"):
            try:
                return date.fromisoformat(str(value)) if isinstance(value, str) else _bad(where, value)
            except ValueError:
                return _bad(where, value)
        case Prim(name="Timestamp"):
            if not isinstance(value, str):
                return _bad(where, value)
            try:
                moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                return _bad(where, value)
            return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
        case Prim(name="Bool"):
            if not isinstance(value, bool):
                return _bad(where, value)
            return value
        case Prim(name="Unit"):
            if value != {}:
                return _bad(where, value)
            return ()
        case _:  # Text, Party, ContractId
            if not isinstance(value, str):
                return _bad(where, value)
            return value


def _bad(where: str, value: Any) -> Any:
    raise ValidationError(f"{where}: {value!r} is not a valid value of this field's type")


def contract_filter(
    templates: Sequence[TemplateDef] | None, query: Any, model: Model = MODEL
) -> Callable[[str, Any], bool]:
    """``(qualified template name, payload) -> bool`` for a query over ``templates`` (None: every template
    of the model; the query then applies to those whose types it fits, and must fit one).
    Raises :class:`ValidationError` if the query does not fit a template named in ``templates``."""
    if query is None or query == {}:
        return lambda _name, _payload: True
    predicates: dict[str, Predicate] = {}
    if templates is not None:
        for t in templates:
            predicates[t.qualified_name] = compile_query(t, query, model)
    else:
        errors: list[str] = []
        for t in model.templates:
            try:
                predicates[t.qualified_name] = compile_query(t, query, model)
            except ValidationError as exc:
                errors.append(str(exc))
        if not predicates:
            raise ValidationError(f"the query fits no template: {errors[0] if errors else query!r}")

    def matches(name: str, payload: Any) -> bool:
        predicate = predicates.get(name)
        return predicate is not None and predicate(payload)

    return matches


def contract_query(
    engine: EmbeddedLedger, requested: Sequence[TemplateId] | None, query: Any
) -> tuple[list[TemplateId] | None, Callable[[Contract], bool]]:
    """For ``/v1/query``: the template ids to read the active contracts of, and the predicate on each.

    A template id naming a package matches only contracts created under that package id (as on Daml, where
    the package id is part of the template's identity); one without (``Module:Entity``) matches the
    template in every package that holds it."""
    if requested is None:
        matches = contract_filter(None, query, engine.model)
        return None, lambda c: matches(c.template_id.qualified_name, c.payload)
    resolved = [(t, *engine.resolve_template(t)) for t in requested]
    allowed = {(t.package_id or None, canonical.qualified_name) for t, canonical, _ in resolved}
    matches = contract_filter([tdef for _, _, tdef in resolved], query, engine.model)

    def predicate(contract: Contract) -> bool:
        name = contract.template_id.qualified_name
        if (None, name) not in allowed and (contract.template_id.package_id, name) not in allowed:
            return False
        return matches(name, contract.payload)

    return [canonical for _, canonical, _ in resolved], predicate
