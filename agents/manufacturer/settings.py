"""Time limits of the manufacturer's conversations (tests shorten them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Timings:
    matchmaking: timedelta = timedelta(seconds=30)
    """The matchmaker's answer (agree, then inform) must come within this."""
    evaluation: timedelta = timedelta(seconds=10)
    """Patience of a supplier negotiation: time to evaluate proposals once a round closes."""
    supplier_result: timedelta = timedelta(seconds=15)
    """An awarded supplier must confirm (inform) within this."""
    quotation_validity: timedelta = timedelta(days=1)
    """How long the customer has to answer a quotation."""
    contract: timedelta = timedelta(seconds=60)
    """The contract agent's answer (agree, then inform) must come within this."""
    production: timedelta = timedelta(seconds=0)
    """Simulated production time between in-production and produced."""
    payment: timedelta = timedelta(hours=1)
    """The customer's answer to an invoice must come within this (as long as the customer agent waits for
    the person paying in the app)."""
    ledger_poll: timedelta = timedelta(seconds=2)
    """How often the order's contracts are read from the ledger while a step waits for another party (a
    part's shipment, the customer's payment claim or delivery confirmation, a supplier's invoice)."""
    invoice_due_days: int = 30
    award_attempts: int = 3
    """How many negotiations per part (the winner failing after acceptance starts the next one)."""
