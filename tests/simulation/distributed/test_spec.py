"""The supplier process's spec carries who is who in a distributed run: the scenario is the authority."""

from __future__ import annotations

from datetime import date

from agents.runtime.directory import StaticDirectory
from simulation.distributed.spec import SuppliersSpec, suppliers_spec
from simulation.plan import make_plan
from store.enums import AgentRole
from tests.simulation.scenarios import small, tournament


async def test_the_scenarios_manufacturers_and_the_hosts_are_bound_and_nobody_else() -> None:
    plan = make_plan(tournament(), today=date(2030, 1, 1))
    spec = suppliers_spec(plan, "sim-suppliers-x", "example.org")
    read = SuppliersSpec.model_validate_json(spec.model_dump_json())  # as the supplier process reads it
    directory = StaticDirectory(read.bindings)
    assert await directory.acts_for_exactly("maker@example.org", AgentRole.MANUFACTURER, "maker")
    assert len(read.hosts) == len(plan.cells) > 1
    for host in read.hosts:
        assert await directory.may_act_as(f"{host.name}@example.org", AgentRole.SUPPLIER, "any supplier")
        assert not await directory.may_act_as(f"{host.name}@example.org", AgentRole.MANUFACTURER)
    assert not await directory.is_bound("maker@elsewhere.org")
    assert not await directory.is_bound("alice@example.org")  # customers take no part in sourcing


def test_one_binding_per_manufacturer_and_host() -> None:
    plan = make_plan(small(), today=date(2030, 1, 1))
    spec = suppliers_spec(plan, "p", "localhost")
    assert [(b.jid, b.role, b.party_id) for b in spec.bindings] == [
        ("manufacturer-sim@localhost", AgentRole.MANUFACTURER, "manufacturer-sim"),
        ("p-0@localhost", AgentRole.SUPPLIER, "*"),
    ]
