"""The Ledger API v1 gRPC server (what dazl speaks) over an :class:`EmbeddedLedger`."""

from __future__ import annotations

import grpc

from common.net import require_loopback
from ledger.engine.ledger import EmbeddedLedger
from ledger.engine.users import UserStore
from ledger.grpc.auth import TokenVerifier
from ledger.grpc.context import LedgerContext
from ledger.grpc.convert import Converter
from ledger.grpc.svc_commands import CommandServices
from ledger.grpc.svc_identity import IdentityServices
from ledger.grpc.svc_packages import PackageServices
from ledger.grpc.svc_parties import PartyServices
from ledger.grpc.svc_reads import ReadServices
from ledger.grpc.svc_time import TimeServices
from ledger.grpc.svc_users import UserServices, memory_users
from ledger.lf.dar import build_archive

BUILTIN_SOURCE = "built-in: ledger.lf (the platform's model)"
#: Default largest inbound message: Daml's Ledger API default (LSO_LEDGER_GRPC_MAX_INBOUND_MESSAGE_BYTES).
MAX_INBOUND_MESSAGE_BYTES = 4 * 1024 * 1024
#: Replies (e.g. GetPackage of a big uploaded package) may be larger than what is accepted.
MAX_MESSAGE_BYTES = 64 * 1024 * 1024


async def start_grpc_server(
    engine: EmbeddedLedger,
    host: str = "127.0.0.1",
    port: int = 6865,
    auth: TokenVerifier | None = None,
    *,
    max_inbound_message_bytes: int = MAX_INBOUND_MESSAGE_BYTES,
    users: UserStore | None = None,
) -> grpc.aio.Server:
    """Start serving the Ledger API on ``host:port`` (``port=0``: any free port, see ``server.bound_port``).

    The model's DAML-LF package is registered in the engine (idempotently) so that dazl can learn the types.
    ``auth=None`` serves without authentication (every caller may act as any party): for tests only.
    ``users``: the participant's users (default: in memory, seeded with the verifier's configured users).
    """
    require_loopback(host, "the embedded ledger's gRPC API")
    archive = build_archive(engine.model)
    await engine.upload_package(archive.package_id, archive.payload, source=BUILTIN_SOURCE)
    if users is None:
        users = await memory_users(auth)
    ctx = LedgerContext(
        engine=engine, convert=Converter(archive.package_id, engine.model), verifier=auth, users=users
    )
    server = grpc.aio.server(
        options=[
            ("grpc.max_receive_message_length", max_inbound_message_bytes),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
        ]
    )
    groups = (
        IdentityServices,
        PackageServices,
        PartyServices,
        UserServices,
        CommandServices,
        ReadServices,
        TimeServices,
    )
    for group in groups:
        for service in group(ctx).services():
            server.add_generic_rpc_handlers((service.handler(),))
    bound = server.add_insecure_port(f"{host}:{port}")
    if bound == 0:
        raise OSError(f"cannot bind the Ledger API to {host}:{port}")
    server.bound_port = bound
    await server.start()
    return server
