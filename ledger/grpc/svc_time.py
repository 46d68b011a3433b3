"""Daml's testing ``TimeService`` (``com.daml.ledger.api.v1.testing.TimeService``) over the ledger's clock.

``GetTime`` streams the ledger time (now, then every change); ``SetTime`` (admin) moves static time from
``current_time`` to ``new_time``: refused with INVALID_ARGUMENT when the ledger does not run with static time
(``LSO_LEDGER_TIME_MODE=static``), when ``current_time`` is not the ledger time or ``new_time`` is earlier.
The JSON API has no time endpoint, as in Daml.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import grpc
from dazl._gen.com.daml.ledger.api.v1.testing import time_service_pb2 as tpb
from google.protobuf.empty_pb2 import Empty

from ledger.grpc.context import LedgerContext, streaming, unary
from ledger.grpc.registry import V1, Service


def _response(moment: datetime) -> tpb.GetTimeResponse:
    response = tpb.GetTimeResponse()
    response.current_time.FromDatetime(moment)
    return response


class TimeServices:
    def __init__(self, ctx: LedgerContext) -> None:
        self.ctx = ctx

    @streaming
    async def get_time(
        self, request: tpb.GetTimeRequest, context: grpc.aio.ServicerContext
    ) -> AsyncIterator[tpb.GetTimeResponse]:
        self.ctx.claims(context)
        self.ctx.check_ledger_id(request.ledger_id)
        async for moment in self.ctx.engine.clock.watch():
            yield _response(moment)

    @unary
    async def set_time(self, request: tpb.SetTimeRequest, context: grpc.aio.ServicerContext) -> Empty:
        self.ctx.admin(context)
        self.ctx.check_ledger_id(request.ledger_id)
        current = request.current_time.ToDatetime(tzinfo=UTC)
        new = request.new_time.ToDatetime(tzinfo=UTC)
        await self.ctx.engine.clock.set_time(current, new)
        return Empty()

    def services(self) -> list[Service]:
        time = Service(f"{V1}.testing.TimeService")
        time.stream("GetTime", tpb.GetTimeRequest, self.get_time)
        time.unary("SetTime", tpb.SetTimeRequest, self.set_time)
        return [time]
