"""``PingAgent``: answers a FIPA ``request`` carrying :class:`Ping` with ``inform`` :class:`Pong`.

It is the smallest real platform agent: one Request participant machine per conversation,
run by :class:`~agents.runtime.conversation_behaviour.ConversationBehaviour`.

Run it on its own (settings from ``LSO_*`` variables)::

    python -m agents.ping_agent [--name ping]

It prints ``READY <jid>`` on stdout once connected and stops on SIGINT/SIGTERM. With
``LSO_XMPP_MODE=embedded`` (the default) it starts the embedded XMPP server in-process first.
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import timedelta

import uvloop

from agents.runtime.conversation_behaviour import ConversationBehaviour
from agents.runtime.platform_agent import PlatformAgent
from agents.runtime.runner import run_agents
from core.settings import Settings, get_settings
from ontology.codec import decode
from ontology.common import Ping, Pong
from protocols.acl import AclMessage
from protocols.performative import Performative, ProtocolName
from protocols.request import RequestParticipant, RequestParticipantState

log = logging.getLogger(__name__)

PATIENCE = timedelta(seconds=30)


class PingAgent(PlatformAgent):
    """Serves ``fipa-request`` conversations whose request content is a :class:`Ping`."""

    async def setup(self) -> None:
        self.serve(ProtocolName.REQUEST, self._open_request)

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


async def run_ping_agent(settings: Settings, name: str = "ping") -> None:
    """A PingAgent (and the embedded server, in embedded mode) until SIGINT/SIGTERM."""
    await run_agents(settings, lambda s: [PingAgent(name, s)])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--name", default="ping", help="node name (or full JID) of the agent")
    args = parser.parse_args(argv)
    settings = get_settings()
    logging.basicConfig(level=settings.log_level.upper(), stream=sys.stderr)
    uvloop.run(run_ping_agent(settings, args.name))


if __name__ == "__main__":
    main()
