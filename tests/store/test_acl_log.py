"""The ACL message log: idempotent logging, conversations in order, by order."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from store import Database
from store.enums import Direction
from store.records import NewAclMessage


def _message(
    performative: str, reply_with: str, conversation: str = "conv-1", **extra: object
) -> dict[str, object]:
    return {
        "performative": performative,
        "sender": "bikes@localhost",
        "receiver": ["steel@localhost", "alu@localhost"],
        "conversation-id": conversation,
        "protocol": "fipa-contract-net",
        "ontology": "lot-size-one",
        "language": "application/json",
        "reply-with": reply_with,
        "reply-by": "2030-01-01T12:00:00+00:00",
        "content": '{"type": "CallForProposals"}',
        "X-round": "1",
        **extra,
    }


async def test_logging_the_same_message_twice_keeps_one_row(db: Database) -> None:
    entry = NewAclMessage.from_message(
        _message("cfp", "r1"), agent_jid="bikes@localhost", direction=Direction.OUT, order_id="o-1"
    )
    async with db.transaction() as repos:
        first = await repos.acl.log(entry)
        again = await repos.acl.log(entry)
    async with db.transaction() as repos:
        also_again = await repos.acl.log(
            NewAclMessage.from_message(
                _message("cfp", "r1"), agent_jid="bikes@localhost", direction="out", order_id="o-1"
            )
        )
        assert await repos.acl.count("conv-1") == 1
    assert first == again == also_again
    assert first.receivers == ["steel@localhost", "alu@localhost"]
    assert first.reply_by == datetime(2030, 1, 1, 12, tzinfo=UTC)
    assert first.message["X-round"] == "1" and first.message["conversation-id"] == "conv-1"


async def test_each_agent_and_direction_has_its_own_row(db: Database) -> None:
    message = _message("cfp", "r1")
    async with db.transaction() as repos:
        await repos.acl.log(NewAclMessage.from_message(message, agent_jid="bikes@localhost", direction="out"))
        await repos.acl.log(NewAclMessage.from_message(message, agent_jid="steel@localhost", direction="in"))
        await repos.acl.log(NewAclMessage.from_message(message, agent_jid="alu@localhost", direction="in"))
        assert await repos.acl.count() == 3
        assert len(await repos.acl.conversation("conv-1", agent_jid="steel@localhost")) == 1


async def test_conversation_in_logging_order_and_by_order(db: Database) -> None:
    steps = [("cfp", "r1"), ("propose", "r2"), ("accept-proposal", "r3"), ("inform", "r4")]
    async with db.transaction() as repos:
        for performative, reply_with in steps:
            await repos.acl.log(
                NewAclMessage.from_message(
                    _message(performative, reply_with),
                    agent_jid="bikes@localhost",
                    direction="out",
                    order_id="o-9",
                )
            )
        await repos.acl.log(
            NewAclMessage.from_message(
                _message("cfp", "x", conversation="other"), agent_jid="a@b", direction="out"
            )
        )
    async with db.transaction() as repos:
        conversation = await repos.acl.conversation("conv-1")
        by_order = await repos.acl.by_order("o-9")
    assert [m.performative for m in conversation] == [p for p, _ in steps]
    assert [m.id for m in by_order] == [m.id for m in conversation]


async def test_built_from_fields_without_a_full_message(db: Database) -> None:
    entry = NewAclMessage(
        agent_jid="c@localhost",
        direction=Direction.IN,
        performative="propose",
        sender="m@localhost",
        receivers=["c@localhost"],
        conversation_id="conv-2",
        in_reply_to="r1",
        content="{}",
    )
    async with db.transaction() as repos:
        record = await repos.acl.log(entry)
        await repos.acl.log(entry)
        assert await repos.acl.count("conv-2") == 1
    assert record.message["performative"] == "propose" and record.in_reply_to == "r1"


async def test_from_a_protocols_acl_message(db: Database) -> None:
    acl = pytest.importorskip("protocols.acl")
    performative = pytest.importorskip("protocols.performative")
    message = acl.AclMessage.build(
        performative.Performative.CFP,
        "bikes@localhost",
        ("steel@localhost",),
        '{"type": "Ping"}',
        conversation_id="conv-3",
        protocol="fipa-contract-net",
    )
    async with db.transaction() as repos:
        record = await repos.acl.log(
            NewAclMessage.from_message(message, agent_jid="bikes@localhost", direction=Direction.OUT)
        )
        await repos.acl.log(NewAclMessage.from_message(message, agent_jid="bikes@localhost", direction="out"))
        assert await repos.acl.count("conv-3") == 1
    assert record.performative == "cfp" and record.receivers == ["steel@localhost"]
    assert record.reply_with == message.reply_with


def test_key_ignores_json_key_order() -> None:
    one = NewAclMessage.from_message(
        {"performative": "inform", "sender": "a", "content": "x"}, agent_jid="a", direction="out"
    )
    two = NewAclMessage.from_message(
        {"content": "x", "sender": "a", "performative": "inform"}, agent_jid="a", direction="out"
    )
    three = NewAclMessage.from_message(
        {"content": "x", "sender": "a", "performative": "inform"}, agent_jid="a", direction="in"
    )
    assert one.key() == two.key() != three.key()


async def test_write_behind_log_is_written_in_order_before_the_next_transaction(db: Database) -> None:
    first, second = (
        NewAclMessage.from_message(
            _message(p, r, conversation="conv-wb"), agent_jid="bikes@localhost", direction="out"
        )
        for p, r in (("cfp", "w1"), ("propose", "w2"))
    )
    db.log_acl_later(first)
    db.log_acl_later(second)
    db.log_acl_later(first)  # logged twice: one row
    assert db.acl_pending == 3
    async with db.transaction() as repos:
        logged = await repos.acl.conversation("conv-wb")
    assert db.acl_pending == 0
    assert [(m.performative, m.reply_with) for m in logged] == [("cfp", "w1"), ("propose", "w2")]
    assert logged[0].message == first.message and logged[0].reply_by == first.reply_by


async def test_write_behind_log_left_queued_by_writers_is_flushed_explicitly(db: Database) -> None:
    entry = NewAclMessage.from_message(
        _message("cfp", "w3", conversation="conv-wb2"), agent_jid="bikes@localhost", direction="in"
    )
    db.log_acl_later(entry)
    async with db.transaction(flush_acl_log=False) as repos:
        assert await repos.acl.count("conv-wb2") == 0
    await db.flush_acl_log()
    async with db.transaction() as repos:
        assert await repos.acl.count("conv-wb2") == 1
