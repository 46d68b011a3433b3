"""The benchmark's far side, in its own OS process: raw echo, ACL echo and PingAgent.

    python -m bench.peer RAW_NAME ACL_NAME PING_NAME    (settings from LSO_* variables)

Prints ``READY raw_jid acl_jid ping_jid`` once all three are connected; stops on SIGTERM. Their accounts
exist already (the benchmark created them; the passwords are in the account book of the settings), and the
ACL echo and the PingAgent serve the senders the store of the settings binds.
"""

from __future__ import annotations

import asyncio
import signal
import sys

import uvloop

from agents.ping_agent import PingAgent
from agents.runtime.child_process import READY
from agents.runtime.platform_agent import PlatformAgent
from bench.acl_agents import AclEcho, RawEcho
from common.settings import get_settings


async def serve(raw_name: str, acl_name: str, ping_name: str) -> None:
    settings = get_settings()
    agents: list[PlatformAgent] = [
        RawEcho(raw_name, settings),
        AclEcho(acl_name, settings),
        PingAgent(ping_name, settings),
    ]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    await asyncio.gather(*(agent.start() for agent in agents))
    print(READY, *(agent.address for agent in agents), flush=True)
    try:
        await stop.wait()
    finally:
        await asyncio.gather(*(agent.stop() for agent in agents), return_exceptions=True)


if __name__ == "__main__":
    uvloop.run(serve(*sys.argv[1:4]))
