"""The DAML model of the platform as Python data: the single source of truth.

``ledger/daml/daml/LotSizeOne/Contract.daml`` spells the same model in DAML (a test checks that they
agree), the
embedded ledger interprets it, and the DAML-LF builder (``ledger/lf/``) turns it into a package.

Everything lives in one module, :data:`MODULE` (``LotSizeOne.Contract``):

======================  ======================  ============  =============================================
template                signatories             observers     choices (controller)
======================  ======================  ============  =============================================
``CustomerOrder``       customer                manufacturer  Archive
``OrderProposal``       manufacturer            customer      AcceptOrder, RejectOrder (customer),
                                                              WithdrawOrder (manufacturer)
``OrderAgreement``      customer, manufacturer  -             CommitDelivery (manufacturer, nonconsuming)
``SupplyProposal``      manufacturer            supplier      AcceptSupply, RejectSupply (supplier),
                                                              WithdrawSupply (manufacturer)
``SupplyAgreement``     manufacturer, supplier  -             Archive
``DeliveryCommitment``  manufacturer            customer      Archive
``Invoice``             issuer                  payer         Pay (payer) -> PaymentReceipt
``PaymentReceipt``      issuer, payer           -             Archive
======================  ======================  ============  =============================================

Contract keys (at most one active contract per template and key; the maintainer is a signatory):

==========================================  ==================================  ============
templates                                   key (record)                        maintainer
==========================================  ==================================  ============
``CustomerOrder``                           ``CustomerOrderKey`` customer,      customer
                                            orderId
``OrderProposal``, ``OrderAgreement``,      ``OrderKey`` manufacturer, orderId  manufacturer
``DeliveryCommitment``
``SupplyProposal``, ``SupplyAgreement``     ``SupplyKey`` manufacturer,         manufacturer
                                            orderId, supplier
``Invoice``, ``PaymentReceipt``             ``InvoiceKey`` issuer, invoiceId    issuer
==========================================  ==================================  ============

Every template also has DAML's implicit consuming ``Archive`` choice, controlled by all its signatories,
listed
explicitly in :attr:`TemplateDef.choices` (argument record: no fields, result ``Unit``).

A choice's effect is declarative: :attr:`ChoiceDef.creates` lists the contracts it creates, each field
taken from the exercised contract (``"this.<field>"``) or from the choice argument (``"arg.<field>"``);
its result is the id of the first contract created (``ContractId T``) or ``Unit`` when it creates none.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from ledger.engine.types import (
    DATE,
    DECIMAL,
    INT64,
    PARTY,
    TEXT,
    TIMESTAMP,
    UNIT,
    ContractIdOf,
    DamlType,
    ListOf,
    OptionalOf,
    RecordRef,
    render,
)

MODULE = "LotSizeOne.Contract"
#: Name and version of the DAML package (as in ``daml.yaml``).
PACKAGE_NAME = "lot-size-one"
PACKAGE_VERSION = "1.0.0"


@dataclass(frozen=True, slots=True)
class FieldDef:
    name: str
    type: DamlType


@dataclass(frozen=True, slots=True)
class RecordDef:
    """A record data type (not a template) of the model."""

    module: str
    name: str
    fields: tuple[FieldDef, ...]


@dataclass(frozen=True, slots=True)
class CreateEffect:
    """A contract a choice creates: ``template`` (entity in the same module) and each of its fields' source,
    ``"this.<field of the exercised contract>"`` or ``"arg.<field of the choice argument>"``."""

    template: str
    fields: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class ChoiceDef:
    """A choice: its ``controllers`` are Party fields of the contract; its argument is a record named after
    the
    choice (fields ``argument``) in the template's module; ``result`` is its return type."""

    name: str
    controllers: tuple[str, ...]
    consuming: bool = True
    argument: tuple[FieldDef, ...] = ()
    result: DamlType = UNIT
    creates: tuple[CreateEffect, ...] = ()


@dataclass(frozen=True, slots=True)
class KeyDef:
    """A template's contract key (DAML ``key ... : T`` / ``maintainer key.m``).

    The key is a record ``record`` (a data type of the template's module, see :data:`KEY_RECORDS`) whose
    fields are template fields of the same name and type; ``maintainers`` are Party fields of the key, each
    also a signatory of the template (DAML requires the maintainers to be signatories)."""

    record: str
    fields: tuple[str, ...]
    maintainers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TemplateDef:
    """A template: its argument record is named after the entity and has ``fields``; ``signatories`` and
    ``observers`` are Party (or [Party]) fields; ``key`` its contract key (or None)."""

    module: str
    entity: str
    fields: tuple[FieldDef, ...]
    signatories: tuple[str, ...]
    observers: tuple[str, ...] = ()
    choices: tuple[ChoiceDef, ...] = ()
    key: KeyDef | None = None
    ensure_positive: tuple[str, ...] = field(default=())
    """Numeric/Int fields the template's ``ensure`` clause requires to be > 0."""

    @property
    def qualified_name(self) -> str:
        return f"{self.module}:{self.entity}"

    def field(self, name: str) -> FieldDef:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.entity} has no field {name!r}")

    def choice(self, name: str) -> ChoiceDef:
        for c in self.choices:
            if c.name == name:
                return c
        raise KeyError(f"{self.entity} has no choice {name!r}")


def _archive(signatories: tuple[str, ...]) -> ChoiceDef:
    return ChoiceDef(name="Archive", controllers=signatories, consuming=True)


def _copy(template: TemplateDef, *, exclude: tuple[str, ...] = ()) -> dict[str, str]:
    return {f.name: f"this.{f.name}" for f in template.fields if f.name not in exclude}


def _template(
    entity: str,
    fields: tuple[FieldDef, ...],
    signatories: tuple[str, ...],
    observers: tuple[str, ...] = (),
    choices: tuple[ChoiceDef, ...] = (),
    ensure_positive: tuple[str, ...] = (),
    key: KeyDef | None = None,
) -> TemplateDef:
    template = TemplateDef(
        module=MODULE,
        entity=entity,
        fields=fields,
        signatories=signatories,
        observers=observers,
        choices=(*choices, _archive(signatories)),
        ensure_positive=ensure_positive,
        key=key,
    )
    check_key(template)
    return template


def check_key(template: TemplateDef) -> None:
    """DAML's static rules for a key: its fields exist, its maintainers are Party fields of the key and
    signatories of the template (a maintainer that is not a signatory is a compile error in DAML)."""
    key = template.key
    if key is None:
        return
    if not key.maintainers:
        raise ValueError(f"{template.entity}: a contract key needs at least one maintainer")
    for name in key.fields:
        template.field(name)
    for name in key.maintainers:
        if name not in key.fields or template.field(name).type != PARTY:
            raise ValueError(f"{template.entity}: maintainer {name!r} is not a Party field of the key")
        if name not in template.signatories:
            raise ValueError(f"{template.entity}: maintainer {name!r} is not a signatory")


ITEM = RecordDef(
    MODULE,
    "Item",
    (
        FieldDef("itemId", TEXT),
        FieldDef("description", TEXT),
        FieldDef("quantity", INT64),
        FieldDef("price", DECIMAL),
    ),
)
PENALTY = RecordDef(
    MODULE, "Penalty", (FieldDef("perDayLate", DECIMAL), FieldDef("cap", OptionalOf(DECIMAL)))
)
#: Key of a customer's order: (customer, orderId), maintained by the customer.
CUSTOMER_ORDER_KEY = KeyDef("CustomerOrderKey", ("customer", "orderId"), ("customer",))
#: Key of an order's proposal, agreement and delivery commitment: (manufacturer, orderId), maintained by the
#: manufacturer; so there is at most one active agreement per order of a manufacturer.
ORDER_KEY = KeyDef("OrderKey", ("manufacturer", "orderId"), ("manufacturer",))
#: Key of a supply proposal and agreement: (manufacturer, orderId, supplier), maintained by the manufacturer.
SUPPLY_KEY = KeyDef("SupplyKey", ("manufacturer", "orderId", "supplier"), ("manufacturer",))
#: Key of an invoice and its payment receipt: (issuer, invoiceId), maintained by the issuer.
INVOICE_KEY = KeyDef("InvoiceKey", ("issuer", "invoiceId"), ("issuer",))

RECORDS: tuple[RecordDef, ...] = (ITEM, PENALTY)

_ITEMS = ListOf(RecordRef(MODULE, "Item"))
_PENALTY = OptionalOf(RecordRef(MODULE, "Penalty"))

CUSTOMER_ORDER = _template(
    "CustomerOrder",
    (
        FieldDef("orderId", TEXT),
        FieldDef("customer", PARTY),
        FieldDef("manufacturer", PARTY),
        FieldDef("productId", TEXT),
        FieldDef("quantity", INT64),
        FieldDef("deliveryDate", DATE),
        FieldDef("placedAt", TIMESTAMP),
    ),
    signatories=("customer",),
    observers=("manufacturer",),
    ensure_positive=("quantity",),
    key=CUSTOMER_ORDER_KEY,
)

_ORDER_TERMS = (
    FieldDef("orderId", TEXT),
    FieldDef("customer", PARTY),
    FieldDef("manufacturer", PARTY),
    FieldDef("items", _ITEMS),
    FieldDef("price", DECIMAL),
    FieldDef("currency", TEXT),
    FieldDef("deliveryDate", DATE),
    FieldDef("penalty", _PENALTY),
)

DELIVERY_COMMITMENT = _template(
    "DeliveryCommitment",
    (
        FieldDef("orderId", TEXT),
        FieldDef("manufacturer", PARTY),
        FieldDef("customer", PARTY),
        FieldDef("deliveryDate", DATE),
    ),
    signatories=("manufacturer",),
    observers=("customer",),
    key=ORDER_KEY,
)

ORDER_AGREEMENT = _template(
    "OrderAgreement",
    _ORDER_TERMS,
    signatories=("customer", "manufacturer"),
    choices=(
        ChoiceDef(
            name="CommitDelivery",
            controllers=("manufacturer",),
            consuming=False,
            result=ContractIdOf(MODULE, "DeliveryCommitment"),
            creates=(
                CreateEffect(
                    "DeliveryCommitment",
                    {
                        "orderId": "this.orderId",
                        "manufacturer": "this.manufacturer",
                        "customer": "this.customer",
                        "deliveryDate": "this.deliveryDate",
                    },
                ),
            ),
        ),
    ),
    ensure_positive=("price",),
    key=ORDER_KEY,
)

_ORDER_PROPOSAL_FIELDS = _ORDER_TERMS
ORDER_PROPOSAL = _template(
    "OrderProposal",
    _ORDER_PROPOSAL_FIELDS,
    signatories=("manufacturer",),
    observers=("customer",),
    choices=(
        ChoiceDef(
            name="AcceptOrder",
            controllers=("customer",),
            result=ContractIdOf(MODULE, "OrderAgreement"),
            creates=(CreateEffect("OrderAgreement", _copy(ORDER_AGREEMENT)),),
        ),
        ChoiceDef(name="RejectOrder", controllers=("customer",)),
        ChoiceDef(name="WithdrawOrder", controllers=("manufacturer",)),
    ),
    ensure_positive=("price",),
    key=ORDER_KEY,
)

_SUPPLY_TERMS = (
    FieldDef("orderId", TEXT),
    FieldDef("manufacturer", PARTY),
    FieldDef("supplier", PARTY),
    FieldDef("items", _ITEMS),
    FieldDef("price", DECIMAL),
    FieldDef("currency", TEXT),
    FieldDef("deliveryDate", DATE),
    FieldDef("penalty", _PENALTY),
)

SUPPLY_AGREEMENT = _template(
    "SupplyAgreement",
    _SUPPLY_TERMS,
    signatories=("manufacturer", "supplier"),
    ensure_positive=("price",),
    key=SUPPLY_KEY,
)

SUPPLY_PROPOSAL = _template(
    "SupplyProposal",
    _SUPPLY_TERMS,
    signatories=("manufacturer",),
    observers=("supplier",),
    choices=(
        ChoiceDef(
            name="AcceptSupply",
            controllers=("supplier",),
            result=ContractIdOf(MODULE, "SupplyAgreement"),
            creates=(CreateEffect("SupplyAgreement", _copy(SUPPLY_AGREEMENT)),),
        ),
        ChoiceDef(name="RejectSupply", controllers=("supplier",)),
        ChoiceDef(name="WithdrawSupply", controllers=("manufacturer",)),
    ),
    ensure_positive=("price",),
    key=SUPPLY_KEY,
)

_INVOICE_FIELDS = (
    FieldDef("invoiceId", TEXT),
    FieldDef("orderId", TEXT),
    FieldDef("issuer", PARTY),
    FieldDef("payer", PARTY),
    FieldDef("amount", DECIMAL),
    FieldDef("currency", TEXT),
    FieldDef("issuedAt", TIMESTAMP),
    FieldDef("dueDate", DATE),
)

PAYMENT_RECEIPT = _template(
    "PaymentReceipt",
    (
        *_INVOICE_FIELDS,
        FieldDef("paymentRef", TEXT),
        FieldDef("paidAt", TIMESTAMP),
    ),
    signatories=("issuer", "payer"),
    ensure_positive=("amount",),
    key=INVOICE_KEY,
)

INVOICE = _template(
    "Invoice",
    _INVOICE_FIELDS,
    signatories=("issuer",),
    observers=("payer",),
    choices=(
        ChoiceDef(
            name="Pay",
            controllers=("payer",),
            argument=(FieldDef("paymentRef", TEXT), FieldDef("paidAt", TIMESTAMP)),
            result=ContractIdOf(MODULE, "PaymentReceipt"),
            creates=(
                CreateEffect(
                    "PaymentReceipt",
                    {
                        **{f.name: f"this.{f.name}" for f in _INVOICE_FIELDS},
                        "paymentRef": "arg.paymentRef",
                        "paidAt": "arg.paidAt",
                    },
                ),
            ),
        ),
    ),
    ensure_positive=("amount",),
    key=INVOICE_KEY,
)

#: Every template of the model, in dependency order (a choice creates only templates listed before it).
TEMPLATES: tuple[TemplateDef, ...] = (
    CUSTOMER_ORDER,
    DELIVERY_COMMITMENT,
    ORDER_AGREEMENT,
    ORDER_PROPOSAL,
    SUPPLY_AGREEMENT,
    SUPPLY_PROPOSAL,
    PAYMENT_RECEIPT,
    INVOICE,
)


@dataclass(frozen=True)
class Model:
    """A set of templates and records, looked up by entity name or ``Module:Entity``."""

    templates: tuple[TemplateDef, ...]
    records: tuple[RecordDef, ...]

    def template(self, module: str, entity: str) -> TemplateDef:
        for t in self.templates:
            if t.module == module and t.entity == entity:
                return t
        raise KeyError(f"no template {module}:{entity}")

    def find_template(self, entity: str) -> TemplateDef | None:
        for t in self.templates:
            if t.entity == entity:
                return t
        return None

    def record(self, ref: RecordRef) -> RecordDef:
        for r in self.records:
            if r.module == ref.module and r.name == ref.name:
                return r
        for t in self.templates:
            if t.module == ref.module and t.entity == ref.name:
                return RecordDef(t.module, t.entity, t.fields)
        raise KeyError(f"no record {ref.module}:{ref.name}")

    def describe(self) -> dict[str, object]:
        """A canonical JSON-able description (used for :data:`MODEL_FINGERPRINT`)."""
        return {
            "records": [
                {"module": r.module, "name": r.name, "fields": [[f.name, render(f.type)] for f in r.fields]}
                for r in self.records
            ],
            "templates": [
                {
                    "module": t.module,
                    "entity": t.entity,
                    "fields": [[f.name, render(f.type)] for f in t.fields],
                    "signatories": list(t.signatories),
                    "observers": list(t.observers),
                    "ensure_positive": list(t.ensure_positive),
                    **(
                        {}
                        if t.key is None
                        else {
                            "key": {
                                "record": t.key.record,
                                "fields": list(t.key.fields),
                                "maintainers": list(t.key.maintainers),
                            }
                        }
                    ),
                    "choices": [
                        {
                            "name": c.name,
                            "controllers": list(c.controllers),
                            "consuming": c.consuming,
                            "argument": [[f.name, render(f.type)] for f in c.argument],
                            "result": render(c.result),
                            "creates": [
                                {"template": e.template, "fields": dict(e.fields)} for e in c.creates
                            ],
                        }
                        for c in t.choices
                    ],
                }
                for t in self.templates
            ],
        }


def key_records(templates: tuple[TemplateDef, ...]) -> tuple[RecordDef, ...]:
    """The key record types of ``templates``: each field typed as the template field of that name (two
    templates sharing a key record must agree on its fields)."""
    found: dict[tuple[str, str], RecordDef] = {}
    for t in templates:
        if t.key is None:
            continue
        record = RecordDef(t.module, t.key.record, tuple(t.field(name) for name in t.key.fields))
        known = found.setdefault((t.module, t.key.record), record)
        if known != record:
            raise ValueError(f"key record {t.key.record} has different fields in {t.entity}")
    return tuple(found.values())


#: The key records (``CustomerOrderKey``, ``OrderKey``, ``SupplyKey``, ``InvoiceKey``), data types of
#: :data:`MODULE` like :data:`RECORDS`.
KEY_RECORDS: tuple[RecordDef, ...] = key_records(TEMPLATES)

MODEL = Model(TEMPLATES, (*RECORDS, *KEY_RECORDS))

#: sha256 of the model's canonical description: the engine's default package id when no DAML-LF package id is
#: supplied (the DAML-LF builder's package id, the sha256 of its DALF payload, replaces it when present).
MODEL_FINGERPRINT = hashlib.sha256(
    json.dumps(MODEL.describe(), sort_keys=True, separators=(",", ":")).encode()
).hexdigest()
