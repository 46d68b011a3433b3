from __future__ import annotations

import pytest

from ontology.common import Ping, Reason
from protocols.acl import AclMessage
from protocols.contract_net import LATE_REASON, ContractNetInitiatorState, ContractNetParticipantState
from protocols.conversation import ConversationStateError
from protocols.iterated_contract_net import (
    NOT_INVITED_REASON,
    IteratedContractNetInitiator,
    IteratedContractNetParticipant,
)
from protocols.performative import Performative, ProtocolName
from tests.protocols.contents import ProtocolTestCall, ProtocolTestOffer
from tests.protocols.helpers import at, decoded, reply, state_of

MAKER = "maker@local"
A, B, C = "s1@local", "s2@local", "s3@local"
IS = ContractNetInitiatorState
PS = ContractNetParticipantState


def offer(to: AclMessage, price: int) -> AclMessage:
    return reply(to, Performative.PROPOSE, ProtocolTestOffer(price=price))


def round_one(max_rounds: int = 3) -> tuple[IteratedContractNetInitiator, dict[str, AclMessage]]:
    machine = IteratedContractNetInitiator(me=MAKER, max_rounds=max_rounds)
    cfps = {
        m.receivers[0]: m
        for m in machine.start(ProtocolTestCall(item="gear"), [A, B, C], now=at(0), reply_by=at(10))
    }
    proposals = {A: offer(cfps[A], 100), B: offer(cfps[B], 90)}
    for proposal in proposals.values():
        machine.handle(proposal, at(1))
    machine.tick(at(10))
    assert machine.state is IS.EVALUATING and machine.silent == (C,)
    return machine, proposals


def test_protocol_name() -> None:
    machine, _ = round_one()
    assert machine.protocol is ProtocolName.ITERATED_CONTRACT_NET
    assert machine.rounds[0].cfps.keys() == {A, B, C}


def test_revise_to_every_proposer_then_award() -> None:
    machine, first = round_one()
    assert machine.can_revise
    revised = machine.revise(ProtocolTestCall(item="cheaper gear"), now=at(11), reply_by=at(20))
    assert [m.performative for m in revised] == [Performative.CFP, Performative.CFP]
    by_peer = {m.receivers[0]: m for m in revised}
    assert by_peer[A].in_reply_to == first[A].reply_with
    assert by_peer[A].reply_by == at(20)
    assert machine.round == 2 and machine.state is IS.COLLECTING and machine.proposals == {}
    second = {A: offer(by_peer[A], 80), B: offer(by_peer[B], 85)}
    for proposal in second.values():
        machine.handle(proposal, at(12))
    assert state_of(machine) is IS.EVALUATING
    assert machine.proposals == second
    assert machine.rounds[0].proposals == first
    out = machine.award([A], now=at(13))
    assert {(m.performative, m.receivers[0]) for m in out} == {
        (Performative.ACCEPT_PROPOSAL, A),
        (Performative.REJECT_PROPOSAL, B),
    }


def test_revise_to_a_subset_rejects_the_others() -> None:
    machine, first = round_one()
    out = machine.revise(ProtocolTestCall(item="gear"), now=at(11), reply_by=at(20), to=[B])
    reject = next(m for m in out if m.performative is Performative.REJECT_PROPOSAL)
    assert reject.receivers == (A,) and reject.in_reply_to == first[A].reply_with
    assert decoded(reject) == Reason(reason=NOT_INVITED_REASON)
    assert [m.receivers[0] for m in out if m.performative is Performative.CFP] == [B]
    assert machine.rounds[1].cfps.keys() == {B}


def test_max_rounds_guard() -> None:
    machine, _ = round_one(max_rounds=2)
    [cfp] = [
        m
        for m in machine.revise(Ping(), now=at(11), reply_by=at(20), to=[A])
        if m.performative is Performative.CFP
    ]
    machine.handle(offer(cfp, 70), at(12))
    assert machine.state is IS.EVALUATING and not machine.can_revise
    with pytest.raises(ConversationStateError, match="last"):
        machine.revise(Ping(), now=at(13), reply_by=at(30))
    machine.award([A], now=at(13))
    assert state_of(machine) is IS.AWAITING_RESULTS


def test_nobody_bids_again() -> None:
    machine, _ = round_one()
    for cfp in machine.revise(Ping(), now=at(11), reply_by=at(20)):
        machine.handle(reply(cfp, Performative.REFUSE, Reason(reason="cannot go lower")), at(12))
    assert machine.state is IS.NO_PROPOSALS


def test_silent_in_the_second_round() -> None:
    machine, _ = round_one()
    [cfp_a, _] = machine.revise(Ping(), now=at(11), reply_by=at(20))
    machine.handle(offer(cfp_a, 60), at(12))
    machine.tick(at(20))
    assert machine.state is IS.EVALUATING
    assert machine.silent == (B,)
    assert machine.rounds[0].silent == [C]


def test_late_proposal_of_an_earlier_round_is_rejected_as_late() -> None:
    machine = IteratedContractNetInitiator(me=MAKER)
    cfps = {m.receivers[0]: m for m in machine.start(Ping(), [A, C], now=at(0), reply_by=at(10))}
    machine.handle(offer(cfps[A], 100), at(1))
    machine.tick(at(10))
    machine.revise(Ping(), now=at(11), reply_by=at(20))
    [answer] = machine.handle(offer(cfps[C], 1), at(12))
    assert answer.performative is Performative.REJECT_PROPOSAL
    assert decoded(answer) == Reason(reason=LATE_REASON)
    assert machine.state is IS.COLLECTING and machine.round == 2
    assert machine.rounds[0].late == [C]


def test_revise_errors() -> None:
    machine, _ = round_one()
    with pytest.raises(ValueError, match="proposers"):
        machine.revise(Ping(), now=at(11), reply_by=at(20), to=[C])
    with pytest.raises(ValueError):
        machine.revise(Ping(), now=at(11), reply_by=at(20), to=[])
    with pytest.raises(ValueError):
        IteratedContractNetInitiator(me=MAKER, max_rounds=0)


# ---------------------------------------------------------------- participant


def proposed() -> tuple[IteratedContractNetParticipant, AclMessage]:
    initiator = IteratedContractNetInitiator(me=MAKER)
    [cfp] = initiator.start(ProtocolTestCall(item="gear"), [A], now=at(0), reply_by=at(10))
    machine = IteratedContractNetParticipant.for_message(cfp, me=A)
    machine.handle(cfp, at(1))
    [proposal] = machine.propose(ProtocolTestOffer(price=100), now=at(2))
    return machine, proposal


def test_participant_bids_again_and_wins() -> None:
    machine, proposal = proposed()
    revised = reply(proposal, Performative.CFP, ProtocolTestCall(item="gear"), reply_by=at(30))
    assert machine.handle(revised, at(3)) == []
    assert machine.state is PS.CFP_RECEIVED and machine.round == 2 and machine.cfp == revised
    assert machine.proposal is None and machine.next_deadline == at(30)
    [second] = machine.propose(ProtocolTestOffer(price=90), now=at(4))
    assert second.in_reply_to == revised.reply_with
    machine.handle(reply(second, Performative.ACCEPT_PROPOSAL, second.content), at(5))
    assert state_of(machine) is PS.AWARDED
    machine.inform_done(now=at(6))
    assert state_of(machine) is PS.DONE


def test_participant_refuses_the_second_round() -> None:
    machine, proposal = proposed()
    machine.handle(reply(proposal, Performative.CFP, Ping()), at(3))
    machine.refuse("that is my best price", now=at(4))
    assert machine.state is PS.REFUSED


def test_revised_cfp_without_in_reply_to_is_accepted() -> None:
    machine, proposal = proposed()
    machine.handle(reply(proposal, Performative.CFP, Ping(), in_reply_to=None), at(3))
    assert machine.round == 2


def test_revised_cfp_naming_something_else_is_not_understood() -> None:
    machine, proposal = proposed()
    [answer] = machine.handle(reply(proposal, Performative.CFP, Ping(), in_reply_to="nope"), at(3))
    assert answer.performative is Performative.NOT_UNDERSTOOD
    assert machine.state is PS.PROPOSED


def test_plain_contract_net_message_is_the_wrong_protocol() -> None:
    machine, proposal = proposed()
    revised = reply(proposal, Performative.CFP, Ping(), protocol=ProtocolName.CONTRACT_NET.value)
    [answer] = machine.handle(revised, at(3))
    assert answer.performative is Performative.NOT_UNDERSTOOD
