"""Who hears which events: a customer its own orders (what :func:`gateway.privacy.customer_hears` lets it
hear), a manufacturer the orders addressed to it, an admin every order; and whether a token is still good
during a long-lived stream."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from uuid import UUID

from gateway.bridge.base import OrderEvent
from gateway.core.principal import Principal
from gateway.privacy import customer_hears
from store.database import Database
from store.enums import UserRole

Filter = Callable[[OrderEvent], bool]


class NotAllowed(Exception):
    """This user has no events to hear (a researcher)."""


def events_for(user: Principal, order_id: UUID | None = None) -> Filter:
    """The events ``user`` may hear (of ``order_id`` only, when given)."""
    if user.role is UserRole.CUSTOMER:

        def mine(event: OrderEvent) -> bool:
            return event.customer_id == user.user_id and customer_hears(event)

    elif user.role is UserRole.MANUFACTURER:

        def mine(event: OrderEvent) -> bool:
            return event.manufacturer_id == user.user_id

    elif user.role is UserRole.ADMIN:

        def mine(event: OrderEvent) -> bool:
            return True

    else:
        raise NotAllowed(f"the role {user.role} has no orders to hear about")
    if order_id is None:
        return mine
    return lambda event: event.order_id == order_id and mine(event)


async def may_follow(db: Database, user: Principal, order_id: UUID) -> bool:
    """True when the order exists and is ``user``'s (its customer's, its manufacturer's, or an admin's)."""
    async with db.transaction(flush_acl_log=False) as repos:
        record = await repos.orders.get(str(order_id))
    if record is None:
        return False
    if user.role is UserRole.ADMIN:
        return True
    if user.role is UserRole.CUSTOMER:
        return record.customer_id == user.user_id
    if user.role is UserRole.MANUFACTURER:
        return record.manufacturer_id == user.user_id
    return False


async def still_valid(db: Database, user: Principal) -> bool:
    """The token behind a stream has neither expired nor been revoked since it was checked."""
    if user.expires_at <= datetime.now(UTC):
        return False
    async with db.transaction(flush_acl_log=False) as repos:
        return not await repos.revoked_tokens.is_revoked(user.token_id)
