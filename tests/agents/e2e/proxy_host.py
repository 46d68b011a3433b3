"""Test entry point: one ProxyHost with a supplier proxy for every supplier of the shipped data set.

    python -m tests.agents.e2e.proxy_host --name suppliers-x [--silent SUP-1,SUP-2] [--fail SUP-3]

Prints ``READY <host jid>`` once connected; proxies are ``<host jid>/<supplier id>``. Stops on
SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys

from agents.runtime.child_process import READY
from agents.supplier_proxy import ProxyHost
from core.settings import get_settings
from federation.dataset.loader import load_shipped


def _ids(text: str) -> set[str]:
    return {item for item in text.split(",") if item}


async def run(name: str, silent: set[str], failing: set[str]) -> None:
    host = ProxyHost(name, get_settings())
    for record in load_shipped().suppliers:
        host.add_record(record, silent=record.id in silent, fail_after_accept=record.id in failing)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await host.start()
    print(f"{READY} {host.address}", flush=True)
    try:
        await stop.wait()
    finally:
        with contextlib.suppress(Exception):
            await host.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--name", default="suppliers")
    parser.add_argument("--silent", default="")
    parser.add_argument("--fail", default="")
    args = parser.parse_args()
    logging.basicConfig(level=get_settings().log_level.upper(), stream=sys.stderr)
    asyncio.run(run(args.name, _ids(args.silent), _ids(args.fail)))


if __name__ == "__main__":
    main()
