"""PackageService and PackageManagementService: DALF payloads stored in the engine; uploads validated by
``ledger.packages`` (DAML-LF that dazl reads, templates that are the model)."""

from __future__ import annotations

import grpc
from dazl._gen.com.daml.ledger.api import v1 as lapi
from dazl._gen.com.daml.ledger.api.v1 import admin as lapiadmin

from ledger.engine.errors import PackageNotFound
from ledger.grpc.context import LedgerContext, unary
from ledger.grpc.convert import timestamp
from ledger.grpc.registry import V1, V1_ADMIN, Service
from ledger.packages import upload_dar


class PackageServices:
    def __init__(self, ctx: LedgerContext) -> None:
        self.ctx = ctx

    @unary
    async def list_packages(
        self, request: lapi.ListPackagesRequest, context: grpc.aio.ServicerContext
    ) -> lapi.ListPackagesResponse:
        self.ctx.claims(context)
        self.ctx.check_ledger_id(request.ledger_id)
        return lapi.ListPackagesResponse(package_ids=await self.ctx.engine.list_packages())

    @unary
    async def get_package(
        self, request: lapi.GetPackageRequest, context: grpc.aio.ServicerContext
    ) -> lapi.GetPackageResponse:
        self.ctx.claims(context)
        self.ctx.check_ledger_id(request.ledger_id)
        payload = await self.ctx.engine.get_package(request.package_id)
        return lapi.GetPackageResponse(
            hash_function=lapi.HashFunction.SHA256, archive_payload=payload, hash=request.package_id
        )

    @unary
    async def get_package_status(
        self, request: lapi.GetPackageStatusRequest, context: grpc.aio.ServicerContext
    ) -> lapi.GetPackageStatusResponse:
        self.ctx.claims(context)
        self.ctx.check_ledger_id(request.ledger_id)
        try:
            await self.ctx.engine.get_package(request.package_id)
        except PackageNotFound:
            return lapi.GetPackageStatusResponse(package_status=lapi.PackageStatus.UNKNOWN)
        return lapi.GetPackageStatusResponse(package_status=lapi.PackageStatus.REGISTERED)

    @unary
    async def upload_dar_file(
        self, request: lapiadmin.UploadDarFileRequest, context: grpc.aio.ServicerContext
    ) -> lapiadmin.UploadDarFileResponse:
        self.ctx.admin(context)
        await upload_dar(self.ctx.engine, request.dar_file, source=request.submission_id or "UploadDarFile")
        return lapiadmin.UploadDarFileResponse()

    @unary
    async def list_known_packages(
        self, request: lapiadmin.ListKnownPackagesRequest, context: grpc.aio.ServicerContext
    ) -> lapiadmin.ListKnownPackagesResponse:
        self.ctx.admin(context)
        infos = await self.ctx.engine.package_infos()
        return lapiadmin.ListKnownPackagesResponse(
            package_details=[
                lapiadmin.PackageDetails(
                    package_id=i.package_id,
                    package_size=i.size,
                    known_since=timestamp(i.uploaded_at),
                    source_description=i.source,
                )
                for i in infos
            ]
        )

    def services(self) -> list[Service]:
        packages = Service(f"{V1}.PackageService")
        packages.unary("ListPackages", lapi.ListPackagesRequest, self.list_packages)
        packages.unary("GetPackage", lapi.GetPackageRequest, self.get_package)
        packages.unary("GetPackageStatus", lapi.GetPackageStatusRequest, self.get_package_status)
        management = Service(f"{V1_ADMIN}.PackageManagementService")
        management.unary("UploadDarFile", lapiadmin.UploadDarFileRequest, self.upload_dar_file)
        management.unary("ListKnownPackages", lapiadmin.ListKnownPackagesRequest, self.list_known_packages)
        return [packages, management]
