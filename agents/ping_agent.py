"""``PingAgent``: answers a FIPA ``request`` carrying :class:`Ping` with ``inform`` :class:`Pong`.

It is the smallest real platform agent: one Request participant machine per conversation,
run by :class:`~agents.runtime.conversation_behaviour.ConversationBehaviour`. It serves only accounts the
store binds to a party (platform accounts and the parties' own agents); anyone else is refused
(``not-authorised``).

Run it on its own (settings from ``LSO_*`` variables)::

    python -m agents.ping_agent [--name ping]

It prints ``READY <jid>`` on stdout once connected and stops on SIGINT/SIGTERM. With
``LSO_XMPP_MODE=embedded`` (the default) it starts the embedded XMPP server in-process first.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from agents.runtime.conversation_behaviour import ConversationBehaviour
from agents.runtime.entrypoint import agent_main, first_line
from agents.runtime.platform_agent import PlatformAgent
from agents.runtime.refusals import NOT_AUTHORISED
from ontology.codec import decode
from ontology.common import Ping, Pong, Reason
from protocols.acl import AclMessage
from protocols.performative import Performative, ProtocolName
from protocols.request import RequestParticipant, RequestParticipantState

log = logging.getLogger(__name__)

PATIENCE = timedelta(seconds=30)


class PingAgent(PlatformAgent):
    """Serves ``fipa-request`` conversations whose request content is a :class:`Ping`."""

    async def setup(self) -> None:
        self.serve(ProtocolName.REQUEST, self._open_request, admit=self._admit)

    async def _admit(self, message: AclMessage) -> Reason | None:
        if await self.directory.is_bound(message.sender):
            return None
        return Reason(reason=NOT_AUTHORISED, detail="ping serves the platform's accounts only")

    def _open_request(self, message: AclMessage) -> None:
        machine = RequestParticipant.for_message(
            message, me=self.address, patience=PATIENCE, content_types={Performative.REQUEST: (Ping,)}
        )
        self.open_conversation(machine, on_update=self._decide, opening=message)

    def _decide(self, conversation: ConversationBehaviour[RequestParticipant]) -> None:
        machine = conversation.machine
        request = machine.request
        if machine.state is not RequestParticipantState.REQUEST_RECEIVED or request is None:
            return
        ping = decode(request.content, Ping)
        pong = Pong(agent=self.address, note=ping.note)
        conversation.act(lambda m, now: m.inform(pong, now=now))


def main(argv: list[str] | None = None) -> None:
    agent_main(PingAgent, "ping", first_line(__doc__), argv)


if __name__ == "__main__":
    main()
