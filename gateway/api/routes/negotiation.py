"""An order's negotiation, for transparency: its ACL conversations as the agents logged them."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.api.deps import CurrentUser, DbDep
from gateway.api.order_access import visible_order
from gateway.schemas.common import KeyPath
from gateway.schemas.negotiation import NegotiationTranscript
from gateway.transcript import conversations

router = APIRouter(prefix="/orders", tags=["orders"])


@router.get(
    "/{order_id}/negotiation",
    response_model=NegotiationTranscript,
    summary="The ACL conversations about an order (performative, sender, receivers, time, content)",
    responses={404: {"description": "no such order of yours"}},
)
async def negotiation(order_id: KeyPath, user: CurrentUser, db: DbDep) -> NegotiationTranscript:
    async with db.transaction() as repos:
        order = await visible_order(repos, user, order_id)
        logged = await repos.acl.by_order(order.id)
    return NegotiationTranscript(order_id=order.id, conversations=conversations(logged))
