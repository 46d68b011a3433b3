"""Start and stop the platform's parts in order: database, accounts and bindings, XMPP server, agents,
gateway."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from agents.runtime.accounts.book import AccountBook
from agents.runtime.directory import AgentDirectory, StoreDirectory
from agents.runtime.platform_agent import PlatformAgent
from cli.ledger_identities import (
    LedgerAuthority,
    OnboardingFailed,
    configured_authority,
    minted_authority,
    party_sessions,
    platform_parties,
    platform_secret,
)
from cli.ledger_process import auth_configured, embedded_ledger
from cli.order_agents import ManufacturerLedgers, manufacturer_agents, supplier_host
from cli.roster import MATCHMAKER, PING, bind_agents, provision_accounts, roster
from common.settings import Settings, XmppMode
from federation.settings import FederationSettings, get_federation_settings
from gateway.app import create_app
from gateway.bridge.xmpp import XmppAgentBridge
from gateway.demo import DemoLogins, seed_demo_database
from gateway.server import serving
from ledger.deploy import DarDeployment
from ledger.identities import PartySessions
from ledger.jsonapi_client import JsonApiClient, LedgerClientError, RetryPolicy, TokenProvider
from ledger.lifecycle.scoped import ScopedAuthority
from ledger.settings import LedgerSettings
from ontology.contract import PartyRole
from store.database import Database
from store.migrate import upgrade

log = logging.getLogger(__name__)


@dataclass
class Running:
    """What a started platform exposes, for the banner and for tests."""

    database_url: str
    xmpp: str
    accounts: str | None = None
    agents: list[str] = field(default_factory=list)
    gateway_url: str | None = None
    federation_url: str | None = None
    ledger: str | None = None
    demo: DemoLogins | None = None
    ledger_sessions: PartySessions | None = None
    """The parties' ledger sessions (``session_for(role, platform_id)``), when the agents run."""

    def banner(self) -> str:
        lines = [
            "Lot-size-one platform is running:",
            f"  database      {self.database_url}",
            f"  XMPP server   {self.xmpp}",
            *([f"  XMPP accounts {self.accounts}"] if self.accounts else []),
            f"  agents        {', '.join(self.agents) or '(none)'}",
        ]
        if self.federation_url:
            lines.append(f"  EFPF (local)  {self.federation_url}")
        if self.ledger:
            lines.append(f"  DAML ledger   {self.ledger}")
        if self.gateway_url:
            lines += [
                f"  gateway       {self.gateway_url}",
                f"  API docs      {self.gateway_url}/docs",
                f"  web app       {self.gateway_url}/app/",
            ]
        if self.demo:
            lines += self.demo.banner_lines()
        lines.append("Press Ctrl+C to stop.")
        return "\n".join(lines)


@contextlib.asynccontextmanager
async def xmpp_server(settings: Settings) -> AsyncIterator[str]:
    """The embedded server when configured; otherwise only describe the external one."""
    where = f"{settings.xmpp_host}:{settings.xmpp_port} (domain {settings.xmpp_domain})"
    if settings.xmpp_mode is XmppMode.EXTERNAL:
        yield f"external, {where}"
        return
    from agents.runtime.embedded_server import EmbeddedXmppServer

    async with EmbeddedXmppServer(settings):
        yield f"embedded pyjabber, {where}"


@contextlib.asynccontextmanager
async def local_federation() -> AsyncIterator[tuple[str, FederationSettings]]:
    """The local stand-in for EFPF, and client settings that point at it."""
    from federation.service.serve import run_in_background

    service_settings = get_federation_settings()
    async with run_in_background(service_settings) as service:
        yield service.url, service.client_settings(service_settings)


def share_store(agent: PlatformAgent, db: Database, directory: AgentDirectory) -> None:
    """Let ``agent`` read the process's one store and one directory of bindings (before it starts)."""
    agent.store = db
    agent.directory = directory


@contextlib.asynccontextmanager
async def platform_agents(
    settings: Settings,
    federation: FederationSettings,
    ledger: LedgerSettings,
    db: Database,
    directory: AgentDirectory,
    sessions: PartySessions,
) -> AsyncIterator[list[str]]:
    """The platform's agents. Each party signs for itself on the ledger: every manufacturer agent with its
    own manufacturer's session, the supplier proxy host with each supplier's (the customers' agent is the
    gateway's). No agent holds the operator's token or another party's."""
    from agents.matchmaker import MatchmakerAgent
    from agents.ping_agent import PingAgent
    from agents.supplier_proxy.sessions import json_sessions

    services: list[PlatformAgent] = [
        PingAgent(PING, settings),
        MatchmakerAgent(MATCHMAKER, settings, federation=federation),
    ]
    proxies = supplier_host(
        settings, federation, json_sessions(ScopedAuthority(sessions, PartyRole.SUPPLIER), ledger)
    )
    services.append(proxies)
    manufacturers = ManufacturerLedgers(sessions, ledger)
    started: list[PlatformAgent] = []

    async def start(agents: list[PlatformAgent]) -> None:
        for agent in agents:
            share_store(agent, db, directory)
            await agent.start()
            started.append(agent)

    try:
        await start(services)  # the platform's services log in first: a missing account is named at once
        await start(
            await manufacturer_agents(
                settings, db, matchmaker=services[1].address, proxies=proxies.address, ledger=manufacturers
            )
        )
        yield [str(agent.address) for agent in started]
    finally:
        for agent in reversed(started):
            with contextlib.suppress(Exception):
                await agent.stop()
        await manufacturers.aclose()


def ledger_authority(settings: Settings) -> LedgerAuthority:
    """The tokens of a ledger this process did not start: configured ones, or (``LSO_LEDGER_MINT_TOKENS``, a
    development sandbox) minted with the platform's ledger secret."""
    if settings.ledger_mint_tokens:
        return minted_authority(settings, platform_secret(settings))
    return configured_authority(settings)


async def deploy_model(ledger: LedgerSettings, operator: TokenProvider | None) -> None:
    """Upload the model's DAR (``LSO_LEDGER_DAR_FILE``, else the one built from ``ledger/engine``) with the
    operator's token (ParticipantAdmin): the one thing besides onboarding that the operator does. Without an
    operator token (a ledger this platform did not start and no ``LSO_LEDGER_OPERATOR_TOKEN``) the ledger's
    own operator deploys it; a ledger that does not answer or refuses stops the start with why."""
    if operator is None:
        log.info("no ledger operator token: the ledger's operator deploys the model's DAR")
        return
    client = JsonApiClient(
        ledger.json_api_url,
        operator,
        timeout=ledger.client_timeout,
        retry=RetryPolicy(ledger.client_retries, ledger.client_backoff, ledger.client_backoff_max),
    )
    deployment = DarDeployment.of_file(client, ledger.dar_file) if ledger.dar_file else DarDeployment(client)
    try:
        await deployment()
    except LedgerClientError as exc:
        raise OnboardingFailed(
            f"the ledger at {ledger.json_api_url} did not take the model's DAR: {exc}"
        ) from exc
    finally:
        await deployment.aclose()


@contextlib.asynccontextmanager
async def gateway(
    settings: Settings,
    db: Database,
    directory: AgentDirectory,
    sessions: PartySessions | None = None,
    ledger: LedgerSettings | None = None,
) -> AsyncIterator[str]:
    """The gateway, with its bridge to the agents (the customer and console agents, in this process); with
    ``sessions``, the customer agent signs each customer's steps with that customer's own ledger session."""
    from agents.contract.sessions import sourced_dazl_sessions
    from ledger.identities.store_lookup import StoreIdentities

    customers = None
    if sessions is not None:
        customers = sourced_dazl_sessions(
            ScopedAuthority(sessions, PartyRole.CUSTOMER), ledger or LedgerSettings()
        )
    bridge = XmppAgentBridge(
        db,
        settings,
        ledger=customers,
        ledger_parties=None if customers is None else StoreIdentities(lambda: db),
    )
    share_store(bridge.customer, db, directory)
    share_store(bridge.console, db, directory)
    try:
        async with bridge:
            app = create_app(settings.resolved_database_url, data_dir=settings.data_dir, bridge=bridge)
            async with serving(app, settings.gateway_host, settings.gateway_port) as url:
                yield url
    finally:
        if customers is not None:
            await customers.aclose()


async def serve_gateway_only(settings: Settings, announce: Callable[[str], None]) -> None:
    """`lso gateway serve`: the gateway and its bridge, on the configured XMPP server (the agents run
    elsewhere, e.g. `lso agents run`); without a reachable XMPP server it serves without the agents."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    db = await Database.open(settings.resolved_database_url)
    try:
        await prepare_agents(settings, db, actor="lso gateway serve", agents=False, gateway=True)
        directory = StoreDirectory(db, ttl=settings.directory_ttl_seconds)
        ledger = LedgerSettings()
        # the embedded ledger that `lso agents run` started here verifies tokens of the data dir's secret
        local = settings.ledger_local and not auth_configured(ledger)
        authority = ledger_authority(settings)
        if local:
            authority = minted_authority(settings, platform_secret(settings))
        customers = party_sessions(settings, ledger, db, authority, [], actor="lso gateway serve")
        try:
            async with customers as sessions, gateway(settings, db, directory, sessions, ledger) as url:
                announce(f"gateway {url} (API docs {url}/docs), agents bridge connected")
                await stop.wait()
                return
        except ConnectionError as exc:
            log.warning("the agents bridge could not connect (%s); serving without the agents", exc)
        app = create_app(settings.resolved_database_url, data_dir=settings.data_dir)
        async with serving(app, settings.gateway_host, settings.gateway_port) as url:
            announce(f"gateway {url} (API docs {url}/docs), without the agents")
            await stop.wait()
    finally:
        await db.close()


async def prepare_agents(
    settings: Settings, db: Database, *, actor: str, agents: bool, gateway: bool
) -> None:
    """Before the XMPP server starts: the accounts of the agents this process runs (in the account book, and
    on the embedded server), then their bindings in the store. The embedded server keeps only the book's
    accounts when it starts, so every account this process logs in with must be in the book first."""
    planned = await roster(settings, db, agents=agents, gateway=gateway)
    await provision_accounts(settings, [agent.jid for agent in planned], actor=actor)
    await bind_agents(db, planned, actor=actor)


async def prepare_database(settings: Settings) -> str:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    url = settings.resolved_database_url
    await upgrade(url)
    return url


@contextlib.asynccontextmanager
async def running_platform(
    settings: Settings, *, with_agents: bool = True, with_gateway: bool = True, actor: str = "lso run"
) -> AsyncIterator[Running]:
    url = await prepare_database(settings)
    demo = await seed_demo_database(url, xmpp_domain=settings.xmpp_domain)
    async with contextlib.AsyncExitStack() as stack:
        db = await Database.open(url)
        stack.push_async_callback(db.close)
        if with_agents or with_gateway:
            await prepare_agents(settings, db, actor=actor, agents=with_agents, gateway=with_gateway)
        where = await stack.enter_async_context(xmpp_server(settings))
        running = Running(database_url=_redact(url), xmpp=where, demo=demo)
        running.accounts = str(AccountBook.of(settings).path)
        federation = get_federation_settings()
        if settings.federation_local:
            running.federation_url, federation = await stack.enter_async_context(local_federation())
        ledger = LedgerSettings()
        authority = ledger_authority(settings)
        minted = False  # True: the embedded ledger verifies tokens minted with the platform's secret
        if settings.ledger_local:
            minted = not auth_configured(ledger)
            secret = platform_secret(settings) if minted else ""
            started = embedded_ledger(secret, settings.ledger_operator_user)
            endpoints = await stack.enter_async_context(started)
            if minted:
                authority = minted_authority(settings, secret)
            ledger = ledger.model_copy(update={"json_api_url": endpoints.json_api})
            if endpoints.grpc:
                ledger = ledger.model_copy(update={"grpc_url": f"http://{endpoints.grpc}"})
            running.ledger = f"JSON API {endpoints.json_api}, gRPC {endpoints.grpc} (pid {endpoints.pid})"
        directory = StoreDirectory(db, ttl=settings.directory_ttl_seconds)
        if with_agents:
            running.ledger_sessions = await stack.enter_async_context(
                ledger_sessions(settings, ledger, db, federation, authority, actor=actor)
            )
            await deploy_model(ledger, authority.operator)
            running.agents = await stack.enter_async_context(
                platform_agents(settings, federation, ledger, db, directory, running.ledger_sessions)
            )
        if with_gateway:
            running.gateway_url = await stack.enter_async_context(
                gateway(settings, db, directory, running.ledger_sessions, ledger)
            )
        yield running


@contextlib.asynccontextmanager
async def ledger_sessions(
    settings: Settings,
    ledger: LedgerSettings,
    db: Database,
    federation: FederationSettings,
    authority: LedgerAuthority,
    *,
    actor: str,
) -> AsyncIterator[PartySessions]:
    """The parties' ledger sessions, once the manufacturers and suppliers this platform runs are onboarded."""
    parties = await platform_parties(settings, db, federation)
    async with party_sessions(settings, ledger, db, authority, parties, actor=actor) as sessions:
        yield sessions


async def run_until_stopped(
    settings: Settings, announce: Callable[[str], None], *, actor: str = "lso run", **parts: bool
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with running_platform(settings, actor=actor, **parts) as running:
        announce(running.banner())
        await stop.wait()
        log.info("stopping")


def _redact(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{host}"
