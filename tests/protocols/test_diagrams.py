"""docs/protocols.md is what ``python -m protocols.diagrams`` writes from the transition tables."""

from __future__ import annotations

import re

import pytest

from protocols.diagrams import MACHINES, PAGE, main, mermaid, page
from protocols.request import REQUEST_INITIATOR


def test_the_page_in_the_repository_is_the_generated_one() -> None:
    assert PAGE.read_text(encoding="utf-8") == page(), "run: python -m protocols.diagrams --write"


def test_every_machine_has_one_diagram_naming_each_of_its_states() -> None:
    text = page()
    blocks = re.findall(r"```mermaid\n(.*?)\n```", text, flags=re.DOTALL)
    assert len(blocks) == len(MACHINES)
    for block, (_, machine) in zip(blocks, MACHINES, strict=True):
        assert block.startswith("stateDiagram-v2\n")
        for state in machine.transitions.states():
            assert f'state "{state}" as {state.replace("-", "_")}' in block


def test_a_diagram_draws_received_performatives_steps_deadlines_and_ends() -> None:
    block = mermaid(REQUEST_INITIATOR)
    assert "[*] --> idle" in block
    assert "idle --> awaiting_response: start()" in block
    assert "awaiting_response --> agreed: agree" in block
    assert "awaiting_response --> timed_out: deadline" in block
    assert "agreed --> not_understood: not-understood" in block
    assert "timed_out --> [*]" in block and "agreed --> [*]" not in block


def test_the_generator_prints_the_page(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    assert capsys.readouterr().out == page()
