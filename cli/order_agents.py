"""The agents `lso run` adds for the order story: one supplier proxy host and the manufacturer agents.

* One :class:`~agents.supplier_proxy.host.ProxyHost` (``suppliers@<domain>``) hosts a proxy for every
  supplier of the data set the local federation service serves (``<host>/<supplier id>``).
* One :class:`~agents.manufacturer.agent.ManufacturerAgent` per manufacturer policy in the store
  (the demo seed writes one, for ``manufacturer@<domain>``, owned by the demo manufacturer): its
  products and policy come from the store, its manufacturer id is the owning user, and it trusts the
  gateway's console agent (:class:`~gateway.bridge.settings.BridgeSettings`) for the manual steps.
"""

from __future__ import annotations

import logging

from agents.manufacturer.agent import ManufacturerAgent
from agents.supplier_proxy.host import DEFAULT_NAME, ProxyHost
from core.settings import Settings
from federation.dataset.loader import load_dataset, load_shipped
from federation.settings import FederationSettings
from gateway.bridge.settings import BridgeSettings
from ontology.supplier import Supplier
from store.database import Database
from store.enums import PolicyKind

log = logging.getLogger(__name__)


def jid_of(name: str, settings: Settings) -> str:
    return name if "@" in name else f"{name}@{settings.xmpp_domain}"


def supplier_host(settings: Settings, federation: FederationSettings) -> ProxyHost:
    """A proxy host for the suppliers of the data set the federation service serves."""
    dataset = load_dataset(federation.service_dataset) if federation.service_dataset else load_shipped()
    host = ProxyHost(DEFAULT_NAME, settings)
    for record in dataset.suppliers:
        host.add_record(record)
    return host


async def manufacturer_agents(
    settings: Settings, db: Database, *, matchmaker: str, contract: str, proxies: str
) -> list[ManufacturerAgent]:
    """One agent per manufacturer policy in the store whose JID is in this platform's domain."""
    async with db.transaction() as repos:
        policies = await repos.policies.list_all(PolicyKind.MANUFACTURER)
    console = jid_of(BridgeSettings().console_agent, settings)

    def proxy_of(supplier: Supplier) -> str:
        return f"{proxies}/{supplier.id}"

    agents: list[ManufacturerAgent] = []
    for policy in policies:
        if policy.owner_user_id is None or not policy.agent_jid.endswith(f"@{settings.xmpp_domain}"):
            log.info("no agent started for the manufacturer policy of %s", policy.agent_jid)
            continue
        agents.append(
            ManufacturerAgent(
                policy.agent_jid,
                settings,
                db=db,
                catalogue={},
                matchmaker=matchmaker,
                contract_agent=contract,
                manufacturer_id=policy.owner_user_id,
                supplier_agent=proxy_of,
                consoles=[console],
            )
        )
    return agents
