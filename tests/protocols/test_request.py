from __future__ import annotations

from collections.abc import Callable

import pytest

from ontology.common import Done, Ping, Reason
from protocols.acl import AclMessage
from protocols.conversation import ConversationStateError
from protocols.events import Anomaly, EventKind
from protocols.performative import Performative, ProtocolName
from protocols.request import (
    RequestInitiator,
    RequestInitiatorState,
    RequestParticipant,
    RequestParticipantState,
)
from protocols.wire import from_envelope, to_envelopes
from tests.protocols.contents import ProtocolTestCall, ProtocolTestResult
from tests.protocols.helpers import GARBAGE, at, check_outgoing, decoded, reply, state_of

ME, PEER, MALLORY = "customer@local", "maker@local", "mallory@local"
IS = RequestInitiatorState
PS = RequestParticipantState


def started(**kwargs: object) -> tuple[RequestInitiator, AclMessage]:
    machine = RequestInitiator(me=ME)
    [request] = machine.start(ProtocolTestCall(item="chair"), PEER, now=at(0), reply_by=at(10), **kwargs)  # type: ignore[arg-type]
    return machine, request


def received(**kwargs: object) -> tuple[RequestParticipant, AclMessage]:
    _, request = started()
    machine = RequestParticipant.for_message(request, me=PEER, **kwargs)  # type: ignore[arg-type]
    assert machine.handle(request, at(1)) == []
    return machine, request


def answered_not_understood(out: list[AclMessage], to: AclMessage, code: Anomaly) -> Reason:
    [answer] = out
    assert answer.performative is Performative.NOT_UNDERSTOOD
    assert answer.in_reply_to == to.reply_with
    content = decoded(answer)
    assert isinstance(content, Reason)
    assert content.reason.startswith(code.value)
    return content


# ---------------------------------------------------------------- initiator


def test_start_sends_one_request() -> None:
    machine, request = started()
    assert request.performative is Performative.REQUEST
    assert request.receivers == (PEER,)
    assert request.protocol == ProtocolName.REQUEST.value
    assert request.conversation_id == machine.conversation_id
    assert request.reply_by == at(10)
    assert machine.state is IS.AWAITING_RESPONSE
    assert machine.next_deadline == at(10)
    assert machine.peers == {PEER}


def test_agree_then_inform_result() -> None:
    machine, request = started(result_by=at(60))
    assert machine.handle(reply(request, Performative.AGREE, ProtocolTestCall(item="chair")), at(2)) == []
    assert machine.state is IS.AGREED
    assert machine.next_deadline == at(60)
    inform = reply(request, Performative.INFORM, ProtocolTestResult(value="built"))
    assert machine.handle(inform, at(30)) == []
    assert state_of(machine) is IS.DONE
    assert machine.finished
    assert machine.result == inform
    assert machine.outcome is not None and machine.outcome.state == IS.DONE
    assert [m.performative for m in machine.replies] == [Performative.AGREE, Performative.INFORM]


def test_inform_done_without_agree() -> None:
    machine, request = started()
    machine.handle(reply(request, Performative.INFORM, Done(action="request")), at(2))
    assert machine.state is IS.DONE
    assert machine.outcome is not None and "done" in machine.outcome.reason


def test_refuse() -> None:
    machine, request = started()
    machine.handle(reply(request, Performative.REFUSE, Reason(reason="no capacity")), at(2))
    assert machine.state is IS.REFUSED
    assert machine.outcome is not None and "no capacity" in machine.outcome.reason


def test_failure_after_agree() -> None:
    machine, request = started()
    machine.handle(reply(request, Performative.AGREE, Ping()), at(1))
    machine.handle(reply(request, Performative.FAILURE, Reason(reason="machine broke")), at(2))
    assert machine.state is IS.FAILED
    assert machine.next_deadline is None


def test_not_understood_from_participant_ends_it() -> None:
    machine, request = started()
    out = machine.handle(reply(request, Performative.NOT_UNDERSTOOD, Reason(reason="what?")), at(1))
    assert out == []
    assert machine.state is IS.NOT_UNDERSTOOD
    assert machine.outcome is not None and "what?" in machine.outcome.reason


def test_no_answer_by_reply_by_times_out() -> None:
    machine, request = started()
    assert machine.tick(at(9.999)) == []
    assert machine.state is IS.AWAITING_RESPONSE
    assert machine.tick(at(10)) == []
    assert state_of(machine) is IS.TIMED_OUT
    late = reply(request, Performative.INFORM, Done(action="request"))
    assert machine.handle(late, at(11)) == []
    assert machine.log.events[-1].code is Anomaly.FINISHED


def test_a_reply_after_the_deadline_is_late_even_without_tick() -> None:
    machine, request = started()
    assert machine.handle(reply(request, Performative.AGREE, Ping()), at(10.5)) == []
    assert machine.state is IS.TIMED_OUT


def test_agreed_but_no_result_by_result_by() -> None:
    machine, request = started(result_by=at(20))
    machine.handle(reply(request, Performative.AGREE, Ping()), at(1))
    assert machine.tick(at(15)) == []
    assert machine.state is IS.AGREED
    machine.tick(at(20))
    assert state_of(machine) is IS.TIMED_OUT
    assert machine.outcome is not None and "result" in machine.outcome.reason


def test_cancel_sends_cancel_and_ends() -> None:
    machine, request = started()
    agree = reply(request, Performative.AGREE, Ping())
    machine.handle(agree, at(1))
    [cancel] = machine.cancel("changed my mind", now=at(2))
    assert cancel.performative is Performative.CANCEL
    assert cancel.receivers == (PEER,)
    assert cancel.in_reply_to == agree.reply_with
    assert machine.state is IS.CANCELLED
    with pytest.raises(ConversationStateError):
        machine.cancel("again", now=at(3))


def test_malformed_content_gets_not_understood_and_changes_nothing() -> None:
    machine, request = started()
    bad = reply(request, Performative.INFORM, GARBAGE)
    answered_not_understood(machine.handle(bad, at(1)), bad, Anomaly.BAD_CONTENT)
    assert machine.state is IS.AWAITING_RESPONSE
    machine.handle(reply(request, Performative.INFORM, Done(action="request")), at(2))
    assert state_of(machine) is IS.DONE


def test_content_of_the_wrong_type_gets_not_understood() -> None:
    machine, request = started()
    refuse = reply(request, Performative.REFUSE, Ping(note="a reason should be a Reason"))
    answered_not_understood(machine.handle(refuse, at(1)), refuse, Anomaly.BAD_CONTENT)
    assert machine.state is IS.AWAITING_RESPONSE


def test_configured_content_types_are_enforced() -> None:
    machine = RequestInitiator(me=ME, content_types={Performative.INFORM: [ProtocolTestResult]})
    [request] = machine.start(Ping(), PEER, now=at(0), reply_by=at(10))
    wrong = reply(request, Performative.INFORM, Done(action="request"))
    answered_not_understood(machine.handle(wrong, at(1)), wrong, Anomaly.BAD_CONTENT)
    machine.handle(reply(request, Performative.INFORM, ProtocolTestResult(value="ok")), at(2))
    assert machine.state is IS.DONE


def test_out_of_sequence_performative_gets_not_understood() -> None:
    machine, request = started()
    machine.handle(reply(request, Performative.AGREE, Ping()), at(1))
    again = reply(request, Performative.AGREE, Ping())
    answered_not_understood(machine.handle(again, at(2)), again, Anomaly.OUT_OF_SEQUENCE)
    propose = reply(request, Performative.PROPOSE, Ping())
    answered_not_understood(machine.handle(propose, at(2)), propose, Anomaly.OUT_OF_SEQUENCE)
    assert machine.state is IS.AGREED


def test_reply_to_something_we_never_sent_gets_not_understood() -> None:
    machine, request = started()
    for in_reply_to in ("made-up", None):
        agree = reply(request, Performative.AGREE, Ping(), in_reply_to=in_reply_to)
        answered_not_understood(machine.handle(agree, at(1)), agree, Anomaly.UNKNOWN_REPLY)
    assert machine.state is IS.AWAITING_RESPONSE


def test_wrong_protocol_gets_not_understood() -> None:
    machine, request = started()
    agree = reply(request, Performative.AGREE, Ping(), protocol=ProtocolName.CONTRACT_NET.value)
    answered_not_understood(machine.handle(agree, at(1)), agree, Anomaly.WRONG_PROTOCOL)


def test_duplicate_is_ignored_idempotently() -> None:
    machine, request = started()
    agree = reply(request, Performative.AGREE, Ping())
    machine.handle(agree, at(1))
    before = machine.to_snapshot().state
    assert machine.handle(agree, at(2)) == []
    assert machine.state == before
    assert machine.log.events[-1].code is Anomaly.DUPLICATE


def test_duplicate_without_reply_with_is_recognised_by_content() -> None:
    machine, request = started()
    bad = reply(request, Performative.INFORM, GARBAGE, reply_with=None)
    assert len(machine.handle(bad, at(1))) == 1
    assert machine.handle(bad, at(1)) == []


def test_spoofed_sender_is_ignored_silently() -> None:
    machine, request = started()
    spoof = reply(request, Performative.INFORM, Done(action="request"), sender=MALLORY)
    assert machine.handle(spoof, at(1)) == []
    assert machine.state is IS.AWAITING_RESPONSE
    [event] = machine.log.with_code(Anomaly.UNKNOWN_SENDER)
    assert event.peer == MALLORY
    assert event.kind is EventKind.IGNORED


def test_other_conversation_is_ignored() -> None:
    machine, request = started()
    other = reply(request, Performative.INFORM, Done(action="request"), conversation_id="other")
    assert machine.handle(other, at(1)) == []
    assert machine.log.events[-1].code is Anomaly.FOREIGN_CONVERSATION


def test_unmatched_not_understood_is_never_answered() -> None:
    machine, request = started()
    stray = reply(request, Performative.NOT_UNDERSTOOD, Reason(reason="?"), in_reply_to="nothing")
    assert machine.handle(stray, at(1)) == []
    assert machine.state is IS.AWAITING_RESPONSE


def test_start_only_once_and_not_to_oneself() -> None:
    machine, _ = started()
    with pytest.raises(ConversationStateError):
        machine.start(Ping(), PEER, now=at(1), reply_by=at(2))
    with pytest.raises(ValueError, match="itself"):
        RequestInitiator(me=ME).start(Ping(), ME, now=at(0), reply_by=at(1))
    with pytest.raises(ValueError, match="result_by"):
        RequestInitiator(me=ME).start(Ping(), PEER, now=at(0), reply_by=at(10), result_by=at(5))


# ---------------------------------------------------------------- participant


def test_participant_agree_then_inform() -> None:
    machine, request = received()
    assert machine.state is PS.REQUEST_RECEIVED
    assert machine.request == request
    assert machine.next_deadline == request.reply_by
    [agree] = machine.agree(now=at(2), result_by=at(100))
    assert agree.performative is Performative.AGREE
    assert agree.in_reply_to == request.reply_with
    assert machine.next_deadline == at(100)
    [inform] = machine.inform(ProtocolTestResult(value="done"), now=at(3))
    assert inform.performative is Performative.INFORM
    assert inform.in_reply_to == request.reply_with
    assert state_of(machine) is PS.DONE
    check_outgoing(machine, [agree, inform], {request.reply_with or ""})


def test_participant_may_inform_without_agree() -> None:
    machine, _ = received()
    [inform] = machine.inform(now=at(2))
    assert decoded(inform) == Done(action="request")
    assert machine.state is PS.DONE


def test_participant_refuse_and_failure() -> None:
    machine, _ = received()
    [refuse] = machine.refuse("too busy", now=at(2))
    assert refuse.performative is Performative.REFUSE
    assert decoded(refuse) == Reason(reason="too busy")
    assert machine.state is PS.REFUSED
    other, _ = received()
    other.agree(now=at(2))
    [failure] = other.failure(Reason(reason="broke", detail="spindle"), now=at(3))
    assert failure.performative is Performative.FAILURE
    assert other.state is PS.FAILED


def test_participant_steps_in_wrong_state_raise() -> None:
    machine, _ = received()
    machine.refuse("no", now=at(2))
    steps: list[Callable[[], list[AclMessage]]] = [
        lambda: machine.agree(now=at(3)),
        lambda: machine.inform(now=at(3)),
    ]
    for step in steps:
        with pytest.raises(ConversationStateError):
            step()


def test_cancel_is_answered_inform_done() -> None:
    machine, request = received()
    machine.agree(now=at(2))
    cancel = reply(reply(request, Performative.AGREE, Ping()), Performative.CANCEL, Reason(reason="stop"))
    [answer] = machine.handle(cancel, at(3))
    assert answer.performative is Performative.INFORM
    assert decoded(answer) == Done(action="cancel")
    assert answer.in_reply_to == cancel.reply_with
    assert machine.state is PS.CANCELLED
    assert machine.outcome is not None and "stop" in machine.outcome.reason


def test_cancel_after_the_end_is_answered_failure() -> None:
    machine, _ = received()
    [inform] = machine.inform(now=at(2))
    cancel = reply(inform, Performative.CANCEL, Reason(reason="stop"))
    [answer] = machine.handle(cancel, at(3))
    assert answer.performative is Performative.FAILURE
    assert machine.state is PS.DONE


def test_cancel_from_somebody_else_is_ignored() -> None:
    machine, request = received()
    forged = AclMessage.build(
        Performative.CANCEL,
        MALLORY,
        PEER,
        Reason(reason="stop"),
        conversation_id=request.conversation_id,
        protocol=request.protocol,
    )
    assert machine.handle(forged, at(2)) == []
    assert machine.state is PS.REQUEST_RECEIVED


def test_participant_times_out_silently_when_it_does_not_decide() -> None:
    machine, _ = received()
    assert machine.tick(at(10)) == []
    assert machine.state is PS.TIMED_OUT


def test_participant_that_agreed_fails_at_its_deadline() -> None:
    machine, request = received()
    machine.agree(now=at(2), result_by=at(50))
    [failure] = machine.tick(at(50))
    assert failure.performative is Performative.FAILURE
    assert failure.in_reply_to == request.reply_with
    assert machine.state is PS.FAILED


def test_participant_not_understanding_the_request_keeps_waiting() -> None:
    _, request = started()
    machine = RequestParticipant.for_message(
        request, me=PEER, content_types={Performative.REQUEST: [ProtocolTestResult]}
    )
    answered_not_understood(machine.handle(request, at(1)), request, Anomaly.BAD_CONTENT)
    assert machine.state is PS.AWAITING_REQUEST
    assert machine.next_deadline == at(1) + machine.patience
    machine.tick(at(1) + machine.patience)
    assert state_of(machine) is PS.TIMED_OUT


def test_second_request_is_out_of_sequence() -> None:
    machine, request = received()
    again = request.model_copy(update={"reply_with": "second"})
    answered_not_understood(machine.handle(again, at(2)), again, Anomaly.OUT_OF_SEQUENCE)
    assert machine.request == request


def test_not_understood_of_our_agree_ends_the_participant() -> None:
    machine, _ = received()
    [agree] = machine.agree(now=at(2))
    assert machine.handle(reply(agree, Performative.NOT_UNDERSTOOD, Reason(reason="eh")), at(3)) == []
    assert machine.state is PS.NOT_UNDERSTOOD


def test_both_roles_over_the_wire() -> None:
    initiator = RequestInitiator(me=ME)
    outbox = initiator.start(ProtocolTestCall(item="table"), PEER, now=at(0), reply_by=at(10))
    [request] = [from_envelope(e) for e in to_envelopes(outbox[0])]
    participant = RequestParticipant.for_message(request, me=PEER)
    assert participant.handle(request, at(1)) == []
    for message in participant.agree(now=at(2)) + participant.inform(
        ProtocolTestResult(value="ok"), now=at(3)
    ):
        [wired] = [from_envelope(e) for e in to_envelopes(message)]
        assert initiator.handle(wired, at(4)) == []
    assert initiator.state is IS.DONE
    assert participant.state is PS.DONE
