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

from agents.contract.sessions import sourced_dazl_sessions
from agents.manufacturer.agent import ManufacturerAgent
from agents.manufacturer.options import LedgerSeat
from agents.supplier_proxy.host import DEFAULT_NAME, ProxyHost
from cli.roster import jid_of, manufacturer_policies
from common.settings import Settings
from federation.dataset.loader import load_dataset, load_shipped
from federation.dataset.schema import SupplierRecord
from federation.settings import FederationSettings
from gateway.bridge.settings import BridgeSettings
from ledger.identities.store_lookup import StoreIdentities
from ledger.lifecycle import AuthoritySource, PartyLedger, PartyNotOnboarded, SourcedSessions
from ledger.lifecycle.scoped import ScopedAuthority
from ledger.settings import LedgerSettings
from ontology.contract import PartyRole
from ontology.supplier import Supplier
from store.database import Database

log = logging.getLogger(__name__)


def dataset_suppliers(federation: FederationSettings) -> list[SupplierRecord]:
    """The suppliers of the data set the federation service serves (its configured one, else the shipped)."""
    dataset = load_dataset(federation.service_dataset) if federation.service_dataset else load_shipped()
    return list(dataset.suppliers)


def supplier_host(
    settings: Settings, federation: FederationSettings, ledger: SourcedSessions | None = None
) -> ProxyHost:
    """A proxy host for the suppliers of the data set the federation service serves; with ``ledger``, the
    sessions of those suppliers (each its own ledger user), with which the proxies sign, ship and invoice."""
    host = ProxyHost(DEFAULT_NAME, settings, ledger=ledger)
    for record in dataset_suppliers(federation):
        host.add_record(record)
    return host


async def manufacturer_agents(
    settings: Settings,
    db: Database,
    *,
    matchmaker: str,
    proxies: str,
    contract: str | None = None,
    ledger: ManufacturerLedgers | None = None,
) -> list[ManufacturerAgent]:
    """One agent per manufacturer policy of the store that this platform runs; with ``ledger``, each signs
    for itself on the ledger (contracting, receipts, invoices, shipping) with its own manufacturer's
    session, and the contract agent is not asked."""
    bridge = BridgeSettings()
    async with db.transaction(flush_acl_log=False) as repos:
        policies = await manufacturer_policies(repos, settings, bridge)
    console = jid_of(bridge.console_agent, settings)

    def proxy_of(supplier: Supplier) -> str:
        return f"{proxies}/{supplier.id}"

    def signer(supplier_id: str) -> str:
        return f"{proxies}/{supplier_id}"

    agents = []
    for policy in policies:
        assert policy.owner_user_id is not None  # manufacturer_policies keeps owned policies only
        own = None if ledger is None else await ledger.session_of(policy.owner_user_id)
        seat = None if own is None else LedgerSeat(own, StoreIdentities(lambda: db), supplier_jid=signer)
        agents.append(
            ManufacturerAgent(
                jid_of(policy.agent_jid, settings),
                settings,
                db=db,
                catalogue={},
                matchmaker=matchmaker,
                contract_agent=contract if own is None else None,
                manufacturer_id=policy.owner_user_id,
                supplier_agent=proxy_of,
                consoles=[console],
                ledger=seat,
            )
        )
    return agents


class ManufacturerLedgers:
    """Each manufacturer agent's own ledger session: a dazl client with a token of that manufacturer's ledger
    user only (from the identity service, limited to that one manufacturer)."""

    def __init__(self, source: AuthoritySource, ledger: LedgerSettings) -> None:
        self.source = source
        self.ledger = ledger
        self._opened: list[SourcedSessions] = []

    async def session_of(self, manufacturer_id: str) -> PartyLedger:
        """Its session; :class:`OnboardingFailed` in words when it has no ledger identity and none can be
        made here (a ledger this platform did not start, without ``LSO_LEDGER_OPERATOR_TOKEN``)."""
        sessions = sourced_dazl_sessions(
            ScopedAuthority(self.source, PartyRole.MANUFACTURER, [manufacturer_id]), self.ledger
        )
        self._opened.append(sessions)
        try:
            return await sessions.session(PartyRole.MANUFACTURER, manufacturer_id)
        except PartyNotOnboarded as exc:
            from cli.ledger_identities import OnboardingFailed  # that module imports this one

            raise OnboardingFailed(
                f"manufacturer {manufacturer_id} has no ledger party and user, so its agent cannot sign: "
                f"onboard it with `lso ledger onboard --role manufacturer --id {manufacturer_id}` "
                "(with LSO_LEDGER_OPERATOR_TOKEN set)"
            ) from exc

    async def aclose(self) -> None:
        opened, self._opened = self._opened, []
        for sessions in opened:
            await sessions.aclose()
