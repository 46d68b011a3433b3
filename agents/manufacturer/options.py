"""Groups of the manufacturer agent's optional settings: its decision hooks and its seat on the ledger."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from agents.manufacturer.assessment import Assessment
from agents.manufacturer.selection import OfferScorer
from ledger.lifecycle import PartyIdentities, PartyLedger
from ontology.order import Order

Approver = Callable[[Order, Assessment], Awaitable[bool]]
"""Manual acceptance: True to take the order (used when the policy's ``auto_accept`` is off)."""


@dataclass(frozen=True)
class DecisionHooks:
    """Decisions taken by the caller instead of the policy's defaults.

    ``scorer``: ranks suppliers' offers (default: the negotiation package's, following the policy's strategy);
    ``approver``: takes or refuses an order when the policy's ``auto_accept`` is off (default: the
    console)."""

    scorer: OfferScorer | None = None
    approver: Approver | None = None


@dataclass(frozen=True)
class LedgerSeat:
    """The manufacturer on the ledger: with it the agent contracts itself and takes every later step of the
    order's life there (:mod:`agents.manufacturer.ledger_life`).

    ``session``: the manufacturer's own session (its party, a token of its own ledger user only);
    ``identities``: read-only lookup of the other parties' ledger identities (the identity store);
    ``supplier_jid``: the agent that signs for a supplier id when this run did not negotiate with it (after a
    restart); default: the supplier's agent as sourcing named it, else none."""

    session: PartyLedger
    identities: PartyIdentities
    supplier_jid: Callable[[str], str | None] | None = None
