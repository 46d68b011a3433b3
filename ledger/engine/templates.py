"""Model v2 of the platform as Python data: the single source of truth (``lot-size-one`` 2.0.0).

``ledger/daml/daml/LotSizeOne/Contract.daml`` is its Daml rendering (``ledger.daml_source``; a test keeps it
equal), the embedded ledger interprets it, and the DAML-LF builder (``ledger/lf/``) turns its structure into a
package. Everything lives in one module, :data:`MODULE` (``LotSizeOne.Contract``); the building blocks are in
``ledger.engine.modeldefs``, the ``ensure`` rules in ``model_rules``, the choice bodies in ``model_choices``.

=================  ======================  ============  ==================================================
template           signatories             observers     choices (controller)
=================  ======================  ============  ==================================================
``CustomerOrder``  customer                manufacturer  AcceptOrder, RejectOrder (manufacturer),
                                                         WithdrawOrder (customer)
``OrderAgreement`` customer, manufacturer  -             ProposeSupply (nonconsuming), Ship, RaiseInvoice
                                                         (manufacturer); ConfirmDelivery, ClaimPenalty
                                                         (customer)
``SupplyProposal`` manufacturer            supplier      AcceptSupply, RejectSupply (supplier),
                                                         WithdrawSupply (manufacturer)
``SupplyAgreement`` manufacturer, supplier -             ShipSupply, RaiseSupplyInvoice (supplier);
                                                         ConfirmReceipt, ClaimSupplyPenalty (manufacturer)
``PenaltyClaim``   claimant, liable        -             -
``Invoice``        issuer, payer           -             ClaimPayment (payer)
``PaymentClaim``   issuer, payer           -             ConfirmPayment, RejectPayment (issuer)
``PaymentReceipt`` issuer, payer           -             -
=================  ======================  ============  ==================================================

The supply agreement's steps have their own names (``ShipSupply``, ``ClaimSupplyPenalty``,
``RaiseSupplyInvoice``): Daml 2.x makes a data type of every choice's argument, named after the choice, so
two templates of one module cannot both have a choice ``Ship``.

Every template also has Daml's implicit consuming ``Archive`` choice, controlled by all its signatories,
listed explicitly in :attr:`TemplateDef.choices`.
"""

from __future__ import annotations

import hashlib
import json

from ledger.engine import model_choices as body
from ledger.engine.model_choices import AgreementSides
from ledger.engine.model_rules import (
    INVOICE_RULES,
    PAYMENT_CLAIM_RULES,
    PENALTY_CLAIM_RULES,
    QUANTITY_POSITIVE,
    terms_ok,
)
from ledger.engine.modeldefs import (
    ChoiceBody,
    ChoiceContext,
    ChoiceDef,
    EnsureRule,
    FieldDef,
    KeyDef,
    Model,
    NewContract,
    RecordDef,
    TemplateDef,
    check_key,
    key_records,
)
from ledger.engine.types import (
    BOOL,
    DATE,
    DECIMAL,
    INT64,
    PARTY,
    TEXT,
    TIMESTAMP,
    ContractIdOf,
    ListOf,
    OptionalOf,
    RecordRef,
)

MODULE = "LotSizeOne.Contract"
#: Name and version of the Daml package (as in ``daml.yaml``).
PACKAGE_NAME = "lot-size-one"
PACKAGE_VERSION = "2.0.0"

__all__ = [
    "KEY_RECORDS",
    "MODEL",
    "MODEL_FINGERPRINT",
    "MODULE",
    "PACKAGE_NAME",
    "PACKAGE_VERSION",
    "RECORDS",
    "TEMPLATES",
    "ChoiceBody",
    "ChoiceContext",
    "ChoiceDef",
    "EnsureRule",
    "FieldDef",
    "KeyDef",
    "Model",
    "NewContract",
    "RecordDef",
    "TemplateDef",
    "check_key",
    "key_records",
]


def _archive(signatories: tuple[str, ...]) -> ChoiceDef:
    return ChoiceDef(name="Archive", controllers=signatories, consuming=True)


def _template(
    entity: str,
    fields: tuple[FieldDef, ...],
    signatories: tuple[str, ...],
    observers: tuple[str, ...] = (),
    choices: tuple[ChoiceDef, ...] = (),
    ensure: tuple[EnsureRule, ...] = (),
    key: KeyDef | None = None,
) -> TemplateDef:
    template = TemplateDef(
        module=MODULE,
        entity=entity,
        fields=fields,
        signatories=signatories,
        observers=observers,
        choices=(*choices, _archive(signatories)),
        ensure=ensure,
        key=key,
    )
    check_key(template)
    return template


def _cid(entity: str) -> ContractIdOf:
    return ContractIdOf(MODULE, entity)


def _ref(name: str) -> RecordRef:
    return RecordRef(MODULE, name)


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
SHIPMENT = RecordDef(
    MODULE,
    "Shipment",
    (FieldDef("carrier", TEXT), FieldDef("reference", TEXT), FieldDef("shippedAt", TIMESTAMP)),
)
RECEIPT = RecordDef(MODULE, "Receipt", (FieldDef("receivedAt", TIMESTAMP), FieldDef("daysLate", INT64)))
RECORDS: tuple[RecordDef, ...] = (ITEM, PENALTY, SHIPMENT, RECEIPT)

#: (customer, orderId), maintained by the customer.
CUSTOMER_ORDER_KEY = KeyDef("CustomerOrderKey", ("customer", "orderId"), ("customer",))
#: (manufacturer, orderId), maintained by the manufacturer: one order agreement per order.
ORDER_KEY = KeyDef("OrderKey", ("manufacturer", "orderId"), ("manufacturer",))
#: (manufacturer, orderId, supplier), maintained by the manufacturer.
SUPPLY_KEY = KeyDef("SupplyKey", ("manufacturer", "orderId", "supplier"), ("manufacturer",))
#: (issuer, invoiceId), maintained by the issuer.
INVOICE_KEY = KeyDef("InvoiceKey", ("issuer", "invoiceId"), ("issuer",))

_ITEMS = ListOf(_ref("Item"))
_PENALTY = OptionalOf(_ref("Penalty"))

ORDER_TERMS = (
    FieldDef("orderId", TEXT),
    FieldDef("customer", PARTY),
    FieldDef("manufacturer", PARTY),
    FieldDef("productId", TEXT),
    FieldDef("quantity", INT64),
    FieldDef("items", _ITEMS),
    FieldDef("price", DECIMAL),
    FieldDef("currency", TEXT),
    FieldDef("deliveryDate", DATE),
    FieldDef("penalty", _PENALTY),
)
SUPPLY_TERMS = (
    FieldDef("orderId", TEXT),
    FieldDef("manufacturer", PARTY),
    FieldDef("supplier", PARTY),
    FieldDef("items", _ITEMS),
    FieldDef("price", DECIMAL),
    FieldDef("currency", TEXT),
    FieldDef("deliveryDate", DATE),
    FieldDef("penalty", _PENALTY),
)
LIFECYCLE = (
    FieldDef("agreedAt", TIMESTAMP),
    FieldDef("shipment", OptionalOf(_ref("Shipment"))),
    FieldDef("receipt", OptionalOf(_ref("Receipt"))),
    FieldDef("penaltyClaimed", BOOL),
    FieldDef("invoiceId", OptionalOf(TEXT)),
)
INVOICE_TERMS = (
    FieldDef("invoiceId", TEXT),
    FieldDef("orderId", TEXT),
    FieldDef("issuer", PARTY),
    FieldDef("payer", PARTY),
    FieldDef("amount", DECIMAL),
    FieldDef("currency", TEXT),
    FieldDef("issuedAt", TIMESTAMP),
    FieldDef("dueDate", DATE),
)
PAYMENT_CLAIM_TERMS = (*INVOICE_TERMS, FieldDef("paymentRef", TEXT), FieldDef("claimedAt", TIMESTAMP))

_REASON = (FieldDef("reason", TEXT),)
_SHIP_ARGUMENT = (FieldDef("carrier", TEXT), FieldDef("reference", TEXT))
_INVOICE_ARGUMENT = (FieldDef("invoiceId", TEXT), FieldDef("dueDate", DATE))
_ORDER_SIDES = AgreementSides("OrderAgreement", shipper="manufacturer", receiver="customer")
_SUPPLY_SIDES = AgreementSides("SupplyAgreement", shipper="supplier", receiver="manufacturer")


def _agreement_steps(sides: AgreementSides, names: tuple[str, str, str, str]) -> tuple[ChoiceDef, ...]:
    """Ship (shipper), confirm receipt and claim the penalty (receiver), raise the invoice (shipper)."""
    ship, confirm, claim, invoice = names
    agreement = _cid(sides.entity)
    return (
        ChoiceDef(ship, (sides.shipper,), argument=_SHIP_ARGUMENT, result=agreement, body=body.ship(sides)),
        ChoiceDef(confirm, (sides.receiver,), result=agreement, body=body.confirm_receipt(sides)),
        ChoiceDef(claim, (sides.receiver,), result=_cid("PenaltyClaim"), body=body.claim_penalty(sides)),
        ChoiceDef(
            invoice,
            (sides.shipper,),
            argument=_INVOICE_ARGUMENT,
            result=_cid("Invoice"),
            body=body.raise_invoice(sides),
        ),
    )


CUSTOMER_ORDER = _template(
    "CustomerOrder",
    ORDER_TERMS,
    signatories=("customer",),
    observers=("manufacturer",),
    choices=(
        ChoiceDef("AcceptOrder", ("manufacturer",), result=_cid("OrderAgreement"), body=body.ACCEPT_ORDER),
        ChoiceDef("RejectOrder", ("manufacturer",), argument=_REASON),
        ChoiceDef("WithdrawOrder", ("customer",)),
    ),
    ensure=(*terms_ok("customer", "manufacturer"), QUANTITY_POSITIVE),
    key=CUSTOMER_ORDER_KEY,
)

ORDER_AGREEMENT = _template(
    "OrderAgreement",
    (*ORDER_TERMS, *LIFECYCLE),
    signatories=("customer", "manufacturer"),
    choices=(
        ChoiceDef(
            "ProposeSupply",
            ("manufacturer",),
            consuming=False,
            argument=(FieldDef("supplier", PARTY), *SUPPLY_TERMS[3:]),
            result=_cid("SupplyProposal"),
            body=body.PROPOSE_SUPPLY,
        ),
        *_agreement_steps(_ORDER_SIDES, ("Ship", "ConfirmDelivery", "ClaimPenalty", "RaiseInvoice")),
    ),
    ensure=(*terms_ok("customer", "manufacturer"), QUANTITY_POSITIVE),
    key=ORDER_KEY,
)

SUPPLY_PROPOSAL = _template(
    "SupplyProposal",
    SUPPLY_TERMS,
    signatories=("manufacturer",),
    observers=("supplier",),
    choices=(
        ChoiceDef("AcceptSupply", ("supplier",), result=_cid("SupplyAgreement"), body=body.ACCEPT_SUPPLY),
        ChoiceDef("RejectSupply", ("supplier",), argument=_REASON),
        ChoiceDef("WithdrawSupply", ("manufacturer",)),
    ),
    ensure=terms_ok("manufacturer", "supplier"),
    key=SUPPLY_KEY,
)

SUPPLY_AGREEMENT = _template(
    "SupplyAgreement",
    (*SUPPLY_TERMS, *LIFECYCLE),
    signatories=("manufacturer", "supplier"),
    choices=_agreement_steps(
        _SUPPLY_SIDES, ("ShipSupply", "ConfirmReceipt", "ClaimSupplyPenalty", "RaiseSupplyInvoice")
    ),
    ensure=terms_ok("manufacturer", "supplier"),
    key=SUPPLY_KEY,
)

PENALTY_CLAIM = _template(
    "PenaltyClaim",
    (
        FieldDef("orderId", TEXT),
        FieldDef("claimant", PARTY),
        FieldDef("liable", PARTY),
        FieldDef("daysLate", INT64),
        FieldDef("amount", DECIMAL),
        FieldDef("currency", TEXT),
        FieldDef("claimedAt", TIMESTAMP),
    ),
    signatories=("claimant", "liable"),
    ensure=PENALTY_CLAIM_RULES,
)

INVOICE = _template(
    "Invoice",
    INVOICE_TERMS,
    signatories=("issuer", "payer"),
    choices=(
        ChoiceDef(
            "ClaimPayment",
            ("payer",),
            argument=(FieldDef("paymentRef", TEXT),),
            result=_cid("PaymentClaim"),
            body=body.CLAIM_PAYMENT,
        ),
    ),
    ensure=INVOICE_RULES,
    key=INVOICE_KEY,
)

PAYMENT_CLAIM = _template(
    "PaymentClaim",
    PAYMENT_CLAIM_TERMS,
    signatories=("issuer", "payer"),
    choices=(
        ChoiceDef("ConfirmPayment", ("issuer",), result=_cid("PaymentReceipt"), body=body.CONFIRM_PAYMENT),
        ChoiceDef(
            "RejectPayment", ("issuer",), argument=_REASON, result=_cid("Invoice"), body=body.REJECT_PAYMENT
        ),
    ),
    ensure=PAYMENT_CLAIM_RULES,
    key=INVOICE_KEY,
)

PAYMENT_RECEIPT = _template(
    "PaymentReceipt",
    (*PAYMENT_CLAIM_TERMS, FieldDef("paidAt", TIMESTAMP)),
    signatories=("issuer", "payer"),
    ensure=PAYMENT_CLAIM_RULES,
    key=INVOICE_KEY,
)

#: Every template of the model.
TEMPLATES: tuple[TemplateDef, ...] = (
    CUSTOMER_ORDER,
    ORDER_AGREEMENT,
    SUPPLY_PROPOSAL,
    SUPPLY_AGREEMENT,
    PENALTY_CLAIM,
    INVOICE,
    PAYMENT_CLAIM,
    PAYMENT_RECEIPT,
)

#: The key records (``CustomerOrderKey``, ``OrderKey``, ``SupplyKey``, ``InvoiceKey``).
KEY_RECORDS: tuple[RecordDef, ...] = key_records(TEMPLATES)

MODEL = Model(TEMPLATES, (*RECORDS, *KEY_RECORDS))

#: sha256 of the model's canonical description: the engine's default package id when no DAML-LF package id is
#: supplied (the DAML-LF builder's package id, the sha256 of its DALF payload, replaces it when present).
MODEL_FINGERPRINT = hashlib.sha256(
    json.dumps(MODEL.describe(), sort_keys=True, separators=(",", ":")).encode()
).hexdigest()
