"""LedgerIdentityService, VersionService and LedgerConfigurationService-free basics."""

from __future__ import annotations

import grpc
from dazl._gen.com.daml.ledger.api import v1 as lapi

from ledger.engine.users import MAX_PAGE_SIZE, MAX_RIGHTS_PER_USER
from ledger.grpc.context import LedgerContext, unary
from ledger.grpc.registry import V1, Service

#: The Ledger API release whose v1 services this server implements.
API_VERSION = "2.9.0"


class IdentityServices:
    def __init__(self, ctx: LedgerContext) -> None:
        self.ctx = ctx

    @unary
    async def get_ledger_identity(
        self, request: lapi.GetLedgerIdentityRequest, context: grpc.aio.ServicerContext
    ) -> lapi.GetLedgerIdentityResponse:
        self.ctx.claims(context)
        return lapi.GetLedgerIdentityResponse(ledger_id=self.ctx.engine.ledger_id)

    @unary
    async def get_version(
        self, request: lapi.GetLedgerApiVersionRequest, context: grpc.aio.ServicerContext
    ) -> lapi.GetLedgerApiVersionResponse:
        self.ctx.claims(context)  # Daml asks for a valid token of a known user here too (public claims)
        self.ctx.check_ledger_id(request.ledger_id)
        features = lapi.FeaturesDescriptor(
            user_management=lapi.UserManagementFeature(
                supported=True, max_rights_per_user=MAX_RIGHTS_PER_USER, max_users_page_size=MAX_PAGE_SIZE
            ),
            party_management=lapi.PartyManagementFeature(max_parties_page_size=10000),
        )
        return lapi.GetLedgerApiVersionResponse(version=API_VERSION, features=features)

    def services(self) -> list[Service]:
        identity = Service(f"{V1}.LedgerIdentityService")
        identity.unary("GetLedgerIdentity", lapi.GetLedgerIdentityRequest, self.get_ledger_identity)
        version = Service(f"{V1}.VersionService")
        version.unary("GetLedgerApiVersion", lapi.GetLedgerApiVersionRequest, self.get_version)
        return [identity, version]
