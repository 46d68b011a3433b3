"""What the supplier process of a distributed run hosts: one proxy host per cell (a JSON file)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

from federation.dataset.schema import SupplierRecord
from ontology.policy import SupplierPolicy
from simulation.plan import Plan


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


def suppliers_spec(plan: Plan, prefix: str) -> SuppliersSpec:
    """One host per cell, named ``<prefix>-<cell index>``, hosting only the suppliers the cell invites."""
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
    return SuppliersSpec(today=plan.today, hosts=tuple(hosts))
