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

Authority. A proxy answers a ``cfp`` (the opening of a Contract Net or Iterated Contract Net) only from
a JID that :attr:`directory` binds as ``manufacturer`` (identity: the bare JID the XMPP server stamped;
authority: the store). Whether it is bound is asked asynchronously
(:class:`~agents.runtime.admission.Admissions`, keyed by (proxy, conversation-id)); later messages of that
conversation wait meanwhile. Anyone else gets ``refuse`` ``not-authorised`` from the proxy's address,
logged with the stamped sender: nothing is negotiated, offered or booked for it. Other openings (not a cfp,
malformed, for an unknown proxy) get ``not-understood``.

Bookings. An offer a proxy confirmed holds its hours (:mod:`agents.supplier_proxy.bookings`). Every
``booking_check_seconds`` (:class:`~agents.supplier_proxy.settings.SupplierProxySettings`) the host asks the
store (:attr:`store`) about every held booking (:mod:`agents.supplier_proxy.booking_check`): contracted with
that offer -> confirmed; order missing or ended without it -> released at once (logged at INFO with why);
otherwise kept until its ``held_until`` (``booking_hold_seconds`` after the confirmation). Confirmed bookings
are dropped once the supplier shipped the order's parts (the work is done: :attr:`fulfilment` says so) or
their delivery date has passed. ``check_store=False`` (simulations without a store) skips the
store and only ends bookings by time.

Bookings are kept in the store (table ``supplier_bookings``) and survive a restart. The host tracks every
proxy's bookings and writes what changed soon after (:meth:`ProxyHost.flush_bookings`, keyed by supplier id:
one flush at a time, one transaction each, gathering the changes of :data:`FLUSH_DELAY_SECONDS`; also after
every check and when the host stops). When it starts (``setup``) it reads the stored bookings
(:meth:`ProxyHost.load_bookings`, logged at INFO with how many) and gives each hosted proxy its own; bookings
of suppliers not hosted yet wait for :meth:`ProxyHost.add` (a removed proxy's bookings wait the same way).
The checks above then apply as ever: a hold that ended meanwhile ends at the first check, and what ends is
deleted from the store. Writing starts once the stored bookings are read (retried at every check while the
store cannot be read): a host that never starts opens no store for its bookings. A write that fails is
logged with why and its changes are written by a later flush (the next change, check or stop).
``check_store=False`` reads and writes no booking.

Memory bounds, per host:

* live conversations: at most ``live_limit`` (:data:`LIVE_LIMIT`; more cfps are refused ``busy``), each
  ending by its deadlines (the proposal's validity, ``offer_validity``; :data:`~.conversation.PATIENCE`
  otherwise) and taking at most :data:`~.conversation.MESSAGES_TAKEN` messages;
* openings waiting for their authorisation: at most the admissions' limit (512; more are refused ``busy``);
* finished conversations: a :class:`~.conversation.FinishedConversation` (five strings) for each of the newest
  ``finished_kept`` (:data:`FINISHED_KEPT`), to answer late messages;
* per proxy: negotiations and offers of live conversations only (dropped when a conversation finishes;
  at most :data:`~.proxy.NEGOTIATIONS_KEPT` / :data:`~.proxy.OFFERS_KEPT` in any case), bookings at most
  :data:`~.bookings.MAX_BOOKINGS`, each ended by time (see above);
* bookings' changes not written to the store yet: at most ``unflushed_limit`` (:data:`UNFLUSHED_LIMIT`, one
  per supplier and offer; the oldest beyond are dropped, logged at ERROR); stored bookings of suppliers not
  hosted: as many as the store holds (at most :data:`~.bookings.MAX_BOOKINGS` each).

Supply agreements (model v2 on the ledger; :mod:`agents.supplier_proxy.signing`,
:mod:`agents.supplier_proxy.fulfilment`). A proxy serves a FIPA ``request``
:class:`~ontology.lifecycle.SignSupply` only from a JID the directory binds as ``manufacturer`` (admitted like
a cfp; anyone else gets ``refuse`` ``not-authorised`` and nothing is read or signed) and only for an order it
holds a booking of for that JID: it reads the supply proposal with its supplier's own ledger session
(:attr:`ledger`, a :class:`~ledger.lifecycle.PartySessions`: ``session(PartyRole.SUPPLIER, supplier id)``),
compares it with its offers, and ``AcceptSupply`` (``inform`` :class:`~ontology.lifecycle.SupplySigned`; the
bookings are confirmed) or ``RejectSupply`` with the differences in words (``failure``). Then it ships after
``ship_delay_seconds`` (per supplier overridable), invoices, and confirms the manufacturer's payment claim,
taking due steps every ``ledger_poll_seconds``; when it starts it resumes every supply agreement of its
suppliers that is not shipped, not invoiced or not paid (:meth:`resume_supplies`). Without a ledger (a
simulation) a ``SignSupply`` is answered ``failure`` ``no-ledger`` and nothing else changes. The manufacturer
parties a requester may sign for are the ledger parties (:attr:`identities`, by default the store's
``ledger_identities``) of the manufacturers the directory binds it to.

Memory bounds, per host, for signing: at most ``signing_limit`` (:data:`SIGNING_LIMIT`) requests are being
decided at once (more are refused ``busy``); at most ``max_open_agreements``
(:data:`~.fulfilment.MAX_OPEN`) agreements are tracked (more are not signed: ``too-many-agreements``), each
until it is paid (see :mod:`.fulfilment` for how else it ends).

Lifecycle: :meth:`add`/:meth:`remove` work at any time; :meth:`ensure_started` connects on demand
(idempotent), e.g. when a negotiation needs the proxies.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import asdict, fields
from datetime import UTC, datetime, timedelta
from functools import partial
from itertools import islice

from pydantic import ValidationError

from agents.runtime.not_understood import not_understood_for
from agents.runtime.platform_agent import PlatformAgent
from agents.runtime.refusals import BUSY, NOT_AUTHORISED, refuse
from agents.supplier_proxy.booking_check import Decision, Verdict, read_verdicts
from agents.supplier_proxy.bookings import Booking, BookingState
from agents.supplier_proxy.conversation import FinishedConversation, ProxyConversation
from agents.supplier_proxy.fulfilment import MAX_OPEN, Fulfilment
from agents.supplier_proxy.pricing import PriceModels
from agents.supplier_proxy.proxy import OFFER_VALIDITY, SupplierProxy
from agents.supplier_proxy.records import default_policy, price_models_of
from agents.supplier_proxy.settings import SupplierProxySettings
from agents.supplier_proxy.signing import Declined, SupplySigner
from common.settings import Settings
from federation.dataset.schema import SupplierRecord
from federation.pricing import PriceModel
from ledger.identities.store_lookup import StoreIdentities
from ledger.lifecycle import PartyIdentities, PartySessions
from ontology.codec import ContentError, decode, problems
from ontology.common import Reason
from ontology.lifecycle import SignSupply, SupplySigned
from ontology.policy import SupplierPolicy
from ontology.supplier import Supplier
from protocols.acl import AclMessage, MalformedAclError
from protocols.performative import Performative
from protocols.request import RequestParticipant
from protocols.wire import XmppEnvelope, bare_jid, from_envelope, intended_receiver, to_envelopes
from store.enums import AgentRole
from store.records.bookings import NewSupplierBooking, SupplierBookingRecord

log = logging.getLogger(__name__)

DEFAULT_NAME = "suppliers"
#: Finished conversations kept (as tombstones) to answer late messages (``failure`` to a late accept, ...).
FINISHED_KEPT = 4096
#: Live conversations at most; cfps beyond are refused ``busy``.
LIVE_LIMIT = 10_000
#: Requests to sign decided at once at most; more are refused ``busy``.
SIGNING_LIMIT = 256
#: Shortest pause of the supply agreements' steps when a shipment is due already (a refused step is not
#: retried in a tight loop).
MIN_PAUSE_SECONDS = 0.5
#: Bookings' changes kept at most while the store cannot be written (the oldest beyond are dropped, logged).
UNFLUSHED_LIMIT = 100_000
#: Pause between a booking's change and the flush that writes it (the changes of a burst go in one write).
FLUSH_DELAY_SECONDS = 0.05
#: How long the last flush of a stopping host may take.
STOP_FLUSH_SECONDS = 10.0

Key = tuple[str, str]
BookingKey = tuple[str, str]
"""(supplier id, offer id)."""
Clock = Callable[[], datetime]
VerdictReader = Callable[[Sequence[Booking]], Awaitable[dict[str, Verdict]]]
"""What the store says about held bookings, by offer id (see :func:`.booking_check.read_verdicts`)."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def stored_booking(supplier_id: str, booking: Booking) -> NewSupplierBooking:
    """``booking`` of ``supplier_id`` as the store keeps it (:class:`ValidationError` if it cannot)."""
    return NewSupplierBooking(supplier_id=supplier_id, **asdict(booking))


def booking_of(record: SupplierBookingRecord) -> Booking:
    """A stored booking as a proxy keeps it."""
    kept = {f.name: getattr(record, f.name) for f in fields(Booking)}
    return Booking(**{**kept, "state": BookingState(record.state.value)})


class ProxyHost(PlatformAgent):
    """Hosts supplier proxies under the XMPP account ``name`` (default ``suppliers``)."""

    def __init__(
        self,
        name: str = DEFAULT_NAME,
        settings: Settings | None = None,
        *,
        password: str | None = None,
        clock: Clock = utc_now,
        suppliers: SupplierProxySettings | None = None,
        check_store: bool = True,
        verdicts: VerdictReader | None = None,
        finished_kept: int = FINISHED_KEPT,
        live_limit: int = LIVE_LIMIT,
        ledger: PartySessions | None = None,
        identities: PartyIdentities | None = None,
        max_open_agreements: int = MAX_OPEN,
        signing_limit: int = SIGNING_LIMIT,
        unflushed_limit: int = UNFLUSHED_LIMIT,
    ) -> None:
        """``suppliers``: the proxies' settings (default: from ``LSO_SUPPLIERS_*``); ``check_store``: whether
        held bookings are checked against the store (else they only end by time); ``verdicts``: how (default:
        :func:`~agents.supplier_proxy.booking_check.read_verdicts` over :attr:`store`).

        ``ledger``: the ledger session of each hosted supplier (``session(PartyRole.SUPPLIER, supplier id)``,
        a token of that supplier's own ledger user only; e.g. :func:`agents.supplier_proxy.sessions.
        json_sessions`), closed (``aclose``) when the host stops; None (a simulation): nothing is signed.
        ``identities``: where the ledger party of a manufacturer is read (default: the store's
        ``ledger_identities``); ``max_open_agreements``: supply agreements tracked at most;
        ``signing_limit``: requests to sign decided at once at most.

        With ``check_store`` the proxies' bookings are also kept in :attr:`store` (see the module docstring);
        ``unflushed_limit``: their changes kept at most while the store cannot be written."""
        super().__init__(name, settings, password=password)
        self.suppliers_settings = suppliers or SupplierProxySettings()
        self.ledger = ledger
        if ledger is not None and identities is None:
            identities = StoreIdentities(lambda: self.store)
        self.identities = identities
        self.fulfilment = (
            None
            if ledger is None
            else Fulfilment(
                ledger, self.suppliers_settings, limit=max_open_agreements, on_shipped=self._work_shipped
            )
        )
        self.signer = SupplySigner(
            ledger, identities, lambda jid: self.directory.bindings(jid), self.fulfilment
        )
        self.signing_limit = signing_limit
        self._requests: dict[Key, RequestParticipant] = {}
        self._signing: set[asyncio.Task[None]] = set()
        self._fulfiller: asyncio.Task[None] | None = None
        self.check_store = check_store
        self._verdicts = verdicts
        self.finished_kept = finished_kept
        self.live_limit = live_limit
        self._clock = clock
        self._proxies: dict[str, SupplierProxy] = {}
        self._live: dict[Key, ProxyConversation] = {}
        self._finished: OrderedDict[Key, FinishedConversation] = OrderedDict()
        self._wake = asyncio.Event()
        self._planned: datetime | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._checker: asyncio.Task[None] | None = None
        self._starting = asyncio.Lock()
        self.unflushed_limit = unflushed_limit
        self._unflushed: dict[BookingKey, Booking | None] = {}
        """Changes taken from the proxies and not written yet, oldest first: the booking, or None (ended)."""
        self._dirty: set[str] = set()
        """Suppliers whose bookings recorded changes since they were last taken."""
        self._unhosted: dict[str, list[Booking]] = {}
        """Stored bookings of suppliers not hosted (yet, or any more), by supplier id."""
        self._bookings_loaded = False
        self._flush_lock = asyncio.Lock()
        self._flusher: asyncio.Task[None] | None = None

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
        already hosted for the same supplier, taking over its bookings (the supplier's capacity is the same);
        otherwise, with ``check_store``, the proxy gets the supplier's stored bookings that wait for it (read
        by :meth:`load_bookings`, or kept when its previous proxy was removed).
        """
        address = self.address_for(supplier.id)
        if isinstance(price_model, PriceModel):
            models: PriceModels = {c.process: price_model for c in supplier.capabilities}
        else:
            models = dict(price_model or {})
        proxy = SupplierProxy(
            address=address,
            supplier=supplier.model_copy(update={"agent": address}),
            policy=policy,
            price_models=models,
            fail_after_accept=fail_after_accept,
            silent=silent,
            seed=seed,
            offer_validity=offer_validity,
            hold_for=self.suppliers_settings.booking_hold,
            max_requester_share=self.suppliers_settings.max_requester_share,
        )
        previous = self._proxies.get(address)
        if previous is not None:
            proxy.bookings = previous.bookings
        elif self.check_store:
            proxy.bookings.track(partial(self._bookings_changed, supplier.id))
            waiting = self._unhosted.pop(supplier.id, None)
            if waiting:
                proxy.bookings.restore(waiting)
        self._proxies[address] = proxy
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
        """Stop hosting the proxy ``address``; its open conversations end without a word. Its bookings stay in
        the store (and are given back if its supplier is hosted again)."""
        removed = self._proxies.pop(address, None)
        if removed is not None and removed.bookings.tracked:
            supplier_id = removed.supplier.id
            self._take_changes(supplier_id, removed)
            if len(removed.bookings):
                self._unhosted[supplier_id] = list(removed.bookings)
            self._flush_soon()
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

    def sizes(self) -> dict[str, int]:
        """How much the host keeps: live and finished conversations, openings waiting for their
        authorisation, and over all proxies negotiations, offers, calls and bookings (held, confirmed)."""
        proxies = list(self._proxies.values())
        return {
            "live": len(self._live),
            "finished": len(self._finished),
            "waiting": self._admissions.waiting,
            "negotiations": sum(len(p.negotiations) for p in proxies),
            "offers": sum(len(p.offers) for p in proxies),
            "calls": sum(len(p.calls) for p in proxies),
            "held": sum(len(p.bookings.held()) for p in proxies),
            "confirmed": sum(len(p.bookings.confirmed()) for p in proxies),
            "signing": len(self._requests),
            "agreements": 0 if self.fulfilment is None else len(self.fulfilment),
        }

    # ----------------------------------------------------------------- lifecycle

    async def ensure_started(self) -> None:
        """Connect if not connected yet (safe to call from many negotiations at once)."""
        async with self._starting:
            if not self.is_alive():
                await self.start()

    async def setup(self) -> None:
        if self.check_store:
            await self._load_stored_bookings()
        self._ticker = asyncio.create_task(self._tick_deadlines(), name=f"{self.address} deadlines")
        self._checker = asyncio.create_task(self._check_bookings_every(), name=f"{self.address} bookings")
        if self.fulfilment is not None:
            self._fulfiller = asyncio.create_task(self._fulfil(), name=f"{self.address} supply agreements")

    async def stop(self) -> None:
        for task in (self._ticker, self._checker, self._fulfiller, self._flusher, *self._signing):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._ticker = self._checker = self._fulfiller = self._flusher = None
        await self._last_flush()
        aclose = getattr(self.ledger, "aclose", None)
        if aclose is not None:
            with contextlib.suppress(Exception):
                await aclose()
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

    def _handle_envelope(self, envelope: XmppEnvelope) -> None:
        if not envelope.body and not envelope.metadata:
            return
        addressee = intended_receiver(envelope)
        if addressee == self.address:
            super()._handle_envelope(envelope)
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
        request = self._requests.get(key)
        if request is not None:
            self._emit(request.handle(message, self._clock()))  # a cancel: nothing else is expected
            return
        live = self._live.get(key)
        if live is not None:
            self._run(key, live, message)
            return
        finished = self._finished.get(key)
        if finished is not None:
            self._emit(finished.handle(message, self._clock()))
            return
        if self._admissions.hold(key, message):
            return
        self._open(addressee, proxy, message)

    def _open(self, addressee: str, proxy: SupplierProxy | None, message: AclMessage) -> None:
        """A message that names no conversation of ``addressee``: a cfp of a manufacturer opens one."""
        if message.performative is Performative.NOT_UNDERSTOOD:
            return
        if proxy is None:
            self._not_understood(addressee, message, f"no supplier proxy {addressee} is hosted here")
            return
        if message.performative is Performative.REQUEST and self._open_request(addressee, proxy, message):
            return
        problem = self.opening_problem(message)
        conversation = None
        if problem is None:
            conversation = ProxyConversation.open(proxy, message)
            if conversation is None:
                problem = "a supplier proxy only takes part in conversations opened by a cfp"
        if conversation is None:
            self._not_understood(addressee, message, problem or "no conversation opens here")
            return
        if self._admissions.full() or len(self._live) >= self.live_limit:
            self._refuse(addressee, message, Reason(reason=BUSY, detail="too many conversations are open"))
            return
        key = (addressee, conversation.conversation_id)
        opened = conversation
        self._admissions.admit(
            key,
            message,
            self._authorise,
            admitted=lambda m: self._admitted(key, proxy, opened, m),
            refused=lambda m, reason: self._refuse(addressee, m, reason),
            then=lambda m: self.deliver_to_proxy(addressee, m),
        )

    async def _authorise(self, message: AclMessage) -> Reason | None:
        """Why ``message`` (a cfp) may not open a conversation with a proxy, or None."""
        if await self.directory.may_act_as(message.sender, AgentRole.MANUFACTURER):
            return None
        detail = (
            f"{bare_jid(message.sender)} is not bound as a manufacturer; supplier proxies answer only them"
        )
        return Reason(reason=NOT_AUTHORISED, detail=detail)

    def _admitted(
        self, key: Key, proxy: SupplierProxy, conversation: ProxyConversation, message: AclMessage
    ) -> None:
        if self._proxies.get(key[0]) is not proxy:  # removed or replaced while the sender was checked
            self._not_understood(key[0], message, f"no supplier proxy {key[0]} is hosted here any more")
            return
        self._run(key, conversation, message)

    async def drain(self) -> None:
        """Wait for the authorisations and the requests to sign under way (tests, shutdown)."""
        await self._admissions.drain()
        while self._signing:
            await asyncio.gather(*list(self._signing), return_exceptions=True)
            await self._admissions.drain()

    # ----------------------------------------------------------------- signing supply agreements

    def _open_request(self, addressee: str, proxy: SupplierProxy, message: AclMessage) -> bool:
        """Open the decision on a ``request`` SignSupply; False when the request is about something else."""
        try:
            decode(message.content, SignSupply, remember=False)
        except ContentError:
            return False
        if self._admissions.full() or len(self._requests) >= self.signing_limit:
            self._refuse(addressee, message, Reason(reason=BUSY, detail="too many requests are under way"))
            return True
        key = (addressee, message.conversation_id or "")
        try:
            machine = RequestParticipant.for_message(
                message, me=addressee, content_types={Performative.REQUEST: (SignSupply,)}
            )
        except ValueError as exc:
            self._not_understood(addressee, message, str(exc))
            return True
        self._admissions.admit(
            key,
            message,
            self._authorise,
            admitted=lambda m: self._start_signing(key, proxy, machine, m),
            refused=lambda m, reason: self._refuse(addressee, m, reason),
            then=lambda m: self.deliver_to_proxy(addressee, m),
        )
        return True

    def _start_signing(
        self, key: Key, proxy: SupplierProxy, machine: RequestParticipant, message: AclMessage
    ) -> None:
        if self._proxies.get(key[0]) is not proxy:
            self._not_understood(key[0], message, f"no supplier proxy {key[0]} is hosted here any more")
            return
        self._emit(machine.handle(message, self._clock()))
        if machine.finished or machine.request is None:
            return
        request = decode(machine.request.content, SignSupply)
        self._requests[key] = machine
        task = asyncio.create_task(self._sign(key, proxy, machine, request), name=f"{key[0]} sign")
        self._signing.add(task)
        task.add_done_callback(self._signing.discard)

    async def _sign(
        self, key: Key, proxy: SupplierProxy, machine: RequestParticipant, request: SignSupply
    ) -> None:
        try:
            result: SupplySigned | Declined = await self.signer.sign(proxy, request, machine.initiator)
        except Exception as exc:
            log.exception("%s: deciding on the supply of order %s failed", key[0], request.order_id)
            result = Declined(Reason(reason="internal-error", detail=type(exc).__name__))
        finally:
            self._requests.pop(key, None)
        if machine.finished:
            log.info(
                "%s: the request about order %s ended before its answer (%s)",
                key[0],
                request.order_id,
                machine.state,
            )
            return
        now = self._clock()
        if isinstance(result, SupplySigned):
            out = machine.inform(result, now=now)
        elif result.refused:
            out = machine.refuse(result.reason, now=now)
        else:
            out = machine.failure(result.reason, now=now)
        if not isinstance(result, SupplySigned):
            log.info(
                "%s: %s to %s about order %s: %s %s",
                key[0],
                "refuse" if result.refused else "failure",
                machine.initiator,
                request.order_id,
                result.reason.reason,
                result.reason.detail or "",
            )
        try:
            self._emit(out)
        except Exception as exc:
            log.warning("%s: cannot answer %s: %s", key[0], machine.initiator, exc)

    # ----------------------------------------------------------------- supply agreements after signing

    async def resume_supplies(self) -> int:
        """Track every supply agreement of the hosted suppliers that the ledger shows not shipped, not
        invoiced or not paid; how many are tracked (0 without a ledger)."""
        if self.fulfilment is None:
            return 0
        return await self.fulfilment.resume([p.supplier.id for p in list(self._proxies.values())])

    async def advance_supplies(self) -> None:
        """Take the due steps of the tracked supply agreements (ship, invoice, confirm payment)."""
        if self.fulfilment is not None:
            await self.fulfilment.advance(self._clock())

    async def _fulfil(self) -> None:
        assert self.fulfilment is not None
        poll = self.suppliers_settings.ledger_poll_seconds
        resumed = False
        while True:
            if not resumed:
                try:
                    count = await self.resume_supplies()
                    resumed = True
                    log.info("%s: %d supply agreements resumed from the ledger", self.address, count)
                except Exception as exc:
                    log.warning("%s: cannot resume the supply agreements yet: %s", self.address, exc)
            try:
                await self.advance_supplies()
            except Exception:
                log.exception("%s: the steps of the supply agreements failed", self.address)
            pause = poll
            due = self.fulfilment.next_due()
            if due is not None:
                until = (due - self._clock()).total_seconds()
                pause = max(min(poll, until), min(poll, MIN_PAUSE_SECONDS))
            await asyncio.sleep(pause)

    def _run(self, key: Key, conversation: ProxyConversation, message: AclMessage) -> None:
        try:
            self._emit(conversation.handle(message, self._clock()))
        finally:
            self._settle(key, conversation)

    def _not_understood(self, addressee: str, message: AclMessage, why: str) -> None:
        log.info("%s: not-understood to %s: %s", addressee, message.sender, why)
        self.send_acl(not_understood_for(addressee, message, why))

    def _refuse(self, addressee: str, message: AclMessage, reason: Reason) -> None:
        log.warning(
            "%s: refused %s %s from %s: %s %s",
            addressee,
            message.protocol or "-",
            message.performative.value,
            message.sender,
            reason.reason,
            reason.detail or "",
        )
        try:
            self.send_acl(refuse(addressee, message, reason.reason, reason.detail))
        except Exception as exc:
            log.warning("%s: cannot answer %s: %s", addressee, message.sender, exc)

    def _settle(self, key: Key, conversation: ProxyConversation) -> None:
        conversation.machine.take_events()
        if conversation.finished:
            self._live.pop(key, None)
            self._finished[key] = conversation.tombstone()
            self._finished.move_to_end(key)
            while len(self._finished) > self.finished_kept:
                self._finished.popitem(last=False)
            return
        self._live[key] = conversation
        due = conversation.next_deadline
        if due is not None and (self._planned is None or due < self._planned):
            self._wake.set()

    # ----------------------------------------------------------------- bookings

    async def _check_bookings_every(self) -> None:
        while True:
            await asyncio.sleep(self.suppliers_settings.booking_check_seconds)
            if self.check_store and not self._bookings_loaded:
                await self._load_stored_bookings()
            try:
                await self.check_bookings()
            except Exception:
                log.exception("%s: checking the bookings failed", self.address)

    def _work_shipped(self, supplier_id: str, order_id: str) -> None:
        """The supplier shipped its parts of ``order_id``: the hours it booked for them are free again."""
        proxy = self._proxies.get(self.address_for(supplier_id))
        if proxy is None:
            self._release_unhosted(supplier_id, order_id)
            return
        for booking in proxy.bookings.release_order(order_id):
            log.info(
                "%s: %s booking of offer %s (order %s, %.1f h) for %s ended: its parts are shipped",
                proxy.address,
                booking.state.value,
                booking.offer_id,
                booking.order_id,
                booking.hours,
                booking.requester,
            )

    async def check_bookings(self) -> None:
        """Confirm or release held bookings as the store says (see the module docstring), then end held
        bookings whose hold is over and confirmed ones whose delivery date passed."""
        held = [b for proxy in self._proxies.values() for b in proxy.bookings.held()]
        verdicts: dict[str, Verdict] = {}
        if held and self.check_store:
            verdicts = await (self._verdicts(held) if self._verdicts else read_verdicts(self.store, held))
        now = self._clock()
        for address, proxy in list(self._proxies.items()):
            for booking in proxy.bookings.held():
                verdict = verdicts.get(booking.offer_id)
                if verdict is None or verdict.decision is Decision.KEEP:
                    continue
                if verdict.decision is Decision.CONFIRM:
                    proxy.bookings.confirm(booking.offer_id)
                    done = "confirmed"
                else:
                    proxy.bookings.release(booking.offer_id)
                    done = "released"
                log.info(
                    "%s: booking of offer %s (order %s, part %s, %.1f h) for %s %s: %s",
                    address,
                    booking.offer_id,
                    booking.order_id,
                    booking.part_id,
                    booking.hours,
                    booking.requester,
                    done,
                    verdict.why,
                )
            for booking, why in proxy.bookings.due(now, proxy.today()):
                log.info(
                    "%s: %s booking of offer %s (order %s, %.1f h) for %s ended: %s",
                    address,
                    booking.state.value,
                    booking.offer_id,
                    booking.order_id,
                    booking.hours,
                    booking.requester,
                    why,
                )
        await self.flush_bookings(everything=True)

    # ----------------------------------------------------------------- bookings in the store

    async def load_bookings(self) -> int:
        """Read the stored bookings and give each hosted proxy its own (bookings of suppliers not hosted wait
        for :meth:`add`); how many were restored. A booking changed here since (not written yet) is newer
        than the stored one, which is skipped. From now on the bookings' changes are written. Raises what
        the store raises (nothing is restored then)."""
        if not self.check_store:
            return 0
        async with self._flush_lock:  # no write under way: what is read is what was written
            async with self.store.transaction(flush_acl_log=False) as repos:
                records = await repos.supplier_bookings.list_all()
            self._collect_changes(everything=True)
            stored: dict[str, list[Booking]] = {}
            for record in records:
                if (record.supplier_id, record.offer_id) not in self._unflushed:
                    stored.setdefault(record.supplier_id, []).append(booking_of(record))
            hosted = waiting = 0
            for supplier_id, bookings in stored.items():
                proxy = self._proxies.get(self.address_for(supplier_id))
                if proxy is not None:
                    hosted += len(proxy.bookings.restore(bookings))
                    continue
                kept = self._unhosted.setdefault(supplier_id, [])
                known = {b.offer_id for b in kept}
                new = [b for b in bookings if b.offer_id not in known]
                kept.extend(new)
                waiting += len(new)
            self._bookings_loaded = True
        log.info(
            "%s: %d supplier bookings restored from the store: %d of hosted suppliers, %d waiting for "
            "their suppliers to be hosted",
            self.address,
            hosted + waiting,
            hosted,
            waiting,
        )
        self._flush_soon()
        return hosted + waiting

    async def flush_bookings(self, *, everything: bool = False) -> bool:
        """Write the changes of the proxies' bookings to the store, in one transaction (at most one flush runs
        at a time; changes made meanwhile are written by the same flush); True when none is left unwritten.

        ``everything``: look at every proxy, not only those that said they changed. Nothing is written before
        :meth:`load_bookings`: the changes are kept (False). When the store fails the changes are kept for a
        later flush (False). Kept, at most :attr:`unflushed_limit` (the oldest beyond are dropped, logged);
        a flush that can write writes every change, however many."""
        if not self.check_store:
            return True
        async with self._flush_lock:
            while True:
                self._collect_changes(everything=everything)
                everything = False
                if not self._unflushed:
                    return True
                if not self._bookings_loaded:
                    self._trim_unflushed()
                    return False
                batch, self._unflushed = self._unflushed, {}
                upserts = self._storable(batch)
                removals = [key for key, booking in batch.items() if booking is None]
                try:
                    async with self.store.transaction(flush_acl_log=False) as repos:
                        await repos.supplier_bookings.upsert_many(upserts)
                        await repos.supplier_bookings.delete_many(removals)
                except Exception as exc:
                    self._keep_unwritten(batch)
                    log.warning(
                        "%s: cannot write %d booking changes to the store (%s: %s); they are kept and "
                        "written by a later flush",
                        self.address,
                        len(batch),
                        type(exc).__name__,
                        exc,
                    )
                    self._trim_unflushed()
                    return False
                except BaseException:  # cancelled: write them next time
                    self._keep_unwritten(batch)
                    raise
                log.debug(
                    "%s: %d bookings stored, %d deleted from the store",
                    self.address,
                    len(upserts),
                    len(removals),
                )

    @property
    def unflushed(self) -> int:
        """Changes of bookings not written to the store yet (taken from the proxies or not)."""
        waiting = sum(p.bookings.changes_waiting for p in self._proxies.values())
        return len(self._unflushed) + waiting

    def _bookings_changed(self, supplier_id: str) -> None:
        self._dirty.add(supplier_id)
        self._flush_soon()

    def _flush_soon(self) -> None:
        """Start a flush after :data:`FLUSH_DELAY_SECONDS` unless one is started already (it writes what
        changed meanwhile too)."""
        if not self.check_store or (self._flusher is not None and not self._flusher.done()):
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop (yet): the next check or stop writes the changes
            return
        self._flusher = loop.create_task(self._flush_after_pause(), name=f"{self.address} bookings flush")

    async def _flush_after_pause(self) -> None:
        await asyncio.sleep(FLUSH_DELAY_SECONDS)
        try:
            await self.flush_bookings()
        except Exception:
            log.exception("%s: writing the bookings to the store failed", self.address)

    async def _load_stored_bookings(self) -> bool:
        try:
            await self.load_bookings()
        except Exception as exc:
            log.warning(
                "%s: cannot read the stored bookings (%s: %s); read again at the next check, their changes "
                "are kept until then",
                self.address,
                type(exc).__name__,
                exc,
            )
            return False
        return True

    async def _last_flush(self) -> None:
        if not self.check_store:
            return
        try:
            await asyncio.wait_for(self.flush_bookings(everything=True), STOP_FLUSH_SECONDS)
        except Exception as exc:
            log.warning(
                "%s: the last write of the bookings failed: %s: %s", self.address, type(exc).__name__, exc
            )
        if self._unflushed:
            log.warning(
                "%s: %d booking changes are not in the store%s",
                self.address,
                len(self._unflushed),
                "" if self._bookings_loaded else " (the stored bookings were never read)",
            )

    def _collect_changes(self, *, everything: bool) -> None:
        """Take the changes recorded by the proxies that said they changed (every proxy: ``everything``)."""
        dirty, self._dirty = self._dirty, set()
        if everything:
            proxies = [p for p in self._proxies.values() if p.bookings.changes_waiting]
        else:
            found = (self._proxies.get(self.address_for(supplier_id)) for supplier_id in dirty)
            proxies = [p for p in found if p is not None]
        for proxy in proxies:
            self._take_changes(proxy.supplier.id, proxy)

    def _take_changes(self, supplier_id: str, proxy: SupplierProxy) -> None:
        upserted, removed = proxy.bookings.drain_changes()
        changes: list[tuple[str, Booking | None]] = [(b.offer_id, b) for b in upserted]
        changes += [(offer_id, None) for offer_id in removed]
        for offer_id, booking in changes:
            key = (supplier_id, offer_id)
            self._unflushed.pop(key, None)  # the newest change goes last
            self._unflushed[key] = booking

    def _keep_unwritten(self, batch: dict[BookingKey, Booking | None]) -> None:
        """Put back a batch that was not written, before the changes taken since (which are newer)."""
        newer, self._unflushed = self._unflushed, dict(batch)
        for key, booking in newer.items():
            self._unflushed.pop(key, None)
            self._unflushed[key] = booking

    def _trim_unflushed(self) -> None:
        excess = len(self._unflushed) - self.unflushed_limit
        if excess <= 0:
            return
        for key in list(islice(self._unflushed, excess)):
            del self._unflushed[key]
        log.error(
            "%s: %d booking changes were never written to the store and are dropped (%d are kept at "
            "most): the store may miss bookings, or keep ended ones until their hold or delivery date ends "
            "them after a restart",
            self.address,
            excess,
            self.unflushed_limit,
        )

    def _storable(self, batch: dict[BookingKey, Booking | None]) -> list[NewSupplierBooking]:
        """The bookings of ``batch`` as the store keeps them; one that cannot be kept is logged and left out
        of ``batch`` (it stays in memory only)."""
        upserts: list[NewSupplierBooking] = []
        for key, booking in list(batch.items()):
            if booking is None:
                continue
            try:
                upserts.append(stored_booking(key[0], booking))
            except ValidationError as exc:
                del batch[key]
                log.warning(
                    "%s: the booking of offer %s of supplier %s cannot be stored (%s); it is kept in memory "
                    "only",
                    self.address,
                    key[1],
                    key[0],
                    problems(exc),
                )
        return upserts

    def _release_unhosted(self, supplier_id: str, order_id: str) -> None:
        """A supplier not hosted shipped its parts of ``order_id``: its stored bookings of them end."""
        waiting = self._unhosted.get(supplier_id)
        if not waiting:
            return
        ended = [b for b in waiting if b.order_id == order_id]
        if not ended:
            return
        self._unhosted[supplier_id] = [b for b in waiting if b.order_id != order_id]
        for booking in ended:
            key = (supplier_id, booking.offer_id)
            self._unflushed.pop(key, None)
            self._unflushed[key] = None
        log.info(
            "%s: %d bookings of order %s of supplier %s (not hosted) ended: its parts are shipped",
            self.address,
            len(ended),
            order_id,
            supplier_id,
        )
        self._flush_soon()

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
