"""Draw every protocol machine's transition table as a Mermaid state diagram: ``docs/protocols.md``.

``python -m protocols.diagrams`` prints the page; ``python -m protocols.diagrams --write`` writes it.
A test fails when the page in the repository is not what this writes.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from protocols.contract_net import ContractNetInitiator
from protocols.contract_net_participant import ContractNetParticipant
from protocols.conversation import Conversation
from protocols.iterated_contract_net import IteratedContractNetInitiator, IteratedContractNetParticipant
from protocols.order_request import OrderInitiator, OrderParticipant
from protocols.request import RequestInitiator, RequestParticipant
from protocols.transitions import TransitionTable

PAGE = Path(__file__).resolve().parent.parent / "docs" / "protocols.md"

MACHINES: tuple[tuple[str, type[Conversation[Any]]], ...] = (
    ("FIPA Request, initiator", RequestInitiator),
    ("FIPA Request, participant", RequestParticipant),
    ("Contract Net, initiator", ContractNetInitiator),
    ("Contract Net, participant", ContractNetParticipant),
    ("Iterated Contract Net, initiator", IteratedContractNetInitiator),
    ("Iterated Contract Net, participant", IteratedContractNetParticipant),
    ("Order protocol (lso-order), customer", OrderInitiator),
    ("Order protocol (lso-order), manufacturer", OrderParticipant),
)

INTRODUCTION = """\
# Protocol state machines

Generated from the transition tables in `protocols/` (see `protocols/transitions.py`) by
`python -m protocols.diagrams --write`; do not edit by hand (`tests/protocols/test_diagrams.py`
fails when this page is not what the generator writes).

An arrow's label says what moves the machine:

* a performative it received (`agree`, `cfp`...); a performative that no arrow leaves a state with
  is answered `not-understood` there, and changes nothing;
* an application step, a method call on the machine (`propose()`, `award()`...);
* `deadline`: the state's deadline passed (from a `reply-by`, or `patience`);
* `not-understood`: the peer did not understand a message we sent it.

An arrow back to the same state is a message the state takes without leaving it (an answer while
others are still awaited, a late proposal, which gets `reject-proposal`). Every participant follows
the FIPA-cancel meta-protocol (`protocols/participant.py`): a `cancel` from the initiator ends any
state that is not final. Any machine that hits an internal error ends in its failed state (not
drawn). The prose rules are in each module's docstring.
"""


def _node(state: str) -> str:
    return state.replace("-", "_")


def _edges(table: TransitionTable) -> dict[tuple[str, str], list[str]]:
    """(from, to) -> the labels of every way from one to the other, in table order."""
    edges: dict[tuple[str, str], list[str]] = {}

    def add(source: str, targets: Sequence[str], label: str) -> None:
        for target in targets:
            labels = edges.setdefault((source, target), [])
            if label not in labels:
                labels.append(label)

    for state, row in table.rows.items():
        for performative, entry in row.receive.items():
            add(state, entry.to, str(performative))
        for step, targets in row.steps.items():
            add(state, targets, f"{step}()")
        add(state, row.deadline, "deadline")
        add(state, row.not_understood, "not-understood")
    return edges


def mermaid(table: TransitionTable) -> str:
    """One ``stateDiagram-v2`` block (without the code fence)."""
    states = [table.initial, *(s for s in table.rows if s != table.initial)]
    states += sorted(table.states() - set(states), key=str)
    lines = ["stateDiagram-v2"]
    lines += [f'    state "{state}" as {_node(state)}' for state in states]
    lines.append(f"    [*] --> {_node(table.initial)}")
    for (source, target), labels in _edges(table).items():
        lines.append(f"    {_node(source)} --> {_node(target)}: {', '.join(labels)}")
    lines += [f"    {_node(state)} --> [*]" for state in states if state in table.final]
    return "\n".join(lines)


def page() -> str:
    parts = [INTRODUCTION]
    for title, machine in MACHINES:
        parts.append(f"## {title}\n\n`{machine.__module__}.{machine.__qualname__}`\n")
        parts.append(f"```mermaid\n{mermaid(machine.transitions)}\n```\n")
    return "\n".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m protocols.diagrams", description=__doc__)
    parser.add_argument("--write", action="store_true", help=f"write {PAGE} instead of printing it")
    args = parser.parse_args(argv)
    if args.write:
        PAGE.write_text(page(), encoding="utf-8")
    else:
        sys.stdout.write(page())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
