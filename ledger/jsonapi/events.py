"""The ``events`` of the JSON API v1's exercise and create-and-exercise replies.

Daml's JSON API answers these commands with the submitter's transaction tree (the Ledger API's
SubmitAndWaitForTransactionTree, what dazl gets over gRPC), flattened in pre-order: every created event as
``{"created": <contract>}`` and every consuming exercise as ``{"archived": {"contractId", "templateId"}}``.
So a create-and-exercise of a consuming choice lists the contract it created *and* its archival (a flat
transaction would drop such a transient contract), then what the choice created."""

from __future__ import annotations

from typing import Any

from ledger.engine import CreatedEvent, ExercisedEvent, Model, Transaction
from ledger.jsonapi import codec


def tree_events(tx: Transaction, model: Model, parties: set[str] | None = None) -> list[dict[str, Any]]:
    """The events of ``tx`` that ``parties`` (default: its submitters) witness, in the JSON API's form."""
    seen = set(tx.act_as) if parties is None else parties
    out: list[dict[str, Any]] = []
    for event in tx.tree_events(seen):
        if isinstance(event, CreatedEvent):
            out.append({"created": codec.created_contract(event, model)})
        elif isinstance(event, ExercisedEvent) and event.consuming:
            out.append(
                {
                    "archived": {
                        "contractId": event.contract_id,
                        "templateId": codec.template_id_text(event.template_id),
                    }
                }
            )
    return out
