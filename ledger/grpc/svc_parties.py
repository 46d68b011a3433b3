"""PartyManagementService and UserManagementService (the read side dazl uses for 2.x user tokens)."""

from __future__ import annotations

import grpc
from dazl._gen.com.daml.ledger.api.v1 import admin as lapiadmin

from ledger.engine.model import PartyDetails
from ledger.grpc.auth import ADMIN_USER, Claims
from ledger.grpc.context import PARTICIPANT_ID, LedgerContext, abort, unary
from ledger.grpc.registry import V1_ADMIN, Service


def _details(party: PartyDetails) -> lapiadmin.PartyDetails:
    return lapiadmin.PartyDetails(party=party.party, display_name=party.display_name, is_local=party.is_local)


def _rights(claims: Claims) -> list[lapiadmin.Right]:
    rights = []
    if claims.is_admin:
        rights.append(lapiadmin.Right(participant_admin=lapiadmin.Right.ParticipantAdmin()))
    rights += [lapiadmin.Right(can_act_as=lapiadmin.Right.CanActAs(party=p)) for p in sorted(claims.act_as)]
    rights += [
        lapiadmin.Right(can_read_as=lapiadmin.Right.CanReadAs(party=p)) for p in sorted(claims.read_as)
    ]
    return rights


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

    # -- users: the caller's own user, described by its token --------------------------------------------

    def _own_user(self, claims: Claims, user_id: str) -> str:
        own = claims.user_id or (ADMIN_USER if claims.is_admin else None)
        wanted = user_id or own
        if not wanted:
            abort(grpc.StatusCode.INVALID_ARGUMENT, "no user id given and the token names no user")
        if wanted != own and not claims.is_admin:
            abort(grpc.StatusCode.PERMISSION_DENIED, "only an admin may read another user")
        if wanted != own:
            abort(grpc.StatusCode.NOT_FOUND, f"user {wanted!r} is not known to this participant")
        return wanted

    @unary
    async def get_user(
        self, request: lapiadmin.GetUserRequest, context: grpc.aio.ServicerContext
    ) -> lapiadmin.GetUserResponse:
        claims = self.ctx.claims(context)
        user_id = self._own_user(claims, request.user_id)
        primary = min(claims.act_as) if claims.act_as else ""
        return lapiadmin.GetUserResponse(user=lapiadmin.User(id=user_id, primary_party=primary))

    @unary
    async def list_user_rights(
        self, request: lapiadmin.ListUserRightsRequest, context: grpc.aio.ServicerContext
    ) -> lapiadmin.ListUserRightsResponse:
        claims = self.ctx.claims(context)
        self._own_user(claims, request.user_id)
        return lapiadmin.ListUserRightsResponse(rights=_rights(claims))

    def services(self) -> list[Service]:
        parties = Service(f"{V1_ADMIN}.PartyManagementService")
        parties.unary("GetParticipantId", lapiadmin.GetParticipantIdRequest, self.get_participant_id)
        parties.unary("GetParties", lapiadmin.GetPartiesRequest, self.get_parties)
        parties.unary("ListKnownParties", lapiadmin.ListKnownPartiesRequest, self.list_known_parties)
        parties.unary("AllocateParty", lapiadmin.AllocatePartyRequest, self.allocate_party)
        users = Service(f"{V1_ADMIN}.UserManagementService")
        users.unary("GetUser", lapiadmin.GetUserRequest, self.get_user)
        users.unary("ListUserRights", lapiadmin.ListUserRightsRequest, self.list_user_rights)
        return [parties, users]
