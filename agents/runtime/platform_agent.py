"""``PlatformAgent``: a SPADE agent that speaks FIPA ACL.

Every incoming XMPP message is decoded to an :class:`~protocols.acl.AclMessage` (sender = the bare
XMPP from-address the server stamped, never a claim in the metadata). Then:

* not a well-formed ACL message (no or unknown performative, bad reply-by, ...) -> answered
  ``not-understood`` with a :class:`~ontology.common.Reason`, logged, and nothing else happens;
* its conversation-id names a live conversation of this agent -> handed to that conversation
  (a :class:`~agents.runtime.conversation_behaviour.ConversationBehaviour`, whose sans-IO machine
  screens it: unknown senders, duplicates, bad content, out-of-sequence...);
* otherwise, when a responder is registered for its protocol, the content is checked and the
  responder opens a conversation with it; else it is answered ``not-understood``.

A ``not-understood`` is never answered, and XMPP error bounces are dropped, so two agents never
loop. Messages to agents in the same SPADE container are handed over in-process (SPADE's own
behaviour); all others travel over XMPP.

Connection settings come from :class:`core.settings.Settings`: the agent connects to
``xmpp_host:xmpp_port`` (not to the JID's domain, which need not resolve), skips certificate
verification unless ``xmpp_verify_tls``, and registers its account in-band when
``xmpp_auto_register``.

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

from agents.runtime.conversation_behaviour import ConversationBehaviour
from agents.runtime.not_understood import (
    never_answered,
    not_understood_for,
    not_understood_for_envelope,
    reason_reply,
)
from agents.runtime.transport import bare, envelope_from_spade, spade_from_envelope, stanza_xml
from core.settings import Settings, get_settings
from ontology.codec import ONTOLOGY_NAME, ContentError, decode
from protocols.acl import CONTENT_LANGUAGE, AclMessage, MalformedAclError
from protocols.conversation import Conversation
from protocols.performative import Performative
from protocols.wire import XmppEnvelope, from_envelope, to_envelopes

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


class PlatformAgent(Agent):  # type: ignore[misc]
    """Base class of every platform agent. ``name`` is a JID or a node name in the platform domain."""

    def __init__(self, name: str, settings: Settings | None = None, *, password: str | None = None) -> None:
        self.settings = settings or get_settings()
        jid = name if "@" in name else f"{name}@{self.settings.xmpp_domain}"
        secret = password if password is not None else self.settings.xmpp_password.get_secret_value()
        # SPADE's first Agent creates its Container, which installs uvloop's event-loop policy for
        # the whole process; on a running standard-library loop that breaks asyncio subprocesses
        # (uvloop's policy has no child watcher). Keep the caller's policy.
        policy = asyncio.get_event_loop_policy()
        super().__init__(
            jid, secret, port=self.settings.xmpp_port, verify_security=self.settings.xmpp_verify_tls
        )
        asyncio.set_event_loop_policy(policy)
        self._conversations: dict[str, ConversationPort] = {}
        self._responders: dict[str, Responder] = {}
        self._stopping = False
        self._reconnecting: asyncio.Task[None] | None = None
        self.reconnects = 0
        """How many times the agent connected again after losing its connection."""

    # ----------------------------------------------------------------- identity and lifecycle

    @property
    def address(self) -> str:
        """This agent's ACL identifier: its bare JID."""
        return str(self.jid.bare)

    async def start(self, auto_register: bool | None = None) -> None:
        register = self.settings.xmpp_auto_register if auto_register is None else auto_register
        self._stopping = False
        try:
            await asyncio.wait_for(super().start(auto_register=register), self.settings.xmpp_connect_timeout)
        except TimeoutError:
            await self._abort_connection()
            raise ConnectionError(
                f"{self.address} could not connect to {self.settings.xmpp_host}:{self.settings.xmpp_port} "
                f"within {self.settings.xmpp_connect_timeout:.0f} s"
            ) from None

    async def stop(self) -> None:
        self._stopping = True
        task, self._reconnecting = self._reconnecting, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        if self.client is not None:
            self.client.cancel_connection_attempt()
        await super().stop()

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

    def serve(self, protocol: str, responder: Responder) -> None:
        """Open conversations of ``protocol`` (e.g. ``fipa-request``) that peers start."""
        self._responders[protocol] = responder

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
        # Straight onto the stream: slixmpp's send queue would serialize the stanza again, slowly.
        # Its only outgoing filter (roster presence bookkeeping) does not concern messages.
        self.client.send_raw(stanza_xml(envelope))

    # ----------------------------------------------------------------- receiving

    def _message_received(self, node: Any) -> list[asyncio.Task[None]]:
        if node["type"] == "error":
            log.warning("%s: XMPP error from %s: %s", self.address, node["from"], node["error"]["condition"])
            return []
        return super()._message_received(node)  # type: ignore[no-any-return]

    def dispatch(self, msg: Message) -> list[asyncio.Task[None]]:
        """Entry point of every received message (XMPP or in-process). Never raises."""
        try:
            self._dispatch(msg)
        except Exception:
            log.exception("%s: failed to handle a message from %s", self.address, msg.sender)
        return []

    def _dispatch(self, msg: Message) -> None:
        envelope = envelope_from_spade(msg)
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
        conversation = self._conversations.get(message.conversation_id or "")
        if conversation is not None:
            conversation.deliver(message)
            return
        if message.performative is Performative.NOT_UNDERSTOOD:
            log.info("%s: not-understood from %s outside any conversation", self.address, message.sender)
            return
        responder = self._responders.get(message.protocol or "")
        if responder is None:
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
        try:
            responder(message)
        except Exception as exc:
            log.exception("%s: responder for %s failed", self.address, message.protocol)
            why = f"internal error: {type(exc).__name__}"
            self.send_acl(reason_reply(self.address, message, Performative.FAILURE, why))

    def opening_problem(self, message: AclMessage) -> str | None:
        """Why a message cannot open a conversation (checked before a responder sees it), or None."""
        if not message.conversation_id:
            return "a conversation must have a conversation-id"
        if message.language not in (None, CONTENT_LANGUAGE):
            return f"content language {message.language!r} is not supported (use {CONTENT_LANGUAGE})"
        if message.ontology not in (None, ONTOLOGY_NAME):
            return f"ontology {message.ontology!r} is not known here (use {ONTOLOGY_NAME})"
        try:
            decode(message.content)
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
