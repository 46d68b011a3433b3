"""The generic transition table and its error."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

import pytest

from ontology import InvalidTransition, StatusChange, TransitionTable


class Light(StrEnum):
    RED = "red"
    GREEN = "green"
    AMBER = "amber"
    OFF = "off"


class LightChange(StatusChange[Light]):
    pass


TABLE = TransitionTable(
    "light",
    Light.RED,
    {
        Light.RED: (Light.GREEN, Light.OFF),
        Light.GREEN: (Light.AMBER,),
        Light.AMBER: (Light.RED,),
        Light.OFF: (),
    },
)
AT = datetime(2030, 1, 1, tzinfo=UTC)


def change(a: Light, b: Light) -> LightChange:
    return LightChange(from_status=a, to_status=b, at=AT, actor="tester")


def test_every_state_must_be_listed() -> None:
    with pytest.raises(ValueError, match="no entry for amber, off"):
        TransitionTable("light", Light.RED, {Light.RED: (Light.GREEN,), Light.GREEN: ()})


def test_self_loops_are_refused() -> None:
    with pytest.raises(ValueError, match="'green' go to itself"):
        TransitionTable(
            "light",
            Light.RED,
            {Light.RED: (), Light.GREEN: (Light.GREEN,), Light.AMBER: (), Light.OFF: ()},
        )


def test_queries() -> None:
    assert TABLE.states == tuple(Light)
    assert TABLE.allowed(Light.RED) == (Light.GREEN, Light.OFF)
    assert TABLE.terminal_states == {Light.OFF}
    assert TABLE.is_terminal(Light.OFF) and not TABLE.is_terminal(Light.AMBER)
    assert TABLE.can(Light.GREEN, Light.AMBER) and not TABLE.can(Light.GREEN, Light.RED)


def test_check_raises_with_a_readable_message() -> None:
    TABLE.check(Light.RED, Light.GREEN)
    with pytest.raises(
        InvalidTransition, match=r"light cannot go from 'green' to 'red'; allowed from 'green': 'amber'$"
    ):
        TABLE.check(Light.GREEN, Light.RED)
    with pytest.raises(InvalidTransition, match="allowed from 'off': none, 'off' is terminal"):
        TABLE.check(Light.OFF, Light.RED)


def test_error_carries_the_states() -> None:
    with pytest.raises(InvalidTransition) as caught:
        TABLE.check(Light.GREEN, Light.OFF)
    assert (caught.value.current, caught.value.target, caught.value.allowed) == (
        Light.GREEN,
        Light.OFF,
        (Light.AMBER,),
    )


def test_path_is_shortest_and_none_when_unreachable() -> None:
    assert TABLE.path(Light.GREEN, Light.OFF) == (Light.GREEN, Light.AMBER, Light.RED, Light.OFF)
    assert TABLE.path(Light.RED, Light.RED) == (Light.RED,)
    assert TABLE.path(Light.OFF, Light.RED) is None


def test_check_history() -> None:
    TABLE.check_history(Light.RED, ())
    TABLE.check_history(Light.AMBER, (change(Light.RED, Light.GREEN), change(Light.GREEN, Light.AMBER)))
    with pytest.raises(ValueError, match="history ends at 'green'"):
        TABLE.check_history(Light.AMBER, (change(Light.RED, Light.GREEN),))
    with pytest.raises(ValueError, match="entry 0 starts at 'green'"):
        TABLE.check_history(Light.AMBER, (change(Light.GREEN, Light.AMBER),))
    with pytest.raises(InvalidTransition):
        TABLE.check_history(Light.AMBER, (change(Light.RED, Light.AMBER),))


def test_status_change_needs_an_aware_time_and_an_actor() -> None:
    with pytest.raises(ValueError, match="naive"):
        LightChange(from_status=Light.RED, to_status=Light.GREEN, at=datetime(2030, 1, 1), actor="x")
    with pytest.raises(ValueError, match="no whitespace"):
        LightChange(from_status=Light.RED, to_status=Light.GREEN, at=AT, actor=" ")


def test_history_notes_stay_where_they_are() -> None:
    notes = (
        change(Light.RED, Light.GREEN),
        change(Light.GREEN, Light.GREEN),
        change(Light.GREEN, Light.AMBER),
    )
    TABLE.check_history(Light.AMBER, notes)
    with pytest.raises(ValueError, match="entry 1 starts at 'red'"):
        TABLE.check_history(Light.AMBER, (change(Light.RED, Light.GREEN), change(Light.RED, Light.RED)))
