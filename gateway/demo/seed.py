"""Seed the demo: a customer, a manufacturer, the manufacturer agent's policy and its catalogue.

Idempotent: what exists already (a user by e-mail, a product by id, the agent's policy) is left as it
is, so a manufacturer's changes to its demo products and policy survive a restart.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.core.passwords import hash_password
from gateway.demo.catalogue import demo_products
from gateway.demo.policy import demo_policy
from store.database import Database
from store.enums import PolicyKind, UserRole
from store.product_rows import new_product_row
from store.records import NewUser
from store.repositories import Repositories

CUSTOMER_EMAIL = "customer@demo.lso.example"
CUSTOMER_PASSWORD = "demo-customer-pass"
MANUFACTURER_EMAIL = "manufacturer@demo.lso.example"
MANUFACTURER_PASSWORD = "demo-manufacturer-pass"
#: The local part of the demo manufacturer agent's JID.
MANUFACTURER_AGENT = "manufacturer"


@dataclass(frozen=True, slots=True)
class DemoLogins:
    """Who the demo users are, and the manufacturer agent the demo manufacturer owns."""

    customer_email: str
    customer_password: str
    customer_id: str
    manufacturer_email: str
    manufacturer_password: str
    manufacturer_id: str
    manufacturer_jid: str
    product_ids: tuple[str, ...]

    def banner_lines(self) -> list[str]:
        return [
            f"  demo customer      {self.customer_email} / {self.customer_password}",
            f"  demo manufacturer  {self.manufacturer_email} / {self.manufacturer_password}"
            f" (agent {self.manufacturer_jid})",
        ]


async def _user(repos: Repositories, email: str, password: str, name: str, role: UserRole) -> str:
    existing = await repos.users.get_by_email(email)
    if existing is not None:
        return existing.id
    new = NewUser(email=email, display_name=name, role=role, password_hash=hash_password(password))
    return (await repos.users.add(new)).id


async def seed_demo(db: Database, *, xmpp_domain: str = "localhost") -> DemoLogins:
    """Create whatever of the demo is missing; the logins (and ids) of the demo users."""
    jid = f"{MANUFACTURER_AGENT}@{xmpp_domain}"
    async with db.transaction() as repos:
        customer_id = await _user(
            repos, CUSTOMER_EMAIL, CUSTOMER_PASSWORD, "Demo customer", UserRole.CUSTOMER
        )
        manufacturer_id = await _user(
            repos, MANUFACTURER_EMAIL, MANUFACTURER_PASSWORD, "Demo manufacturer", UserRole.MANUFACTURER
        )
        products = demo_products(manufacturer_id)
        for product in products:
            if await repos.products.get(product.id) is None:
                await repos.products.add(new_product_row(product))
        if await repos.policies.get(jid) is None:
            await repos.policies.put(
                jid, PolicyKind.MANUFACTURER, demo_policy(products), owner_user_id=manufacturer_id
            )
    return DemoLogins(
        customer_email=CUSTOMER_EMAIL,
        customer_password=CUSTOMER_PASSWORD,
        customer_id=customer_id,
        manufacturer_email=MANUFACTURER_EMAIL,
        manufacturer_password=MANUFACTURER_PASSWORD,
        manufacturer_id=manufacturer_id,
        manufacturer_jid=jid,
        product_ids=tuple(product.id for product in products),
    )


async def seed_demo_database(url: str, *, xmpp_domain: str = "localhost") -> DemoLogins:
    """:func:`seed_demo` on the (migrated) database at ``url``."""
    db = await Database.open(url)
    try:
        return await seed_demo(db, xmpp_domain=xmpp_domain)
    finally:
        await db.close()
