from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from ontology.codec import Content, ContentError, decode
from ontology.common import Ping, Reason
from protocols.contract_net import ContractNetInitiator, ContractNetInitiatorState, ContractNetParticipant
from protocols.events import Anomaly
from protocols.iterated_contract_net import IteratedContractNetInitiator, IteratedContractNetParticipant
from protocols.performative import Performative
from protocols.request import RequestInitiator, RequestParticipant, RequestParticipantState
from protocols.snapshot import parse_snapshot, restore
from tests.protocols.contents import ProtocolTestCall, ProtocolTestOffer, ProtocolTestResult
from tests.protocols.helpers import at, reply

MAKER, A, B = "maker@local", "s1@local", "s2@local"


def test_request_participant_resumes_mid_conversation() -> None:
    initiator = RequestInitiator(me=MAKER)
    [request] = initiator.start(ProtocolTestCall(item="x"), A, now=at(0), reply_by=at(10), result_by=at(100))
    participant = RequestParticipant.for_message(request, me=A)
    participant.handle(request, at(1))
    [agree] = participant.agree(now=at(2), result_by=at(90))
    initiator.handle(agree, at(2))

    stored = participant.to_snapshot().model_dump_json()
    resumed = restore(stored)
    assert isinstance(resumed, RequestParticipant)
    assert resumed.state is RequestParticipantState.AGREED
    assert resumed.next_deadline == at(90)
    assert resumed.request == request
    assert resumed.to_snapshot() == participant.to_snapshot()

    [inform] = resumed.inform(ProtocolTestResult(value="ok"), now=at(3))
    resumed_initiator = RequestInitiator.from_snapshot(initiator.to_snapshot().model_dump())
    resumed_initiator.handle(inform, at(4))
    assert resumed_initiator.finished


def test_duplicates_are_still_recognised_after_a_restart() -> None:
    initiator = RequestInitiator(me=MAKER)
    [request] = initiator.start(Ping(), A, now=at(0), reply_by=at(10))
    agree = reply(request, Performative.AGREE, Ping())
    initiator.handle(agree, at(1))
    resumed = RequestInitiator.from_snapshot(initiator.to_snapshot().model_dump_json())
    assert resumed.handle(agree, at(2)) == []
    assert resumed.log.events[-1].code is Anomaly.DUPLICATE


def test_deadlines_that_passed_while_down_are_processed_on_the_first_tick() -> None:
    initiator = ContractNetInitiator(me=MAKER)
    cfps = initiator.start(Ping(), [A, B], now=at(0), reply_by=at(10))
    initiator.handle(reply(cfps[0], Performative.PROPOSE, ProtocolTestOffer(price=1)), at(1))
    stored = initiator.to_snapshot().model_dump_json()
    resumed = restore(stored)
    assert isinstance(resumed, ContractNetInitiator)
    out = resumed.tick(at(1) + 2 * resumed.patience)
    assert resumed.state is ContractNetInitiatorState.TIMED_OUT
    assert [m.performative for m in out] == [Performative.REJECT_PROPOSAL]
    assert resumed.rounds[0].silent == [B]


@pytest.mark.parametrize(
    ("machine", "expected"),
    [
        (ContractNetInitiator(me=MAKER), ContractNetInitiator),
        (IteratedContractNetInitiator(me=MAKER, max_rounds=7), IteratedContractNetInitiator),
        (ContractNetParticipant(me=A, initiator=MAKER, conversation_id="c"), ContractNetParticipant),
        (
            IteratedContractNetParticipant(me=A, initiator=MAKER, conversation_id="c"),
            IteratedContractNetParticipant,
        ),
        (RequestInitiator(me=MAKER), RequestInitiator),
        (RequestParticipant(me=A, initiator=MAKER, conversation_id="c"), RequestParticipant),
    ],
)
def test_restore_picks_the_right_machine(machine: object, expected: type) -> None:
    snapshot = machine.to_snapshot()  # type: ignore[attr-defined]
    restored = restore(json.loads(snapshot.model_dump_json()))
    assert type(restored) is expected
    assert restored.to_snapshot() == snapshot
    assert parse_snapshot(snapshot) == snapshot


def test_iterated_snapshot_keeps_max_rounds() -> None:
    restored = restore(IteratedContractNetInitiator(me=MAKER, max_rounds=7).to_snapshot())
    assert isinstance(restored, IteratedContractNetInitiator)
    assert restored.max_rounds == 7


def test_a_snapshot_restores_only_as_its_own_protocol() -> None:
    snapshot = IteratedContractNetInitiator(me=MAKER).to_snapshot()
    with pytest.raises(ValueError, match="iterated"):
        ContractNetInitiator.from_snapshot(snapshot)


def test_unknown_kind_is_rejected() -> None:
    data = RequestInitiator(me=MAKER).to_snapshot().model_dump(mode="json")
    data["kind"] = "auction-initiator"
    with pytest.raises(ValidationError):
        restore(data)


def test_content_types_are_stored_by_name_and_must_be_registered() -> None:
    machine = ContractNetInitiator(me=MAKER, content_types={Performative.PROPOSE: [ProtocolTestOffer]})
    data = machine.to_snapshot().model_dump(mode="json")
    assert data["content_types"]["propose"] == ["ProtocolTestOffer"]
    assert data["content_types"]["refuse"] == ["Reason"]
    data["content_types"]["propose"] = ["NoSuchType"]
    with pytest.raises(ValueError, match="NoSuchType"):
        restore(data)


def test_content_decoder_is_given_again_on_restore() -> None:
    seen: list[str] = []

    def decoder(text: str, expected: tuple[type[Content], ...] | None) -> Content:
        seen.append(text)
        return decode(text, expected)

    initiator = RequestInitiator(me=MAKER)
    [request] = initiator.start(Ping(), A, now=at(0), reply_by=at(10))
    resumed = RequestInitiator.from_snapshot(initiator.to_snapshot(), content_decoder=decoder)
    resumed.handle(reply(request, Performative.REFUSE, Reason(reason="no")), at(1))
    assert seen


def test_event_cursor_survives_a_restart() -> None:
    initiator = RequestInitiator(me=MAKER)
    initiator.start(Ping(), A, now=at(0), reply_by=at(10))
    assert initiator.take_events()
    resumed = RequestInitiator.from_snapshot(initiator.to_snapshot().model_dump_json())
    assert resumed.take_events() == []
    resumed.tick(at(10))
    assert [e.kind.value for e in resumed.take_events()] == ["deadline", "finished"]


def test_snapshot_is_a_copy() -> None:
    machine = RequestInitiator(me=MAKER)
    snapshot = machine.to_snapshot()
    machine.start(Ping(), A, now=at(0), reply_by=at(10))
    assert snapshot.request is None


def test_decoder_errors_are_content_errors() -> None:
    def broken(text: str, expected: tuple[type[Content], ...] | None) -> Content:
        raise ContentError("nope")

    machine = RequestInitiator(me=MAKER, content_decoder=broken)
    [request] = machine.start(Ping(), A, now=at(0), reply_by=at(10))
    [answer] = machine.handle(reply(request, Performative.AGREE, Ping()), at(1))
    assert answer.performative is Performative.NOT_UNDERSTOOD
