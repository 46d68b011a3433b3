"""Run a set of platform agents against the configured XMPP server until SIGINT/SIGTERM.

With ``xmpp_mode = embedded`` the embedded pyjabber is started first, in this process (on its own
thread, see :mod:`agents.runtime.embedded_server`); with ``external`` the agents connect to
``xmpp_host:xmpp_port``. ``lso run`` is, for now::

    asyncio.run(run_agents(settings, lambda s: [PingAgent("ping", s)]))
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Callable, Sequence

from agents.runtime.embedded_server import EmbeddedXmppServer
from agents.runtime.platform_agent import PlatformAgent
from common.settings import Settings, XmppMode

log = logging.getLogger(__name__)

AgentFactory = Callable[[Settings], Sequence[PlatformAgent]]


@contextlib.asynccontextmanager
async def xmpp_server(settings: Settings) -> AsyncIterator[EmbeddedXmppServer | None]:
    """The embedded server while the block runs (``embedded`` mode), else nothing."""
    if settings.xmpp_mode is not XmppMode.EMBEDDED:
        yield None
        return
    server = EmbeddedXmppServer(settings)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@contextlib.asynccontextmanager
async def running_agents(settings: Settings, make_agents: AgentFactory) -> AsyncIterator[list[PlatformAgent]]:
    """Server (if embedded) and agents started; everything stopped on exit, agents first."""
    async with xmpp_server(settings):
        agents = list(make_agents(settings))
        started: list[PlatformAgent] = []
        try:
            for agent in agents:
                await agent.start()
                started.append(agent)
                log.info("agent %s is up", agent.address)
            yield agents
        finally:
            await asyncio.gather(*(agent.stop() for agent in started), return_exceptions=True)


async def run_agents(settings: Settings, make_agents: AgentFactory) -> None:
    """Start server (if embedded) and agents, print ``READY jid...``, wait for SIGINT/SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        async with running_agents(settings, make_agents) as agents:
            print("READY", *(agent.address for agent in agents), flush=True)
            await stop.wait()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
