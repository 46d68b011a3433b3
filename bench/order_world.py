"""A whole order world for benchmarks and tests: every agent an order talks to, each in its own process.

Started by :func:`order_world` against a running XMPP server:

* the local federation service (EFPF stand-in: identity, registry, federated search), in a thread;
* the matchmaker (``python -m agents.matchmaker``);
* one proxy host for every supplier of the shipped data set (``python -m agents.supplier_proxy``);
* the manufacturer (``python -m agents.manufacturer``) with the bike, the policy and the timings of
  :mod:`simulation.samples.bike` and a SQLite store prepared by :func:`prepare_store`.

No ledger and no contract agent: the manufacturer's contract agent is a JID nobody answers, so the
world serves orders up to the quotation (a customer that declines, or answers nothing more).
The customer runs wherever the caller wants it: since every other agent is in another process,
each of its messages crosses the XMPP server (agents of one SPADE container would skip it).

Every agent's account is created (on the server, with ``accounts``: by default the embedded server's
database under the data directory of the settings) before it starts, and bound in the world's store, which
every agent of the world reads (:attr:`OrderWorld.settings` name it): the matchmaker a platform service, the
proxy host a supplier host (every supplier) and the ``suppliers`` service, the manufacturer its user. A
customer's account: :meth:`OrderWorld.add_customer`, bound to the customer user.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agents.runtime.accounts.provision import AccountServer, EmbeddedAccounts, create_accounts
from agents.runtime.child_process import ChildProcess, spawn
from bench.accounts import ACTOR, bind_at
from common.settings import Settings
from federation.service.serve import RunningService, ServiceThread
from federation.settings import FederationSettings
from ontology.policy import ManufacturerPolicy
from simulation.samples.bike import CUSTOMER_ID, MANUFACTURER_ID, TIMINGS, manufacturer_policy, product
from store.database import Database
from store.enums import ANY_PARTY, AgentRole, UserRole
from store.records import NewUser


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


async def prepare_store(directory: Path, customer_id: str, manufacturer_id: str) -> str:
    """A migrated SQLite store under ``directory`` holding both users; its URL."""
    await asyncio.to_thread(directory.mkdir, parents=True, exist_ok=True)
    url = f"sqlite+aiosqlite:///{directory / 'lso.db'}"
    db = await Database.open(url, migrate=True)
    try:
        async with db.transaction() as repos:
            for user_id, role in ((customer_id, UserRole.CUSTOMER), (manufacturer_id, UserRole.MANUFACTURER)):
                await repos.users.add(
                    NewUser(
                        id=user_id,
                        email=f"{user_id}@example.org",
                        display_name=user_id,
                        role=role,
                        password_hash="x",
                    )
                )
    finally:
        await db.close()
    return url


@dataclass
class OrderWorld:
    """The running world: the agents' JIDs and the store they all read."""

    settings: Settings
    """The settings of the world's agents: its XMPP server, account book and store."""
    accounts: AccountServer
    manufacturer: str
    matchmaker: str
    proxies: str
    """The proxy host's JID; a supplier's proxy is ``<proxies>/<supplier id>``."""
    database_url: str
    manufacturer_process: ChildProcess
    customer_id: str

    async def add_customer(self, name: str, customer_id: str | None = None) -> str:
        """Create the account ``name`` (node or JID) and bind it to the customer user ``customer_id``
        (default: the world's), so the manufacturer takes its orders; its JID."""
        await create_accounts(self.settings, [name], self.accounts, actor=ACTOR)
        jid = name if "@" in name else f"{name}@{self.settings.xmpp_domain}"
        await bind_at(self.database_url, [(jid, AgentRole.CUSTOMER, customer_id or self.customer_id)])
        return jid

    async def stop_manufacturer(self) -> None:
        """Stop the manufacturer (it flushes its ACL log to the store first). Idempotent."""
        await self.manufacturer_process.stop()


def _write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, indent=2))
    return path


async def start_federation(stack: AsyncExitStack, directory: Path) -> RunningService:
    settings = FederationSettings(_env_file=None, service_port=0, service_data_dir=directory)
    thread = ServiceThread(settings)
    running = await asyncio.to_thread(thread.start)
    stack.callback(thread.stop)
    return running


async def _child(
    stack: AsyncExitStack, module: str, args: list[str], settings: Settings, **kw: Any
) -> ChildProcess:
    child = await spawn(module, args, settings, ready_timeout=60.0, **kw)
    stack.push_async_callback(child.stop)
    return child


@asynccontextmanager
async def order_world(
    settings: Settings,
    directory: Path,
    *,
    accounts: AccountServer | None = None,
    policy: ManufacturerPolicy | None = None,
    customer_id: str = CUSTOMER_ID,
    manufacturer_id: str = MANUFACTURER_ID,
    timings: dict[str, float] | None = None,
) -> AsyncIterator[OrderWorld]:
    """Start everything but the customer against the XMPP server of ``settings``; stop it all on exit.

    ``accounts``: where the agents' accounts are created (default: the embedded server's database of the
    data directory of ``settings``). ``timings`` overrides entries of :data:`TIMINGS` (seconds)."""
    policy = policy or manufacturer_policy()
    accounts = accounts or EmbeddedAccounts(settings)
    async with AsyncExitStack() as stack:
        efpf = await start_federation(stack, directory / "efpf")
        database_url = await prepare_store(directory / "store", customer_id, manufacturer_id)
        settings = settings.model_copy(update={"database_url": database_url})
        domain = settings.xmpp_domain
        names = {agent: unique(agent) for agent in ("matchmaker", "suppliers", "manufacturer")}
        await create_accounts(settings, names.values(), accounts, actor=ACTOR)
        await bind_at(
            database_url,
            [
                (f"{names['matchmaker']}@{domain}", AgentRole.PLATFORM, "matchmaker"),
                (f"{names['suppliers']}@{domain}", AgentRole.PLATFORM, "suppliers"),
                (f"{names['suppliers']}@{domain}", AgentRole.SUPPLIER, ANY_PARTY),
                (f"{names['manufacturer']}@{domain}", AgentRole.MANUFACTURER, manufacturer_id),
            ],
        )
        efpf_env = {
            "LSO_EFPF_IDENTITY_URL": f"{efpf.url}/auth",
            "LSO_EFPF_REGISTRY_URL": f"{efpf.url}/apis/sr",
            "LSO_EFPF_RETRIES": "1",
            "LSO_EFPF_TIMEOUT_SECONDS": "5",
        }
        matchmaker, proxies = await asyncio.gather(
            _child(stack, "agents.matchmaker", ["--name", names["matchmaker"]], settings, extra_env=efpf_env),
            _child(stack, "agents.supplier_proxy", ["--name", names["suppliers"]], settings),
        )
        catalogue = _write_json(
            directory / "catalogue.json", [product(manufacturer_id).model_dump(mode="json")]
        )
        policy_file = _write_json(directory / "policy.json", policy.model_dump(mode="json"))
        timings_file = _write_json(directory / "timings.json", {**TIMINGS, **(timings or {})})
        proxy_host = proxies.ready_line.split()[0]
        manufacturer = await _child(
            stack,
            "agents.manufacturer",
            [
                "--name",
                names["manufacturer"],
                "--manufacturer-id",
                manufacturer_id,
                "--catalogue",
                str(catalogue),
                "--policy",
                str(policy_file),
                "--matchmaker",
                matchmaker.ready_line,
                "--contract",
                f"nobody@{settings.xmpp_domain}",
                "--proxy-host",
                proxy_host,
                "--timings",
                str(timings_file),
            ],
            settings,
        )
        yield OrderWorld(
            settings=settings,
            accounts=accounts,
            manufacturer=manufacturer.ready_line,
            matchmaker=matchmaker.ready_line,
            proxies=proxy_host,
            database_url=database_url,
            manufacturer_process=manufacturer,
            customer_id=customer_id,
        )
