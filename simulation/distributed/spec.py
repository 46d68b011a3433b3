"""What the supplier process of a distributed run hosts: one proxy host per cell (a JSON file), and who is
who in the run: the scenario is the authority, so every agent of the run reads its bindings from here (a
:class:`~agents.runtime.directory.StaticDirectory`), never from a store."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from agents.runtime.directory import Binding
from federation.dataset.schema import SupplierRecord
from ontology.policy import SupplierPolicy
from simulation.plan import Plan
from store.enums import ANY_PARTY, AgentRole


class ProxySpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    record: SupplierRecord
    policy: SupplierPolicy
    silent: bool = False
    fail_after_accept: bool = False


class HostSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    seed: int
    proxies: tuple[ProxySpec, ...]


class SuppliersSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    today: date
    hosts: tuple[HostSpec, ...]
    bindings: tuple[Binding, ...] = ()
    """The run's parties: each manufacturer's agent (bound to the scenario's manufacturer), each host."""


def bindings_of(plan: Plan, hosts: list[str], domain: str) -> tuple[Binding, ...]:
    """Who is who in a run: the agent ``<manufacturer id>@domain`` of each of the scenario's manufacturers
    acts for it, each proxy host (a node) for every supplier it hosts."""
    manufacturers = (
        Binding(jid=f"{m}@{domain}", role=AgentRole.MANUFACTURER, party_id=m)
        for m in plan.scenario_manufacturers()
    )
    suppliers = (Binding(jid=f"{h}@{domain}", role=AgentRole.SUPPLIER, party_id=ANY_PARTY) for h in hosts)
    return (*manufacturers, *suppliers)


def suppliers_spec(plan: Plan, prefix: str, domain: str) -> SuppliersSpec:
    """One host per cell, named ``<prefix>-<cell index>``, hosting only the suppliers the cell invites; the
    run's bindings for the XMPP ``domain``."""
    hosts: list[HostSpec] = []
    for cell in plan.cells:
        wanted = {s for order in cell.orders for ids in order.candidates.values() for s in ids}
        proxies = tuple(
            ProxySpec(
                record=s.record, policy=s.policy, silent=s.silent, fail_after_accept=s.fail_after_accept
            )
            for s in cell.suppliers
            if s.id in wanted
        )
        hosts.append(HostSpec(name=f"{prefix}-{cell.index}", seed=cell.seed, proxies=proxies))
    bindings = bindings_of(plan, [h.name for h in hosts], domain)
    return SuppliersSpec(today=plan.today, hosts=tuple(hosts), bindings=bindings)
