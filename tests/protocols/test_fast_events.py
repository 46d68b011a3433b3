"""Events recorded without validation (protocols.fast_events) are the events pydantic would make."""

from __future__ import annotations

from typing import Any

import pytest

from ontology.common import Ping
from protocols import fast_events
from protocols.acl import AclMessage
from protocols.contract_net import ContractNetInitiator
from protocols.events import Anomaly, ConversationEvent, ConversationLog, EventKind
from protocols.fast_events import record_event
from protocols.performative import Performative
from protocols.snapshot import restore
from tests.protocols.helpers import at

MESSAGE = AclMessage.build(Performative.PROPOSE, "a@x", "b@x", Ping(), conversation_id="c", in_reply_to="q")
RECORDED: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({"message": MESSAGE, "code": Anomaly.LATE, "detail": "late"}, {"peer": "a@x"}),
    ({"message": MESSAGE, "peer": "b@x"}, {"peer": "b@x"}),
    ({"peer": "b@x"}, {"peer": "b@x"}),
    ({"detail": "a -> b"}, {}),
]
"""record_event's keyword arguments, and the peer the event names."""


def _validated(event: ConversationEvent) -> ConversationEvent:
    fields = {name: getattr(event, name) for name in event.model_fields_set if name != "seq"}
    log = ConversationLog(next_seq=event.seq)
    return log.append(**fields)


def _same(one: ConversationEvent, other: ConversationEvent) -> None:
    assert one == other
    assert one.model_fields_set == other.model_fields_set
    assert one.model_dump_json() == other.model_dump_json()
    assert one.__pydantic_extra__ == other.__pydantic_extra__
    assert one.__pydantic_private__ == other.__pydantic_private__


@pytest.mark.parametrize(("arguments", "expected"), RECORDED)
def test_a_recorded_event_equals_the_constructed_and_the_validated_one(
    arguments: dict[str, Any], expected: dict[str, Any]
) -> None:
    log = ConversationLog(next_seq=7)
    event = record_event(log, EventKind.RECEIVED, at(1), "collecting", **arguments)
    assert log.events == [event] and log.next_seq == 8 and event.seq == 7
    assert event.peer == expected.get("peer")
    values = {name: getattr(event, name) for name in ConversationEvent.model_fields}
    _same(event, ConversationEvent.model_construct(set(event.model_fields_set), **values))
    _same(event, _validated(event))


def test_recording_keeps_the_newest_events_and_counts_the_dropped_ones_as_append_does() -> None:
    fast, validated = ConversationLog(limit=3), ConversationLog(limit=3)
    for second in range(5):
        record_event(fast, EventKind.DEADLINE, at(second), "s", detail=str(second))
        validated.append(kind=EventKind.DEADLINE, at=at(second), state="s", detail=str(second))
    assert fast.model_dump() == validated.model_dump()
    assert (fast.dropped, [e.seq for e in fast.events]) == (2, [2, 3, 4])


def test_a_changed_event_model_is_caught_at_import(monkeypatch: pytest.MonkeyPatch) -> None:
    fast_events.check_event_model()
    monkeypatch.setattr(fast_events, "EVENT_FIELDS", (*fast_events.EVENT_FIELDS, "extra"))
    with pytest.raises(RuntimeError, match="ConversationEvent changed"):
        fast_events.check_event_model()


def test_events_a_machine_records_equal_validated_ones_field_for_field() -> None:
    machine = ContractNetInitiator(me="buyer@x")
    machine.start(Ping(), ["a@x", "b@x"], now=at(0), reply_by=at(10))
    machine.tick(at(11))
    events = machine.log.events
    assert events
    for event in events:
        _same(_validated(event), event)


def test_a_snapshot_with_recorded_events_round_trips() -> None:
    machine = ContractNetInitiator(me="buyer@x")
    machine.start(Ping(), ["a@x"], now=at(0), reply_by=at(10))
    text = machine.to_snapshot().model_dump_json()
    assert restore(text).to_snapshot().model_dump_json() == text
