"""``python -m agents.manufacturer``: run one ManufacturerAgent until SIGINT/SIGTERM.

    python -m agents.manufacturer --name manufacturer --manufacturer-id m1 --catalogue products.json \
        --matchmaker matchmaker@localhost (--contract contract@localhost | --ledger) \
        [--policy policy.json] [--proxy-host suppliers@localhost] [--timings timings.json] \
        [--console console@localhost ...]

The catalogue is a JSON list of ontology Products; the policy a ManufacturerPolicy (default: the
store's policy of this agent); the database is ``LSO_DATABASE_URL`` (migrated at start). With
``--proxy-host`` every supplier is negotiated with as ``<host>/<supplier id>`` (a ProxyHost).
``--timings`` overrides :class:`~agents.manufacturer.settings.Timings` fields (seconds).
``--console`` (repeatable) names a JID trusted to drive the manual steps of orders.
``--ledger``: the agent takes its own steps on the ledger (gRPC at ``LSO_LEDGER_GRPC_URL``) with a token of
the manufacturer's own ledger user only (as :class:`agents.contract.sessions.AgentSessions` finds it: lso's
ledger secret on one machine, else ``LSO_LEDGER_PARTY_TOKENS`` / ``LSO_LEDGER_PARTY_TOKEN_DIR``), the other
parties' identities read from the store; no contract agent then.
Prints ``READY <jid>`` once connected and recovered.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import signal
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from agents.contract.sessions import AgentSessions
from agents.manufacturer.agent import ManufacturerAgent
from agents.manufacturer.options import LedgerSeat
from agents.manufacturer.settings import Timings
from agents.runtime.child_process import READY
from common.settings import get_settings
from ledger.identities.store_lookup import StoreIdentities
from ledger.settings import LedgerSettings
from ontology.contract import PartyRole
from ontology.policy import ManufacturerPolicy
from ontology.product import Product
from ontology.supplier import Supplier
from store.database import Database


def load_timings(path: Path | None) -> Timings:
    if path is None:
        return Timings()
    raw: dict[str, Any] = json.loads(path.read_text())
    fields: dict[str, Any] = {}
    for key, value in raw.items():
        default = getattr(Timings, key)
        fields[key] = timedelta(seconds=float(value)) if isinstance(default, timedelta) else int(value)
    return Timings(**fields)


async def run(
    args: argparse.Namespace, catalogue: list[Product], policy: ManufacturerPolicy | None, timings: Timings
) -> None:
    settings = get_settings()
    host: str | None = args.proxy_host

    def proxy_of(supplier: Supplier) -> str | None:
        return f"{host}/{supplier.id}" if host else supplier.agent

    db = await Database.open(settings.resolved_database_url, migrate=True)
    ledger: LedgerSeat | None = None
    sessions: AgentSessions | None = None
    if args.ledger:
        sessions = AgentSessions(lambda: db, LedgerSettings(), settings)
        identities = StoreIdentities(lambda: db)
        session = await sessions.session(PartyRole.MANUFACTURER, args.manufacturer_id or args.name)
        signer = (lambda supplier_id: f"{host}/{supplier_id}") if host else None
        ledger = LedgerSeat(session, identities, supplier_jid=signer)
    agent = ManufacturerAgent(
        args.name,
        settings,
        db=db,
        catalogue={product.id: product for product in catalogue},
        matchmaker=args.matchmaker,
        contract_agent=args.contract,
        policy=policy,
        manufacturer_id=args.manufacturer_id,
        timings=timings,
        supplier_agent=proxy_of,
        consoles=args.console,
        ledger=ledger,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await agent.start()
    print(f"{READY} {agent.address}", flush=True)
    try:
        await stop.wait()
    finally:
        with contextlib.suppress(Exception):
            await agent.stop()
        if sessions is not None:
            await sessions.aclose()
        await db.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run a manufacturer agent.")
    parser.add_argument("--name", default="manufacturer")
    parser.add_argument(
        "--manufacturer-id", default=None, help="the manufacturer's user id (default: node name)"
    )
    parser.add_argument("--catalogue", required=True, help="JSON list of products")
    parser.add_argument("--policy", default=None, help="ManufacturerPolicy JSON (default: from the store)")
    parser.add_argument("--matchmaker", required=True)
    parser.add_argument("--contract", default=None, help="JID of the contract agent")
    parser.add_argument(
        "--ledger",
        action="store_true",
        help="take the manufacturer's own steps on the ledger (no contract agent)",
    )
    parser.add_argument("--proxy-host", default=None, help="JID of the ProxyHost of the suppliers")
    parser.add_argument("--timings", default=None, help="JSON of Timings overrides (seconds)")
    parser.add_argument(
        "--console", action="append", default=[], help="JID of a console (the gateway's bridge); repeatable"
    )
    args = parser.parse_args(argv)
    if not args.ledger and not args.contract:
        parser.error("give --contract (the contract agent's JID) or --ledger")
    logging.basicConfig(level=get_settings().log_level.upper(), stream=sys.stderr)
    catalogue = [Product.model_validate(item) for item in json.loads(Path(args.catalogue).read_text())]
    policy = ManufacturerPolicy.model_validate_json(Path(args.policy).read_text()) if args.policy else None
    timings = load_timings(Path(args.timings) if args.timings else None)
    asyncio.run(run(args, catalogue, policy, timings))


if __name__ == "__main__":
    main()
