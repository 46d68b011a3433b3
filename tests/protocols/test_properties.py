"""Property tests: random interleavings of valid, duplicate, late, spoofed, malformed and
out-of-sequence messages, application steps, restarts and ticks, for every machine.

Whatever happens: no exception leaves ``handle``/``tick``; every emitted message is well-formed
(our conversation-id and protocol, in-reply-to naming a message we received, one receiver who is a
participant); ``not-understood`` never changes the state and is never sent in answer to a
``not-understood``; duplicates, spoofs and other conversations get no answer; and after a final
tick past every deadline the machine is finished in one of its terminal states.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ontology.codec import Content, decode
from ontology.common import Done, Ping, Reason
from protocols.acl import AclMessage
from protocols.contract_net import LATE_REASON, ContractNetInitiator, ContractNetInitiatorState
from protocols.contract_net_participant import ContractNetParticipant, ContractNetParticipantState
from protocols.conversation import Conversation
from protocols.iterated_contract_net import IteratedContractNetInitiator, IteratedContractNetParticipant
from protocols.performative import Performative
from protocols.request import (
    RequestInitiator,
    RequestInitiatorState,
    RequestParticipant,
    RequestParticipantState,
)
from protocols.snapshot import restore
from tests.protocols.contents import ProtocolTestCall, ProtocolTestOffer, ProtocolTestResult
from tests.protocols.helpers import FOREIGN_ONTOLOGY, GARBAGE, T0, check_outgoing, check_terminal_consistency

ME, BOSS, OUTSIDER = "me@local", "boss@local", "mallory@local"
SUPPLIERS = ("s1@local", "s2@local", "s3@local")
PATIENCE = timedelta(seconds=30)
FAR_FUTURE = timedelta(days=1000)
CONTENT_TYPES: dict[Performative, list[type[Content]]] = {
    Performative.PROPOSE: [ProtocolTestOffer],
    Performative.REQUEST: [ProtocolTestCall],
    Performative.CFP: [ProtocolTestCall],
    Performative.INFORM: [Done, ProtocolTestResult],
}
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

Machine = Conversation[Any]
Action = Callable[[st.DataObject, datetime], list[AclMessage]]


def seconds(data: st.DataObject, low: int, high: int) -> timedelta:
    return timedelta(seconds=data.draw(st.integers(low, high)))


def maybe_time(data: st.DataObject, now: datetime) -> datetime | None:
    if data.draw(st.booleans()):
        return None
    return now + seconds(data, 1, 120)


def valid_content(data: st.DataObject, performative: Performative) -> Content:
    match performative:
        case (
            Performative.REFUSE
            | Performative.FAILURE
            | Performative.CANCEL
            | Performative.REJECT_PROPOSAL
            | Performative.NOT_UNDERSTOOD
        ):
            return Reason(reason="because")
        case Performative.PROPOSE | Performative.ACCEPT_PROPOSAL:
            return ProtocolTestOffer(price=data.draw(st.integers(0, 100)))
        case Performative.INFORM:
            return data.draw(st.sampled_from([Done(action="contract"), ProtocolTestResult(value="r")]))
        case Performative.REQUEST | Performative.CFP:
            return ProtocolTestCall(item="gear")
        case _:
            return Ping()


PLAUSIBLE_REPLIES: dict[Performative, list[Performative]] = {
    Performative.REQUEST: [
        Performative.AGREE,
        Performative.INFORM,
        Performative.REFUSE,
        Performative.FAILURE,
        Performative.NOT_UNDERSTOOD,
    ],
    Performative.AGREE: [Performative.CANCEL, Performative.NOT_UNDERSTOOD],
    Performative.CFP: [Performative.PROPOSE] * 6 + [Performative.REFUSE, Performative.NOT_UNDERSTOOD],
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
ANY_PERFORMATIVE = sorted(
    {p for group in PLAUSIBLE_REPLIES.values() for p in group} | {Performative.QUERY_IF}
)

COOPERATIVE: dict[Performative, list[Performative]] = {
    Performative.REQUEST: [Performative.AGREE] * 2 + [Performative.INFORM] * 3 + [Performative.REFUSE],
    Performative.CFP: [Performative.PROPOSE] * 4 + [Performative.REFUSE],
    Performative.PROPOSE: [Performative.ACCEPT_PROPOSAL] * 3
    + [Performative.REJECT_PROPOSAL, Performative.CFP],
    Performative.ACCEPT_PROPOSAL: [Performative.INFORM] * 3 + [Performative.FAILURE],
    Performative.CANCEL: [Performative.INFORM],
}
"""Answers a well-behaved peer gives to the messages we send it."""
TIME_STEPS = st.sampled_from([0, 0, 0, 1, 1, 1, 2, 3, 5, 10, 45])
BAD_CONTENT: st.SearchStrategy[Content | str] = st.sampled_from(
    [GARBAGE, FOREIGN_ONTOLOGY, Ping(note="wrong type")]
)


@dataclass
class Harness:
    machine: Machine
    peers: list[str]
    fresh_performatives: list[Performative]
    """What a peer may send out of the blue (opening a conversation, cancelling...)."""
    actions: Callable[[Machine], list[Action]]
    cancel: Callable[[Machine, datetime], list[AclMessage]] | None = None
    """The initiator's cancel step, when it has one and it is allowed now."""
    now: datetime = T0
    answerable: set[str] = field(default_factory=set)
    delivered: list[AclMessage] = field(default_factory=list)
    outbox: list[AclMessage] = field(default_factory=list)
    settled: set[str] = field(default_factory=set)
    """Reply-with of our messages a peer already gave its final answer to."""
    plausible_replies: dict[Performative, list[Performative]] = field(
        default_factory=lambda: PLAUSIBLE_REPLIES
    )
    cooperative_replies: dict[Performative, list[Performative]] = field(default_factory=lambda: COOPERATIVE)
    """What a peer answers to each of our messages (plausibly; when cooperative)."""

    # ------------------------------------------------------------ messages from peers

    def message(
        self,
        data: st.DataObject,
        *,
        cooperative: bool = False,
        bad_reply: bool = False,
        bad_content: bool = False,
        any_performative: bool = False,
        sender: str | None = None,
        conversation_id: str | None = None,
    ) -> AclMessage:
        replies = self.cooperative_replies
        pending = [m for m in self.outbox if m.performative in replies and m.reply_with not in self.settled]
        if cooperative and pending:
            target = data.draw(st.sampled_from(pending))
            performative = data.draw(st.sampled_from(replies[target.performative]))
            author, in_reply_to = target.receivers[0], target.reply_with
        elif self.outbox and data.draw(st.integers(0, 4)) > 0:
            target = data.draw(st.sampled_from(self.outbox))
            plausible = ANY_PERFORMATIVE if any_performative else self.plausible_replies[target.performative]
            performative = data.draw(st.sampled_from(plausible))
            author, in_reply_to = target.receivers[0], target.reply_with
        else:
            performative = data.draw(st.sampled_from(self.fresh_performatives))
            author, in_reply_to = data.draw(st.sampled_from(self.peers)), None
        if bad_reply:
            others = [m.reply_with for m in self.outbox if m.reply_with != in_reply_to]
            in_reply_to = data.draw(st.sampled_from([None, "bogus", *others]))
        content: Content | str = data.draw(BAD_CONTENT) if bad_content else valid_content(data, performative)
        return AclMessage.build(
            performative,
            sender or author,
            self.machine.me,
            content,
            protocol=self.machine.protocol.value,
            conversation_id=conversation_id or self.machine.conversation_id,
            in_reply_to=in_reply_to,
            reply_by=maybe_time(data, self.now),
        )

    # ------------------------------------------------------------ driving, with invariants

    def emitted(self, out: list[AclMessage]) -> list[AclMessage]:
        check_outgoing(self.machine, out, self.answerable)
        check_terminal_consistency(self.machine)
        self.outbox.extend(out)
        return out

    def deliver(self, message: AclMessage, *, tick_first: bool = True) -> list[AclMessage]:
        """Hand ``message`` over; without ``tick_first``, handle must process due deadlines itself."""
        self.answerable.add(message.reply_with or "")
        self.delivered.append(message)
        if message.performative is not Performative.AGREE and message.in_reply_to:
            self.settled.add(message.in_reply_to)
        if tick_first:
            self.emitted(self.machine.tick(self.now))
        deadline = self.machine.next_deadline
        if deadline is not None and self.now >= deadline:
            return self.emitted(self.machine.handle(message, self.now))
        was_finished = self.machine.finished
        state = self.machine.state
        out = self.emitted(self.machine.handle(message, self.now))
        answers = [m for m in out if m.in_reply_to == message.reply_with]
        if any(m.performative is Performative.NOT_UNDERSTOOD for m in answers):
            assert self.machine.state == state, "not-understood must not change the state"
            assert message.performative is not Performative.NOT_UNDERSTOOD
        if was_finished:
            assert {m.performative for m in out} <= {Performative.REJECT_PROPOSAL, Performative.FAILURE}
        for answer in answers:
            if (
                answer.performative is Performative.REJECT_PROPOSAL
                and message.performative is Performative.PROPOSE
            ):
                assert decode(answer.content) == Reason(reason=LATE_REASON)
        return out

    def ignored(self, message: AclMessage) -> None:
        self.emitted(self.machine.tick(self.now))
        assert self.machine.handle(message, self.now) == []

    def step(self, data: st.DataObject) -> None:
        """One random thing happens: time passes, a message arrives, the application decides..."""
        self.now += timedelta(seconds=data.draw(TIME_STEPS))
        op = data.draw(
            st.sampled_from(
                ["cooperative"] * 6
                + ["valid"] * 2
                + ["app"] * 4
                + ["tick"] * 2
                + [
                    "out-of-sequence",
                    "bad-reply",
                    "malformed",
                    "duplicate",
                    "spoof",
                    "foreign",
                    "restart",
                    "cancel",
                ]
            )
        )
        match op:
            case "cooperative":
                self.deliver(self.message(data, cooperative=True))
            case "valid":
                self.deliver(self.message(data), tick_first=data.draw(st.booleans()))
            case "out-of-sequence":
                self.deliver(self.message(data, any_performative=True))
            case "bad-reply":
                self.deliver(self.message(data, bad_reply=True))
            case "malformed":
                self.deliver(self.message(data, bad_content=True))
            case "duplicate" if self.delivered:
                self.ignored(data.draw(st.sampled_from(self.delivered)))
            case "spoof":
                self.ignored(self.message(data, sender=OUTSIDER))
            case "foreign":
                self.ignored(self.message(data, conversation_id="another-conversation"))
            case "tick":
                self.emitted(self.machine.tick(self.now))
            case "restart":
                before = self.machine.to_snapshot()
                self.machine = restore(before.model_dump_json())
                assert self.machine.to_snapshot() == before
            case "app":
                actions = self.actions(self.machine)
                if actions:
                    action = data.draw(st.sampled_from(actions))
                    self.emitted(action(data, self.now))
            case "cancel" if self.cancel is not None and self.machine.state in CANCELLABLE:
                self.emitted(self.cancel(self.machine, self.now))

    def finish(self) -> None:
        self.emitted(self.machine.tick(self.now + FAR_FUTURE))
        assert self.machine.finished, f"still {self.machine.state} after every deadline"
        assert self.machine.state in self.machine.terminal_states
        assert self.machine.next_deadline is None


def run(data: st.DataObject, harness: Harness) -> None:
    for _ in range(data.draw(st.integers(3, 40))):
        harness.step(data)
    harness.finish()


# ------------------------------------------------------------------ request


CANCELLABLE = {
    RequestInitiatorState.AWAITING_RESPONSE,
    RequestInitiatorState.AGREED,
    ContractNetInitiatorState.COLLECTING,
    ContractNetInitiatorState.EVALUATING,
    ContractNetInitiatorState.AWAITING_RESULTS,
}


def cancel_request(machine: Machine, now: datetime) -> list[AclMessage]:
    assert isinstance(machine, RequestInitiator)
    return machine.cancel("changed my mind", now=now)


@SETTINGS
@given(st.data())
def test_request_initiator(data: st.DataObject) -> None:
    machine = RequestInitiator(me=ME, patience=PATIENCE, content_types=CONTENT_TYPES)
    reply_by = T0 + seconds(data, 5, 60)
    result_by = data.draw(st.one_of(st.none(), st.just(reply_by + seconds(data, 0, 60))))
    harness = Harness(
        machine,
        peers=[SUPPLIERS[0]],
        fresh_performatives=[Performative.INFORM, Performative.CANCEL],
        actions=lambda machine: [],
        cancel=cancel_request,
    )
    harness.emitted(
        machine.start(
            ProtocolTestCall(item="x"), SUPPLIERS[0], now=T0, reply_by=reply_by, result_by=result_by
        )
    )
    run(data, harness)


def request_participant_actions(machine: Machine) -> list[Action]:
    assert isinstance(machine, RequestParticipant)
    received = machine.state is RequestParticipantState.REQUEST_RECEIVED
    agreed = machine.state is RequestParticipantState.AGREED
    actions: list[Action] = []
    if received:
        actions.append(lambda data, now: machine.agree(now=now, result_by=maybe_time(data, now)))
        actions.append(lambda data, now: machine.refuse("busy", now=now))
    if received or agreed:
        actions.append(lambda data, now: machine.inform(ProtocolTestResult(value="ok"), now=now))
        actions.append(lambda data, now: machine.inform(now=now))
        actions.append(lambda data, now: machine.failure("broken", now=now))
    return actions


def opener(data: st.DataObject, performative: Performative, protocol: str) -> AclMessage:
    valid = data.draw(st.integers(0, 4)) > 0
    content: Content | str = ProtocolTestCall(item="x") if valid else data.draw(BAD_CONTENT)
    return AclMessage.build(
        performative,
        BOSS,
        ME,
        content,
        protocol=protocol,
        conversation_id="conversation-1",
        reply_by=maybe_time(data, T0),
    )


@SETTINGS
@given(st.data())
def test_request_participant(data: st.DataObject) -> None:
    first = opener(data, Performative.REQUEST, "fipa-request")
    machine = RequestParticipant.for_message(first, me=ME, patience=PATIENCE, content_types=CONTENT_TYPES)
    harness = Harness(
        machine,
        peers=[BOSS],
        fresh_performatives=[Performative.REQUEST, Performative.CANCEL],
        actions=request_participant_actions,
    )
    harness.deliver(first)
    run(data, harness)


# ------------------------------------------------------------------ contract net


def initiator_actions(machine: Machine) -> list[Action]:
    assert isinstance(machine, ContractNetInitiator)
    if machine.state is not ContractNetInitiatorState.EVALUATING:
        return []
    proposers = sorted(machine.proposals)

    def award(data: st.DataObject, now: datetime) -> list[AclMessage]:
        nobody = data.draw(st.integers(0, 4)) == 0
        winners = [] if nobody else data.draw(st.lists(st.sampled_from(proposers), unique=True, min_size=1))
        return machine.award(winners, now=now, result_by=maybe_time(data, now))

    def revise(data: st.DataObject, now: datetime) -> list[AclMessage]:
        assert isinstance(machine, IteratedContractNetInitiator)
        invited = data.draw(st.lists(st.sampled_from(proposers), unique=True, min_size=1))
        return machine.revise(Ping(), now=now, reply_by=now + seconds(data, 1, 60), to=invited)

    if isinstance(machine, IteratedContractNetInitiator) and machine.can_revise:
        return [award, revise]
    return [award]


def cancel_contract_net(machine: Machine, now: datetime) -> list[AclMessage]:
    assert isinstance(machine, ContractNetInitiator)
    return machine.cancel("off", now=now)


@SETTINGS
@given(st.data(), st.booleans())
def test_contract_net_initiator(data: st.DataObject, iterated: bool) -> None:
    cls = IteratedContractNetInitiator if iterated else ContractNetInitiator
    machine = cls(me=ME, patience=PATIENCE, content_types=CONTENT_TYPES)
    peers = data.draw(st.lists(st.sampled_from(SUPPLIERS), unique=True, min_size=2))
    harness = Harness(
        machine,
        peers=peers,
        fresh_performatives=[Performative.PROPOSE, Performative.INFORM],
        actions=initiator_actions,
        cancel=cancel_contract_net,
    )
    harness.emitted(
        machine.start(ProtocolTestCall(item="x"), peers, now=T0, reply_by=T0 + seconds(data, 5, 60))
    )
    run(data, harness)


def participant_actions(machine: Machine) -> list[Action]:
    assert isinstance(machine, ContractNetParticipant)
    if machine.state is ContractNetParticipantState.CFP_RECEIVED:
        return [
            lambda data, now: machine.propose(
                ProtocolTestOffer(price=data.draw(st.integers(0, 9))),
                now=now,
                valid_until=maybe_time(data, now),
            ),
            lambda data, now: machine.propose(ProtocolTestOffer(price=1), now=now),
            lambda data, now: machine.refuse("no", now=now),
        ]
    if machine.state is ContractNetParticipantState.AWARDED:
        return [
            lambda data, now: machine.inform_done(now=now),
            lambda data, now: machine.inform_result(ProtocolTestResult(value="ok"), now=now),
            lambda data, now: machine.failure("broke", now=now),
        ]
    return []


@SETTINGS
@given(st.data(), st.booleans())
def test_contract_net_participant(data: st.DataObject, iterated: bool) -> None:
    cls = IteratedContractNetParticipant if iterated else ContractNetParticipant
    first = opener(data, Performative.CFP, cls.protocol_name.value)
    machine = cls.for_message(first, me=ME, patience=PATIENCE, content_types=CONTENT_TYPES)
    harness = Harness(
        machine,
        peers=[BOSS],
        fresh_performatives=[Performative.CFP, Performative.CANCEL, Performative.ACCEPT_PROPOSAL],
        actions=participant_actions,
    )
    harness.deliver(first)
    run(data, harness)
