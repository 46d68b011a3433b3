"""An order's negotiation, for transparency: its ACL conversations as the agents logged them (a customer reads
only its own conversation with the manufacturer: :func:`gateway.privacy.transcript_view`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from gateway.api.deps import CurrentUser, DbDep
from gateway.api.order_access import visible_order
from gateway.privacy import transcript_view
from gateway.schemas.common import KeyPath
from gateway.schemas.negotiation import NegotiationTranscript
from gateway.transcript import conversations

router = APIRouter(prefix="/orders", tags=["orders"])


@router.get(
    "/{order_id}/negotiation",
    response_model=NegotiationTranscript,
    summary="The ACL conversations about an order (performative, sender, receivers, time, content); a "
    "customer reads only its own conversation with the manufacturer",
    responses={404: {"description": "no such order of yours"}},
)
async def negotiation(
    order_id: KeyPath,
    user: CurrentUser,
    db: DbDep,
    after: Annotated[
        int | None,
        Query(ge=0, description="only the messages after this position (the newest one the app holds)"),
    ] = None,
) -> NegotiationTranscript:
    async with db.transaction() as repos:
        order = await visible_order(repos, user, order_id)
        logged = await repos.acl.by_order(order.id)
    visible = transcript_view(user, logged, order)
    return NegotiationTranscript(order_id=order.id, conversations=conversations(visible, after))
