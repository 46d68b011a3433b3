"""The choice bodies of model v2, each in Daml (the ``do`` block's lines) and in Python (the same steps over
engine values). ``ledger.engine.templates`` attaches them to its templates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ledger.engine.model_rules import day, days_late_on, late_days, penalty_amount
from ledger.engine.modeldefs import ChoiceBody, ChoiceContext, NewContract, require

#: The fields of an order's terms (CustomerOrder, and the first fields of OrderAgreement).
ORDER_FIELDS = (
    "orderId",
    "customer",
    "manufacturer",
    "productId",
    "quantity",
    "items",
    "price",
    "currency",
    "deliveryDate",
    "penalty",
)
#: The fields of a supply's terms (SupplyProposal, and the first fields of SupplyAgreement).
SUPPLY_FIELDS = (
    "orderId",
    "manufacturer",
    "supplier",
    "items",
    "price",
    "currency",
    "deliveryDate",
    "penalty",
)
#: The state an agreement's consuming steps change.
LIFECYCLE_FIELDS = ("agreedAt", "shipment", "receipt", "penaltyClaimed", "invoiceId")
INVOICE_FIELDS = ("invoiceId", "orderId", "issuer", "payer", "amount", "currency", "issuedAt", "dueDate")
PAYMENT_CLAIM_FIELDS = (*INVOICE_FIELDS, "paymentRef", "claimedAt")


def _with(template: str, assignments: Sequence[str], bind: str = "") -> list[str]:
    """``[bind <-] create Template with`` and one ``field = value`` line each."""
    head = f"{bind} <- create {template} with" if bind else f"create {template} with"
    return [head, *(f"  {a}" for a in assignments)]


def _same(names: Sequence[str]) -> list[str]:
    return [f"{name} = {name}" for name in names]


def _copy(values: Any, names: Sequence[str]) -> dict[str, Any]:
    return {name: values[name] for name in names}


def _fresh_lifecycle(now: str) -> dict[str, Any]:
    return {"agreedAt": now, "shipment": None, "receipt": None, "penaltyClaimed": False, "invoiceId": None}


_FRESH_LIFECYCLE_DAML = [
    "agreedAt = now",
    "shipment = None",
    "receipt = None",
    "penaltyClaimed = False",
    "invoiceId = None",
]


def _body(daml: list[str], creates: tuple[str, ...], run: Any) -> ChoiceBody:
    return ChoiceBody(daml=tuple(daml), run=run, creates=creates)


# -- CustomerOrder ---------------------------------------------------------------------------------------


def _accept_order(ctx: ChoiceContext) -> Sequence[NewContract]:
    require(day(ctx.this["deliveryDate"]) > ctx.today, "the delivery date must be after today")
    return [NewContract("OrderAgreement", {**_copy(ctx.this, ORDER_FIELDS), **_fresh_lifecycle(ctx.now)})]


ACCEPT_ORDER = _body(
    [
        "now <- getTime",
        'assertMsg "the delivery date must be after today" (deliveryDate > toDateUTC now)',
        *_with("OrderAgreement", [*_same(ORDER_FIELDS), *_FRESH_LIFECYCLE_DAML]),
    ],
    ("OrderAgreement",),
    _accept_order,
)

# -- OrderAgreement.ProposeSupply ------------------------------------------------------------------------


def _propose_supply(ctx: ChoiceContext) -> Sequence[NewContract]:
    this, arg = ctx.this, ctx.arg
    supplier = arg["supplier"]
    require(
        supplier not in (this["customer"], this["manufacturer"]),
        "the supplier must be neither the customer nor the manufacturer",
    )
    require(this["shipment"] is None, "the order is already shipped")
    require(
        day(arg["deliveryDate"]) <= day(this["deliveryDate"]),
        "the supply delivery date must not be after the order's delivery date",
    )
    require(day(arg["deliveryDate"]) >= ctx.today, "the supply delivery date must not be in the past")
    terms = {
        "orderId": this["orderId"],
        "manufacturer": this["manufacturer"],
        **_copy(arg, ("supplier", "items", "price", "currency", "deliveryDate", "penalty")),
    }
    return [NewContract("SupplyProposal", terms)]


PROPOSE_SUPPLY = _body(
    [
        "now <- getTime",
        'assertMsg "the supplier must be neither the customer nor the manufacturer"',
        "  (supplier /= this.customer && supplier /= this.manufacturer)",
        'assertMsg "the order is already shipped" (isNone this.shipment)',
        'assertMsg "the supply delivery date must not be after the order\'s delivery date"',
        "  (deliveryDate <= this.deliveryDate)",
        'assertMsg "the supply delivery date must not be in the past" (deliveryDate >= toDateUTC now)',
        *_with(
            "SupplyProposal",
            [
                "orderId = this.orderId",
                "manufacturer = this.manufacturer",
                *_same(("supplier", "items", "price", "currency", "deliveryDate", "penalty")),
            ],
        ),
    ],
    ("SupplyProposal",),
    _propose_supply,
)

# -- SupplyProposal.AcceptSupply -------------------------------------------------------------------------


def _accept_supply(ctx: ChoiceContext) -> Sequence[NewContract]:
    this = ctx.this
    order = ctx.fetch_by_key(
        "OrderAgreement", {"manufacturer": this["manufacturer"], "orderId": this["orderId"]}
    )
    require(
        day(this["deliveryDate"]) <= day(order["deliveryDate"]),
        "the supply delivery date must not be after the order's delivery date",
    )
    require(day(this["deliveryDate"]) >= ctx.today, "the supply delivery date must not be in the past")
    return [NewContract("SupplyAgreement", {**_copy(this, SUPPLY_FIELDS), **_fresh_lifecycle(ctx.now)})]


ACCEPT_SUPPLY = _body(
    [
        "now <- getTime",
        "(_, order) <- fetchByKey @OrderAgreement (OrderKey manufacturer orderId)",
        'assertMsg "the supply delivery date must not be after the order\'s delivery date"',
        "  (deliveryDate <= order.deliveryDate)",
        'assertMsg "the supply delivery date must not be in the past" (deliveryDate >= toDateUTC now)',
        *_with("SupplyAgreement", [*_same(SUPPLY_FIELDS), *_FRESH_LIFECYCLE_DAML]),
    ],
    ("SupplyAgreement",),
    _accept_supply,
)

# -- the steps of an agreement (OrderAgreement and SupplyAgreement) --------------------------------------


@dataclass(frozen=True, slots=True)
class AgreementSides:
    """Who does what on an agreement: ``shipper`` ships, is liable and invoices; ``receiver`` confirms
    receipt, claims the penalty and pays. ``entity`` is the agreement's template."""

    entity: str
    shipper: str
    receiver: str


def _recreate(ctx: ChoiceContext, entity: str, **changes: Any) -> NewContract:
    return NewContract(entity, {**ctx.this, **changes})


def ship(sides: AgreementSides) -> ChoiceBody:
    def run(ctx: ChoiceContext) -> Sequence[NewContract]:
        require(ctx.this["shipment"] is None, "the agreement is already shipped")
        require(ctx.arg["carrier"] != "", "the carrier is empty")
        require(ctx.arg["reference"] != "", "the shipment reference is empty")
        shipment = {"carrier": ctx.arg["carrier"], "reference": ctx.arg["reference"], "shippedAt": ctx.now}
        return [_recreate(ctx, sides.entity, shipment=shipment)]

    return _body(
        [
            "now <- getTime",
            'assertMsg "the agreement is already shipped" (isNone shipment)',
            'assertMsg "the carrier is empty" (carrier /= "")',
            'assertMsg "the shipment reference is empty" (reference /= "")',
            "create this with shipment = Some (Shipment carrier reference now)",
        ],
        (sides.entity,),
        run,
    )


def confirm_receipt(sides: AgreementSides) -> ChoiceBody:
    def run(ctx: ChoiceContext) -> Sequence[NewContract]:
        require(ctx.this["shipment"] is not None, "nothing has been shipped yet")
        require(ctx.this["receipt"] is None, "the receipt is already confirmed")
        days = days_late_on(day(ctx.this["deliveryDate"]), ctx.today)
        return [_recreate(ctx, sides.entity, receipt={"receivedAt": ctx.now, "daysLate": days})]

    return _body(
        [
            "now <- getTime",
            'assertMsg "nothing has been shipped yet" (isSome shipment)',
            'assertMsg "the receipt is already confirmed" (isNone receipt)',
            "create this with receipt = Some (Receipt now (daysLateOn deliveryDate (toDateUTC now)))",
        ],
        (sides.entity,),
        run,
    )


def claim_penalty(sides: AgreementSides) -> ChoiceBody:
    def run(ctx: ChoiceContext) -> Sequence[NewContract]:
        this = ctx.this
        require(this["receipt"] is not None, "the receipt is not confirmed yet")
        days = late_days(this["receipt"])
        require(days > 0, "the delivery was not late")
        require(this["penalty"] is not None, "the agreement has no penalty")
        require(not this["penaltyClaimed"], "the penalty is already claimed")
        claim = {
            "orderId": this["orderId"],
            "claimant": this[sides.receiver],
            "liable": this[sides.shipper],
            "daysLate": days,
            "amount": penalty_amount(this["penalty"], days),
            "currency": this["currency"],
            "claimedAt": ctx.now,
        }
        return [NewContract("PenaltyClaim", claim), _recreate(ctx, sides.entity, penaltyClaimed=True)]

    return _body(
        [
            "now <- getTime",
            'assertMsg "the receipt is not confirmed yet" (isSome receipt)',
            'assertMsg "the delivery was not late" (lateDays receipt > 0)',
            'assertMsg "the agreement has no penalty" (isSome penalty)',
            'assertMsg "the penalty is already claimed" (not penaltyClaimed)',
            *_with(
                "PenaltyClaim",
                [
                    "orderId = orderId",
                    f"claimant = {sides.receiver}",
                    f"liable = {sides.shipper}",
                    "daysLate = lateDays receipt",
                    "amount = penaltyAmount (fromSome penalty) (lateDays receipt)",
                    "currency = currency",
                    "claimedAt = now",
                ],
                bind="claim",
            ),
            "_ <- create this with penaltyClaimed = True",
            "pure claim",
        ],
        ("PenaltyClaim", sides.entity),
        run,
    )


def raise_invoice(sides: AgreementSides) -> ChoiceBody:
    def run(ctx: ChoiceContext) -> Sequence[NewContract]:
        this, arg = ctx.this, ctx.arg
        require(this["invoiceId"] is None, "an invoice is already raised for this agreement")
        require(arg["invoiceId"] != "", "the invoice id is empty")
        require(day(arg["dueDate"]) >= ctx.today, "the due date must not be in the past")
        invoice = {
            "invoiceId": arg["invoiceId"],
            "orderId": this["orderId"],
            "issuer": this[sides.shipper],
            "payer": this[sides.receiver],
            "amount": this["price"],
            "currency": this["currency"],
            "issuedAt": ctx.now,
            "dueDate": arg["dueDate"],
        }
        return [NewContract("Invoice", invoice), _recreate(ctx, sides.entity, invoiceId=arg["invoiceId"])]

    return _body(
        [
            "now <- getTime",
            'assertMsg "an invoice is already raised for this agreement" (isNone this.invoiceId)',
            'assertMsg "the invoice id is empty" (invoiceId /= "")',
            'assertMsg "the due date must not be in the past" (dueDate >= toDateUTC now)',
            *_with(
                "Invoice",
                [
                    "invoiceId = invoiceId",
                    "orderId = orderId",
                    f"issuer = {sides.shipper}",
                    f"payer = {sides.receiver}",
                    "amount = price",
                    "currency = currency",
                    "issuedAt = now",
                    "dueDate = dueDate",
                ],
                bind="invoice",
            ),
            "_ <- create this with invoiceId = Some invoiceId",
            "pure invoice",
        ],
        ("Invoice", sides.entity),
        run,
    )


# -- Invoice and PaymentClaim ----------------------------------------------------------------------------


def _claim_payment(ctx: ChoiceContext) -> Sequence[NewContract]:
    require(ctx.arg["paymentRef"] != "", "the payment reference is empty")
    claim = {**_copy(ctx.this, INVOICE_FIELDS), "paymentRef": ctx.arg["paymentRef"], "claimedAt": ctx.now}
    return [NewContract("PaymentClaim", claim)]


CLAIM_PAYMENT = _body(
    [
        "now <- getTime",
        'assertMsg "the payment reference is empty" (paymentRef /= "")',
        *_with("PaymentClaim", [*_same(INVOICE_FIELDS), "paymentRef = paymentRef", "claimedAt = now"]),
    ],
    ("PaymentClaim",),
    _claim_payment,
)


def _confirm_payment(ctx: ChoiceContext) -> Sequence[NewContract]:
    return [NewContract("PaymentReceipt", {**_copy(ctx.this, PAYMENT_CLAIM_FIELDS), "paidAt": ctx.now})]


CONFIRM_PAYMENT = _body(
    [
        "now <- getTime",
        *_with("PaymentReceipt", [*_same(PAYMENT_CLAIM_FIELDS), "paidAt = now"]),
    ],
    ("PaymentReceipt",),
    _confirm_payment,
)


def _reject_payment(ctx: ChoiceContext) -> Sequence[NewContract]:
    return [NewContract("Invoice", _copy(ctx.this, INVOICE_FIELDS))]


REJECT_PAYMENT = _body(
    _with("Invoice", _same(INVOICE_FIELDS)),
    ("Invoice",),
    _reject_payment,
)


def today_of(now: str) -> date:
    """The UTC date of a Timestamp value (Daml's ``toDateUTC``)."""
    return date.fromisoformat(now[:10])
