"""Events a machine records without validation are the events ConversationLog.append validates."""

from __future__ import annotations

from ontology.common import Ping
from protocols.contract_net import ContractNetInitiator
from protocols.events import ConversationEvent, ConversationLog
from protocols.snapshot import restore
from tests.protocols.helpers import at


def _validated(event: ConversationEvent) -> ConversationEvent:
    fields = {name: getattr(event, name) for name in event.model_fields_set if name != "seq"}
    log = ConversationLog(next_seq=event.seq)
    return log.append(**fields)


def test_recorded_events_equal_validated_ones_field_for_field() -> None:
    machine = ContractNetInitiator(me="buyer@x")
    machine.start(Ping(), ["a@x", "b@x"], now=at(0), reply_by=at(10))
    machine.tick(at(11))
    events = machine.log.events
    assert events
    for event in events:
        again = _validated(event)
        assert again == event
        assert again.model_fields_set == event.model_fields_set
        assert again.model_dump_json() == event.model_dump_json()
        assert again.__pydantic_extra__ == event.__pydantic_extra__
        assert again.__pydantic_private__ == event.__pydantic_private__


def test_a_snapshot_with_recorded_events_round_trips() -> None:
    machine = ContractNetInitiator(me="buyer@x")
    machine.start(Ping(), ["a@x"], now=at(0), reply_by=at(10))
    text = machine.to_snapshot().model_dump_json()
    assert restore(text).to_snapshot().model_dump_json() == text
