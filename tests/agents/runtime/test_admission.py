"""Openings are authorised asynchronously; what arrives meanwhile waits, in order, and a flood is bounded."""

from __future__ import annotations

import asyncio

from agents.runtime.admission import HELD_PER_CONVERSATION, Admissions
from ontology.common import Ping, Reason
from protocols.acl import AclMessage
from protocols.performative import Performative


def message(note: str, cid: str = "c1") -> AclMessage:
    return AclMessage.build(Performative.REQUEST, "a@x", "b@x", Ping(note=note), conversation_id=cid)


async def test_an_admitted_opening_is_followed_by_what_was_held_in_order() -> None:
    gate = asyncio.Event()
    seen: list[str] = []

    async def check(_: AclMessage) -> Reason | None:
        await gate.wait()
        return None

    admissions = Admissions()
    admissions.admit(
        "c1",
        message("open"),
        check,
        admitted=lambda m: seen.append("open"),
        refused=lambda m, r: seen.append("refused"),
        then=lambda m: seen.append("later"),
    )
    assert admissions.hold("c1", message("2"))
    assert admissions.hold("c1", message("3"))
    assert not admissions.hold("other", message("x", "other"))
    gate.set()
    await admissions.drain()
    assert seen == ["open", "later", "later"]
    assert admissions.waiting == 0


async def test_a_refused_opening_drops_what_was_held() -> None:
    seen: list[str] = []

    async def check(_: AclMessage) -> Reason | None:
        return Reason(reason="not-authorised")

    admissions = Admissions()
    admissions.admit(
        "c1",
        message("open"),
        check,
        admitted=lambda m: seen.append("open"),
        refused=lambda m, r: seen.append(r.reason),
        then=lambda m: seen.append("later"),
    )
    admissions.hold("c1", message("2"))
    await admissions.drain()
    assert seen == ["not-authorised"]


async def test_a_failing_check_refuses() -> None:
    seen: list[object] = []

    async def check(_: AclMessage) -> Reason | None:
        raise RuntimeError("store down")

    admissions = Admissions()
    admissions.admit(
        "c1",
        message("open"),
        check,
        admitted=seen.append,
        refused=lambda m, r: seen.append(r.reason),
        then=seen.append,
    )
    await admissions.drain()
    assert seen == ["not-authorised"]


async def test_waiting_openings_and_held_messages_are_bounded() -> None:
    gate = asyncio.Event()

    async def check(_: AclMessage) -> Reason | None:
        await gate.wait()
        return None

    later: list[AclMessage] = []
    admissions = Admissions(limit=3)
    for index in range(3):
        admissions.admit(
            f"c{index}",
            message("open", f"c{index}"),
            check,
            admitted=lambda m: None,
            refused=lambda m, r: None,
            then=later.append,
        )
    assert admissions.full()
    for _ in range(100):
        admissions.hold("c0", message("more", "c0"))
    gate.set()
    await admissions.drain()
    assert len(later) == HELD_PER_CONVERSATION
