"""The JSON an event travels as, on SSE and WebSocket alike."""

from __future__ import annotations

import json
from typing import Any

from gateway.bridge.hub import Numbered


def event_payload(item: Numbered) -> dict[str, Any]:
    """``{"id", "order_id", "kind", "status", "at", "note", "price", "currency", "progress", ...}``;
    ``price`` is a decimal string (quotations and invoices), null otherwise. A ``negotiation-message``
    event carries ``message``: the one message as ``GET /orders/{id}/negotiation`` shows it (with its
    ``conversation_id`` and ``position``) and changes no status: its ``status`` is the order's when the
    gateway read the message from the log, which may trail a status event pushed meanwhile."""
    payload = {"id": item.id, **item.event.model_dump(mode="json", exclude={"manufacturer_only"})}
    if payload.get("message") is None:
        payload.pop("message", None)
    return payload


def event_json(item: Numbered) -> str:
    return json.dumps(event_payload(item), separators=(",", ":"))
