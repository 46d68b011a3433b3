"""Run a proxy host for suppliers of the federation data set.

    python -m agents.supplier_proxy [--name suppliers] [--dataset FILE] [--count N | --suppliers ID,...]
                                    [--silent ID,...] [--fail-after-accept ID,...] [--ledger]

It prints ``READY <host-jid> <number of proxies>`` once connected (a proxy's agent identifier is
``<host-jid>/<supplier-id>``) and stops on SIGINT/SIGTERM. The host account must exist (its password in the
account book); callers are authorised, and held bookings checked, with the store of the ``LSO_*`` settings;
bookings follow ``LSO_SUPPLIERS_*`` (:class:`~agents.supplier_proxy.settings.SupplierProxySettings`).
With ``--ledger`` the proxies sign, ship, invoice and confirm payments on the ledger
(``LSO_LEDGER_JSON_API_URL``) with each supplier's own ledger user: identities from the store, tokens from
``LSO_LEDGER_PARTY_TOKENS`` / ``LSO_LEDGER_PARTY_TOKEN_DIR``
(:func:`agents.supplier_proxy.sessions.configured_sessions`); without it, a request to sign is answered
``failure`` ``no-ledger``.
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
from agents.supplier_proxy.host import DEFAULT_NAME, ProxyHost
from agents.supplier_proxy.sessions import configured_sessions
from common.settings import Settings, get_settings
from federation.dataset.loader import load_dataset, load_shipped
from federation.dataset.schema import SupplierRecord
from ledger.settings import LedgerSettings
from store.database import Database
from store.engine import create_engine


def _ids(text: str) -> set[str]:
    return {item.strip() for item in text.split(",") if item.strip()}


def select(records: tuple[SupplierRecord, ...], wanted: set[str], count: int | None) -> list[SupplierRecord]:
    if wanted:
        chosen = [r for r in records if r.id in wanted]
        missing = wanted - {r.id for r in chosen}
        if missing:
            raise SystemExit(f"unknown supplier id(s): {', '.join(sorted(missing))}")
        return chosen
    return list(records if count is None else records[:count])


async def run_host(settings: Settings, args: argparse.Namespace) -> None:
    dataset = load_dataset(args.dataset) if args.dataset else load_shipped()
    db: Database | None = None
    if args.ledger:
        db = Database(create_engine(settings.resolved_database_url))
        shared = db
        ledger = configured_sessions(lambda: shared, settings, LedgerSettings())
        host = ProxyHost(args.name, settings, ledger=ledger)
        host.store = db
    else:
        host = ProxyHost(args.name, settings)
    silent, failing = _ids(args.silent), _ids(args.fail_after_accept)
    for record in select(dataset.suppliers, _ids(args.suppliers), args.count):
        host.add_record(record, silent=record.id in silent, fail_after_accept=record.id in failing)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await host.ensure_started()
    print(f"{READY} {host.address} {len(host.proxies)}", flush=True)
    try:
        await stop.wait()
    finally:
        with contextlib.suppress(Exception):
            await host.stop()
        if db is not None:
            await db.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--name", default=DEFAULT_NAME, help="node name (or bare JID) of the host account")
    parser.add_argument("--dataset", type=Path, default=None, help="supplier data set (default: shipped)")
    parser.add_argument("--count", type=int, default=None, help="host the first N suppliers (default: all)")
    parser.add_argument("--suppliers", default="", help="comma-separated supplier ids to host")
    parser.add_argument("--silent", default="", help="ids of proxies that never answer")
    parser.add_argument("--fail-after-accept", default="", help="ids of proxies that fail after acceptance")
    parser.add_argument(
        "--ledger",
        action="store_true",
        help="sign supply agreements on the ledger (each supplier's own user)",
    )
    args = parser.parse_args(argv)
    settings = get_settings()
    logging.basicConfig(level=settings.log_level.upper(), stream=sys.stderr)
    asyncio.run(run_host(settings, args))


if __name__ == "__main__":
    main()
