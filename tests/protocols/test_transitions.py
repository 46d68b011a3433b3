"""Every machine's transition table, walked: states, reachability, ways out, handlers, refusals.
(That every state change the other protocol tests cause is in the table is checked by conftest.py.)"""

from __future__ import annotations

import inspect
from dataclasses import replace
from enum import StrEnum
from itertools import combinations
from typing import Any

import pytest

import protocols
from ontology.common import Reason
from protocols.acl import AclMessage
from protocols.contract_net_participant import ContractNetParticipant, ContractNetParticipantState
from protocols.conversation import Conversation, Unexpected
from protocols.diagrams import MACHINES
from protocols.events import Anomaly, EventKind
from protocols.participant import ParticipantConversation
from protocols.performative import Performative
from protocols.transitions import Receive, Row, TransitionTable
from tests.protocols.helpers import T0, at
from tests.protocols.transition_audit import audit_transitions

ME, PEER = "me@local", "peer@local"
MachineClass = type[Conversation[Any]]
CLASSES = [machine for _, machine in MACHINES]


def state_enum(machine: MachineClass) -> type[StrEnum]:
    annotation = machine.snapshot_model.model_fields["state"].annotation
    assert isinstance(annotation, type) and issubclass(annotation, StrEnum)
    return annotation


def reachable(table: TransitionTable) -> set[str]:
    seen, todo = {table.initial}, [table.initial]
    while todo:
        for target in table.targets(todo.pop()) - seen:
            seen.add(target)
            todo.append(target)
    return seen


def in_state(machine: MachineClass, state: str) -> Conversation[Any]:
    """A machine of class ``machine`` in ``state``, talking with PEER."""
    fields: dict[str, Any] = {"me": ME, "conversation_id": "c-1", "protocol": machine.protocol_name}
    if issubclass(machine, ParticipantConversation):
        fields["initiator"] = PEER
    elif "participants" in machine.snapshot_model.model_fields:
        fields["participants"] = [PEER]
    else:
        fields["participant"] = PEER
    return machine.from_snapshot({**fields, "state": state})


def concrete_machines(cls: MachineClass = Conversation) -> set[MachineClass]:
    found: set[MachineClass] = set()
    for sub in cls.__subclasses__():
        if sub.__module__.startswith(f"{protocols.__name__}.") and not inspect.isabstract(sub):
            found.add(sub)
        found |= concrete_machines(sub)
    return found


def test_every_machine_of_the_package_has_a_table_and_a_diagram() -> None:
    assert concrete_machines() == set(CLASSES)
    tables = [machine.transitions for machine in CLASSES]
    assert all(one != other for one, other in combinations(tables, 2)), "a machine reuses another's table"


@pytest.mark.parametrize("machine", CLASSES, ids=lambda m: m.__name__)
def test_the_table_names_exactly_the_machine_states(machine: MachineClass) -> None:
    table = machine.transitions
    assert table.states() == set(state_enum(machine))
    assert table.initial == machine.snapshot_model.model_fields["state"].default


@pytest.mark.parametrize("machine", CLASSES, ids=lambda m: m.__name__)
def test_every_state_is_reachable_and_every_open_state_can_end(machine: MachineClass) -> None:
    table = machine.transitions
    assert reachable(table) == table.states()
    for state in table.states() - table.final:
        assert state in table.rows, f"{state} has no row"
        assert table.targets(state) - {state}, f"{state} has no way out"
        assert reachable(replace(table, initial=state)) & table.final, f"{state} never ends"


@pytest.mark.parametrize("machine", CLASSES, ids=lambda m: m.__name__)
def test_every_handler_check_and_step_named_exists(machine: MachineClass) -> None:
    for state, row in machine.transitions.rows.items():
        for performative, entry in row.receive.items():
            assert performative is not Performative.NOT_UNDERSTOOD
            assert entry.to, f"{state}: {performative} leads nowhere"
            for name in filter(None, (entry.handler, entry.check)):
                assert callable(getattr(machine, name, None)), f"{machine.__name__}.{name}"
        for step, targets in row.steps.items():
            assert not step.startswith("_") and callable(getattr(machine, step, None)), step
            assert targets, f"{state}: {step}() leads nowhere"
        assert (row.deadline == ()) == (state == machine.transitions.initial and not row.receive)


@pytest.mark.parametrize("machine", CLASSES, ids=lambda m: m.__name__)
def test_a_performative_missing_from_a_row_is_not_understood(machine: MachineClass) -> None:
    for state, row in machine.transitions.rows.items():
        for performative in set(Performative) - row.receive.keys() - {Performative.NOT_UNDERSTOOD}:
            conversation = in_state(machine, state)
            message = AclMessage.build(
                performative, PEER, ME, Reason(reason="x"), conversation_id="c-1", reply_with="m-1"
            )
            route = conversation._route(message, T0)
            expected = f"{performative} is not expected in state {state}"
            assert route == Unexpected(Anomaly.OUT_OF_SEQUENCE, expected)
            [answer] = conversation.handle(message, T0)
            assert answer.performative is Performative.NOT_UNDERSTOOD and answer.in_reply_to == "m-1"
            assert conversation.state == state
            [event] = conversation.log.with_code(Anomaly.OUT_OF_SEQUENCE)
            assert event.kind is EventKind.NOT_UNDERSTOOD and event.detail == expected


@pytest.mark.parametrize(
    "machine", [m for m in CLASSES if issubclass(m, ParticipantConversation)], ids=lambda m: m.__name__
)
def test_the_initiator_may_cancel_a_participant_in_every_state_that_is_not_final(
    machine: MachineClass,
) -> None:
    table = machine.transitions
    for state in table.states() - table.final:
        entry = table.row(state).receive[Performative.CANCEL]
        assert entry.handler == "_on_cancel" and len(entry.to) == 1 and entry.to[0] in table.final


@pytest.mark.parametrize("machine", CLASSES, ids=lambda m: m.__name__)
def test_a_performative_in_a_row_is_routed_to_its_handler_or_its_check(machine: MachineClass) -> None:
    for state, row in machine.transitions.rows.items():
        for performative, entry in row.receive.items():
            conversation = in_state(machine, state)
            message = AclMessage.build(performative, PEER, ME, Reason(reason="x"), conversation_id="c-1")
            route = conversation._route(message, T0)
            if isinstance(route, Unexpected):
                assert entry.check is not None and route == getattr(conversation, entry.check)(message)
            else:
                assert route == getattr(conversation, entry.handler)


S = ContractNetParticipantState
REAL = ContractNetParticipant.transitions


class ForgetsTheDeadline(ContractNetParticipant):
    transitions = replace(
        REAL, rows={**REAL.rows, S.CFP_RECEIVED: replace(REAL.row(S.CFP_RECEIVED), deadline=())}
    )


class ForgetsTheVerdict(ContractNetParticipant):
    transitions = REAL.receiving(
        S.PROPOSED, Performative.ACCEPT_PROPOSAL, Receive("_on_verdict", (S.REJECTED,), "_check_verdict")
    )


class ForgetsTheProposal(ContractNetParticipant):
    transitions = replace(REAL, rows={**REAL.rows, S.CFP_RECEIVED: Row(deadline=(S.TIMED_OUT,))})


def cfp() -> AclMessage:
    return AclMessage.build(
        Performative.CFP, PEER, ME, Reason(reason="call"), conversation_id="c-1", reply_by=at(10)
    )


def proposed(machine: type[ContractNetParticipant]) -> tuple[ContractNetParticipant, AclMessage]:
    call = cfp()
    participant = machine.for_message(call, me=ME)
    participant.handle(call, T0)
    [proposal] = participant.propose(Reason(reason="offer"), now=at(1))
    return participant, proposal


def test_the_audit_reports_a_deadline_the_table_does_not_list() -> None:
    with audit_transitions() as violations:
        for machine in (ContractNetParticipant, ForgetsTheDeadline):
            call = cfp()
            participant = machine.for_message(call, me=ME)
            participant.handle(call, T0)
            participant.tick(at(11))
    assert violations == [
        "ForgetsTheDeadline: cfp-received -> timed-out on deadline in cfp-received"
        " is not in its transition table"
    ]


def test_the_audit_reports_a_message_or_a_step_leading_elsewhere_than_the_table_says() -> None:
    with audit_transitions() as violations:
        for machine in (ContractNetParticipant, ForgetsTheVerdict, ForgetsTheProposal):
            participant, proposal = proposed(machine)
            accept = proposal.create_reply(Performative.ACCEPT_PROPOSAL, Reason(reason="yes"), sender=PEER)
            participant.handle(accept, at(2))
    assert violations == [
        "ForgetsTheVerdict: proposed -> awarded on accept-proposal in proposed"
        " is not in its transition table",
        "ForgetsTheProposal: cfp-received -> proposed on an application step is not in its transition table",
    ]
