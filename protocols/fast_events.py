"""Recording conversation events without pydantic validation, because they are the commonest model here.

A machine records an event per message received or sent, per transition and per deadline, so
building them is a noticeable share of a conversation's cost. Every field comes from a validated
message or from the machine itself, so :func:`record_event` skips validation and even
``model_construct`` (which walks every field for aliases and defaults): it fills the model's
``__dict__`` and pydantic's private slots directly, marking as set the fields that
:meth:`~protocols.events.ConversationLog.append` would mark. That relies on
:class:`~protocols.events.ConversationEvent` being a plain model with exactly the fields listed
below, which is checked when this module is imported.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict, Unpack

from protocols.acl import AclMessage
from protocols.events import Anomaly, ConversationEvent, ConversationLog, EventKind

EVENT_FIELDS = (
    "seq",
    "at",
    "kind",
    "state",
    "performative",
    "peer",
    "message_id",
    "in_reply_to",
    "code",
    "detail",
)
_BARE = frozenset({"seq", "at", "kind", "state", "code", "detail"})
_WITH_PEER = _BARE | {"peer"}
_WITH_MESSAGE = _WITH_PEER | {"performative", "message_id", "in_reply_to"}
_set_attribute = object.__setattr__


class EventFields(TypedDict, total=False):
    """What an event may say besides its kind, time and state."""

    message: AclMessage | None
    """A message received or sent; its sender is the event's peer unless ``peer`` says otherwise."""
    peer: str | None
    code: Anomaly | None
    detail: str | None


def trusted_event(values: dict[str, Any], fields_set: frozenset[str]) -> ConversationEvent:
    """``ConversationEvent.model_construct(set(fields_set), **values)``, ``values`` holding every field."""
    event = ConversationEvent.__new__(ConversationEvent)
    _set_attribute(event, "__dict__", values)
    _set_attribute(event, "__pydantic_fields_set__", set(fields_set))
    _set_attribute(event, "__pydantic_extra__", None)
    _set_attribute(event, "__pydantic_private__", None)
    return event


def record_event(
    log: ConversationLog, kind: EventKind, at: datetime, state: str, **fields: Unpack[EventFields]
) -> ConversationEvent:
    """Append an event numbered ``log.next_seq`` to ``log``, as ``log.append`` would, and return it."""
    message, peer = fields.get("message"), fields.get("peer")
    code, detail = fields.get("code"), fields.get("detail")
    if message is not None:
        values: dict[str, Any] = {
            "seq": log.next_seq,
            "at": at,
            "kind": kind,
            "state": state,
            "performative": message.performative,
            "peer": peer or message.sender,
            "message_id": message.reply_with,
            "in_reply_to": message.in_reply_to,
            "code": code,
            "detail": detail,
        }
        fields_set = _WITH_MESSAGE
    else:
        values = {
            "seq": log.next_seq,
            "at": at,
            "kind": kind,
            "state": state,
            "performative": None,
            "peer": peer,
            "message_id": None,
            "in_reply_to": None,
            "code": code,
            "detail": detail,
        }
        fields_set = _WITH_PEER if peer is not None else _BARE
    event = trusted_event(values, fields_set)
    log.next_seq += 1
    events = log.events
    events.append(event)
    overflow = len(events) - log.limit
    if overflow > 0:
        del events[:overflow]
        log.dropped += overflow
    return event


def check_event_model() -> None:
    """Raise when :class:`ConversationEvent` is no longer the plain model :func:`trusted_event` relies on:
    exactly :data:`EVENT_FIELDS`, no aliases, private attributes, post-init hook or extra fields."""
    model = ConversationEvent
    if (
        tuple(model.model_fields) != EVENT_FIELDS
        or model.__private_attributes__
        or model.__pydantic_post_init__
        or model.model_config.get("extra") == "allow"
        or any(f.alias is not None or f.validation_alias is not None for f in model.model_fields.values())
    ):
        raise RuntimeError("ConversationEvent changed: update protocols.fast_events")


check_event_model()
