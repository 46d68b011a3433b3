"""``ProxyHost``: one SPADE agent (one XMPP connection) hosting many supplier proxies.

Addressing. Each proxy is its own FIPA agent: its agent identifier is the full JID
``<host>@<domain>/<supplier-id>`` (:meth:`ProxyHost.address_for`), which appears as ``sender`` of
what it sends and ``receiver`` of what it is sent. On the wire (:mod:`protocols.wire`) a message
for a proxy travels to the host's bare JID with ``intended-receiver`` naming the proxy, and a
proxy's message names its full JID in ``sender``; receivers believe that only because the server
vouches for the bare JID (an account may name its own resources, never another account's). So one
connection costs one login for any number of proxies, and Contract Net initiators see one distinct
participant per supplier, over XMPP and in-process alike.

Conversations are keyed by (proxy, conversation-id): one Contract Net may invite many proxies of the
same host. Each runs a sans-IO :class:`~agents.supplier_proxy.conversation.ProxyConversation`; one
task of the host ticks their deadlines. A message to a proxy that is not (or no longer) hosted is
answered ``not-understood`` from that address; a ``silent`` proxy's messages are dropped.

Lifecycle: :meth:`add`/:meth:`remove` work at any time; :meth:`ensure_started` connects on demand
(idempotent), e.g. when a negotiation needs the proxies.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from spade.message import Message

from agents.runtime.not_understood import not_understood_for
from agents.runtime.platform_agent import PlatformAgent
from agents.runtime.transport import envelope_from_spade
from agents.supplier_proxy.conversation import ProxyConversation
from agents.supplier_proxy.pricing import PriceModels
from agents.supplier_proxy.proxy import OFFER_VALIDITY, SupplierProxy
from agents.supplier_proxy.records import default_policy, price_models_of
from core.settings import Settings
from federation.dataset.schema import SupplierRecord
from federation.pricing import PriceModel
from ontology.policy import SupplierPolicy
from ontology.supplier import Supplier
from protocols.acl import AclMessage, MalformedAclError
from protocols.performative import Performative
from protocols.wire import bare_jid, from_envelope, intended_receiver, to_envelopes

log = logging.getLogger(__name__)

DEFAULT_NAME = "suppliers"
#: Finished conversations kept to answer late messages (``failure`` to a late accept, ...).
FINISHED_KEPT = 4096

Key = tuple[str, str]
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class ProxyHost(PlatformAgent):
    """Hosts supplier proxies under the XMPP account ``name`` (default ``suppliers``)."""

    def __init__(
        self,
        name: str = DEFAULT_NAME,
        settings: Settings | None = None,
        *,
        password: str | None = None,
        clock: Clock = utc_now,
    ) -> None:
        super().__init__(name, settings, password=password)
        self._clock = clock
        self._proxies: dict[str, SupplierProxy] = {}
        self._live: dict[Key, ProxyConversation] = {}
        self._finished: OrderedDict[Key, ProxyConversation] = OrderedDict()
        self._wake = asyncio.Event()
        self._planned: datetime | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._starting = asyncio.Lock()

    # ----------------------------------------------------------------- proxies

    def address_for(self, supplier_id: str) -> str:
        """The agent identifier of the proxy of ``supplier_id``: ``host@domain/supplier_id``."""
        return f"{self.address}/{supplier_id}"

    def add(
        self,
        supplier: Supplier,
        policy: SupplierPolicy,
        price_model: PriceModel | PriceModels | None = None,
        *,
        fail_after_accept: bool = False,
        silent: bool = False,
        seed: int = 0,
        offer_validity: timedelta = OFFER_VALIDITY,
    ) -> str:
        """Host a proxy for ``supplier``; its agent identifier.

        ``price_model``: one model for all its processes, or one per process (missing processes are
        priced from ``policy``'s rates). Its offers bind for ``offer_validity``. Replaces a proxy
        already hosted for the same supplier.
        """
        address = self.address_for(supplier.id)
        if isinstance(price_model, PriceModel):
            models: PriceModels = {c.process: price_model for c in supplier.capabilities}
        else:
            models = dict(price_model or {})
        self._proxies[address] = SupplierProxy(
            address=address,
            supplier=supplier.model_copy(update={"agent": address}),
            policy=policy,
            price_models=models,
            fail_after_accept=fail_after_accept,
            silent=silent,
            seed=seed,
            offer_validity=offer_validity,
        )
        return address

    def add_record(
        self,
        record: SupplierRecord,
        policy: SupplierPolicy | None = None,
        *,
        fail_after_accept: bool = False,
        silent: bool = False,
        seed: int = 0,
    ) -> str:
        """Host a proxy for a federation data-set supplier: its price models, and ``policy``
        (default: :func:`~agents.supplier_proxy.records.default_policy` of the record)."""
        return self.add(
            record.to_supplier(),
            policy or default_policy(record),
            price_models_of(record),
            fail_after_accept=fail_after_accept,
            silent=silent,
            seed=seed,
        )

    def remove(self, address: str) -> None:
        """Stop hosting the proxy ``address``; its open conversations end without a word."""
        self._proxies.pop(address, None)
        for key in [k for k in self._live if k[0] == address]:
            del self._live[key]

    def proxy(self, address: str) -> SupplierProxy | None:
        return self._proxies.get(address)

    @property
    def proxies(self) -> Mapping[str, SupplierProxy]:
        return dict(self._proxies)

    @property
    def open_conversations(self) -> int:
        return len(self._live)

    # ----------------------------------------------------------------- lifecycle

    async def ensure_started(self) -> None:
        """Connect if not connected yet (safe to call from many negotiations at once)."""
        async with self._starting:
            if not self.is_alive():
                await self.start()

    async def setup(self) -> None:
        self._ticker = asyncio.create_task(self._tick_deadlines(), name=f"{self.address} deadlines")

    async def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
            self._ticker = None
        await super().stop()

    # ----------------------------------------------------------------- sending

    def send_acl(self, message: AclMessage) -> None:
        """Send as the host or as one of its proxies."""
        if bare_jid(message.sender) != self.address:
            raise ValueError(f"{self.address} cannot send a message from {message.sender}")
        if self.client is None or not self.is_alive():
            raise RuntimeError(f"{self.address} is not connected")
        for envelope in to_envelopes(message):
            self._send_envelope(envelope)

    def _emit(self, messages: list[AclMessage]) -> None:
        for message in messages:
            self.send_acl(message)

    # ----------------------------------------------------------------- receiving

    def _dispatch(self, msg: Message) -> None:
        envelope = envelope_from_spade(msg)
        if not envelope.body and not envelope.metadata:
            return
        addressee = intended_receiver(envelope)
        if addressee == self.address:
            super()._dispatch(msg)
            return
        try:
            message = from_envelope(envelope)
        except MalformedAclError as exc:
            self._reject_malformed(envelope, str(exc))
            return
        self.deliver_to_proxy(addressee, message)

    def deliver_to_proxy(self, addressee: str, message: AclMessage) -> None:
        """Route a well-formed ACL message to the conversation of proxy ``addressee``."""
        proxy = self._proxies.get(addressee)
        if proxy is not None and proxy.silent:
            return
        key = (addressee, message.conversation_id or "")
        conversation = self._live.get(key) or self._finished.get(key)
        if conversation is None:
            conversation = self._open(addressee, proxy, message)
            if conversation is None:
                return
        now = self._clock()
        self._emit(conversation.handle(message, now))
        self._settle(key, conversation)

    def _open(
        self, addressee: str, proxy: SupplierProxy | None, message: AclMessage
    ) -> ProxyConversation | None:
        if message.performative is Performative.NOT_UNDERSTOOD:
            return None
        if proxy is None:
            self._refuse(addressee, message, f"no supplier proxy {addressee} is hosted here")
            return None
        problem = self.opening_problem(message)
        if problem is None:
            conversation = ProxyConversation.open(proxy, message)
            if conversation is not None:
                return conversation
            problem = "a supplier proxy only takes part in conversations opened by a cfp"
        self._refuse(addressee, message, problem)
        return None

    def _refuse(self, addressee: str, message: AclMessage, why: str) -> None:
        log.info("%s: not-understood to %s: %s", addressee, message.sender, why)
        self.send_acl(not_understood_for(addressee, message, why))

    def _settle(self, key: Key, conversation: ProxyConversation) -> None:
        conversation.machine.take_events()
        if conversation.finished:
            self._live.pop(key, None)
            self._finished[key] = conversation
            self._finished.move_to_end(key)
            while len(self._finished) > FINISHED_KEPT:
                self._finished.popitem(last=False)
            return
        self._live[key] = conversation
        due = conversation.next_deadline
        if due is not None and (self._planned is None or due < self._planned):
            self._wake.set()

    # ----------------------------------------------------------------- deadlines

    async def _tick_deadlines(self) -> None:
        while True:
            now = self._clock()
            soonest: datetime | None = None
            for key, conversation in list(self._live.items()):
                due = conversation.next_deadline
                if due is not None and due <= now:
                    try:
                        self._emit(conversation.tick(now))
                    except Exception:
                        log.exception("%s: deadline of %s failed", self.address, key)
                    self._settle(key, conversation)
                    due = conversation.next_deadline
                if due is not None and (soonest is None or due < soonest):
                    soonest = due
            self._wake.clear()
            self._planned = soonest
            delay = None if soonest is None else max(0.0, (soonest - self._clock()).total_seconds())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)
