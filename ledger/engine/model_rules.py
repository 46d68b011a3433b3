"""The ``ensure`` rules of model v2 and the helpers its rules and choices share, each in Python and in Daml.

:data:`DAML_HELPERS` are top-level Daml functions of the module; the Python functions of the same name
compute the same thing over engine values (Numeric as decimal strings, Date as ``YYYY-MM-DD``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from ledger.engine.modeldefs import EnsureRule, Payload

#: The Daml module's helper functions (rendered after the records, before the templates).
DAML_HELPERS = """\
-- | The sum of the items' prices (each the amount of its line).
itemsTotal : [Item] -> Decimal
itemsTotal = foldl (\\total item -> total + item.price) 0.0

itemOk : Item -> Bool
itemOk item = item.quantity > 0 && item.price > 0.0

capOk : Optional Decimal -> Bool
capOk None = True
capOk (Some cap) = cap > 0.0

penaltyOk : Optional Penalty -> Bool
penaltyOk None = True
penaltyOk (Some penalty) = penalty.perDayLate > 0.0 && capOk penalty.cap

-- | Whole days from the agreed date to the day of receipt, 0 when on time.
daysLateOn : Date -> Date -> Int
daysLateOn agreed received = max 0 (subDate received agreed)

lateDays : Optional Receipt -> Int
lateDays None = 0
lateDays (Some receipt) = receipt.daysLate

-- | perDayLate x days, at most the cap.
penaltyAmount : Penalty -> Int -> Decimal
penaltyAmount penalty days =
  let full = penalty.perDayLate * intToDecimal days
  in case penalty.cap of
       None -> full
       Some cap -> min full cap
"""


def dec(value: Any) -> Decimal:
    """A Numeric engine value as a Decimal."""
    return Decimal(str(value))


def day(value: Any) -> date:
    """A Date engine value as a date."""
    return date.fromisoformat(str(value))


def items_total(items: Any) -> Decimal:
    return sum((dec(item["price"]) for item in items), Decimal(0))


def item_ok(item: Mapping[str, Any]) -> bool:
    return int(item["quantity"]) > 0 and dec(item["price"]) > 0


def penalty_ok(penalty: Mapping[str, Any] | None) -> bool:
    if penalty is None:
        return True
    cap = penalty.get("cap")
    return dec(penalty["perDayLate"]) > 0 and (cap is None or dec(cap) > 0)


def days_late_on(agreed: date, received: date) -> int:
    return max(0, (received - agreed).days)


def late_days(receipt: Mapping[str, Any] | None) -> int:
    return 0 if receipt is None else int(receipt["daysLate"])


def penalty_amount(penalty: Mapping[str, Any], days: int) -> Decimal:
    full = dec(penalty["perDayLate"]) * days
    cap = penalty.get("cap")
    return full if cap is None else min(full, dec(cap))


def _rule(daml: str, words: str, check: Any) -> EnsureRule:
    return EnsureRule(daml=daml, check=check, words=words)


def terms_ok(first: str, second: str) -> tuple[EnsureRule, ...]:
    """ "terms ok" of an order or supply between the parties ``first`` and ``second``."""

    def parties_differ(p: Payload) -> bool:
        return bool(p[first] != p[second])

    return (
        _rule('orderId /= ""', "the order id is empty", lambda p: p["orderId"] != ""),
        _rule("items /= []", "there are no items", lambda p: len(p["items"]) > 0),
        _rule(
            "all itemOk items",
            "every item needs a quantity above 0 and a price above 0",
            lambda p: all(item_ok(i) for i in p["items"]),
        ),
        _rule(
            "price == itemsTotal items",
            "the price is not the sum of the items' prices",
            lambda p: dec(p["price"]) == items_total(p["items"]),
        ),
        _rule(
            "T.length currency == 3",
            "the currency is not a 3-letter code",
            lambda p: len(p["currency"]) == 3,
        ),
        _rule(
            "penaltyOk penalty",
            "a penalty needs a perDayLate above 0 and a cap (if any) above 0",
            lambda p: penalty_ok(p["penalty"]),
        ),
        _rule(f"{first} /= {second}", f"the {first} and the {second} are the same party", parties_differ),
    )


QUANTITY_POSITIVE = _rule("quantity > 0", "the quantity is not above 0", lambda p: int(p["quantity"]) > 0)

PENALTY_CLAIM_RULES = (
    _rule("amount > 0.0", "the amount is not above 0", lambda p: dec(p["amount"]) > 0),
    _rule("daysLate > 0", "the days late are not above 0", lambda p: int(p["daysLate"]) > 0),
    _rule(
        "claimant /= liable",
        "the claimant and the liable party are the same party",
        lambda p: p["claimant"] != p["liable"],
    ),
)

INVOICE_RULES = (
    _rule("amount > 0.0", "the amount is not above 0", lambda p: dec(p["amount"]) > 0),
    _rule('invoiceId /= ""', "the invoice id is empty", lambda p: p["invoiceId"] != ""),
    _rule(
        "issuer /= payer",
        "the issuer and the payer are the same party",
        lambda p: p["issuer"] != p["payer"],
    ),
    _rule(
        "dueDate >= toDateUTC issuedAt",
        "the due date is before the day of issue",
        lambda p: day(p["dueDate"]) >= day(str(p["issuedAt"])[:10]),
    ),
)

PAYMENT_CLAIM_RULES = (
    *INVOICE_RULES,
    _rule('paymentRef /= ""', "the payment reference is empty", lambda p: p["paymentRef"] != ""),
)
