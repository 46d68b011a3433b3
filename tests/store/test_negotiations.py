"""Negotiation state: optimistic locking and resuming unfinished negotiations."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from store import Database, StaleStateError
from store.enums import NegotiationRole
from store.records import NegotiationState


def _state(agent: str = "bikes@localhost", conversation: str = "c-1", **changes: object) -> NegotiationState:
    data: dict[str, object] = {
        "agent_jid": agent,
        "conversation_id": conversation,
        "role": NegotiationRole.INITIATOR,
        "protocol": "fipa-iterated-contract-net",
        "state_name": "awaiting-proposals",
        "state": {"suppliers": ["steel@localhost"], "best": None},
        "order_id": "o-1",
        "deadline": datetime(2030, 1, 1, tzinfo=UTC),
    }
    return NegotiationState.model_validate({**data, **changes})


async def test_save_and_load_bumps_the_version(db: Database) -> None:
    async with db.transaction() as repos:
        saved = await repos.negotiations.save(_state())
        again = await repos.negotiations.save(saved.evolve(state_name="evaluating", round=1))
    async with db.transaction() as repos:
        loaded = await repos.negotiations.load("bikes@localhost", "c-1")
    assert saved.version == 1 and again.version == 2
    assert loaded == again
    assert loaded is not None and loaded.state == {"suppliers": ["steel@localhost"], "best": None}
    assert loaded.deadline == datetime(2030, 1, 1, tzinfo=UTC)


async def test_saves_requested_together_advance_the_version_by_as_many(db: Database) -> None:
    async with db.transaction() as repos:
        saved = await repos.negotiations.save(_state(conversation="c-many"), saves=3)
        again = await repos.negotiations.save(saved.evolve(round=2), saves=2)
        with pytest.raises(ValueError):
            await repos.negotiations.save(again, saves=0)
    async with db.transaction() as repos:
        loaded = await repos.negotiations.load("bikes@localhost", "c-many")
    assert saved.version == 3 and again.version == 5 and loaded == again


async def test_stale_version_is_refused_and_writes_nothing(db: Database) -> None:
    async with db.transaction() as repos:
        saved = await repos.negotiations.save(_state())
    async with db.transaction() as repos:
        await repos.negotiations.save(saved.evolve(state_name="winner-chosen"))
    with pytest.raises(StaleStateError) as info:
        async with db.transaction() as repos:
            await repos.negotiations.save(saved.evolve(state_name="late-writer"))
    assert info.value.expected == 1 and info.value.actual == 2
    async with db.transaction() as repos:
        loaded = await repos.negotiations.load("bikes@localhost", "c-1")
    assert loaded is not None and loaded.state_name == "winner-chosen" and loaded.version == 2


async def test_saving_as_new_twice_is_stale(db: Database) -> None:
    async with db.transaction() as repos:
        await repos.negotiations.save(_state())
        with pytest.raises(StaleStateError):
            await repos.negotiations.save(_state())


async def test_same_conversation_for_initiator_and_participants(db: Database) -> None:
    async with db.transaction() as repos:
        await repos.negotiations.save(_state())
        await repos.negotiations.save(_state("steel@localhost", role=NegotiationRole.PARTICIPANT))
        await repos.negotiations.save(_state("alu@localhost", role=NegotiationRole.PARTICIPANT))
        assert len(await repos.negotiations.by_order("o-1")) == 3
        participant = await repos.negotiations.load("steel@localhost", "c-1")
    assert participant is not None and participant.role == NegotiationRole.PARTICIPANT


async def test_unfinished_negotiations_of_an_agent(db: Database) -> None:
    async with db.transaction() as repos:
        done = await repos.negotiations.save(_state(conversation="c-1"))
        await repos.negotiations.save(_state(conversation="c-2"))
        await repos.negotiations.save(_state(conversation="c-3"))
        await repos.negotiations.save(_state("other@localhost", conversation="c-4"))
        await repos.negotiations.save(done.evolve(finished=True, state_name="done"))
    async with db.transaction() as repos:
        unfinished = await repos.negotiations.unfinished("bikes@localhost")
    assert [state.conversation_id for state in unfinished] == ["c-2", "c-3"]
