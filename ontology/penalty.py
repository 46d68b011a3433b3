"""The late-delivery penalty of an agreement (a quotation carries the one the customer's order will have)."""

from __future__ import annotations

from decimal import Decimal

from ontology.values import Money, Value


class Penalty(Value):
    """Late-delivery penalty: so much per day late, up to ``cap`` if given."""

    per_day_late: Money
    cap: Money | None = None

    def amount(self, days_late: int) -> Decimal:
        due = self.per_day_late * max(days_late, 0)
        return due if self.cap is None else min(due, self.cap)
