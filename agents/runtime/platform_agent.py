"""``PlatformAgent``: a SPADE agent that speaks FIPA ACL.

Every incoming XMPP message is first bounded (:mod:`agents.runtime.limits`): a sender over its rate is
answered ``refuse`` ``too-many-requests`` (at most once a second) and a message over the size limit
``refuse`` ``message-too-large``, before anything is parsed or stored. Then it is decoded to an
:class:`~protocols.acl.AclMessage` (sender = the bare XMPP from-address the server stamped, never a claim in
the metadata), and:

* not a well-formed ACL message (no or unknown performative, bad reply-by, ...) -> answered
  ``not-understood`` with a :class:`~ontology.common.Reason`, logged, and nothing else happens;
* its conversation-id names a live conversation of this agent -> handed to that conversation
  (a :class:`~agents.runtime.conversation_behaviour.ConversationBehaviour`, whose sans-IO machine
  screens it: unknown senders, duplicates, bad content, out-of-sequence...);
* otherwise, when a responder is registered for its protocol, the content is checked, the sender's
  authority is checked against the store when the responder has an admission check (``serve(..., admit=)``:
  a ``refuse`` with the reason when it fails, logged with the stamped sender, nothing else happens), and the
  responder opens a conversation with it; else it is answered ``not-understood``.

A ``not-understood`` is never answered, and XMPP error bounces are dropped, so two agents never
loop. Messages to agents in the same SPADE container are handed over in-process (SPADE's own
behaviour); all others travel over XMPP.

Connection settings come from :class:`common.settings.Settings`: the agent connects to
``xmpp_host:xmpp_port`` (not to the JID's domain, which need not resolve) and verifies the server's
certificate when ``xmpp_verify_tls`` (against ``xmpp_ca_file`` when set). It never registers an account: its
password comes from the account book (:mod:`agents.runtime.accounts.book`), and an account without one, or
one the server refuses, does not start (:class:`ConnectionError` saying how to create it).

What the agent may serve to whom is decided with its :attr:`PlatformAgent.directory` (the store's bindings of
JIDs to parties; see :mod:`agents.runtime.directory`).

Reconnects. slixmpp (under SPADE) does not reconnect a stream the server closed, and SPADE keeps the
agent "alive" with a dead stream. So, once started, an agent that loses its connection (the server
restarts, say) reconnects by itself: after ``RECONNECT_FIRST_DELAY`` seconds, then with doubling
delays up to ``RECONNECT_MAX_DELAY``, each attempt bounded by ``xmpp_connect_timeout``, until it is
connected again or stopped. Its behaviours and conversations keep running meanwhile; what it sends
while disconnected raises (nothing is queued), and what others sent it meanwhile may be lost, so
conversations rely on their deadlines. :meth:`PlatformAgent.stop` ends the reconnecting.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from spade.agent import Agent
from spade.message import Message
from spade.xmpp_client import RegistrationException

from agents.runtime.accounts.book import AccountBook, AccountMissing, node_of
from agents.runtime.admission import Admissions, Check
from agents.runtime.conversation_behaviour import ConversationBehaviour
from agents.runtime.directory import AgentDirectory, StoreDirectory
from agents.runtime.limits import Rate, RateLimiter, acl_size
from agents.runtime.not_understood import (
    never_answered,
    not_understood_for,
    not_understood_for_envelope,
    reason_reply,
)
from agents.runtime.refusals import MESSAGE_TOO_LARGE, TOO_MANY_REQUESTS, refuse_envelope
from agents.runtime.refusals import refuse as refusal
from agents.runtime.transport import (
    bare,
    envelope_from_spade,
    envelope_from_stanza,
    spade_from_envelope,
    stanza_xml,
)
from common.settings import Settings, get_settings
from ontology.codec import ONTOLOGY_NAME, ContentError, decode
from ontology.common import Reason
from protocols.acl import CONTENT_LANGUAGE, AclMessage, MalformedAclError
from protocols.conversation import Conversation
from protocols.performative import Performative
from protocols.wire import XmppEnvelope, from_envelope, to_envelopes
from store.database import Database
from store.engine import create_engine

log = logging.getLogger(__name__)

M = TypeVar("M", bound=Conversation[Any])

RECONNECT_FIRST_DELAY = 0.5
"""Seconds between losing the connection and the first attempt to reconnect."""
RECONNECT_MAX_DELAY = 5.0
"""Upper bound of the (doubling) delay between two attempts to reconnect."""


class ConversationPort(Protocol):
    """What the agent needs from a live conversation: its id and a mailbox."""

    @property
    def conversation_id(self) -> str: ...

    def deliver(self, message: AclMessage) -> None: ...


Responder = Callable[[AclMessage], None]
"""Opens a conversation for a message that names no live one (see :meth:`PlatformAgent.serve`)."""

_UNSET_PASSWORD = "\x00unset"
LOOKUPS = 256
"""Senders whose standing is looked up in the background at most at once."""


class PlatformAgent(Agent):  # type: ignore[misc]
    """Base class of every platform agent. ``name`` is a JID or a node name in the platform domain."""

    def __init__(self, name: str, settings: Settings | None = None, *, password: str | None = None) -> None:
        """``password``: this account's; None reads it from the account book when the agent starts."""
        self.settings = settings or get_settings()
        jid = name if "@" in name else f"{name}@{self.settings.xmpp_domain}"
        self._password_given = password
        # SPADE's first Agent creates its Container, which installs uvloop's event-loop policy for
        # the whole process; on a running standard-library loop that breaks asyncio subprocesses
        # (uvloop's policy has no child watcher). Keep the caller's policy.
        policy = asyncio.get_event_loop_policy()
        super().__init__(
            jid,
            password if password is not None else _UNSET_PASSWORD,
            port=self.settings.xmpp_port,
            verify_security=self.settings.xmpp_verify_tls,
        )
        asyncio.set_event_loop_policy(policy)
        self._conversations: dict[str, ConversationPort] = {}
        self._responders: dict[str, tuple[Responder, Check | None]] = {}
        self._admissions = Admissions()
        self._store: Database | None = None
        self._own_store: Database | None = None
        self._directory: AgentDirectory | None = None
        self._lookups: set[str] = set()
        self._limiter = RateLimiter(
            Rate(self.settings.acl_rate_per_second, self.settings.acl_rate_burst),
            Rate(self.settings.acl_trusted_rate_per_second, self.settings.acl_trusted_rate_burst),
        )
        self._stopping = False
        self._reconnecting: asyncio.Task[None] | None = None
        self.reconnects = 0
        """How many times the agent connected again after losing its connection."""

    @property
    def store(self) -> Database:
        """The platform's store this agent reads (orders, bindings): by default the store of ``settings``,
        opened on first use (its engine connects on first query) and closed when the agent stops; give one
        to share it (``agent.store = db``, before the agent starts)."""
        if self._store is None:
            self._store = self._own_store = Database(create_engine(self.settings.resolved_database_url))
        return self._store

    @store.setter
    def store(self, db: Database) -> None:
        self._store = db

    @property
    def given_store(self) -> Database | None:
        """The store given to this agent (``agent.store = db``), or None when it has only the one it opens by
        itself (to read its bindings)."""
        given = self._store
        return None if given is None or given is self._own_store else given

    @property
    def directory(self) -> AgentDirectory:
        """Who may act for whom: by default the bindings of :attr:`store`; give one to share it between
        agents (``agent.directory = ...``)."""
        if self._directory is None:
            self._directory = StoreDirectory(self.store, ttl=self.settings.directory_ttl_seconds)
        return self._directory

    @directory.setter
    def directory(self, directory: AgentDirectory) -> None:
        self._directory = directory

    # ----------------------------------------------------------------- identity and lifecycle

    @property
    def address(self) -> str:
        """This agent's ACL identifier: its bare JID."""
        return str(self.jid.bare)

    def account_password(self) -> str:
        """This account's password: the one given, else the account book's (:class:`AccountMissing`)."""
        if self._password_given is not None:
            return self._password_given
        return AccountBook.of(self.settings).require(str(self.jid.bare))

    async def start(self) -> None:
        """Connect and log in (never registering the account); :class:`ConnectionError` when the account
        has no password here, the server refuses the login, or nothing answers in time."""
        try:
            self.password = self.account_password()
        except (AccountMissing, ValueError) as exc:
            raise ConnectionError(f"{self.address} cannot log in: {exc}") from None
        self._stopping = False
        try:
            await asyncio.wait_for(super().start(auto_register=False), self.settings.xmpp_connect_timeout)
        except TimeoutError:
            await self._abort_connection()
            raise ConnectionError(
                f"{self.address} could not connect to {self.settings.xmpp_host}:{self.settings.xmpp_port} "
                f"within {self.settings.xmpp_connect_timeout:.0f} s"
            ) from None
        except (RegistrationException, ConnectionError):
            await self._abort_connection()
            raise
        except Exception as exc:
            if type(exc).__name__ == "DisconnectedException":
                await self._abort_connection()
                raise ConnectionError(self._handshake_failed()) from None
            if type(exc).__name__ != "AuthenticationFailure":
                raise
            await self._abort_connection()
            node = node_of(self.address, self.settings.xmpp_domain)
            raise ConnectionError(
                f"the XMPP server at {self.settings.xmpp_host}:{self.settings.xmpp_port} refused the login "
                f"of {self.address}: the account does not exist there or has another password than the "
                f"account book's ({self.settings.resolved_accounts_file}); an admin creates it with "
                f"`lso xmpp add-account {node}`"
            ) from None

    def _handshake_failed(self) -> str:
        where = f"{self.settings.xmpp_host}:{self.settings.xmpp_port}"
        why = f"the connection of {self.address} to the XMPP server at {where} ended during the handshake"
        if self.settings.xmpp_verify_tls:
            trusted = self.settings.xmpp_ca_file or "the system's CAs"
            why += f"; is the server's certificate for {self.settings.xmpp_domain} signed by {trusted}?"
        return why

    async def stop(self) -> None:
        self._stopping = True
        self._admissions.cancel()
        task, self._reconnecting = self._reconnecting, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        if self.client is not None:
            self.client.cancel_connection_attempt()
        try:
            await super().stop()
        finally:
            own, self._own_store = self._own_store, None
            if own is not None:
                if self._store is own:
                    self._store = None
                    self._directory = None
                await own.close()

    async def _abort_connection(self) -> None:
        if self.client is not None:
            self.client.disconnect()

    async def _async_connect(self) -> None:
        """Connect to the configured host and port instead of resolving the JID's domain."""
        client = self.client
        connect = client.connect
        host, port = self.settings.xmpp_host, self.xmpp_port

        def connect_configured(*_: object, **__: object) -> Any:
            return connect(host=host, port=port)

        client.connect = connect_configured
        if self.settings.xmpp_verify_tls and self.settings.xmpp_ca_file is not None:
            client.ssl_context.load_verify_locations(cafile=str(self.settings.xmpp_ca_file))
        await super()._async_connect()
        # pyjabber 0.4.5 compares presence priorities and routes a bare-JID message only to the
        # highest one; SPADE's first presence has none, and a resource that went offline with
        # SPADE's "unavailable, priority 0" would win and swallow the message. Announce priority 0.
        client.send_presence(ppriority="0")
        client.add_event_handler("disconnected", self._on_disconnected)

    # ----------------------------------------------------------------- reconnecting

    @property
    def reconnecting(self) -> bool:
        """True while the agent tries to connect again after losing its connection."""
        return self._reconnecting is not None and not self._reconnecting.done()

    def _on_disconnected(self, _reason: object) -> None:
        if self._stopping or self.reconnecting:
            return
        log.warning("%s: lost the connection to the XMPP server; reconnecting", self.address)
        self._reconnecting = asyncio.create_task(self._reconnect(), name=f"{self.address} reconnect")

    async def _reconnect(self) -> None:
        client = self.client
        delay = RECONNECT_FIRST_DELAY
        while not self._stopping:
            await asyncio.sleep(delay)
            if await self._connect_once(client):
                self.reconnects += 1
                client.send_presence(ppriority="0")
                log.warning("%s: connected to the XMPP server again", self.address)
                return
            client.cancel_connection_attempt()  # slixmpp would retry on its own, ever more slowly
            delay = min(delay * 2, RECONNECT_MAX_DELAY)

    async def _connect_once(self, client: Any) -> bool:
        """One attempt: True once the session started again."""
        timeout = self.settings.xmpp_connect_timeout
        waits = {
            name: asyncio.ensure_future(client.wait_until(name, timeout))
            for name in ("session_start", "connection_failed", "disconnected")
        }
        try:
            client.connect()  # the configured host and port (see _async_connect)
            done, _ = await asyncio.wait(waits.values(), timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits.values():
                waiting.cancel()
            await asyncio.gather(*waits.values(), return_exceptions=True)
        started = waits["session_start"]
        return started in done and not started.cancelled() and started.exception() is None

    # ----------------------------------------------------------------- conversations

    def serve(self, protocol: str, responder: Responder, *, admit: Check | None = None) -> None:
        """Open conversations of ``protocol`` (e.g. ``fipa-request``) that peers start.

        ``admit``: asked first (asynchronously) whether the sender may open it: a :class:`Reason` is answered
        ``refuse`` and nothing else happens. Messages of that conversation arriving meanwhile are held."""
        self._responders[protocol] = (responder, admit)

    def register_conversation(self, conversation: ConversationPort) -> None:
        cid = conversation.conversation_id
        if cid in self._conversations:
            raise ValueError(f"conversation {cid!r} is already open")
        self._conversations[cid] = conversation

    def unregister_conversation(self, conversation_id: str, conversation: object | None = None) -> None:
        """Forget a conversation (only if it is ``conversation``, when given)."""
        if conversation is None or self._conversations.get(conversation_id) is conversation:
            self._conversations.pop(conversation_id, None)

    def open_conversation(
        self,
        machine: M,
        *,
        on_update: Callable[[ConversationBehaviour[M]], Awaitable[None] | None] | None = None,
        opening: AclMessage | None = None,
    ) -> ConversationBehaviour[M]:
        """Run ``machine`` as a behaviour of this agent, receiving its conversation's messages.

        An initiator then starts it: ``behaviour.act(lambda m, now: m.start(..., now=now))``. A
        responder passes the peer's ``opening`` message, which the machine handles first.
        """
        if machine.me != self.address:
            raise ValueError(f"the machine speaks for {machine.me}, not {self.address}")
        behaviour = ConversationBehaviour(machine, on_update=on_update, opening=opening)
        self.register_conversation(behaviour)
        self.add_behaviour(behaviour)
        return behaviour

    def conversation(self, conversation_id: str) -> ConversationPort | None:
        return self._conversations.get(conversation_id)

    # ----------------------------------------------------------------- sending

    def send_acl(self, message: AclMessage) -> None:
        """Send ``message`` to each receiver (in-process to agents of this container, else XMPP).

        Raises when the agent is not connected; nothing is queued for a later connection.
        """
        if message.sender != self.address:
            raise ValueError(f"{self.address} cannot send a message from {message.sender}")
        if self.client is None or not self.is_alive():
            raise RuntimeError(f"{self.address} is not connected")
        for envelope in to_envelopes(message):
            self._send_envelope(envelope)

    def _send_envelope(self, envelope: XmppEnvelope) -> None:
        if self.container.has_agent(envelope.to):
            local = self.container.get_agent(envelope.to)
            if local.is_alive():
                asyncio.get_running_loop().call_soon(local.dispatch, spade_from_envelope(envelope))
                return
        if self.directory.known(envelope.to) is None:
            self._look_up(envelope.to)  # its answers then count against the bucket of its standing
        size = acl_size(envelope.body, envelope.metadata)
        if size > self.settings.acl_max_message_bytes:
            raise ValueError(
                f"{self.address}: a message of {size} bytes to {envelope.to} is over the limit of "
                f"{self.settings.acl_max_message_bytes} (LSO_ACL_MAX_MESSAGE_BYTES)"
            )
        # Straight onto the stream: slixmpp's send queue would serialize the stanza again, slowly.
        # Its only outgoing filter (roster presence bookkeeping) does not concern messages.
        self.client.send_raw(stanza_xml(envelope))

    # ----------------------------------------------------------------- receiving

    def _message_received(self, node: Any) -> list[asyncio.Task[None]]:
        """Entry point of every message received over XMPP: bounded, then handled. Never raises."""
        if node["type"] == "error":
            log.warning("%s: XMPP error from %s: %s", self.address, node["from"], node["error"]["condition"])
            return []
        try:
            envelope = envelope_from_stanza(node)
            if self._within_limits(envelope):
                self._handle_envelope(envelope)
        except Exception:
            log.exception("%s: failed to handle a message from %s", self.address, node["from"])
        return []

    def dispatch(self, msg: Message) -> list[asyncio.Task[None]]:
        """Entry point of every message handed over in-process (agents of this container). Never raises."""
        try:
            self._handle_envelope(envelope_from_spade(msg))
        except Exception:
            log.exception("%s: failed to handle a message from %s", self.address, msg.sender)
        return []

    def _within_limits(self, envelope: XmppEnvelope) -> bool:
        """Whether ``envelope`` (from XMPP) is within its sender's rate and the size limit; else it was
        refused (or dropped: at most one refusal per sender and second)."""
        sender = envelope.sender
        directory = self.directory
        known = directory.known(sender)
        if known is None or not directory.fresh(sender):
            self._look_up(sender)
        trusted = known is True
        if not self._limiter.allow(sender, trusted=trusted):
            if self._limiter.should_answer(sender, trusted=trusted):
                dropped = self._limiter.refused_since_answer(sender, trusted=trusted)
                log.warning(
                    "%s: %s is over its rate limit (%d message(s) refused)", self.address, sender, dropped
                )
                self._refuse_unparsed(
                    envelope, TOO_MANY_REQUESTS, "slow down: this agent takes fewer messages"
                )
            return False
        size = acl_size(envelope.body, envelope.metadata)
        limit = self.settings.acl_max_message_bytes
        if size > limit:
            log.warning(
                "%s: refused a message of %d bytes from %s (limit %d)", self.address, size, sender, limit
            )
            self._refuse_unparsed(envelope, MESSAGE_TOO_LARGE, f"{size} bytes; the limit is {limit}")
            return False
        return True

    def _look_up(self, sender: str) -> None:
        """Ask the directory about ``sender`` in the background, so its next messages get the bucket of
        its standing (at most ``LOOKUPS`` senders at a time)."""
        if sender in self._lookups or len(self._lookups) >= LOOKUPS:
            return
        self._lookups.add(sender)
        task = asyncio.ensure_future(self.directory.bindings(sender))
        task.add_done_callback(lambda _: self._lookups.discard(sender))

    def _refuse_unparsed(self, envelope: XmppEnvelope, reason: str, detail: str) -> None:
        if bare(envelope.sender) == self.address:
            return
        try:
            answer = refuse_envelope(self.address, envelope, reason, detail)
            if answer is not None:
                self.send_acl(answer)
        except Exception as exc:
            log.warning("%s: cannot answer %s: %s", self.address, envelope.sender, exc)

    def _handle_envelope(self, envelope: XmppEnvelope) -> None:
        if not envelope.body and not envelope.metadata:
            log.debug("%s: ignoring an empty message from %s", self.address, envelope.sender)
            return
        try:
            message = from_envelope(envelope)
        except MalformedAclError as exc:
            self._reject_malformed(envelope, str(exc))
            return
        self.receive_acl(message)

    def receive_acl(self, message: AclMessage) -> None:
        """Route a well-formed ACL message to its conversation, or open one."""
        cid = message.conversation_id or ""
        conversation = self._conversations.get(cid)
        if conversation is not None:
            conversation.deliver(message)
            return
        if self._admissions.hold(cid, message):
            return
        if message.performative is Performative.NOT_UNDERSTOOD:
            log.info("%s: not-understood from %s outside any conversation", self.address, message.sender)
            return
        served = self._responders.get(message.protocol or "")
        if served is None:
            why = (
                f"no open conversation {message.conversation_id!r}, and protocol {message.protocol!r} "
                "is not served here"
            )
            self._answer(message, why)
            return
        problem = self.opening_problem(message)
        if problem is not None:
            self._answer(message, problem)
            return
        responder, admit = served
        if admit is None:
            self._respond(responder, message)
            return
        if self._admissions.full():
            self.refuse(message, Reason(reason="busy", detail="too many conversations wait to be opened"))
            return
        self._admissions.admit(
            cid,
            message,
            admit,
            admitted=lambda m: self._respond(responder, m),
            refused=self.refuse,
            then=self.receive_acl,
        )

    def _respond(self, responder: Responder, message: AclMessage) -> None:
        try:
            responder(message)
        except Exception as exc:
            log.exception("%s: responder for %s failed", self.address, message.protocol)
            why = f"internal error: {type(exc).__name__}"
            self.send_acl(reason_reply(self.address, message, Performative.FAILURE, why))

    def refuse(self, message: AclMessage, reason: Reason) -> None:
        """Answer ``message`` with ``refuse`` and ``reason`` (logged with the stamped sender)."""
        log.warning(
            "%s: refused %s %s from %s: %s %s",
            self.address,
            message.protocol or "-",
            message.performative.value,
            message.sender,
            reason.reason,
            reason.detail or "",
        )
        if message.performative in (Performative.NOT_UNDERSTOOD, Performative.REFUSE):
            return
        try:
            self.send_acl(refusal(self.address, message, reason.reason, reason.detail))
        except Exception as exc:
            log.warning("%s: cannot answer %s: %s", self.address, message.sender, exc)

    def opening_problem(self, message: AclMessage) -> str | None:
        """Why a message cannot open a conversation (checked before a responder sees it), or None."""
        if not message.conversation_id:
            return "a conversation must have a conversation-id"
        if message.language not in (None, CONTENT_LANGUAGE):
            return f"content language {message.language!r} is not supported (use {CONTENT_LANGUAGE})"
        if message.ontology not in (None, ONTOLOGY_NAME):
            return f"ontology {message.ontology!r} is not known here (use {ONTOLOGY_NAME})"
        try:
            decode(message.content, remember=False)
        except ContentError as exc:
            return str(exc)
        return None

    def _answer(self, message: AclMessage, why: str) -> None:
        log.warning("%s: not-understood to %s: %s", self.address, message.sender, why)
        self.send_acl(not_understood_for(self.address, message, why))

    def _reject_malformed(self, envelope: XmppEnvelope, why: str) -> None:
        log.warning("%s: malformed ACL message from %s: %s", self.address, envelope.sender, why)
        if never_answered(envelope) or not envelope.sender or bare(envelope.sender) == self.address:
            return
        try:
            reply = not_understood_for_envelope(self.address, envelope, why)
        except ValueError as exc:
            log.warning("%s: cannot answer %s: %s", self.address, envelope.sender, exc)
            return
        self.send_acl(reply)
