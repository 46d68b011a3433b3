"""A test-side agent that records what it receives and can send raw (non-ACL) SPADE messages."""

from __future__ import annotations

import asyncio
from typing import Any

from spade.message import Message

from agents.runtime.platform_agent import PlatformAgent
from protocols.acl import AclMessage

WAIT = 10.0


class Probe(PlatformAgent):
    """ACL messages that name no open conversation of the probe land in :attr:`inbox`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.inbox: asyncio.Queue[AclMessage] = asyncio.Queue()

    def receive_acl(self, message: AclMessage) -> None:
        if self.conversation(message.conversation_id or "") is not None:
            super().receive_acl(message)
        else:
            self.inbox.put_nowait(message)

    def send_raw(
        self, to: str, body: str, metadata: dict[str, str] | None = None, *, claimed_from: str | None = None
    ) -> None:
        """A SPADE message straight onto the XMPP stream, ``from`` = ``claimed_from`` if given. It crosses the
        server even to an agent of this process (only :meth:`send_acl` hands over in-process), so the
        receiver's limits apply to it, and the server stamps the real sender whatever is claimed."""
        message = Message(to=to, sender=claimed_from or self.address, body=body, metadata=metadata or {})
        message.prepare(self.client).send()

    async def next_message(self, conversation_id: str | None = None, wait: float = WAIT) -> AclMessage:
        """The next inbox message (of ``conversation_id``, if given; others are dropped)."""
        async with asyncio.timeout(wait):
            while True:
                message = await self.inbox.get()
                if conversation_id is None or message.conversation_id == conversation_id:
                    return message
