"""The demo seed: idempotent, working logins, valid products that the shipped suppliers can make."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import httpx

from cli.launcher import Running, prepare_agents, running_platform
from common.settings import Settings, XmppMode
from federation.dataset.loader import load_shipped
from gateway.demo import DemoLogins, seed_demo
from gateway.demo.catalogue import demo_products
from gateway.demo.policy import OWN_PROCESSES, demo_policy
from ontology.policy import ManufacturerPolicy
from ontology.product import Product, RequiredPart
from ontology.supplier import Supplier
from store.database import Database
from store.enums import AgentRole
from store.product_rows import product_of
from tests.gateway.recording_bridge import RecordingBridge

pytest_plugins = ("tests.gateway.fixtures",)

DEMO_KINDS = {"demo-bicycle-frame", "demo-custom-shoes", "demo-cabinet", "demo-machined-bracket"}
SAMPLE_STEP = b"ISO-10303-21;\nHEADER;\nENDSEC;\nDATA;\nENDSEC;\nEND-ISO-10303-21;\n"
SAMPLE_PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


def every_part(product: Product) -> Iterator[RequiredPart]:
    yield from product.base_parts
    for option in product.options:
        for choice in option.choices:
            yield from choice.parts


async def _login(client: httpx.AsyncClient, email: str, password: str) -> dict[str, str]:
    response = await client.post(
        "/auth/token", data={"grant_type": "password", "username": email, "password": password}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_the_seed_is_idempotent(db: Database) -> None:
    first = await seed_demo(db, xmpp_domain="example.net")
    again = await seed_demo(db, xmpp_domain="example.net")
    assert first == again
    assert first.manufacturer_jid == "manufacturer@example.net"
    assert set(first.product_ids) >= DEMO_KINDS
    async with db.transaction() as repos:
        users = await repos.users.list_all()
        products = await repos.products.list_all()
        policy = await repos.policies.get(first.manufacturer_jid)
    assert sorted(user.email for user in users) == sorted([first.customer_email, first.manufacturer_email])
    assert sorted(product.id for product in products) == sorted(first.product_ids)
    assert policy is not None and policy.version == 1 and policy.owner_user_id == first.manufacturer_id


async def test_the_demo_logins_work_and_show_the_catalogue_and_policy(
    client: httpx.AsyncClient, db: Database, bridge: RecordingBridge
) -> None:
    demo = await seed_demo(db)
    customer = await _login(client, demo.customer_email, demo.customer_password)
    manufacturer = await _login(client, demo.manufacturer_email, demo.manufacturer_password)
    assert (await client.get("/me", headers=customer)).json()["role"] == "customer"
    assert (await client.get("/me", headers=manufacturer)).json()["role"] == "manufacturer"
    listed = await client.get("/products", params={"manufacturer_id": demo.manufacturer_id}, headers=customer)
    assert {p["id"] for p in listed.json()["items"]} == set(demo.product_ids)
    policy = (await client.get("/manufacturer/policy", headers=manufacturer)).json()
    assert policy["agent_jid"] == "manufacturer@localhost"

    delivery = (date.today() + timedelta(days=60)).isoformat()
    drawing = await client.post("/uploads", files={"file": ("b.step", SAMPLE_STEP)}, headers=customer)
    artwork = await client.post("/uploads", files={"file": ("a.png", SAMPLE_PNG)}, headers=customer)
    files = {"cad-file": drawing.json()["id"], "artwork-file": artwork.json()["id"]}
    for product_id in demo.product_ids:  # every product can be ordered with its defaults and its files
        product = (await client.get(f"/products/{product_id}", headers=customer)).json()
        given = {o["id"]: files[o["id"]] for o in product["options"] if o["kind"] == "file"}
        body = {"product_id": product_id, "delivery_date": delivery, "files": given}
        placed = await client.post("/orders", json=body, headers=customer)
        assert placed.status_code == 202, (product_id, placed.text)
    assert len(bridge.called("place_order")) == len(demo.product_ids)
    made_to_measure = {"geometry": "made-to-measure"}
    measured = {"body-height": 181, "inseam": "84.5"}
    body = {"product_id": "demo-bicycle-frame", "delivery_date": delivery, "options": made_to_measure}
    unmeasured = await client.post("/orders", json=body, headers=customer)
    assert [e["field"] for e in unmeasured.json()["errors"]] == [
        "body.numbers.body-height",
        "body.numbers.inseam",
    ]
    placed = await client.post("/orders", json={**body, "numbers": measured}, headers=customer)
    assert placed.status_code == 202, placed.text


async def test_a_manufacturers_changes_survive_a_new_seed(client: httpx.AsyncClient, db: Database) -> None:
    demo = await seed_demo(db)
    manufacturer = await _login(client, demo.manufacturer_email, demo.manufacturer_password)
    policy = (await client.get("/manufacturer/policy", headers=manufacturer)).json()["policy"]
    changed = await client.put(
        "/manufacturer/policy", json={**policy, "auto_accept": False}, headers=manufacturer
    )
    assert changed.status_code == 200, changed.text
    await seed_demo(db)
    after = (await client.get("/manufacturer/policy", headers=manufacturer)).json()
    assert after["version"] == 2 and after["policy"]["auto_accept"] is False


async def test_the_demo_products_are_valid_and_every_sourced_operation_has_suppliers(db: Database) -> None:
    demo = await seed_demo(db)
    async with db.transaction() as repos:
        records = [await repos.products.require(product_id) for product_id in demo.product_ids]
        policy = await repos.policies.get_as(demo.manufacturer_jid, ManufacturerPolicy)
    assert policy is not None
    suppliers: list[Supplier] = [record.to_supplier() for record in load_shipped().suppliers]
    assert policy.own_processes >= OWN_PROCESSES
    for record in records:
        product = product_of(record)  # valid against the ontology
        assert product.manufacturer_id == demo.manufacturer_id
        assert product.options, product.id
        for part in every_part(product):
            assert part.machine_minutes > 0, (product.id, part.part_id)
            assert part.process in policy.own_processes | policy.sourced_processes, (product.id, part)
            if part.process in policy.sourced_processes:
                able = [s.id for s in suppliers if s.can_supply(part)]
                assert len(able) >= 3, (product.id, part, able)


def test_the_policy_sources_exactly_what_the_catalogue_needs_beyond_the_workshop() -> None:
    products = demo_products("someone")
    policy = demo_policy(products)
    needed = {part.process for product in products for part in every_part(product)}
    assert policy.own_processes | policy.sourced_processes == needed | OWN_PROCESSES
    assert not policy.own_processes & policy.sourced_processes


def test_the_banner_shows_the_demo_logins_and_the_api_docs() -> None:
    demo = DemoLogins(
        customer_email="c@demo",
        customer_password="cpass",
        customer_id="c",
        manufacturer_email="m@demo",
        manufacturer_password="mpass",
        manufacturer_id="m",
        manufacturer_jid="manufacturer@localhost",
        product_ids=(),
    )
    banner = Running("sqlite://", "embedded", gateway_url="http://127.0.0.1:8000", demo=demo).banner()
    assert "http://127.0.0.1:8000/docs" in banner
    assert "c@demo / cpass" in banner
    assert "m@demo / mpass" in banner


async def test_lso_run_seeds_the_demo_after_preparing_the_database(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        database_url=None,
        xmpp_mode=XmppMode.EXTERNAL,
        xmpp_domain="demo.test",
        federation_local=False,
        ledger_local=False,
    )
    async with running_platform(settings, with_agents=False, with_gateway=False) as running:
        assert running.demo is not None
        assert running.demo.manufacturer_jid == "manufacturer@demo.test"
        assert running.demo.customer_email in running.banner()
    db = await Database.open(settings.resolved_database_url)
    try:
        async with db.transaction() as repos:
            assert await repos.users.get_by_email(running.demo.manufacturer_email) is not None
    finally:
        await db.close()


async def test_lso_run_binds_the_demo_manufacturers_agent_to_the_demo_manufacturer(tmp_path: Path) -> None:
    """The seed writes the policy; `lso run` binds the agent of every manufacturer policy it runs (one place),
    so the demo's agent acts for the demo manufacturer and for no one else."""
    settings = Settings(
        _env_file=None, data_dir=tmp_path, xmpp_mode=XmppMode.EXTERNAL, xmpp_domain="demo.test"
    )
    db = await Database.open(settings.resolved_database_url, migrate=True)
    try:
        demo = await seed_demo(db, xmpp_domain=settings.xmpp_domain)
        async with db.transaction() as repos:
            assert await repos.bindings.of(demo.manufacturer_jid) == [], "the seed binds nothing"
        await prepare_agents(settings, db, actor="lso run", agents=True, gateway=False)
        async with db.transaction() as repos:
            bound = await repos.bindings.of(demo.manufacturer_jid)
    finally:
        await db.close()
    assert [(b.role, b.party_id, b.created_by) for b in bound] == [
        (AgentRole.MANUFACTURER, demo.manufacturer_id, "lso run")
    ]
