"""The gateway in a process of its own, for the gateway benchmark.

    python -m bench.gateway_process --database-url URL --data-dir DIR [--bridge]

Serves the app on a free loopback port (TCP_NODELAY, see :mod:`gateway.server`); with ``--bridge``
its :class:`~gateway.bridge.xmpp.XmppAgentBridge` connects to the XMPP server of the ``LSO_XMPP_*``
settings (agent names: ``LSO_BRIDGE_*``). Prints ``READY <url>`` and stops on SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from pathlib import Path

from agents.runtime.child_process import READY
from common.settings import get_settings
from gateway.app import create_app
from gateway.bridge.xmpp import XmppAgentBridge
from gateway.server import serving
from store.database import Database


async def run(args: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with contextlib.AsyncExitStack() as stack:
        bridge = None
        if args.bridge:
            db = await Database.open(args.database_url)
            stack.push_async_callback(db.close)
            bridge = await stack.enter_async_context(XmppAgentBridge(db, get_settings()))
        app = create_app(args.database_url, data_dir=Path(args.data_dir), bridge=bridge)
        url = await stack.enter_async_context(serving(app))
        print(f"{READY} {url}", flush=True)
        await stop.wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--bridge", action="store_true", help="connect the bridge's agents")
    args = parser.parse_args(argv)
    logging.basicConfig(level=get_settings().log_level.upper(), stream=sys.stderr)
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
