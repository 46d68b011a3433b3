"""Which orders a user may see: a customer its own, a manufacturer those addressed to it.

Someone else's order is answered 404, exactly like an order that does not exist, so order ids
cannot be probed.
"""

from __future__ import annotations

from fastapi import HTTPException, status

from gateway.core.principal import Principal
from store.enums import UserRole
from store.records import OrderRecord
from store.repositories import Repositories


def may_see(user: Principal, order: OrderRecord) -> bool:
    if user.role == UserRole.CUSTOMER:
        return order.customer_id == user.user_id
    if user.role == UserRole.MANUFACTURER:
        return order.manufacturer_id == user.user_id
    return False


def not_found(order_id: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"no order {order_id}")


async def visible_order(repos: Repositories, user: Principal, order_id: str) -> OrderRecord:
    """The order if ``user`` is one of its parties, else 404."""
    order = await repos.orders.get(order_id)
    if order is None or not may_see(user, order):
        raise not_found(order_id)
    return order
