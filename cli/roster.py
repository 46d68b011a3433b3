"""What the platform runs: each agent's XMPP account and the bindings that say whom it acts for.

``lso run``, ``lso agents run``, ``lso gateway serve`` and ``lso xmpp init-accounts`` share this list, so the
accounts an admin creates beforehand are exactly those the platform then logs in with:

| agent | account | bindings |
|---|---|---|
| ping | ``ping`` | platform ``ping`` |
| matchmaker | ``matchmaker`` | platform ``matchmaker`` |
| contract agent | ``contract`` | platform ``contract`` |
| supplier proxy host | ``suppliers`` | platform ``suppliers``, supplier ``*`` |
| each manufacturer agent | its policy's ``agent_jid`` | manufacturer ``<policy owner's user id>`` |
| the gateway bridge's customer agent | ``customers`` (``LSO_BRIDGE_CUSTOMER_AGENT``) | customer ``*`` |
| the gateway bridge's console | ``console`` (``LSO_BRIDGE_CONSOLE_AGENT``) | platform ``console`` |

A manufacturer agent runs for every manufacturer policy in the store whose JID is of the platform's XMPP
domain, whose owner is a manufacturer user and whose account name is not one of the platform's services. The
demo seed (:mod:`gateway.demo.seed`) writes one for ``manufacturer@<domain>``; ``lso run`` seeds it before it
reads the policies, and :func:`roster` counts its account even where the seed has not run yet
(``init-accounts``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict

from agents.runtime.accounts.book import AccountBook, node_of
from agents.runtime.accounts.provision import AccountServer, EmbeddedAccounts, create_accounts
from agents.supplier_proxy.host import DEFAULT_NAME as SUPPLIERS
from common.settings import Settings, XmppMode
from gateway.bridge.settings import BridgeSettings
from gateway.demo.seed import MANUFACTURER_AGENT as DEMO_MANUFACTURER
from store.database import Database
from store.enums import ANY_PARTY, AgentRole, PolicyKind, UserRole
from store.records import NewBinding, PolicyRecord
from store.repositories import Repositories

log = logging.getLogger(__name__)

PING = "ping"
MATCHMAKER = "matchmaker"
CONTRACT_SERVICE = "contract"
CONSOLE_SERVICE = "console"
"""The platform service name the gateway's console agent is bound to."""


class Bound(BaseModel):
    """One binding an agent needs: its role and the party it acts for."""

    model_config = ConfigDict(frozen=True)

    role: AgentRole
    party_id: str


class PlannedAgent(BaseModel):
    """An agent the platform runs: its bare JID and the bindings it needs."""

    model_config = ConfigDict(frozen=True)

    jid: str
    bindings: tuple[Bound, ...] = ()

    @property
    def node(self) -> str:
        return self.jid.split("@", 1)[0]


def jid_of(name: str, settings: Settings) -> str:
    """The bare JID of ``name`` (a node or a JID of the platform's domain), lower-cased."""
    return f"{node_of(name, settings.xmpp_domain)}@{settings.xmpp_domain.lower()}"


def _platform(name: str, settings: Settings, *extra: Bound) -> PlannedAgent:
    own = Bound(role=AgentRole.PLATFORM, party_id=name)
    return PlannedAgent(jid=jid_of(name, settings), bindings=(own, *extra))


def service_agents(settings: Settings) -> list[PlannedAgent]:
    """The platform's own agents ``lso run`` and ``lso agents run`` start, manufacturers aside."""
    return [
        _platform(PING, settings),
        _platform(MATCHMAKER, settings),
        _platform(SUPPLIERS, settings, Bound(role=AgentRole.SUPPLIER, party_id=ANY_PARTY)),
    ]


def gateway_agents(settings: Settings, bridge: BridgeSettings | None = None) -> list[PlannedAgent]:
    """The two agents of the gateway's bridge (``lso run``, ``lso gateway serve``)."""
    config = bridge or BridgeSettings()
    return [
        PlannedAgent(
            jid=jid_of(config.customer_agent, settings),
            bindings=(Bound(role=AgentRole.CUSTOMER, party_id=ANY_PARTY),),
        ),
        PlannedAgent(
            jid=jid_of(config.console_agent, settings),
            bindings=(Bound(role=AgentRole.PLATFORM, party_id=CONSOLE_SERVICE),),
        ),
    ]


def reserved_nodes(settings: Settings, bridge: BridgeSettings | None = None) -> set[str]:
    """Account names of the platform's services: never a manufacturer agent (``contract`` included: the
    contract agent, run on its own, e.g. ``python -m agents.contract_agent``)."""
    planned = {agent.node for agent in (*service_agents(settings), *gateway_agents(settings, bridge))}
    return planned | {CONTRACT_SERVICE}


async def manufacturer_policies(
    repos: Repositories, settings: Settings, bridge: BridgeSettings | None = None
) -> list[PolicyRecord]:
    """The manufacturer policies whose agents this platform runs (the others are logged and left out)."""
    reserved = reserved_nodes(settings, bridge)
    chosen: list[PolicyRecord] = []
    for policy in await repos.policies.list_all(PolicyKind.MANUFACTURER):
        why = await _why_not_run(repos, policy, settings, reserved)
        if why:
            log.info("no agent runs for the manufacturer policy of %s: %s", policy.agent_jid, why)
        else:
            chosen.append(policy)
    return chosen


async def _why_not_run(
    repos: Repositories, policy: PolicyRecord, settings: Settings, reserved: set[str]
) -> str | None:
    try:
        node = node_of(policy.agent_jid, settings.xmpp_domain)
    except ValueError as exc:
        return str(exc)
    if "@" not in policy.agent_jid:
        return "not a JID"
    if node in reserved:
        return f"{node} is the account of a platform service"
    if policy.owner_user_id is None:
        return "the policy has no owner"
    owner = await repos.users.get(policy.owner_user_id)
    if owner is None or owner.role is not UserRole.MANUFACTURER:
        return f"its owner {policy.owner_user_id} is not a manufacturer user"
    return None


def manufacturer_agent(policy: PolicyRecord, settings: Settings) -> PlannedAgent:
    assert policy.owner_user_id is not None
    return PlannedAgent(
        jid=jid_of(policy.agent_jid, settings),
        bindings=(Bound(role=AgentRole.MANUFACTURER, party_id=policy.owner_user_id),),
    )


async def roster(
    settings: Settings,
    db: Database,
    *,
    agents: bool = True,
    gateway: bool = True,
    bridge: BridgeSettings | None = None,
) -> list[PlannedAgent]:
    """The agents a platform process runs: its services and manufacturer agents (``agents``), the gateway
    bridge's agents (``gateway``)."""
    planned: list[PlannedAgent] = []
    if agents:
        planned += service_agents(settings)
        async with db.transaction(flush_acl_log=False) as repos:
            policies = await manufacturer_policies(repos, settings, bridge)
        planned += [manufacturer_agent(policy, settings) for policy in policies]
        demo = jid_of(DEMO_MANUFACTURER, settings)
        if demo not in {agent.jid for agent in planned}:
            planned.append(PlannedAgent(jid=demo))  # seeded by `lso run` before it starts its agents
    if gateway:
        planned += gateway_agents(settings, bridge)
    return planned


def account_server(settings: Settings) -> AccountServer | None:
    """Where the platform itself can create accounts: the embedded server's database, else nowhere (the
    external server's admin creates them)."""
    return EmbeddedAccounts(settings) if settings.xmpp_mode is XmppMode.EMBEDDED else None


async def provision_accounts(
    settings: Settings, jids: Iterable[str], *, actor: str, warn: bool = True
) -> dict[str, str]:
    """Make sure every account of ``jids`` has a password in the book and, in embedded mode, exists on the
    embedded server. On an external server an account whose password is new here cannot exist there yet:
    that is logged as a warning saying how to create it (unless not ``warn``). The passwords by node."""
    book = AccountBook.of(settings)
    nodes = list(dict.fromkeys(node_of(jid, settings.xmpp_domain) for jid in jids))
    missing = [node for node in nodes if book.password(node) is None]
    server = account_server(settings)
    created = await create_accounts(settings, nodes, server, actor=actor)
    if server is None and missing and warn:
        log.warning(
            "%s: new XMPP accounts %s have a password in %s but not yet an account on the XMPP server at "
            "%s:%s; create them there (`lso xmpp add-account NAME --prosodyctl-config ...` on the Prosody "
            "host, or `lso xmpp init-accounts --prosody-accounts FILE` for Prosody in docker-compose)",
            actor,
            ", ".join(f"{node}@{settings.xmpp_domain}" for node in missing),
            book.path,
            settings.xmpp_host,
            settings.xmpp_port,
        )
    return created


async def bind_agents(db: Database, planned: Sequence[PlannedAgent], *, actor: str) -> int:
    """Write the bindings of ``planned`` (binding twice is harmless); how many were new (each logged)."""
    new = 0
    async with db.transaction(flush_acl_log=False) as repos:
        for agent in planned:
            for bound in agent.bindings:
                if bound.role is AgentRole.MANUFACTURER:
                    await _warn_if_bound_elsewhere(repos, agent.jid, bound.party_id)
                record, created = await repos.bindings.bind(
                    NewBinding(jid=agent.jid, role=bound.role, party_id=bound.party_id, created_by=actor)
                )
                if created:
                    new += 1
                    log.info("%s bound %s as %s for %s", actor, record.jid, record.role, record.party_id)
    return new


async def _warn_if_bound_elsewhere(repos: Repositories, jid: str, party_id: str) -> None:
    others = [
        b.party_id
        for b in await repos.bindings.of(jid)
        if b.role is AgentRole.MANUFACTURER and b.party_id != party_id
    ]
    if others:
        log.warning(
            "%s is also bound as the manufacturer %s (its policy's owner is %s); "
            "remove the stale binding with `lso agents unbind %s --role manufacturer --party ID`",
            jid,
            ", ".join(others),
            party_id,
            jid,
        )
