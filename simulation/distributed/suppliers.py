"""The supplier side of a distributed run, in its own process: real :class:`ProxyHost` agents.

    python -m simulation.distributed.suppliers SPEC.json     (XMPP settings from LSO_* variables)

Prints ``READY <host jid> ...`` (one per host of the spec, in order) once all are connected; stops
on SIGTERM. Every proxy's "today" is the spec's, so its dates match a fast run of the same plan. The hosts'
accounts exist already (the run created them); whom they serve is the spec's bindings (the scenario's
manufacturers), and no store is read: bookings end by time only. As in a fast run, one manufacturer may hold
all of a supplier's capacity (:data:`~simulation.fast.suppliers.REQUESTER_SHARE`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from datetime import date
from pathlib import Path

from agents.runtime.child_process import READY
from agents.runtime.directory import StaticDirectory
from agents.supplier_proxy import ProxyHost
from agents.supplier_proxy.settings import SupplierProxySettings
from common.settings import get_settings
from simulation.distributed.spec import HostSpec, SuppliersSpec
from simulation.fast.suppliers import REQUESTER_SHARE


def build_host(spec: HostSpec, today: date, directory: StaticDirectory) -> ProxyHost:
    suppliers = SupplierProxySettings(max_requester_share=REQUESTER_SHARE)
    host = ProxyHost(spec.name, get_settings(), suppliers=suppliers, check_store=False)
    host.directory = directory
    for proxy in spec.proxies:
        address = host.add_record(
            proxy.record,
            proxy.policy,
            silent=proxy.silent,
            fail_after_accept=proxy.fail_after_accept,
            seed=spec.seed,
        )
        hosted = host.proxy(address)
        assert hosted is not None
        hosted.today = lambda: today
    return host


async def serve(spec: SuppliersSpec) -> None:
    directory = StaticDirectory(spec.bindings)
    hosts = [build_host(h, spec.today, directory) for h in spec.hosts]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await asyncio.gather(*(host.ensure_started() for host in hosts))
    print(READY, *(host.address for host in hosts), flush=True)
    try:
        await stop.wait()
    finally:
        for host in hosts:
            with contextlib.suppress(Exception):
                await host.stop()


def main(argv: list[str]) -> None:
    spec = SuppliersSpec.model_validate_json(Path(argv[0]).read_text(encoding="utf-8"))
    logging.basicConfig(level=get_settings().log_level.upper(), stream=sys.stderr)
    asyncio.run(serve(spec))


if __name__ == "__main__":
    main(sys.argv[1:])
