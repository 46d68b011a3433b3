"""An agent that disconnects and connects again (same JID) still gets messages to its bare JID; agents
whose XMPP server restarts reconnect by themselves (Prosody)."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import pytest

from agents.runtime.prosody import ProsodyServer
from ontology.codec import decode, encode
from ontology.common import Ping, Pong
from protocols.acl import new_id
from protocols.performative import ProtocolName
from tests.agents.conftest import Peer, own_prosody_settings, spawn_ping, unique
from tests.agents.probe import Probe
from tests.xmpp_accounts import started
from tests.xmpp_servers import require_prosody


async def ping_once(agent: Probe, ping_jid: str) -> Pong:
    cid = new_id()
    metadata = {
        "performative": "request",
        "protocol": ProtocolName.REQUEST.value,
        "conversation-id": cid,
        "reply-with": new_id(),
    }
    agent.send_raw(ping_jid, encode(Ping(note=cid)), metadata)
    return decode((await agent.next_message(cid)).content, Pong)


async def test_same_jid_receives_after_reconnecting(peer: Peer) -> None:
    name = unique("again")
    for _ in range(3):
        agent = await started(Probe(name, peer.settings))
        try:
            assert (await ping_once(agent, peer.ping_jid)).agent == peer.ping_jid
        finally:
            await agent.stop()


@pytest.mark.prosody
async def test_agents_reconnect_by_themselves_when_their_prosody_restarts(tmp_path: Path) -> None:
    """Our OWN Prosody (never the session's) is stopped and started again on the same port and data:
    an agent in this process and one in a child process both reconnect, and talk again."""
    require_prosody()
    with ProsodyServer() as server:
        settings = own_prosody_settings(server, tmp_path)
        ping = await spawn_ping(settings)
        agent = await started(Probe(unique("restarted"), settings))
        try:
            assert (await ping_once(agent, ping.ready_line)).agent == ping.ready_line
            port, workdir = server.port, server.workdir
            await asyncio.to_thread(server.stop, keep_data=True)
            assert workdir is not None and (workdir / "data").is_dir()
            await asyncio.sleep(0.5)
            await asyncio.to_thread(server.start)
            assert (server.port, server.workdir) == (port, workdir)
            async with asyncio.timeout(15):
                while agent.reconnects < 1:  # noqa: ASYNC110 (slixmpp events, no awaitable)
                    await asyncio.sleep(0.1)
                while True:  # the ping agent reconnects on its own schedule
                    with contextlib.suppress(TimeoutError):
                        pong = await asyncio.wait_for(ping_once(agent, ping.ready_line), 1.0)
                        break
            assert pong.agent == ping.ready_line
            assert not agent.reconnecting
        finally:
            await agent.stop()
            await ping.stop()
    assert server.workdir is None, "stop() without keep_data removes the directory"
