"""The supplier proxies of a fast run: the real :class:`SupplierProxy` decisions in the real
:class:`ProxyConversation` (the participant machines), routed in memory as a
:class:`~agents.supplier_proxy.ProxyHost` routes them over XMPP: one conversation per (proxy,
conversation-id), silent proxies drop everything, deadlines are ticked on the simulated clock.

The scenario is the authority in a simulation: a proxy's capacity is shared by the scenario's manufacturers
as its policy says, with no cap on the share one of them may hold (:data:`REQUESTER_SHARE`; the platform caps
it to defend suppliers against a manufacturer it does not trust), and an accepted offer keeps its hours."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from datetime import date, datetime

from agents.runtime.not_understood import not_understood_for
from agents.supplier_proxy import ProxyConversation, SupplierProxy, price_models_of
from agents.supplier_proxy.host import FINISHED_KEPT
from protocols.acl import AclMessage
from protocols.performative import Performative
from simulation.fast.clock import EventQueue
from simulation.plan import SupplierSetup

Send = Callable[[AclMessage], None]

REQUESTER_SHARE = 1.0
"""Share of a supplier's capacity one manufacturer may hold in a simulation: all of it."""


class InMemoryProxies:
    def __init__(
        self,
        host: str,
        setups: tuple[SupplierSetup, ...],
        *,
        seed: int,
        today: date,
        queue: EventQueue,
        send: Send,
    ) -> None:
        self.host = host
        self._queue = queue
        self._send = send
        self._seed, self._today = seed, today
        self._setups = {self.address_for(setup.id): setup for setup in setups}
        self._proxies: dict[str, SupplierProxy] = {}
        self._conversations: dict[tuple[str, str], ProxyConversation] = {}
        self._planned: dict[tuple[str, str], datetime] = {}
        self._done: OrderedDict[tuple[str, str], None] = OrderedDict()

    def address_for(self, supplier_id: str) -> str:
        return f"{self.host}/{supplier_id}"

    def hosts(self, address: str) -> bool:
        return address.startswith(self.host + "/")

    def proxy(self, address: str) -> SupplierProxy | None:
        """The proxy of ``address`` (made when first asked: a run invites few of the population)."""
        proxy = self._proxies.get(address)
        setup = self._setups.get(address)
        if proxy is None and setup is not None:
            today = self._today
            proxy = self._proxies[address] = SupplierProxy(
                address=address,
                supplier=setup.record.to_supplier().model_copy(update={"agent": address}),
                policy=setup.policy,
                price_models=price_models_of(setup.record),
                fail_after_accept=setup.fail_after_accept,
                silent=setup.silent,
                seed=self._seed,
                today=lambda: today,
                max_requester_share=REQUESTER_SHARE,
            )
        return proxy

    def deliver(self, addressee: str, message: AclMessage) -> None:
        proxy = self.proxy(addressee)
        if proxy is not None and proxy.silent:
            return
        key = (addressee, message.conversation_id or "")
        conversation = self._conversations.get(key)
        if conversation is None:
            if message.performative is Performative.NOT_UNDERSTOOD:
                return
            opened = ProxyConversation.open(proxy, message) if proxy is not None else None
            if opened is None:
                self._send(
                    not_understood_for(addressee, message, f"no conversation for {addressee} opens here")
                )
                return
            conversation = self._conversations[key] = opened
        self._emit(conversation.handle(message, self._queue.now))
        conversation.machine.take_events()
        self._plan_tick(key, conversation)
        if conversation.finished:
            self._finished(key)

    def close(self) -> None:
        """Forget every proxy and conversation (the run is over)."""
        self._proxies.clear()
        self._conversations.clear()
        self._planned.clear()
        self._done.clear()

    def _finished(self, key: tuple[str, str]) -> None:
        """Keep the newest finished conversations (to answer late messages), as ProxyHost does."""
        self._done[key] = None
        self._done.move_to_end(key)
        while len(self._done) > FINISHED_KEPT:
            old, _ = self._done.popitem(last=False)
            self._conversations.pop(old, None)

    def _emit(self, messages: list[AclMessage]) -> None:
        for message in messages:
            self._send(message)

    def _plan_tick(self, key: tuple[str, str], conversation: ProxyConversation) -> None:
        due = conversation.next_deadline
        if due is None:
            self._planned.pop(key, None)
        elif self._planned.get(key) != due:
            self._planned[key] = due
            self._queue.at(due, lambda: self._tick(key, conversation, due))

    def _tick(self, key: tuple[str, str], conversation: ProxyConversation, due: datetime) -> None:
        if conversation.finished or conversation.next_deadline != due:
            return
        self._emit(conversation.tick(self._queue.now))
        conversation.machine.take_events()
        self._plan_tick(key, conversation)
        if conversation.finished:
            self._finished(key)
