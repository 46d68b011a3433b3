"""PartyManagementService (users: :mod:`ledger.grpc.svc_users`)."""

from __future__ import annotations

import grpc
from dazl._gen.com.daml.ledger.api.v1 import admin as lapiadmin

from ledger.engine.model import PartyDetails
from ledger.grpc.context import PARTICIPANT_ID, LedgerContext, unary
from ledger.grpc.registry import V1_ADMIN, Service


def _details(party: PartyDetails) -> lapiadmin.PartyDetails:
    return lapiadmin.PartyDetails(party=party.party, display_name=party.display_name, is_local=party.is_local)


class PartyServices:
    def __init__(self, ctx: LedgerContext) -> None:
        self.ctx = ctx

    @unary
    async def get_participant_id(
        self, request: lapiadmin.GetParticipantIdRequest, context: grpc.aio.ServicerContext
    ) -> lapiadmin.GetParticipantIdResponse:
        self.ctx.admin(context)
        return lapiadmin.GetParticipantIdResponse(participant_id=PARTICIPANT_ID)

    @unary
    async def get_parties(
        self, request: lapiadmin.GetPartiesRequest, context: grpc.aio.ServicerContext
    ) -> lapiadmin.GetPartiesResponse:
        self.ctx.claims(context)
        parties = await self.ctx.engine.get_parties(request.parties)
        return lapiadmin.GetPartiesResponse(party_details=[_details(p) for p in parties])

    @unary
    async def list_known_parties(
        self, request: lapiadmin.ListKnownPartiesRequest, context: grpc.aio.ServicerContext
    ) -> lapiadmin.ListKnownPartiesResponse:
        self.ctx.admin(context)
        parties = await self.ctx.engine.list_parties()
        return lapiadmin.ListKnownPartiesResponse(party_details=[_details(p) for p in parties])

    @unary
    async def allocate_party(
        self, request: lapiadmin.AllocatePartyRequest, context: grpc.aio.ServicerContext
    ) -> lapiadmin.AllocatePartyResponse:
        self.ctx.admin(context)
        party = await self.ctx.engine.allocate_party(
            request.party_id_hint or None, request.display_name or None
        )
        return lapiadmin.AllocatePartyResponse(party_details=_details(party))

    def services(self) -> list[Service]:
        parties = Service(f"{V1_ADMIN}.PartyManagementService")
        parties.unary("GetParticipantId", lapiadmin.GetParticipantIdRequest, self.get_participant_id)
        parties.unary("GetParties", lapiadmin.GetPartiesRequest, self.get_parties)
        parties.unary("ListKnownParties", lapiadmin.ListKnownPartiesRequest, self.list_known_parties)
        parties.unary("AllocateParty", lapiadmin.AllocatePartyRequest, self.allocate_party)
        return [parties]
