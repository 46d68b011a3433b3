"""A proxy in an Iterated Contract Net, over the sans-IO machines and the wire mapping (no network)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from agents.supplier_proxy import ProxyConversation, SupplierProxy, reasons
from agents.supplier_proxy.bookings import BookingState
from agents.supplier_proxy.proxy import BOOKING_HOLD
from ontology.codec import decode
from ontology.common import Reason
from ontology.negotiation import Offer
from ontology.process import ProcessKind
from protocols.acl import AclMessage
from protocols.contract_net import ContractNetInitiatorState
from protocols.iterated_contract_net import IteratedContractNetInitiator
from protocols.performative import Performative
from protocols.wire import from_envelope, intended_receiver, to_envelopes
from tests.agents.supplier_proxy.helpers import PRICE, SUPPLIER, T0, TODAY, cfp, policy

MAKER = "maker@local"
HOST = "suppliers@local"


def make_proxy(supplier_id: str, **options: object) -> SupplierProxy:
    return SupplierProxy(
        address=f"{HOST}/{supplier_id}",
        supplier=SUPPLIER.model_copy(update={"id": supplier_id}),
        policy=policy(),
        price_models={ProcessKind.LASER_CUTTING: PRICE},
        today=lambda: TODAY,
        **options,  # type: ignore[arg-type]
    )


def over_the_wire(message: AclMessage) -> list[tuple[str, AclMessage]]:
    """Each copy as its receiver's host decodes it: (intended receiver, message)."""
    out = []
    for envelope in to_envelopes(message):
        assert envelope.to == envelope.to.split("/")[0], "XMPP routes to bare JIDs only"
        arrived = envelope.model_copy(update={"sender": message.sender.split("/")[0]})  # server-stamped
        out.append((intended_receiver(arrived), from_envelope(arrived)))
    return out


class Network:
    """Delivers messages between the initiator and the proxies' conversations."""

    def __init__(self, initiator: IteratedContractNetInitiator, proxies: list[SupplierProxy]) -> None:
        self.initiator = initiator
        self.proxies = {p.address: p for p in proxies}
        self.conversations: dict[str, ProxyConversation] = {}

    def run(self, messages: list[AclMessage], now_s: float = 1.0) -> None:
        now = T0 + timedelta(seconds=now_s)
        pending = list(messages)
        while pending:
            message = pending.pop(0)
            for addressee, copy in over_the_wire(message):
                if addressee == MAKER:
                    pending += self.initiator.handle(copy, now)
                    continue
                conversation = self.conversations.get(addressee)
                if conversation is None:
                    opened = ProxyConversation.open(self.proxies[addressee], copy)
                    assert opened is not None
                    conversation = self.conversations[addressee] = opened
                pending += conversation.handle(copy, now)


def test_two_rounds_one_accepted_one_refusal() -> None:
    a, b, far = make_proxy("SUP-A"), make_proxy("SUP-B"), make_proxy("SUP-FAR")
    far.policy = far.policy.model_copy(update={"lead_time_days": 60})
    initiator = IteratedContractNetInitiator(me=MAKER, max_rounds=3)
    net = Network(initiator, [a, b, far])
    reply_by = T0 + timedelta(seconds=10)
    net.run(initiator.start(cfp(1), [a.address, b.address, far.address], now=T0, reply_by=reply_by))

    assert initiator.state is ContractNetInitiatorState.EVALUATING
    assert set(initiator.proposals) == {a.address, b.address}
    refusal = decode(initiator.refusals[far.address].content, Reason)
    assert refusal.reason == reasons.CANNOT_MEET_DATE
    first = {peer: decode(m.content, Offer) for peer, m in initiator.proposals.items()}

    revised = cfp(2, target="150")
    net.run(initiator.revise(revised, now=T0, reply_by=reply_by), now_s=2.0)
    assert initiator.round == 2
    second = {peer: decode(m.content, Offer) for peer, m in initiator.proposals.items()}
    for peer in second:
        assert second[peer].round == 2
        assert second[peer].price <= first[peer].price
        assert second[peer].price >= Decimal("147.00")

    winner = min(second, key=lambda peer: second[peer].price)
    net.run(initiator.award([winner], now=T0 + timedelta(seconds=3)), now_s=3.0)
    assert initiator.outcome is not None
    assert initiator.outcome.state == ContractNetInitiatorState.COMPLETED
    result = decode(initiator.results[winner].content, Offer)
    assert result == second[winner]
    booking = net.proxies[winner].bookings.get(str(second[winner].id))
    assert booking is not None
    assert (booking.state, booking.requester, booking.hours) == (BookingState.HELD, MAKER, 2.0)
    assert booking.held_until == T0 + timedelta(seconds=3) + BOOKING_HOLD
    for proxy in net.proxies.values():  # every conversation finished: nothing of them is kept
        assert (proxy.negotiations, proxy.offers, proxy.calls) == ({}, {}, {})
    assert all(c.finished for c in net.conversations.values())


def test_fail_after_accept_sends_failure() -> None:
    failing = make_proxy("SUP-X", fail_after_accept=True)
    initiator = IteratedContractNetInitiator(me=MAKER)
    net = Network(initiator, [failing])
    net.run(initiator.start(cfp(1), [failing.address], now=T0, reply_by=T0 + timedelta(seconds=10)))
    net.run(initiator.award([failing.address], now=T0 + timedelta(seconds=1)))
    assert initiator.state is ContractNetInitiatorState.FAILED
    reason = decode(initiator.failures[failing.address].content, Reason)
    assert reason.reason == reasons.CONFIGURED_FAILURE


def test_hosted_addresses_survive_the_wire_and_spoofing_does_not() -> None:
    message = AclMessage.build(Performative.INFORM, f"{HOST}/SUP-A", MAKER, Reason(reason="x"))
    [(addressee, decoded)] = over_the_wire(message)
    assert addressee == MAKER
    assert decoded.sender == f"{HOST}/SUP-A"
    [envelope] = to_envelopes(message)
    forged = envelope.model_copy(update={"sender": "mallory@local"})
    assert from_envelope(forged).sender == "mallory@local"


def test_a_finished_conversation_leaves_a_tombstone_answering_a_late_accept() -> None:
    proxy = make_proxy("SUP-A")
    initiator = IteratedContractNetInitiator(me=MAKER)
    net = Network(initiator, [proxy])
    net.run(initiator.start(cfp(1), [proxy.address], now=T0, reply_by=T0 + timedelta(seconds=10)))
    conversation = net.conversations[proxy.address]
    proposal = conversation.machine.proposal
    assert proposal is not None and len(proxy.offers) == 1
    assert conversation.tick(T0 + timedelta(minutes=5)) == []  # the proposal lapsed
    assert conversation.finished and proxy.offers == {} and proxy.negotiations == {}
    tombstone = conversation.tombstone()
    accept = proposal.create_reply(Performative.ACCEPT_PROPOSAL, proposal.content, sender=MAKER)
    [failure] = tombstone.handle(accept, T0 + timedelta(minutes=6))
    assert (failure.performative, failure.sender, failure.receivers) == (
        Performative.FAILURE,
        proxy.address,
        (MAKER,),
    )
    assert failure.in_reply_to == accept.reply_with and failure.conversation_id == accept.conversation_id
    assert "timed-out" in decode(failure.content, Reason).reason
    assert tombstone.handle(accept.model_copy(update={"sender": "mallory@local"}), T0) == []
    reject = proposal.create_reply(Performative.REJECT_PROPOSAL, proposal.content, sender=MAKER)
    assert tombstone.handle(reject, T0) == []
    assert proxy.bookings.hours() == 0


def test_only_a_cfp_opens_a_proxy_conversation() -> None:
    message = AclMessage.build(
        Performative.REQUEST, MAKER, f"{HOST}/SUP-A", Reason(reason="x"), conversation_id="c"
    )
    assert ProxyConversation.open(make_proxy("SUP-A"), message) is None


def test_intended_receiver_must_be_under_the_addressed_account() -> None:
    message = AclMessage.build(Performative.INFORM, MAKER, f"{HOST}/SUP-A", Reason(reason="x"))
    [envelope] = to_envelopes(message)
    assert envelope.to == HOST
    assert envelope.metadata["intended-receiver"] == f"{HOST}/SUP-A"
    assert intended_receiver(envelope) == f"{HOST}/SUP-A"
    elsewhere = envelope.model_copy(
        update={"metadata": {**envelope.metadata, "intended-receiver": "victim@local/x"}}
    )
    assert intended_receiver(elsewhere) == HOST
    plain = to_envelopes(AclMessage.build(Performative.INFORM, MAKER, "other@local", Reason(reason="x")))[0]
    assert "intended-receiver" not in plain.metadata and "sender" not in plain.metadata
