"""The agents `lso run` adds for the order story: one supplier proxy host and the manufacturer agents.

* One :class:`~agents.supplier_proxy.host.ProxyHost` (``suppliers@<domain>``) hosts a proxy for every
  supplier of the data set the local federation service serves (``<host>/<supplier id>``).
* One :class:`~agents.manufacturer.agent.ManufacturerAgent` per manufacturer policy in the store that
  :func:`cli.roster.manufacturer_policies` keeps (the demo seed writes one, for ``manufacturer@<domain>``,
  owned by the demo manufacturer): its products and policy come from the store, its manufacturer id is the
  owning user, and it trusts the gateway's console agent (:class:`~gateway.bridge.settings.BridgeSettings`)
  for the manual steps.
"""

from __future__ import annotations

import logging

from agents.manufacturer.agent import ManufacturerAgent
from agents.supplier_proxy.host import DEFAULT_NAME, ProxyHost
from cli.roster import jid_of, manufacturer_policies
from core.settings import Settings
from federation.dataset.loader import load_dataset, load_shipped
from federation.dataset.schema import SupplierRecord
from federation.settings import FederationSettings
from gateway.bridge.settings import BridgeSettings
from ontology.supplier import Supplier
from store.database import Database

log = logging.getLogger(__name__)


def dataset_suppliers(federation: FederationSettings) -> list[SupplierRecord]:
    """The suppliers of the data set the federation service serves (its configured one, else the shipped)."""
    dataset = load_dataset(federation.service_dataset) if federation.service_dataset else load_shipped()
    return list(dataset.suppliers)


def supplier_host(settings: Settings, federation: FederationSettings) -> ProxyHost:
    """A proxy host for the suppliers of the data set the federation service serves."""
    host = ProxyHost(DEFAULT_NAME, settings)
    for record in dataset_suppliers(federation):
        host.add_record(record)
    return host


async def manufacturer_agents(
    settings: Settings, db: Database, *, matchmaker: str, contract: str, proxies: str
) -> list[ManufacturerAgent]:
    """One agent per manufacturer policy of the store that this platform runs."""
    bridge = BridgeSettings()
    async with db.transaction(flush_acl_log=False) as repos:
        policies = await manufacturer_policies(repos, settings, bridge)
    console = jid_of(bridge.console_agent, settings)

    def proxy_of(supplier: Supplier) -> str:
        return f"{proxies}/{supplier.id}"

    return [
        ManufacturerAgent(
            jid_of(policy.agent_jid, settings),
            settings,
            db=db,
            catalogue={},
            matchmaker=matchmaker,
            contract_agent=contract,
            manufacturer_id=policy.owner_user_id,
            supplier_agent=proxy_of,
            consoles=[console],
        )
        for policy in policies
    ]
