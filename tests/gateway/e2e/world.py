"""The world of the gateway's end-to-end tests: every agent of an order in its own process, over the
session's XMPP server, and the gateway (with its bridge's customer and console agents) in this one.

Processes: the matchmaker (EFPF: the local federation service, in a thread of this process), a proxy
host for every supplier of the shipped data set, the embedded ledger (no authentication) and the
contract agent on it, and the manufacturer agent, whose policy and products are the store's (the
gateway's database) and which trusts the bridge's console agent.

Every agent's account is created before it starts, as an admin does (its password in the test data
directory's account book, the account on the session's server), and bound in the one store every agent
reads and the gateway writes (:func:`world_store`), with the bindings `lso run` gives the same agents
(:mod:`cli.roster`): the matchmaker, the contract agent and the proxy host platform services (the proxy
host also every supplier), the manufacturer agent its manufacturer user, the bridge's customer agent every
customer.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from agents.runtime.child_process import ChildProcess, spawn
from bench.order_world import start_federation, unique
from cli.roster import gateway_agents
from common.settings import Settings
from gateway.app import create_app
from gateway.bridge.settings import BridgeSettings
from gateway.bridge.xmpp import XmppAgentBridge
from gateway.demo.catalogue import demo_products
from gateway.demo.policy import demo_policy
from gateway.server import serving
from ledger.identities.tokens import load_or_create_secret
from ledger.testing import LedgerProcess
from simulation.samples.bike import TIMINGS
from store.database import Database
from store.enums import ANY_PARTY, AgentRole, PolicyKind
from store.migrate import upgrade
from store.product_rows import new_product_row
from tests.ledger.party_sessions import user_token
from tests.xmpp_accounts import bind, create_account

REPO_ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "correct horse 1"


@dataclass
class Agents:
    """The agents every order talks to (JIDs), running until the block ends."""

    matchmaker: str
    proxies: str
    contract: str


async def world_store(settings: Settings, directory: Path) -> Settings:
    """A migrated SQLite store in ``directory``: ``settings`` naming it (their agents read it)."""
    await asyncio.to_thread(directory.mkdir, parents=True, exist_ok=True)
    url = f"sqlite+aiosqlite:///{directory / 'lso.db'}"
    await upgrade(url)
    return settings.model_copy(update={"database_url": url})


async def account(settings: Settings, name: str, *bindings: tuple[AgentRole, str]) -> str:
    """Create account ``name`` (on the server and in the book of ``settings``) and bind it in their store."""
    jid = f"{name}@{settings.xmpp_domain}"
    await create_account(settings, jid)
    for role, party in bindings:
        await bind(settings, jid, role, party)
    return name


@asynccontextmanager
async def order_agents(settings: Settings, directory: Path) -> AsyncIterator[Agents]:
    """The matchmaker, the proxy host and the contract agent, each in its own process, reading the store of
    ``settings`` (:func:`world_store`)."""
    assert settings.database_url, "the agents share the world's store"
    platform = AgentRole.PLATFORM
    async with AsyncExitStack() as stack:
        efpf = await start_federation(stack, directory / "efpf")
        # the ledger verifies tokens signed with the platform's secret, which the contract agent finds in the
        # data dir of ``settings`` (it mints each party's user token with it, and the operator's to onboard)
        secret = load_or_create_secret(settings.ledger_secret_file)
        operator = settings.ledger_operator_user
        ledger = LedgerProcess(
            directory / "ledger",
            secret=secret,
            env={"LSO_LEDGER_AUTH_USERS": json.dumps({operator: {"admin": True}})},
        )
        await ledger.astart()
        stack.push_async_callback(ledger.astop)
        efpf_env = {
            "LSO_EFPF_IDENTITY_URL": f"{efpf.url}/auth",
            "LSO_EFPF_REGISTRY_URL": f"{efpf.url}/apis/sr",
            "LSO_EFPF_RETRIES": "1",
            "LSO_EFPF_TIMEOUT_SECONDS": "5",
        }
        ledger_env = {
            "LSO_LEDGER_JSON_API_URL": ledger.info.json_api,
            "LSO_LEDGER_GRPC_URL": f"http://{ledger.info.grpc}",
            "LSO_LEDGER_CLIENT_IDENTITY": "false",
            "LSO_LEDGER_CLIENT_TOKEN": user_token(secret, operator),
            "LSO_LEDGER_CLIENT_RETRIES": "2",
            "LSO_LEDGER_COMMIT_DEADLINE": "20",
            "LSO_LEDGER_MINT_TOKENS": "true",  # development: mint with the secret of the data dir
        }
        names = await asyncio.gather(
            account(settings, unique("matchmaker"), (platform, "matchmaker")),
            account(settings, unique("suppliers"), (platform, "suppliers"), (AgentRole.SUPPLIER, ANY_PARTY)),
            account(settings, unique("contract"), (platform, "contract")),
        )
        matchmaker, proxies, contract = await asyncio.gather(
            _child(stack, "agents.matchmaker", ["--name", names[0]], settings, efpf_env),
            _child(stack, "agents.supplier_proxy", ["--name", names[1]], settings, {}),
            _child(stack, "agents.contract_agent", ["--name", names[2]], settings, ledger_env),
        )
        yield Agents(matchmaker.ready_line, proxies.ready_line.split()[0], contract.ready_line)


async def _child(
    stack: AsyncExitStack, module: str, args: list[str], settings: Settings, env: dict[str, str]
) -> ChildProcess:
    child = await spawn(module, args, settings, ready_timeout=90.0, extra_env=env, cwd=REPO_ROOT)
    stack.push_async_callback(child.stop)
    return child


@dataclass
class EventLog:
    """The events one SSE stream delivered, by order; :meth:`until` waits for a status."""

    by_order: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    ids: list[str] = field(default_factory=list)
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def add(self, event: dict[str, Any]) -> None:
        async with self.changed:
            self.by_order[event["order_id"]].append(event)
            self.ids.append(event["id"])
            self.changed.notify_all()

    async def until(self, order_id: str, status: str, wait: float = 60.0, nth: int = 1) -> dict[str, Any]:
        """The ``nth`` event of ``order_id`` with ``status`` (AssertionError on failure or timeout)."""

        def found() -> dict[str, Any] | None:
            seen = 0
            for event in self.by_order[order_id]:
                if event["status"] == status:
                    seen += 1
                    if seen == nth:
                        return event
                if event["status"] in ("failed", "rejected", "cancelled") and status != event["status"]:
                    raise AssertionError(f"order {order_id} ended {event['status']}: {event['note']}")
            return None

        try:
            async with asyncio.timeout(wait), self.changed:
                await self.changed.wait_for(lambda: found() is not None)
        except TimeoutError:
            seen = [e["status"] for e in self.by_order[order_id]]
            raise AssertionError(
                f"order {order_id}: no {status} event within {wait} s; seen {seen}"
            ) from None
        event = found()
        assert event is not None
        return event

    def statuses(self, order_id: str) -> list[str]:
        """The statuses the order's events reported, production progress reports and negotiation messages
        (which carry the order's current status) left out."""
        events = self.by_order[order_id]
        return [
            event["status"]
            for event in events
            if event["kind"] != "negotiation-message" and not 0 < (event.get("progress") or 0) < 100
        ]


@asynccontextmanager
async def sse_listener(http: httpx.AsyncClient, path: str, auth: dict[str, str]) -> AsyncIterator[EventLog]:
    """Collect the events of an SSE stream while the block runs."""
    log = EventLog()
    opened = asyncio.Event()

    async def listen() -> None:
        async with http.stream("GET", path, headers=auth, timeout=None) as response:
            assert response.status_code == 200, await response.aread()
            opened.set()
            async for line in response.aiter_lines():
                if line.startswith("data:"):
                    await log.add(json.loads(line[5:]))

    task = asyncio.create_task(listen())
    try:
        async with asyncio.timeout(10):
            await opened.wait()
        yield log
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@dataclass
class Platform:
    """The gateway on real HTTP, its database, and the bridge's agents."""

    url: str
    http: httpx.AsyncClient
    db: Database
    bridge: XmppAgentBridge
    database_url: str


@asynccontextmanager
async def gateway_platform(settings: Settings, directory: Path) -> AsyncIterator[Platform]:
    """The gateway on the store of ``settings`` (:func:`world_store`), its bridge's agents created and bound
    as `lso run` does it."""
    url = settings.database_url
    assert url, "the gateway writes the world's store"
    await asyncio.to_thread(directory.mkdir, parents=True, exist_ok=True)
    db = await Database.open(url)
    config = BridgeSettings(
        _env_file=None,
        customer_agent=unique("customers"),
        console_agent=unique("console"),
        history_poll_seconds=0.5,
    )
    for agent in gateway_agents(settings, config):
        await account(settings, agent.node, *((b.role, b.party_id) for b in agent.bindings))
    bridge = XmppAgentBridge(db, settings, config)
    await bridge.start()
    try:
        app = create_app(url, data_dir=directory, bridge=bridge)
        async with serving(app) as base, httpx.AsyncClient(base_url=base, timeout=30) as http:
            yield Platform(base, http, db, bridge, url)
    finally:
        await bridge.stop()
        await db.close()


async def login(http: httpx.AsyncClient, email: str, role: str) -> tuple[dict[str, str], str]:
    """Register and log in; the Authorization header and the user id."""
    registered = await http.post(
        "/auth/register", json={"email": email, "password": PASSWORD, "display_name": email, "role": role}
    )
    assert registered.status_code == 201, registered.text
    token = await http.post(
        "/auth/token", data={"grant_type": "password", "username": email, "password": PASSWORD}
    )
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}, str(registered.json()["id"])


async def manufacturer_with_agent(
    platform: Platform, settings: Settings, agents: Agents, stack: AsyncExitStack, directory: Path
) -> tuple[dict[str, str], str]:
    """A manufacturer user, its catalogue and policy in the store, and its agent (a process) running."""
    auth, manufacturer_id = await login(platform.http, f"{unique('maker')}@example.org", "manufacturer")
    name = await account(settings, unique("manufacturer"), (AgentRole.MANUFACTURER, manufacturer_id))
    jid = f"{name}@{settings.xmpp_domain}"
    products = demo_products(manufacturer_id)
    async with platform.db.transaction() as repos:
        for product in products:
            await repos.products.add(new_product_row(product))
        await repos.policies.put(
            jid, PolicyKind.MANUFACTURER, demo_policy(products), owner_user_id=manufacturer_id
        )
    catalogue = directory / "empty-catalogue.json"
    catalogue.write_text("[]")
    timings = directory / "timings.json"
    timings.write_text(json.dumps(TIMINGS))
    await _child(
        stack,
        "agents.manufacturer",
        [
            "--name",
            jid,
            "--manufacturer-id",
            manufacturer_id,
            "--catalogue",
            str(catalogue),
            "--matchmaker",
            agents.matchmaker,
            "--contract",
            agents.contract,
            "--proxy-host",
            agents.proxies,
            "--timings",
            str(timings),
            "--console",
            platform.bridge.console_jid,
        ],
        settings,
        {},
    )
    return auth, manufacturer_id
