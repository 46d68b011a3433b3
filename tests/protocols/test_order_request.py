"""The order protocol (``lso-order``): a FIPA request with the order, agree/refuse, then the quotation
negotiated as in Iterated Contract Net; scripted runs and random interleavings (hypothesis)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ontology.common import Reason
from protocols.acl import AclMessage
from protocols.contract_net import ContractNetInitiatorState
from protocols.contract_net_participant import ContractNetParticipantState
from protocols.conversation import ConversationStateError
from protocols.factory import participant_for
from protocols.order_request import OrderInitiator, OrderParticipant, OrderRequestState
from protocols.performative import Performative, ProtocolName
from protocols.snapshot import parse_snapshot, restore
from tests.protocols.contents import ProtocolTestCall, ProtocolTestOffer, ProtocolTestResult
from tests.protocols.helpers import T0, at, decoded
from tests.protocols.test_properties import (
    BOSS,
    CONTENT_TYPES,
    ME,
    PATIENCE,
    SETTINGS,
    Action,
    Harness,
    Machine,
    maybe_time,
    opener,
    run,
    seconds,
)

CUSTOMER, MAKER = "customer@local", "maker@local"
ORDER_SETTINGS = settings(SETTINGS, max_examples=80)
_I = ContractNetInitiatorState
_P = OrderRequestState


def pair(reply_by: datetime | None = None) -> tuple[OrderInitiator, OrderParticipant, AclMessage]:
    """A customer that sent its request (quotation due by ``reply_by``, default 60 s), and the
    manufacturer that received it."""
    reply_by = reply_by or at(60)
    customer = OrderInitiator(me=CUSTOMER, patience=PATIENCE, content_types=CONTENT_TYPES)
    [request] = customer.start(ProtocolTestCall(item="bike"), [MAKER], now=T0, reply_by=reply_by)
    maker = participant_for(request, me=MAKER, patience=PATIENCE, content_types=CONTENT_TYPES)
    assert isinstance(maker, OrderParticipant)
    assert maker.handle(request, T0) == []
    return customer, maker, request


def deliver(to: OrderInitiator | OrderParticipant, out: list[AclMessage], now: datetime) -> list[AclMessage]:
    answers: list[AclMessage] = []
    for message in out:
        answers += to.handle(message, now)
    return answers


def test_the_order_is_requested_agreed_quoted_countered_accepted_and_informed() -> None:
    customer, maker, request = pair()
    assert request.performative is Performative.REQUEST and request.protocol == ProtocolName.ORDER.value
    assert maker.state is _P.REQUESTED and maker.round == 1
    [agree] = maker.agree(now=at(1))
    assert agree.performative is Performative.AGREE and agree.in_reply_to == request.reply_with
    assert deliver(customer, [agree], at(1)) == [] and customer.agreed and customer.state is _I.COLLECTING
    [quote] = maker.propose(ProtocolTestOffer(price=100), now=at(2), valid_until=at(30))
    assert quote.in_reply_to == request.reply_with
    assert deliver(customer, [quote], at(2)) == []
    assert str(customer.state) == _I.EVALUATING
    restored_customer = restore(customer.to_snapshot().model_dump_json())
    restored_maker = restore(maker.to_snapshot().model_dump_json())
    assert isinstance(restored_customer, OrderInitiator) and isinstance(restored_maker, OrderParticipant)
    customer, maker = restored_customer, restored_maker
    assert customer.agreed and maker.agreed
    [counter] = customer.revise(ProtocolTestCall(item="cheaper"), now=at(3), reply_by=at(40))
    assert counter.performative is Performative.CFP and counter.in_reply_to == quote.reply_with
    assert deliver(maker, [counter], at(3)) == [] and maker.state is _P.REQUESTED and maker.round == 2
    with pytest.raises(ConversationStateError):
        maker.agree(now=at(3))  # a counter-offer is not agreed to
    [again] = maker.propose(ProtocolTestOffer(price=90), now=at(4))
    deliver(customer, [again], at(4))
    [accept] = customer.award([MAKER], now=at(5), result_by=at(50))
    assert deliver(maker, [accept], at(5)) == [] and str(maker.state) == _P.ACCEPTED
    [inform] = maker.inform_result(ProtocolTestResult(value="contracts"), now=at(6))
    assert deliver(customer, [inform], at(6)) == []
    assert customer.state is _I.COMPLETED and str(maker.state) == _P.DONE
    assert decoded(customer.results[MAKER]) == ProtocolTestResult(value="contracts")


def test_a_refused_order_ends_the_conversation_with_the_reason() -> None:
    customer, maker, _ = pair()
    [refuse] = maker.refuse(Reason(reason="unknown-product"), now=at(1))
    assert refuse.performative is Performative.REFUSE
    deliver(customer, [refuse], at(1))
    assert customer.state is _I.NO_PROPOSALS and not customer.agreed
    assert decoded(customer.refusals[MAKER]) == Reason(reason="unknown-product")


def test_after_agreeing_the_manufacturer_gives_up_with_failure_not_refuse() -> None:
    customer, maker, _ = pair()
    deliver(customer, maker.agree(now=at(1)), at(1))
    with pytest.raises(ConversationStateError):
        maker.agree(now=at(1))
    [failure] = maker.refuse(Reason(reason="no-supplier"), now=at(2))
    assert failure.performative is Performative.FAILURE and maker.state is _P.FAILED
    deliver(customer, [failure], at(2))
    assert customer.state is _I.NO_PROPOSALS and customer.agreed
    assert decoded(customer.refusals[MAKER]) == Reason(reason="no-supplier")


def test_misplaced_agrees_and_openers_are_not_understood() -> None:
    customer, maker, request = pair()
    [agree] = maker.agree(now=at(1))
    forged = agree.model_copy(update={"in_reply_to": "bogus", "reply_with": "other"})
    [answer] = customer.handle(forged, at(1))
    assert answer.performative is Performative.NOT_UNDERSTOOD and not customer.agreed
    deliver(customer, [agree], at(1))
    twice = agree.model_copy(update={"reply_with": "again"})
    [answer] = customer.handle(twice, at(1))
    assert answer.performative is Performative.NOT_UNDERSTOOD
    deliver(customer, maker.propose(ProtocolTestOffer(price=1), now=at(2)), at(2))
    late = agree.model_copy(update={"reply_with": "late"})
    [answer] = customer.handle(late, at(2))
    assert answer.performative is Performative.NOT_UNDERSTOOD and customer.state is _I.EVALUATING
    # A cfp cannot open an order: the manufacturer expects the request.
    cfp = request.model_copy(update={"performative": Performative.CFP, "reply_with": "cfp"})
    fresh = OrderParticipant.for_message(cfp, me=MAKER, patience=PATIENCE)
    [answer] = fresh.handle(cfp, T0)
    assert answer.performative is Performative.NOT_UNDERSTOOD and fresh.state is _P.AWAITING_REQUEST


def test_the_request_reply_by_bounds_the_quotation_even_after_agree() -> None:
    customer, maker, _ = pair(reply_by=at(10))
    deliver(customer, maker.agree(now=at(1)), at(1))
    assert customer.tick(at(11)) == [] and customer.state is _I.NO_PROPOSALS
    assert maker.tick(at(11)) == [] and maker.state is _P.TIMED_OUT


def test_one_manufacturer_per_order() -> None:
    customer = OrderInitiator(me=CUSTOMER)
    with pytest.raises(ValueError, match="exactly one"):
        customer.start(ProtocolTestCall(item="x"), [MAKER, "other@local"], now=T0, reply_by=at(5))


# ------------------------------------------------------------------ random interleavings

ORDER_REPLIES: dict[Performative, list[Performative]] = {
    Performative.REQUEST: [
        Performative.AGREE,
        Performative.PROPOSE,
        Performative.REFUSE,
        Performative.FAILURE,
        Performative.NOT_UNDERSTOOD,
        Performative.INFORM,
    ],
    Performative.CFP: [Performative.PROPOSE] * 4 + [Performative.REFUSE, Performative.AGREE],
    Performative.AGREE: [Performative.CANCEL, Performative.NOT_UNDERSTOOD],
    Performative.PROPOSE: [Performative.ACCEPT_PROPOSAL] * 3
    + [Performative.REJECT_PROPOSAL, Performative.CFP, Performative.CFP, Performative.CANCEL],
    Performative.ACCEPT_PROPOSAL: [Performative.INFORM] * 3
    + [Performative.FAILURE, Performative.NOT_UNDERSTOOD],
    Performative.REJECT_PROPOSAL: [Performative.NOT_UNDERSTOOD],
    Performative.INFORM: [Performative.CANCEL, Performative.NOT_UNDERSTOOD],
    Performative.REFUSE: [Performative.CANCEL, Performative.NOT_UNDERSTOOD],
    Performative.FAILURE: [Performative.CANCEL, Performative.NOT_UNDERSTOOD],
    Performative.CANCEL: [Performative.INFORM, Performative.FAILURE, Performative.NOT_UNDERSTOOD],
    Performative.NOT_UNDERSTOOD: [Performative.NOT_UNDERSTOOD],
}
ORDER_COOPERATIVE: dict[Performative, list[Performative]] = {
    Performative.REQUEST: [Performative.AGREE] * 2 + [Performative.PROPOSE] * 3 + [Performative.REFUSE],
    Performative.CFP: [Performative.PROPOSE] * 4 + [Performative.REFUSE],
    Performative.PROPOSE: [Performative.ACCEPT_PROPOSAL] * 3
    + [Performative.REJECT_PROPOSAL, Performative.CFP],
    Performative.ACCEPT_PROPOSAL: [Performative.INFORM] * 3 + [Performative.FAILURE],
    Performative.CANCEL: [Performative.INFORM],
}


def customer_actions(machine: Machine) -> list[Action]:
    assert isinstance(machine, OrderInitiator)
    if machine.state is not _I.EVALUATING:
        return []

    def award(data: st.DataObject, now: datetime) -> list[AclMessage]:
        winners = data.draw(st.sampled_from([[], [BOSS]]))
        return machine.award(winners, now=now, result_by=maybe_time(data, now))

    def counter(data: st.DataObject, now: datetime) -> list[AclMessage]:
        return machine.revise(ProtocolTestCall(item="less"), now=now, reply_by=now + seconds(data, 1, 60))

    return [award, counter] if machine.can_revise else [award]


def cancel_order(machine: Machine, now: datetime) -> list[AclMessage]:
    assert isinstance(machine, OrderInitiator)
    return machine.cancel("off", now=now)


def agreed_then_refused(out: list[AclMessage]) -> bool:
    """True when a ``refuse`` answered the request after an ``agree`` to it."""
    agreed: set[str] = set()
    for message in out:
        if message.performative is Performative.AGREE:
            agreed.add(message.in_reply_to or "")
        if message.performative is Performative.REFUSE and message.in_reply_to in agreed:
            return True
    return False


@ORDER_SETTINGS
@given(st.data())
def test_customer_side_random_interleavings(data: st.DataObject) -> None:
    machine = OrderInitiator(me=ME, patience=PATIENCE, content_types=CONTENT_TYPES)
    harness = Harness(
        machine,
        peers=[BOSS],
        fresh_performatives=[Performative.AGREE, Performative.PROPOSE, Performative.INFORM],
        actions=customer_actions,
        cancel=cancel_order,
        plausible_replies=ORDER_REPLIES,
        cooperative_replies=ORDER_COOPERATIVE,
    )
    [request] = harness.emitted(
        machine.start(ProtocolTestCall(item="x"), [BOSS], now=T0, reply_by=T0 + seconds(data, 5, 60))
    )
    assert request.performative is Performative.REQUEST
    run(data, harness)
    final = harness.machine
    assert isinstance(final, OrderInitiator)
    agrees = [
        m
        for m in harness.delivered
        if m.performative is Performative.AGREE and m.in_reply_to == request.reply_with and m.sender == BOSS
    ]
    if final.agreed:
        assert agrees, "agreed only on an agree to our request"
    assert all(m.performative is not Performative.REQUEST for m in harness.outbox[1:])


def manufacturer_actions(machine: Machine) -> list[Action]:
    assert isinstance(machine, OrderParticipant)
    actions: list[Action] = []
    if machine.state is _P.REQUESTED:
        actions += [
            lambda data, now: machine.propose(
                ProtocolTestOffer(price=data.draw(st.integers(0, 9))),
                now=now,
                valid_until=maybe_time(data, now),
            ),
            lambda data, now: machine.refuse("no", now=now),
        ]
        if machine.round == 1 and not machine.agreed:
            actions += [lambda data, now: machine.agree(now=now)] * 2
    if machine.state is _P.ACCEPTED:
        actions += [
            lambda data, now: machine.inform_result(ProtocolTestResult(value="ok"), now=now),
            lambda data, now: machine.failure("broke", now=now),
        ]
    return actions


@ORDER_SETTINGS
@given(st.data())
def test_manufacturer_side_random_interleavings(data: st.DataObject) -> None:
    first = opener(data, Performative.REQUEST, ProtocolName.ORDER.value)
    machine = OrderParticipant.for_message(first, me=ME, patience=PATIENCE, content_types=CONTENT_TYPES)
    harness = Harness(
        machine,
        peers=[BOSS],
        fresh_performatives=[Performative.REQUEST, Performative.CFP, Performative.CANCEL],
        actions=manufacturer_actions,
        plausible_replies=ORDER_REPLIES,
        cooperative_replies=ORDER_COOPERATIVE,
    )
    harness.deliver(first)
    run(data, harness)
    assert not agreed_then_refused(harness.outbox), "after agree, the request is given up with failure"
    agrees = [m for m in harness.outbox if m.performative is Performative.AGREE]
    requests = {m.reply_with for m in harness.delivered if m.performative is Performative.REQUEST}
    assert len(agrees) <= 1 and all(m.in_reply_to in requests for m in agrees)


def test_snapshots_restore_the_order_machines() -> None:
    customer, maker, _ = pair()
    assert type(restore(customer.to_snapshot())) is OrderInitiator
    assert type(restore(maker.to_snapshot())) is OrderParticipant
    assert customer.to_snapshot().protocol is ProtocolName.ORDER


# ------------------------------------------------------------------ snapshots from before OrderRequestState


def written_with_contract_net_states(maker: OrderParticipant, old_state: str) -> dict[str, Any]:
    """``maker``'s snapshot as the order participant wrote it when it used Contract Net's states."""
    snapshot = maker.to_snapshot().model_dump(mode="json")
    return {**snapshot, "kind": "contract-net-participant", "state": old_state}


def in_each_state() -> list[tuple[OrderParticipant, str]]:
    """An order participant in each state that has its own old value, with that value."""
    _, requested, request = pair()
    waiting = OrderParticipant.for_message(request, me=MAKER, patience=PATIENCE, content_types=CONTENT_TYPES)
    _, quoted, _ = pair()
    quoted.propose(ProtocolTestOffer(price=5), now=at(1))
    customer, accepted, _ = pair()
    deliver(customer, accepted.propose(ProtocolTestOffer(price=5), now=at(1)), at(1))
    deliver(accepted, customer.award([MAKER], now=at(2)), at(2))
    _, cancelled, opening = pair()
    cancel = AclMessage.build(
        Performative.CANCEL, CUSTOMER, MAKER, Reason(reason="off"), conversation_id=opening.conversation_id
    )
    cancelled.handle(cancel, at(1))
    return [
        (waiting, ContractNetParticipantState.AWAITING_CFP),
        (requested, ContractNetParticipantState.CFP_RECEIVED),
        (quoted, ContractNetParticipantState.PROPOSED),
        (accepted, ContractNetParticipantState.AWARDED),
        (cancelled, ContractNetParticipantState.CANCELLED),
    ]


def test_an_order_snapshot_with_contract_net_states_restores_with_the_order_states() -> None:
    expected = [_P.AWAITING_REQUEST, _P.REQUESTED, _P.QUOTED, _P.ACCEPTED, _P.CANCELLED]
    for (maker, old_state), state in zip(in_each_state(), expected, strict=True):
        assert maker.state is state
        old = written_with_contract_net_states(maker, old_state)
        for restored in (
            restore(json.dumps(old)),
            restore(old),
            OrderParticipant.from_snapshot(old),
            OrderParticipant.from_snapshot(json.dumps(old)),
        ):
            assert isinstance(restored, OrderParticipant) and restored.state is state
            assert restored.to_snapshot() == maker.to_snapshot()
        parsed = parse_snapshot(old)
        assert parsed.kind == "order-participant" and parsed.state is state


def test_an_old_quoted_order_carries_on_to_its_result_after_restoring() -> None:
    customer, maker, _ = pair()
    [quote] = maker.propose(ProtocolTestOffer(price=5), now=at(1))
    deliver(customer, [quote], at(1))
    restored = restore(json.dumps(written_with_contract_net_states(maker, "proposed")))
    assert isinstance(restored, OrderParticipant)
    deliver(restored, customer.award([MAKER], now=at(2)), at(2))
    assert restored.state is _P.ACCEPTED
    deliver(customer, restored.inform_result(ProtocolTestResult(value="ok"), now=at(3)), at(3))
    assert str(restored.state) == _P.DONE and customer.state is _I.COMPLETED
    assert restored.to_snapshot().kind == "order-participant"
