from __future__ import annotations

from collections.abc import Callable

import pytest

from ontology.common import Done, Ping, Reason
from protocols.acl import AclMessage
from protocols.contract_net import (
    LATE_REASON,
    ContractNetInitiator,
    ContractNetInitiatorState,
    ContractNetParticipant,
    ContractNetParticipantState,
)
from protocols.conversation import ConversationStateError
from protocols.events import Anomaly, EventKind
from protocols.performative import Performative, ProtocolName
from tests.protocols.contents import ProtocolTestCall, ProtocolTestOffer, ProtocolTestResult
from tests.protocols.helpers import GARBAGE, at, decoded, reply, state_of

MAKER, MALLORY = "maker@local", "mallory@local"
A, B, C = "s1@local", "s2@local", "s3@local"
IS = ContractNetInitiatorState
PS = ContractNetParticipantState


def started(
    peers: tuple[str, ...] = (A, B, C), **kwargs: object
) -> tuple[ContractNetInitiator, dict[str, AclMessage]]:
    machine = ContractNetInitiator(me=MAKER, **kwargs)  # type: ignore[arg-type]
    cfps = machine.start(ProtocolTestCall(item="gear"), peers, now=at(0), reply_by=at(10))
    return machine, {m.receivers[0]: m for m in cfps}


def offer(cfp: AclMessage, price: int, **overrides: object) -> AclMessage:
    return reply(cfp, Performative.PROPOSE, ProtocolTestOffer(price=price), reply_by=at(600), **overrides)


def only(out: list[AclMessage], performative: Performative) -> AclMessage:
    [message] = out
    assert message.performative is performative
    return message


def evaluating() -> tuple[ContractNetInitiator, dict[str, AclMessage], dict[str, AclMessage]]:
    machine, cfps = started()
    proposals = {A: offer(cfps[A], 100), B: offer(cfps[B], 90)}
    machine.handle(proposals[A], at(1))
    machine.handle(proposals[B], at(2))
    machine.handle(reply(cfps[C], Performative.REFUSE, Reason(reason="busy")), at(3))
    assert machine.state is IS.EVALUATING
    return machine, cfps, proposals


# ---------------------------------------------------------------- initiator


def test_start_sends_one_cfp_per_participant() -> None:
    machine, cfps = started()
    assert set(cfps) == {A, B, C}
    for cfp in cfps.values():
        assert cfp.performative is Performative.CFP
        assert cfp.protocol == ProtocolName.CONTRACT_NET.value
        assert cfp.reply_by == at(10)
        assert cfp.conversation_id == machine.conversation_id
    assert len({c.reply_with for c in cfps.values()}) == 3
    assert machine.state is IS.COLLECTING
    assert machine.next_deadline == at(10)
    assert machine.round == 1


def test_happy_path() -> None:
    machine, _, proposals = evaluating()
    assert machine.proposals == proposals
    assert set(machine.refusals) == {C}
    assert machine.next_deadline == at(3) + machine.patience
    out = machine.award([B], now=at(4), result_by=at(100))
    accept = next(m for m in out if m.performative is Performative.ACCEPT_PROPOSAL)
    reject = next(m for m in out if m.performative is Performative.REJECT_PROPOSAL)
    assert len(out) == 2
    assert accept.receivers == (B,) and accept.in_reply_to == proposals[B].reply_with
    assert accept.content == proposals[B].content
    assert accept.reply_by == at(100)
    assert reject.receivers == (A,) and decoded(reject) == Reason(reason="proposal not accepted")
    assert machine.state is IS.AWAITING_RESULTS and machine.winners == (B,)
    inform = reply(accept, Performative.INFORM, ProtocolTestResult(value="shipped"))
    assert machine.handle(inform, at(50)) == []
    assert state_of(machine) is IS.COMPLETED
    assert machine.results == {B: inform}


def test_accept_content_may_be_given() -> None:
    machine, _, _ = evaluating()
    out = machine.award([A], now=at(4), accept_content={A: ProtocolTestResult(value="contract-9")})
    accept = next(m for m in out if m.performative is Performative.ACCEPT_PROPOSAL)
    assert decoded(accept) == ProtocolTestResult(value="contract-9")
    assert accept.reply_by == at(4) + machine.patience


def test_silent_participant_is_recorded_at_the_deadline() -> None:
    machine, cfps = started()
    machine.handle(offer(cfps[A], 100), at(1))
    machine.handle(reply(cfps[B], Performative.REFUSE, Reason(reason="no")), at(2))
    assert machine.tick(at(10)) == []
    assert machine.state is IS.EVALUATING
    assert machine.silent == (C,)
    assert set(machine.proposals) == {A}
    assert machine.next_deadline == at(10) + machine.patience


def test_late_proposal_is_rejected_as_late() -> None:
    machine, cfps = started()
    machine.handle(offer(cfps[A], 100), at(1))
    machine.tick(at(10))
    late = offer(cfps[C], 10)
    reject = only(machine.handle(late, at(11)), Performative.REJECT_PROPOSAL)
    assert reject.receivers == (C,) and reject.in_reply_to == late.reply_with
    content = decoded(reject)
    assert isinstance(content, Reason) and content.reason == LATE_REASON and "late" in content.reason
    assert C not in machine.proposals
    assert machine.rounds[0].late == [C]
    assert machine.log.of_kind(EventKind.LATE)


def test_late_proposal_without_a_tick_is_still_late() -> None:
    machine, cfps = started()
    machine.handle(offer(cfps[A], 100), at(1))
    only(machine.handle(offer(cfps[B], 50), at(10)), Performative.REJECT_PROPOSAL)
    assert machine.state is IS.EVALUATING


def test_late_proposal_after_the_end_is_still_rejected() -> None:
    machine, cfps = started()
    machine.tick(at(10))
    assert machine.state is IS.NO_PROPOSALS
    only(machine.handle(offer(cfps[A], 1), at(11)), Performative.REJECT_PROPOSAL)


def test_late_refusal_is_ignored() -> None:
    machine, cfps = started()
    machine.handle(offer(cfps[A], 100), at(1))
    machine.tick(at(10))
    assert machine.handle(reply(cfps[B], Performative.REFUSE, Reason(reason="no")), at(11)) == []
    assert machine.state is IS.EVALUATING


def test_nobody_proposes() -> None:
    machine, cfps = started()
    for peer in (A, B, C):
        machine.handle(reply(cfps[peer], Performative.REFUSE, Reason(reason="no")), at(1))
    assert machine.state is IS.NO_PROPOSALS
    assert machine.finished


def test_award_nobody_rejects_everybody() -> None:
    machine, _, _ = evaluating()
    out = machine.award([], now=at(4), reject_reason="too expensive")
    assert {m.receivers[0] for m in out} == {A, B}
    assert all(m.performative is Performative.REJECT_PROPOSAL for m in out)
    assert machine.state is IS.NO_AWARD


def test_no_decision_before_the_evaluation_deadline() -> None:
    machine, _, _ = evaluating()
    out = machine.tick(at(3) + machine.patience)
    assert sorted(m.receivers[0] for m in out) == [A, B]
    assert all(m.performative is Performative.REJECT_PROPOSAL for m in out)
    assert machine.state is IS.TIMED_OUT
    with pytest.raises(ConversationStateError):
        machine.award([A], now=at(400))


def test_winner_failure() -> None:
    machine, _, _ = evaluating()
    accepts = [m for m in machine.award([A, B], now=at(4)) if m.performative is Performative.ACCEPT_PROPOSAL]
    by_peer = {m.receivers[0]: m for m in accepts}
    machine.handle(reply(by_peer[A], Performative.INFORM, Done(action="contract")), at(5))
    assert machine.state is IS.AWAITING_RESULTS
    failure = reply(by_peer[B], Performative.FAILURE, Reason(reason="out of steel"))
    machine.handle(failure, at(6))
    assert state_of(machine) is IS.FAILED
    assert set(machine.results) == {A} and machine.failures == {B: failure}


def test_silent_winner_at_result_by() -> None:
    machine, _, _ = evaluating()
    machine.award([A, B], now=at(4), result_by=at(30))
    assert machine.tick(at(30)) == []
    assert machine.state is IS.FAILED
    assert set(machine.silent_winners) == {A, B}


def test_not_understood_of_an_accept_is_a_failure() -> None:
    machine, _, _ = evaluating()
    accept = only(machine.award([A], now=at(4), reject_reason="no")[1:], Performative.ACCEPT_PROPOSAL)
    machine.handle(reply(accept, Performative.NOT_UNDERSTOOD, Reason(reason="?")), at(5))
    assert machine.state is IS.FAILED and set(machine.failures) == {A}


def test_cancel_goes_to_everybody_still_engaged() -> None:
    machine, cfps = started()
    proposal = offer(cfps[A], 100)
    machine.handle(proposal, at(1))
    machine.handle(reply(cfps[B], Performative.REFUSE, Reason(reason="no")), at(2))
    out = machine.cancel("order withdrawn", now=at(3))
    assert {m.receivers[0] for m in out} == {A, C}
    assert all(m.performative is Performative.CANCEL for m in out)
    assert next(m for m in out if m.receivers == (A,)).in_reply_to == proposal.reply_with
    assert machine.state is IS.CANCELLED


def test_cancel_while_awaiting_results_goes_to_pending_winners() -> None:
    machine, _, _ = evaluating()
    machine.award([A], now=at(4))
    [cancel] = machine.cancel("stop", now=at(5))
    assert cancel.receivers == (A,)


def test_malformed_proposal_gets_not_understood_and_may_be_corrected() -> None:
    machine, cfps = started()
    bad = reply(cfps[A], Performative.PROPOSE, GARBAGE)
    answer = only(machine.handle(bad, at(1)), Performative.NOT_UNDERSTOOD)
    assert answer.in_reply_to == bad.reply_with
    assert machine.proposals == {}
    machine.handle(offer(cfps[A], 100), at(2))
    assert set(machine.proposals) == {A}


def test_proposal_of_the_wrong_type_gets_not_understood() -> None:
    machine, cfps = started(content_types={Performative.PROPOSE: [ProtocolTestOffer]})
    wrong = reply(cfps[A], Performative.PROPOSE, Ping(note="an offer?"))
    answer = only(machine.handle(wrong, at(1)), Performative.NOT_UNDERSTOOD)
    content = decoded(answer)
    assert isinstance(content, Reason) and "ProtocolTestOffer" in content.reason
    assert machine.proposals == {}


def test_out_of_sequence_messages_get_not_understood() -> None:
    machine, cfps = started()
    machine.handle(offer(cfps[A], 100), at(1))
    for message in (
        offer(cfps[A], 80),
        reply(cfps[A], Performative.REFUSE, Reason(reason="changed my mind")),
        reply(cfps[B], Performative.INFORM, Done(action="contract")),
        reply(cfps[B], Performative.AGREE, Ping()),
    ):
        only(machine.handle(message, at(2)), Performative.NOT_UNDERSTOOD)
    assert machine.proposals[A] != offer(cfps[A], 80)
    assert machine.state is IS.COLLECTING


def test_answer_naming_another_participants_cfp_is_unknown() -> None:
    machine, cfps = started()
    crossed = offer(cfps[A], 1, sender=B)
    only(machine.handle(crossed, at(1)), Performative.NOT_UNDERSTOOD)
    assert machine.log.events[-2].code is Anomaly.UNKNOWN_REPLY


def test_duplicate_proposal_is_ignored() -> None:
    machine, cfps = started()
    proposal = offer(cfps[A], 100)
    machine.handle(proposal, at(1))
    assert machine.handle(proposal, at(2)) == []
    assert machine.log.events[-1].code is Anomaly.DUPLICATE


def test_spoofed_proposal_is_ignored() -> None:
    machine, cfps = started()
    spoof = offer(cfps[A], 1, sender=MALLORY)
    assert machine.handle(spoof, at(1)) == []
    assert machine.proposals == {}
    assert machine.log.events[-1].code is Anomaly.UNKNOWN_SENDER


def test_not_understood_of_the_cfp_counts_as_declining() -> None:
    machine, cfps = started((A, B))
    machine.handle(offer(cfps[A], 100), at(1))
    machine.handle(reply(cfps[B], Performative.NOT_UNDERSTOOD, Reason(reason="?")), at(2))
    assert machine.state is IS.EVALUATING
    assert set(machine.refusals) == {B}


def test_failure_instead_of_an_answer_counts_as_declining() -> None:
    machine, cfps = started((A,))
    machine.handle(reply(cfps[A], Performative.FAILURE, Reason(reason="crashed")), at(1))
    assert machine.state is IS.NO_PROPOSALS


def test_application_errors() -> None:
    machine, _, _ = evaluating()
    with pytest.raises(ValueError, match="no proposal"):
        machine.award([C], now=at(4))
    with pytest.raises(ValueError):
        ContractNetInitiator(me=MAKER).start(Ping(), [], now=at(0), reply_by=at(1))
    with pytest.raises(ValueError):
        ContractNetInitiator(me=MAKER).start(Ping(), [MAKER], now=at(0), reply_by=at(1))


# ---------------------------------------------------------------- participant


def participant(cfp: AclMessage | None = None) -> tuple[ContractNetParticipant, AclMessage]:
    if cfp is None:
        _, cfps = started()
        cfp = cfps[A]
    machine = ContractNetParticipant.for_message(cfp, me=A)
    assert machine.handle(cfp, at(1)) == []
    return machine, cfp


def test_participant_happy_path() -> None:
    machine, cfp = participant()
    assert machine.state is PS.CFP_RECEIVED and machine.cfp == cfp
    assert machine.next_deadline == at(10)
    [proposal] = machine.propose(ProtocolTestOffer(price=5), now=at(2), valid_until=at(60))
    assert proposal.in_reply_to == cfp.reply_with and proposal.reply_by == at(60)
    assert state_of(machine) is PS.PROPOSED and machine.next_deadline == at(60)
    accept = reply(proposal, Performative.ACCEPT_PROPOSAL, proposal.content, reply_by=at(200))
    assert machine.handle(accept, at(3)) == []
    assert state_of(machine) is PS.AWARDED and machine.acceptance == accept
    assert machine.next_deadline == at(200)
    [inform] = machine.inform_done(now=at(4))
    assert inform.in_reply_to == accept.reply_with
    assert decoded(inform) == Done(action="contract")
    assert state_of(machine) is PS.DONE


def test_participant_inform_result_and_failure() -> None:
    cases: list[tuple[Callable[[ContractNetParticipant], list[AclMessage]], ContractNetParticipantState]] = [
        (lambda m: m.inform_result(ProtocolTestResult(value="x"), now=at(4)), PS.DONE),
        (lambda m: m.failure("tool broke", now=at(4)), PS.FAILED),
    ]
    for step, state in cases:
        machine, _ = participant()
        [proposal] = machine.propose(ProtocolTestOffer(price=5), now=at(2))
        machine.handle(reply(proposal, Performative.ACCEPT_PROPOSAL, proposal.content), at(3))
        step(machine)
        assert machine.state is state


def test_participant_refuses() -> None:
    machine, cfp = participant()
    [refuse] = machine.refuse("no capacity", now=at(2))
    assert refuse.performative is Performative.REFUSE and refuse.in_reply_to == cfp.reply_with
    assert machine.state is PS.REFUSED


def test_participant_rejected() -> None:
    machine, _ = participant()
    [proposal] = machine.propose(ProtocolTestOffer(price=5), now=at(2))
    machine.handle(reply(proposal, Performative.REJECT_PROPOSAL, Reason(reason="too dear")), at(3))
    assert machine.state is PS.REJECTED
    assert machine.outcome is not None and "too dear" in machine.outcome.reason


def test_lapsed_proposal_then_accept_is_answered_failure() -> None:
    machine, _ = participant()
    [proposal] = machine.propose(ProtocolTestOffer(price=5), now=at(2), valid_until=at(20))
    machine.tick(at(20))
    assert machine.state is PS.TIMED_OUT
    accept = reply(proposal, Performative.ACCEPT_PROPOSAL, proposal.content)
    failure = only(machine.handle(accept, at(21)), Performative.FAILURE)
    assert failure.in_reply_to == accept.reply_with


def test_awarded_without_result_fails_at_the_deadline() -> None:
    machine, _ = participant()
    [proposal] = machine.propose(ProtocolTestOffer(price=5), now=at(2))
    accept = reply(proposal, Performative.ACCEPT_PROPOSAL, proposal.content, reply_by=at(30))
    machine.handle(accept, at(3))
    failure = only(machine.tick(at(30)), Performative.FAILURE)
    assert failure.in_reply_to == accept.reply_with
    assert machine.state is PS.FAILED


def test_participant_cancelled_while_proposed() -> None:
    machine, _ = participant()
    [proposal] = machine.propose(ProtocolTestOffer(price=5), now=at(2))
    cancel = reply(proposal, Performative.CANCEL, Reason(reason="withdrawn"))
    answer = only(machine.handle(cancel, at(3)), Performative.INFORM)
    assert decoded(answer) == Done(action="cancel")
    assert machine.state is PS.CANCELLED


def test_participant_does_not_decide_in_time() -> None:
    machine, _ = participant()
    assert machine.tick(at(10)) == []
    assert machine.state is PS.TIMED_OUT


def test_revised_cfp_is_out_of_sequence_in_plain_contract_net() -> None:
    machine, _ = participant()
    [proposal] = machine.propose(ProtocolTestOffer(price=5), now=at(2))
    revised = reply(proposal, Performative.CFP, ProtocolTestCall(item="gear"))
    only(machine.handle(revised, at(3)), Performative.NOT_UNDERSTOOD)
    assert machine.state is PS.PROPOSED


def test_accept_naming_something_else_gets_not_understood() -> None:
    machine, cfp = participant()
    [proposal] = machine.propose(ProtocolTestOffer(price=5), now=at(2))
    wrong = reply(proposal, Performative.ACCEPT_PROPOSAL, proposal.content, in_reply_to=cfp.reply_with)
    only(machine.handle(wrong, at(3)), Performative.NOT_UNDERSTOOD)
    assert machine.state is PS.PROPOSED


def test_not_understood_of_our_proposal() -> None:
    machine, _ = participant()
    [proposal] = machine.propose(ProtocolTestOffer(price=5), now=at(2))
    machine.handle(reply(proposal, Performative.NOT_UNDERSTOOD, Reason(reason="?")), at(3))
    assert machine.state is PS.NOT_UNDERSTOOD


def test_participant_steps_in_wrong_state_raise() -> None:
    machine, _ = participant()
    with pytest.raises(ConversationStateError):
        machine.inform_done(now=at(2))
    machine.propose(ProtocolTestOffer(price=5), now=at(2))
    with pytest.raises(ConversationStateError):
        machine.propose(ProtocolTestOffer(price=4), now=at(3))


def test_both_roles_together() -> None:
    initiator, cfps = started()
    participants = {p: ContractNetParticipant.for_message(c, me=p) for p, c in cfps.items()}
    for peer, cfp in cfps.items():
        participants[peer].handle(cfp, at(1))
    for peer, price in ((A, 30), (B, 20)):
        [proposal] = participants[peer].propose(ProtocolTestOffer(price=price), now=at(2))
        initiator.handle(proposal, at(2))
    [refuse] = participants[C].refuse("no", now=at(2))
    initiator.handle(refuse, at(2))
    best = min(initiator.proposals, key=lambda p: decoded(initiator.proposals[p]).price)  # type: ignore[attr-defined]
    for message in initiator.award([best], now=at(3)):
        for answer in participants[message.receivers[0]].handle(message, at(3)):
            initiator.handle(answer, at(3))
    for answer in participants[B].inform_done(now=at(4)):
        initiator.handle(answer, at(4))
    assert initiator.state is IS.COMPLETED
    assert [participants[p].state for p in (A, B, C)] == [PS.REJECTED, PS.DONE, PS.REFUSED]
