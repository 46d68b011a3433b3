"""DAML-LF JSON encoding of the HTTP JSON API v1 for engine values and contracts.

Engine values already are JSON; the JSON API differs only for ``Int64``, which it writes as a string.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledger.engine import ArchivedEvent, Contract, CreatedEvent, FlatEvent, Model, TemplateDef, TemplateId
from ledger.engine.keys import key_of
from ledger.engine.types import DamlType, ListOf, OptionalOf, Prim, RecordRef

JsonDict = dict[str, Any]


def encode(value: Any, daml_type: DamlType, model: Model) -> Any:
    """An engine value in the JSON API's encoding (Int64 as a decimal string)."""
    match daml_type:
        case Prim(name="Int64"):
            return str(value)
        case ListOf(elem=elem):
            return [encode(v, elem, model) for v in value]
        case OptionalOf(elem=elem):
            return None if value is None else encode(value, elem, model)
        case RecordRef():
            record = model.record(daml_type)
            return {f.name: encode(value[f.name], f.type, model) for f in record.fields}
    return value


def encode_payload(payload: JsonDict, tdef: TemplateDef, model: Model) -> JsonDict:
    return {f.name: encode(payload[f.name], f.type, model) for f in tdef.fields}


def key_field(tdef: TemplateDef, payload: JsonDict, model: Model) -> JsonDict:
    """``{"key": <the contract key>}`` for a keyed template, ``{}`` otherwise (Daml's JSON API omits ``key``
    for templates without one)."""
    key = key_of(tdef, payload)
    if key is None or tdef.key is None:
        return {}
    return {"key": encode(key, RecordRef(tdef.module, tdef.key.record), model)}


def template_id_text(template_id: TemplateId) -> str:
    return str(template_id)


def active_contract(contract: Contract, model: Model) -> JsonDict:
    tdef = model.template(contract.template_id.module_name, contract.template_id.entity_name)
    return {
        "contractId": contract.contract_id,
        "templateId": template_id_text(contract.template_id),
        **key_field(tdef, contract.payload, model),
        "payload": encode_payload(contract.payload, tdef, model),
        "signatories": list(contract.signatories),
        "observers": list(contract.observers),
        "agreementText": "",
    }


def created_contract(event: CreatedEvent, model: Model) -> JsonDict:
    tdef = model.template(event.template_id.module_name, event.template_id.entity_name)
    return {
        "contractId": event.contract_id,
        "templateId": template_id_text(event.template_id),
        **key_field(tdef, event.payload, model),
        "payload": encode_payload(event.payload, tdef, model),
        "signatories": list(event.signatories),
        "observers": list(event.observers),
        "agreementText": "",
    }


def event(e: FlatEvent, model: Model) -> JsonDict:
    if isinstance(e, ArchivedEvent):
        return {"archived": {"contractId": e.contract_id, "templateId": template_id_text(e.template_id)}}
    return {"created": created_contract(e, model)}


def matches(payload: Any, query: Any) -> bool:
    """The JSON API's simplest query language: every field of ``query`` equals (records: matches) the
    payload's; Int64/Numeric compare by value whatever their JSON spelling."""
    if isinstance(query, dict):
        if not isinstance(payload, dict):
            return False
        return all(key in payload and matches(payload[key], sub) for key, sub in query.items())
    if isinstance(query, list):
        return (
            isinstance(payload, list)
            and len(payload) == len(query)
            and all(matches(p, q) for p, q in zip(payload, query, strict=True))
        )
    if payload == query:
        return True
    numeric = (int, str, float)
    if isinstance(payload, numeric) and isinstance(query, numeric) and not isinstance(payload, bool):
        try:
            return Decimal(str(payload)) == Decimal(str(query))
        except ArithmeticError:
            return False
    return False
