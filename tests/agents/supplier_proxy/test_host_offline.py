"""The proxy host's own logic without a network: who may call for proposals, the checks of held bookings
(a fake clock, fake verdicts of the store), and how much it keeps after many conversations."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from uuid import uuid4

import pytest

from agents.runtime.refusals import NOT_AUTHORISED
from agents.supplier_proxy import reasons
from agents.supplier_proxy.booking_check import Decision, Verdict
from agents.supplier_proxy.bookings import Booking, BookingState
from agents.supplier_proxy.conversation import FinishedConversation
from agents.supplier_proxy.settings import SupplierProxySettings
from common.settings import Settings
from ontology.codec import decode
from ontology.common import Reason
from ontology.negotiation import Offer
from protocols.acl import AclMessage, new_id
from protocols.performative import Performative, ProtocolName
from tests.agents.supplier_proxy.helpers import (
    MAKER,
    OUTSIDER,
    SUPPLIER,
    T0,
    TODAY,
    Clock,
    RecordingHost,
    cfp,
)

HOLD = timedelta(hours=25)
SUPPLIERS = SupplierProxySettings(booking_hold_seconds=HOLD.total_seconds(), max_requester_share=0.5)


class FakeStore:
    """Verdicts the test sets per offer id (KEEP for the others); records what it was asked."""

    def __init__(self) -> None:
        self.verdicts: dict[str, Verdict] = {}
        self.asked: list[list[str]] = []

    async def __call__(self, bookings: Sequence[Booking]) -> dict[str, Verdict]:
        self.asked.append([b.offer_id for b in bookings])
        keep = Verdict(Decision.KEEP, "order under way")
        return {b.offer_id: self.verdicts.get(b.offer_id, keep) for b in bookings}


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store() -> FakeStore:
    return FakeStore()


@pytest.fixture
def host(tmp_path: Path, clock: Clock, store: FakeStore) -> RecordingHost:
    return RecordingHost(Settings(data_dir=tmp_path), clock, suppliers=SUPPLIERS, verdicts=store)


async def book(host: RecordingHost, proxy: str, *, hours: float = 2.0, requester: str = MAKER) -> Offer:
    """One conversation up to the proxy's ``inform``: the booked offer."""
    proposal = await host.call(requester, proxy, cfp(order=uuid4(), machine_minutes=60.0 * hours, quantity=1))
    assert proposal.performative is Performative.PROPOSE, decode(proposal.content, Reason)
    [inform] = host.reply(proposal, Performative.ACCEPT_PROPOSAL)
    assert inform.performative is Performative.INFORM
    return decode(inform.content, Offer)


# ----------------------------------------------------------------- authority


async def test_a_cfp_from_an_unbound_sender_is_refused_and_nothing_is_kept(host: RecordingHost) -> None:
    aid = host.host()
    refusal = await host.call(OUTSIDER, aid, cfp())
    assert (refusal.performative, refusal.sender, refusal.receivers) == (
        Performative.REFUSE,
        aid,
        (OUTSIDER,),
    )
    reason = decode(refusal.content, Reason)
    assert reason.reason == NOT_AUTHORISED and OUTSIDER in (reason.detail or "")
    assert refusal.protocol == ProtocolName.ITERATED_CONTRACT_NET.value
    assert host.sizes() == dict.fromkeys(host.sizes(), 0)

    # Whatever follows in that conversation opens nothing either.
    fake = Offer(
        order_id=uuid4(), part_id="frame", supplier_id="SUP-1", price=1, delivery_date=TODAY, valid_until=T0
    )
    accept = AclMessage.build(
        Performative.ACCEPT_PROPOSAL,
        OUTSIDER,
        aid,
        fake,
        protocol=ProtocolName.ITERATED_CONTRACT_NET,
        conversation_id=refusal.conversation_id,
    )
    host.deliver_to_proxy(aid, accept)
    await host.drain()
    assert host.sent[-1].performative is Performative.NOT_UNDERSTOOD
    assert host.sizes() == dict.fromkeys(host.sizes(), 0)


async def test_messages_arriving_during_the_check_wait_for_it(host: RecordingHost) -> None:
    aid = host.host()
    call = AclMessage.build(
        Performative.CFP,
        MAKER,
        aid,
        cfp(),
        protocol=ProtocolName.ITERATED_CONTRACT_NET,
        conversation_id=new_id(),
    )
    cancel = AclMessage.build(
        Performative.CANCEL,
        MAKER,
        aid,
        Reason(reason="changed my mind"),
        protocol=ProtocolName.ITERATED_CONTRACT_NET,
        conversation_id=call.conversation_id,
    )
    host.deliver_to_proxy(aid, call)
    host.deliver_to_proxy(aid, cancel)  # held while the directory is asked
    assert host.sent == []
    await host.drain()
    assert [m.performative for m in host.sent] == [Performative.PROPOSE, Performative.INFORM]
    assert host.sizes()["live"] == 0 and host.sizes()["offers"] == 0


async def test_non_cfp_and_unknown_proxies_get_not_understood_without_a_check(host: RecordingHost) -> None:
    aid = host.host()
    request = AclMessage.build(
        Performative.REQUEST, OUTSIDER, aid, Reason(reason="x"), conversation_id=new_id()
    )
    host.deliver_to_proxy(aid, request)
    host.deliver_to_proxy(aid + "-gone", request)
    assert [(m.performative, m.sender) for m in host.sent] == [
        (Performative.NOT_UNDERSTOOD, aid),
        (Performative.NOT_UNDERSTOOD, aid + "-gone"),
    ]


async def test_a_cfp_over_the_requesters_share_is_refused(host: RecordingHost) -> None:
    aid = host.host()  # 40 h a week: 80 h until the delivery in 14 days, 40 h for one requester
    await book(host, aid, hours=30.0)
    refusal = await host.call(MAKER, aid, cfp(order=uuid4(), machine_minutes=60.0 * 15, quantity=1))
    assert refusal.performative is Performative.REFUSE
    assert decode(refusal.content, Reason).reason == reasons.CAPACITY_SHARE


# ----------------------------------------------------------------- checking held bookings


async def test_the_store_confirms_releases_or_keeps_held_bookings(
    host: RecordingHost, store: FakeStore, clock: Clock
) -> None:
    aid = host.host()
    contracted, dropped, under_way = [await book(host, aid) for _ in range(3)]
    bookings = host.proxies[aid].bookings
    assert {b.state for b in bookings} == {BookingState.HELD}
    assert all(b.held_until == T0 + HOLD for b in bookings)
    store.verdicts[str(contracted.id)] = Verdict(Decision.CONFIRM, "contracted with it")
    store.verdicts[str(dropped.id)] = Verdict(Decision.RELEASE, "order does not exist")

    await host.check_bookings()
    assert sorted(store.asked[0]) == sorted(str(o.id) for o in (contracted, dropped, under_way))
    confirmed, kept = bookings.get(str(contracted.id)), bookings.get(str(under_way.id))
    assert confirmed is not None and confirmed.state is BookingState.CONFIRMED
    assert bookings.get(str(dropped.id)) is None
    assert kept is not None and kept.state is BookingState.HELD

    await host.check_bookings()
    assert store.asked[1] == [str(under_way.id)]  # only held bookings are asked about

    clock.now = T0 + HOLD - timedelta(seconds=1)
    await host.check_bookings()
    assert str(under_way.id) in bookings
    clock.now = T0 + HOLD
    await host.check_bookings()
    assert str(under_way.id) not in bookings  # its hold ended
    assert [b.offer_id for b in bookings] == [str(contracted.id)]


async def test_confirmed_bookings_are_dropped_after_their_delivery(
    host: RecordingHost, store: FakeStore
) -> None:
    aid = host.host()
    offer = await book(host, aid)
    store.verdicts[str(offer.id)] = Verdict(Decision.CONFIRM, "contracted")
    await host.check_bookings()
    proxy = host.proxies[aid]
    proxy.today = lambda: offer.delivery_date
    await host.check_bookings()
    assert len(proxy.bookings) == 1
    proxy.today = lambda: offer.delivery_date + timedelta(days=1)
    await host.check_bookings()
    assert len(proxy.bookings) == 0


async def test_without_store_checks_bookings_only_end_by_time(tmp_path: Path, clock: Clock) -> None:
    store = FakeStore()
    host = RecordingHost(
        Settings(data_dir=tmp_path), clock, suppliers=SUPPLIERS, verdicts=store, check_store=False
    )
    aid = host.host()
    await book(host, aid)
    await host.check_bookings()
    assert store.asked == [] and len(host.proxies[aid].bookings) == 1
    clock.advance(seconds=HOLD.total_seconds())
    await host.check_bookings()
    assert len(host.proxies[aid].bookings) == 0


async def test_replacing_a_proxy_keeps_its_bookings(host: RecordingHost) -> None:
    aid = host.host()
    offer = await book(host, aid)
    assert host.host(offer_validity=timedelta(seconds=5)) == aid
    assert str(offer.id) in host.proxies[aid].bookings


# ----------------------------------------------------------------- memory


async def test_memory_stays_bounded_over_many_conversations(tmp_path: Path, clock: Clock) -> None:
    """N complete conversations of a bound manufacturer (and refused ones of an outsider) leave nothing but
    tombstones (at most ``finished_kept``) and the bookings the store has not released yet."""
    store = FakeStore()
    host = RecordingHost(
        Settings(data_dir=tmp_path), clock, suppliers=SUPPLIERS, verdicts=store, finished_kept=50
    )
    proxies = [host.host(), host.host(SUPPLIER.model_copy(update={"id": "SUP-2"}))]
    n = 300
    booked = 0
    for i in range(n):
        aid = proxies[i % 2]
        clock.advance(seconds=1)
        call = cfp(order=uuid4(), machine_minutes=0.6, quantity=1)
        if i % 10 == 9:
            assert (await host.call(OUTSIDER, aid, call)).performative is Performative.REFUSE
            continue
        proposal = await host.call(MAKER, aid, call)
        assert proposal.performative is Performative.PROPOSE
        if i % 3 == 0:  # a second round before the verdict
            revised = proposal.create_reply(
                Performative.CFP,
                cfp(2, "100", order=call.order_id, machine_minutes=0.6, quantity=1),
                sender=MAKER,
            )
            before = len(host.sent)
            host.deliver_to_proxy(aid, revised)
            [proposal] = host.sent[before:]
            assert proposal.performative is Performative.PROPOSE, (i, decode(proposal.content, Reason))
        if i % 2 == 0:
            [answer] = host.reply(proposal, Performative.ACCEPT_PROPOSAL)
            assert answer.performative is Performative.INFORM
            booked += 1
        else:
            assert host.reply(proposal, Performative.REJECT_PROPOSAL) == []
    sizes = host.sizes()
    assert sizes == {
        "live": 0,
        "finished": 50,
        "waiting": 0,
        "negotiations": 0,
        "offers": 0,
        "calls": 0,
        "held": booked,
        "confirmed": 0,
        "signing": 0,
        "agreements": 0,
    }
    assert all(isinstance(kept, FinishedConversation) for kept in host._finished.values())

    for proxy in host.proxies.values():
        for booking in proxy.bookings.held():
            store.verdicts[booking.offer_id] = Verdict(Decision.RELEASE, "order does not exist")
    await host.check_bookings()
    assert host.sizes()["held"] == 0


async def test_a_conversation_takes_a_bounded_number_of_messages(
    host: RecordingHost, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("agents.supplier_proxy.conversation.MESSAGES_TAKEN", 4)
    aid = host.host()
    proposal = await host.call(MAKER, aid, cfp())
    answers = [host.reply(proposal, Performative.INFORM) for _ in range(5)]
    assert [len(a) for a in answers] == [1, 1, 1, 0, 0]  # the cfp was the first of four
    assert all(a[0].performative is Performative.NOT_UNDERSTOOD for a in answers[:3])
    stranger = proposal.create_reply(Performative.INFORM, proposal.content, sender=OUTSIDER)
    host.deliver_to_proxy(aid, stranger)  # not the initiator's: ignored, not counted
    assert host.sizes()["live"] == 1


async def test_a_proxy_removed_while_the_sender_is_checked_answers_nothing_more(host: RecordingHost) -> None:
    aid = host.host()
    message = AclMessage.build(
        Performative.CFP,
        MAKER,
        aid,
        cfp(),
        protocol=ProtocolName.ITERATED_CONTRACT_NET,
        conversation_id=new_id(),
    )
    host.deliver_to_proxy(aid, message)
    host.remove(aid)
    await host.drain()
    [answer] = host.sent
    assert (answer.performative, answer.sender) == (Performative.NOT_UNDERSTOOD, aid)
    assert host.sizes() == dict.fromkeys(host.sizes(), 0)
