"""An outsider on the agent wire: a bare XMPP client (tests/raw_xmpp.py) speaking FIPA ACL as docs/wire.md
describes it, with nothing of the platform's agent code."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from types import TracebackType

from tests.raw_xmpp import RawXmpp, body_of, field_of, thread_of


@dataclass(frozen=True)
class Answer:
    performative: str
    body: str
    conversation_id: str | None
    sender: str


class Attacker:
    def __init__(self, host: str, port: int, domain: str, username: str, password: str) -> None:
        self.client = RawXmpp(host, port, domain, timeout=30.0)
        self.username = username
        self.password = password
        self.answers: dict[str, list[Answer]] = {}

    async def __aenter__(self) -> Attacker:
        await self.client.connect()
        await self.client.session(self.username, self.password)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.client.close()

    async def send(
        self,
        to: str,
        performative: str,
        body: str,
        *,
        protocol: str | None,
        conversation_id: str | None = None,
        **parameters: str,
    ) -> str:
        """One ACL message; its conversation id. A hosted agent (``account@domain/name``) is reached at the
        account's bare JID with ``intended-receiver`` naming it, as docs/wire.md says."""
        cid = conversation_id or f"attack-{uuid.uuid4().hex}"
        fields = {"performative": performative, "reply-with": f"rw-{uuid.uuid4().hex[:8]}", **parameters}
        fields["receiver"] = to
        if "/" in to:
            fields["intended-receiver"] = to
            to = to.split("/", 1)[0]
        if protocol:
            fields["protocol"] = protocol
        fields["conversation-id"] = cid
        await self.client.message(to, body, fields, thread=cid)
        return cid

    async def answer(self, conversation_id: str, wait: float = 30.0) -> Answer:
        """The next answer in ``conversation_id`` (answers of other conversations are kept for later)."""
        async with asyncio.timeout(wait):
            while not self.answers.get(conversation_id):
                stanza = await self.client.next_message()
                cid = field_of(stanza, "conversation-id") or thread_of(stanza) or ""
                performative = field_of(stanza, "performative") or ""
                sender = field_of(stanza, "sender") or _attribute(stanza, "from")
                self.answers.setdefault(cid, []).append(Answer(performative, body_of(stanza), cid, sender))
        return self.answers[conversation_id].pop(0)

    async def silence(self, conversation_id: str, wait: float = 2.0) -> bool:
        """True when no answer in ``conversation_id`` arrives within ``wait`` seconds."""
        try:
            await self.answer(conversation_id, wait)
        except TimeoutError:
            return True
        return False


def _attribute(stanza: str, name: str) -> str:
    head = stanza.split(">", 1)[0]
    for quote in ("'", '"'):
        marker = f"{name}={quote}"
        if marker in head:
            return head.split(marker, 1)[1].split(quote, 1)[0]
    return ""
