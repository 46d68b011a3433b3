"""The supplier side of a distributed run, in its own process: real :class:`ProxyHost` agents.

    python -m simulation.distributed.suppliers SPEC.json     (XMPP settings from LSO_* variables)

Prints ``READY <host jid> ...`` (one per host of the spec, in order) once all are connected; stops
on SIGTERM. Every proxy's "today" is the spec's, so its dates match a fast run of the same plan.
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
from agents.supplier_proxy import ProxyHost
from core.settings import get_settings
from simulation.distributed.spec import HostSpec, SuppliersSpec


def build_host(spec: HostSpec, today: date) -> ProxyHost:
    host = ProxyHost(spec.name, get_settings())
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
    hosts = [build_host(h, spec.today) for h in spec.hosts]
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
