"""Rules every machine shares (see protocols.conversation), checked on small machines."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from ontology.codec import Content
from ontology.common import Ping, Reason
from protocols.acl import AclMessage
from protocols.contract_net import ContractNetInitiator, ContractNetParticipant
from protocols.events import Anomaly, ConversationLog, EventKind
from protocols.factory import participant_for
from protocols.iterated_contract_net import IteratedContractNetInitiator, IteratedContractNetParticipant
from protocols.performative import Performative
from protocols.request import RequestInitiator, RequestInitiatorState, RequestParticipant
from tests.protocols.helpers import FOREIGN_ONTOLOGY, at, reply

MAKER, A = "maker@local", "s1@local"


def started() -> tuple[RequestInitiator, AclMessage]:
    machine = RequestInitiator(me=MAKER)
    [request] = machine.start(Ping(), A, now=at(0), reply_by=at(10))
    return machine, request


def test_message_not_addressed_to_us_is_ignored() -> None:
    machine, request = started()
    agree = reply(request, Performative.AGREE, Ping(), receivers=("other@local",))
    assert machine.handle(agree, at(1)) == []
    assert machine.log.events[-1].code is Anomaly.NOT_ADDRESSED


def test_content_of_another_ontology_is_not_understood() -> None:
    machine, request = started()
    [answer] = machine.handle(reply(request, Performative.AGREE, FOREIGN_ONTOLOGY), at(1))
    assert answer.performative is Performative.NOT_UNDERSTOOD


def test_a_decoder_that_crashes_means_not_understood() -> None:
    def crashing(text: str, expected: tuple[type[Content], ...] | None) -> Content:
        raise RuntimeError("boom")

    machine = RequestInitiator(me=MAKER, content_decoder=crashing)
    [request] = machine.start(Ping(), A, now=at(0), reply_by=at(10))
    [answer] = machine.handle(reply(request, Performative.AGREE, Ping()), at(1))
    assert answer.performative is Performative.NOT_UNDERSTOOD
    assert machine.state is RequestInitiatorState.AWAITING_RESPONSE


def test_internal_error_becomes_a_failed_outcome(monkeypatch: pytest.MonkeyPatch) -> None:
    machine, request = started()

    def explode(*args: object) -> list[AclMessage]:
        raise KeyError("bug")

    monkeypatch.setattr(machine, "_on_reply", explode)
    assert machine.handle(reply(request, Performative.AGREE, Ping()), at(1)) == []
    assert machine.state is RequestInitiatorState.FAILED
    assert machine.outcome is not None and "internal error" in machine.outcome.reason
    assert machine.log.of_kind(EventKind.ERROR)
    monkeypatch.setattr(machine, "_expire", explode)
    assert machine.tick(at(2)) == []


def test_naive_now_is_taken_as_utc() -> None:
    machine, _ = started()
    machine.tick(datetime(2030, 1, 1, 12, 0, 10))
    assert machine.state is RequestInitiatorState.TIMED_OUT


def test_tick_is_harmless_before_the_deadline_and_repeatable() -> None:
    machine, _ = started()
    for _ in range(3):
        assert machine.tick(at(5)) == []
    assert machine.state is RequestInitiatorState.AWAITING_RESPONSE
    machine.tick(at(10))
    assert machine.tick(at(11)) == []
    assert machine.log.of_kind(EventKind.DEADLINE).__len__() == 1


def test_every_event_names_its_state_and_the_log_hands_out_new_events_once() -> None:
    machine, request = started()
    first = machine.take_events()
    assert [e.kind for e in first] == [EventKind.SENT, EventKind.TRANSITION]
    assert first[0].message_id == request.reply_with and first[0].peer == A
    machine.handle(reply(request, Performative.REFUSE, Reason(reason="no")), at(1))
    kinds = [e.kind for e in machine.take_events()]
    assert kinds == [EventKind.RECEIVED, EventKind.FINISHED]
    assert machine.take_events() == []


def test_log_is_bounded() -> None:
    log = ConversationLog(limit=3)
    for i in range(5):
        log.append(at=at(i), kind=EventKind.DEADLINE, state="x")
    assert [e.seq for e in log.events] == [2, 3, 4]
    assert log.dropped == 2
    assert [e.seq for e in log.take_new()] == [2, 3, 4]


def test_patience_must_be_positive() -> None:
    with pytest.raises(ValueError, match="patience"):
        RequestInitiator(me=MAKER, patience=timedelta(0))


def test_unregistered_content_type_is_refused() -> None:
    class Unregistered(Content):
        x: int = 0

    with pytest.raises(ValueError, match="not a registered"):
        RequestInitiator(me=MAKER, content_types={Performative.INFORM: [Unregistered]})


def test_factory_opens_the_right_participant() -> None:
    _, request = started()
    assert type(participant_for(request, me=A)) is RequestParticipant
    [cfp] = ContractNetInitiator(me=MAKER).start(Ping(), [A], now=at(0), reply_by=at(1))
    assert type(participant_for(cfp, me=A)) is ContractNetParticipant
    [icfp] = IteratedContractNetInitiator(me=MAKER).start(Ping(), [A], now=at(0), reply_by=at(1))
    made = participant_for(icfp, me=A)
    assert type(made) is IteratedContractNetParticipant
    assert made.conversation_id == icfp.conversation_id and made.initiator == MAKER
    assert participant_for(cfp.model_copy(update={"protocol": "fipa-auction"}), me=A) is None
    assert participant_for(cfp.model_copy(update={"conversation_id": None}), me=A) is None
    assert participant_for(reply(cfp, Performative.PROPOSE, Ping()), me=MAKER) is None
    assert participant_for(cfp.model_copy(update={"protocol": None}), me=A) is not None


def test_participant_for_message_needs_a_conversation_id() -> None:
    _, request = started()
    with pytest.raises(ValueError, match="conversation-id"):
        RequestParticipant.for_message(request.model_copy(update={"conversation_id": None}), me=A)
    with pytest.raises(ValueError, match="own initiator"):
        RequestParticipant.for_message(request, me=MAKER)
