"""Test entry point: one ProxyHost with a supplier proxy for every supplier of the shipped data set.

    python -m tests.agents.e2e.proxy_host --name suppliers-x [--silent SUP-1,SUP-2] [--fail SUP-3] \
        [--crash-on-cfp SUP-4] [--crash-on-accept SUP-5]

Prints ``READY <host jid>`` once connected; proxies are ``<host jid>/<supplier id>``. Stops on
SIGINT/SIGTERM. ``--crash-on-cfp``/``--crash-on-accept``: the whole process kills itself (SIGKILL,
nothing answered, nothing cleaned up) when a ``cfp``/``accept-proposal`` reaches one of those
proxies: a supplier host crashing at a known point of the negotiation.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys

from agents.runtime.child_process import READY
from agents.supplier_proxy import ProxyHost
from common.settings import Settings, get_settings
from federation.dataset.loader import load_shipped
from protocols.acl import AclMessage
from protocols.performative import Performative


def _ids(text: str) -> set[str]:
    return {item for item in text.split(",") if item}


class CrashingHost(ProxyHost):
    """Kills its own process when a given performative reaches one of the given proxies."""

    def __init__(self, name: str, settings: Settings, crash_on: dict[Performative, set[str]]) -> None:
        super().__init__(name, settings)
        self.crash_on = crash_on

    def deliver_to_proxy(self, addressee: str, message: AclMessage) -> None:
        supplier_id = addressee.rsplit("/", 1)[-1]
        if supplier_id in self.crash_on.get(message.performative, set()):
            print(f"CRASH {message.performative} {addressee}", file=sys.stderr, flush=True)
            os.kill(os.getpid(), signal.SIGKILL)
        super().deliver_to_proxy(addressee, message)


async def run(name: str, silent: set[str], failing: set[str], crash_on: dict[Performative, set[str]]) -> None:
    host = CrashingHost(name, get_settings(), crash_on)
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
    parser.add_argument("--crash-on-cfp", default="")
    parser.add_argument("--crash-on-accept", default="")
    args = parser.parse_args()
    logging.basicConfig(level=get_settings().log_level.upper(), stream=sys.stderr)
    crash_on = {
        Performative.CFP: _ids(args.crash_on_cfp),
        Performative.ACCEPT_PROPOSAL: _ids(args.crash_on_accept),
    }
    asyncio.run(run(args.name, _ids(args.silent), _ids(args.fail), crash_on))


if __name__ == "__main__":
    main()
