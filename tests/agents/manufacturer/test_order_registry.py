"""What the manufacturer agent keeps per order: flows, the conversations tracked for them, the followers of
their notices; and when each is dropped."""

from __future__ import annotations

import asyncio
import logging
import uuid

import pytest

from agents.manufacturer.notices import Followers
from agents.manufacturer.order_registry import OrderRegistry
from ontology.console import OrderStatusNotice
from ontology.order import OrderStatus
from protocols.acl import AclMessage

ME = "maker@test"


class Registry:
    """A registry with one other memory (the followers), open conversations of its own choosing, and the
    conversations it released."""

    def __init__(self) -> None:
        self.open: set[str] = set()
        self.released: list[str] = []
        self.sent: list[tuple[AclMessage, str]] = []
        self.followers = Followers(
            ME, ["console@test"], lambda message, order_id: self.sent.append((message, order_id))
        )
        self.orders = OrderRegistry(
            is_open=self.open.__contains__, released=self.released.append, memories=(self.followers,)
        )


async def until(event: asyncio.Event) -> None:
    await event.wait()


def notice(order_id: str, status: OrderStatus = OrderStatus.QUOTED) -> OrderStatusNotice:
    return OrderStatusNotice(order_id=uuid.UUID(order_id), status=status)


async def test_when_a_flow_ends_what_is_kept_about_its_order_goes() -> None:
    kept = Registry()
    order_id = str(uuid.uuid4())
    done = asyncio.Event()
    kept.orders.start(order_id, until(done))
    kept.followers.follow(order_id, "customer@test")
    kept.orders.track("talk", order_id)
    kept.orders.track("still-open", order_id)
    kept.open.add("still-open")
    kept.orders.forget(order_id)
    assert kept.followers.customer_of(order_id) == "customer@test", "nothing goes while the flow runs"
    kept.orders.closed("talk")
    assert kept.orders.order_of("talk") == order_id

    task = kept.orders.task(order_id)
    assert task is not None and kept.orders.running(order_id)
    done.set()
    await task
    await asyncio.sleep(0)  # the done callback
    assert not kept.orders.running(order_id) and kept.followers.customer_of(order_id) is None
    assert kept.orders.order_of("talk") is None and kept.released == ["talk"]
    assert kept.orders.order_of("still-open") == order_id, "an open conversation keeps its entry"
    kept.open.clear()
    kept.orders.closed("still-open")
    assert kept.orders.sizes() == {"conversations": 0, "orders tracked": 0, "flows": 0}
    assert kept.followers.sizes() == {"customers": 0, "announced": 0}


async def test_stop_cancels_every_flow_and_a_flow_that_raises_is_reported(
    caplog: pytest.LogCaptureFixture,
) -> None:
    kept = Registry()

    async def broken() -> None:
        raise RuntimeError("a bug")

    waiting, failing = str(uuid.uuid4()), str(uuid.uuid4())
    kept.orders.start(waiting, until(asyncio.Event()))
    with caplog.at_level(logging.ERROR, logger="agents.manufacturer.order_registry"):
        kept.orders.start(failing, broken())
        await asyncio.sleep(0.01)
    assert [r.getMessage() for r in caplog.records] == [f"order {failing} ended with an error"]
    task = kept.orders.task(waiting)
    assert task is not None
    await kept.orders.stop()
    assert task.cancelled() and kept.orders.sizes()["flows"] == 0


def test_forget_idle_drops_every_order_no_flow_runs_for() -> None:
    kept = Registry()
    for n in range(3):
        order_id = str(uuid.UUID(int=n))
        kept.followers.follow(order_id, "customer@test")
        kept.orders.track(f"{order_id}/status", order_id)
    assert kept.followers.announcing(str(uuid.UUID(int=7)), OrderStatus.FAILED, changed=True)
    kept.orders.forget_idle()
    assert kept.followers.orders() == set()
    assert kept.orders.sizes() == {"conversations": 0, "orders tracked": 0, "flows": 0}


def test_followers_hear_each_status_once_and_every_notice() -> None:
    kept = Registry()
    order_id = str(uuid.uuid4())
    followers = kept.followers
    assert followers.announcing(order_id, OrderStatus.QUOTED, changed=False), "not heard yet"
    assert not followers.announcing(order_id, OrderStatus.QUOTED, changed=False), "never twice"
    assert followers.announcing(order_id, OrderStatus.QUOTED, changed=True), "it changed again in the store"
    followers.notify(notice(order_id))
    followers.follow(order_id, "customer@test")
    followers.follow(order_id, ME)  # never to itself
    followers.notify(notice(order_id))
    followers.follow(order_id, "customer@test")
    followers.notify(notice(order_id))
    assert [(m.receivers, o) for m, o in kept.sent] == [
        (("console@test",), order_id),
        (("console@test",), order_id),
        (("customer@test", "console@test"), order_id),
    ]


def test_nobody_to_tell_sends_nothing() -> None:
    sent: list[tuple[AclMessage, str]] = []
    followers = Followers(ME, [], lambda message, order_id: sent.append((message, order_id)))
    followers.notify(notice(str(uuid.uuid4())))
    assert not sent
